//! HTTP Basic client credentials, decoded as RFC 6749 section 2.3.1 asks:
//! base64 of `urlencode(id) ":" urlencode(secret)`.

use base64::Engine as _;

use super::params::decode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BasicError {
    #[error("the Authorization header is not HTTP Basic")]
    NotBasic,
    #[error("the Basic credentials are not valid base64")]
    Base64,
    #[error("the Basic credentials have no ':' between client id and secret")]
    NoColon,
    #[error("the Basic credentials are not valid form-urlencoded UTF-8")]
    Encoding,
}

/// Returns `(client_id, client_secret)`.
pub fn parse(header: &[u8]) -> Result<(String, String), BasicError> {
    let raw = decoded(header)?;
    let mut halves = raw.splitn(2, |&b| b == b':');
    let id = halves.next().unwrap_or_default();
    let secret = halves.next().ok_or(BasicError::NoColon)?;
    let id = decode(id).map_err(|_| BasicError::Encoding)?;
    let secret = decode(secret).map_err(|_| BasicError::Encoding)?;
    Ok((id, secret))
}

/// Plain RFC 7617 credentials (`user:password` as UTF-8, no form
/// encoding), as HTTP clients such as aiohttp send them: `(user, password)`.
pub fn parse_plain(header: &[u8]) -> Result<(String, String), BasicError> {
    let raw = decoded(header)?;
    let text = String::from_utf8(raw).map_err(|_| BasicError::Encoding)?;
    let (user, password) = text.split_once(':').ok_or(BasicError::NoColon)?;
    Ok((user.to_owned(), password.to_owned()))
}

/// The base64-decoded part after `Basic `.
fn decoded(header: &[u8]) -> Result<Vec<u8>, BasicError> {
    let header = header.trim_ascii();
    let (scheme, rest) = header.split_at_checked(6).ok_or(BasicError::NotBasic)?;
    if !scheme.eq_ignore_ascii_case(b"basic ") {
        return Err(BasicError::NotBasic);
    }
    base64::engine::general_purpose::STANDARD
        .decode(rest.trim_ascii())
        .map_err(|_| BasicError::Base64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6749_example() {
        assert_eq!(
            parse(b"Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"),
            Ok(("s6BhdRkqt3".into(), "gX1fBat3bV".into()))
        );
    }

    #[test]
    fn form_urlencoded_secret_survives() {
        // "id:se:c%r+t x" form-urlencoded is "id:se%3Ac%25r%2Bt+x".
        let b = base64::engine::general_purpose::STANDARD.encode("id:se%3Ac%25r%2Bt+x");
        assert_eq!(
            parse(format!("basic {b}").as_bytes()),
            Ok(("id".into(), "se:c%r+t x".into()))
        );
    }

    #[test]
    fn plain_credentials_keep_plus_percent_and_colons() {
        let b = base64::engine::general_purpose::STANDARD.encode("music-assistant:a+b%20c:d");
        assert_eq!(
            parse_plain(format!("Basic {b}").as_bytes()),
            Ok(("music-assistant".into(), "a+b%20c:d".into()))
        );
        let b = base64::engine::general_purpose::STANDARD.encode(b"u:\xff");
        assert_eq!(
            parse_plain(format!("Basic {b}").as_bytes()),
            Err(BasicError::Encoding)
        );
        assert_eq!(parse_plain(b"Bearer x"), Err(BasicError::NotBasic));
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(parse(b"Bearer abc"), Err(BasicError::NotBasic));
        assert_eq!(parse(b"Basic !!!"), Err(BasicError::Base64));
        let b = base64::engine::general_purpose::STANDARD.encode("nocolon");
        assert_eq!(
            parse(format!("Basic {b}").as_bytes()),
            Err(BasicError::NoColon)
        );
        let b = base64::engine::general_purpose::STANDARD.encode(b"id:%zz");
        assert_eq!(
            parse(format!("Basic {b}").as_bytes()),
            Err(BasicError::Encoding)
        );
    }
}
