//! Strict `application/x-www-form-urlencoded` parsing for query strings and
//! form bodies. Unlike lenient parsers it refuses what an attacker could use
//! to confuse two readers of the same request: duplicated names, invalid
//! percent escapes and bytes that are not UTF-8.

/// Upper bound on parameters in one request.
pub const MAX_PARAMS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("the parameter {0:?} appears more than once")]
    Duplicate(String),
    #[error("a parameter has an invalid percent-encoding")]
    BadEscape,
    #[error("a parameter is not valid UTF-8")]
    NotUtf8,
    #[error("too many parameters (at most {MAX_PARAMS})")]
    TooMany,
}

/// Parsed parameters, in order. Per RFC 6749 section 3.1, a parameter sent
/// without a value is treated as omitted by [`Params::get`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn parse(input: &[u8]) -> Result<Params, ParamError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for part in input.split(|&b| b == b'&') {
            if part.is_empty() {
                continue;
            }
            let mut kv = part.splitn(2, |&b| b == b'=');
            let k = kv.next().unwrap_or_default();
            let v = kv.next().unwrap_or_default();
            let k = decode(k)?;
            let v = decode(v)?;
            if pairs.iter().any(|(n, _)| *n == k) {
                return Err(ParamError::Duplicate(k));
            }
            if pairs.len() == MAX_PARAMS {
                return Err(ParamError::TooMany);
            }
            pairs.push((k, v));
        }
        Ok(Params { pairs })
    }

    /// The value of `name`, or None if absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Decodes one form-urlencoded component: `+` is a space, `%XX` a byte.
pub fn decode(input: &[u8]) -> Result<String, ParamError> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.iter();
    while let Some(&c) = bytes.next() {
        match c {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.next().and_then(|&c| hex(c)),
                bytes.next().and_then(|&c| hex(c)),
            ) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => return Err(ParamError::BadEscape),
            },
            c => out.push(c),
        }
    }
    String::from_utf8(out).map_err(|_| ParamError::NotUtf8)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plus_and_escapes() {
        let p =
            Params::parse(b"state=Ama%2Bse%2FyX%3D&scope=music%3Aread+music%3Acontrol&empty=&flag")
                .unwrap();
        assert_eq!(p.get("state"), Some("Ama+se/yX="));
        assert_eq!(p.get("scope"), Some("music:read music:control"));
        assert_eq!(p.get("empty"), None);
        assert_eq!(p.get("flag"), None);
        assert_eq!(p.get("missing"), None);
    }

    #[test]
    fn refuses_duplicates_even_when_empty() {
        assert_eq!(
            Params::parse(b"a=1&a=2"),
            Err(ParamError::Duplicate("a".into()))
        );
        assert_eq!(
            Params::parse(b"a=&a=2"),
            Err(ParamError::Duplicate("a".into()))
        );
        assert_eq!(
            Params::parse(b"a%3D=1&a%3d=2"),
            Err(ParamError::Duplicate("a=".into()))
        );
    }

    #[test]
    fn refuses_bad_escapes_and_non_utf8() {
        assert_eq!(Params::parse(b"a=%zz"), Err(ParamError::BadEscape));
        assert_eq!(Params::parse(b"a=%4"), Err(ParamError::BadEscape));
        assert_eq!(Params::parse(b"a=%ff%fe"), Err(ParamError::NotUtf8));
        assert_eq!(Params::parse(b"a=\xff"), Err(ParamError::NotUtf8));
    }

    #[test]
    fn bounds_the_number_of_parameters() {
        let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("p{i}=1")).collect();
        assert_eq!(
            Params::parse(many.join("&").as_bytes()),
            Err(ParamError::TooMany)
        );
        assert!(Params::parse(many[..MAX_PARAMS].join("&").as_bytes()).is_ok());
    }
}
