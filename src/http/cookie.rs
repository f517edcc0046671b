//! Reading one cookie from `Cookie` headers.

use hyper::HeaderMap;
use hyper::header::COOKIE;

/// The value of cookie `name`. If it appears more than once (a sign of
/// cookie tossing), None.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut found = None;
    for h in headers.get_all(COOKIE) {
        let Ok(s) = h.to_str() else { continue };
        for part in s.split(';') {
            let part = part.trim();
            if let Some((k, v)) = part.split_once('=')
                && k == name
            {
                if found.is_some() {
                    return None;
                }
                found = Some(v);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn finds_one_and_refuses_two() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; ma_login=xyz; b=2"));
        assert_eq!(get(&h, "ma_login"), Some("xyz"));
        assert_eq!(get(&h, "missing"), None);
        h.append(COOKIE, HeaderValue::from_static("ma_login=evil"));
        assert_eq!(get(&h, "ma_login"), None);
    }
}
