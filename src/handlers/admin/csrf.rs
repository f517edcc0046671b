//! CSRF defence of the add-on's page, without server state (as the login
//! page's): a nonce cookie (`ma_admin_csrf`, HttpOnly, SameSite=Strict, on
//! the page's path) and in every form `csrf = ts "." HMAC(key, ts, nonce)`;
//! a POST also needs `Sec-Fetch-Site: same-origin` (when sent) and an
//! `Origin` equal to the page's own (when sent).

use aws_lc_rs::hmac;
use hyper::HeaderMap;
use hyper::header;

use crate::app::App;
use crate::util;

pub const COOKIE: &str = "ma_admin_csrf";
/// How long a page's forms stay valid (seconds).
pub const LIFETIME: i64 = 12 * 3600;

fn mac(app: &App, ts: i64, nonce: &str) -> String {
    let mut ctx = hmac::Context::with_key(app.csrf_key());
    for part in ["admin-csrf-v1", &ts.to_string(), nonce] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    util::b64url(ctx.sign().as_ref())
}

/// A fresh nonce for the cookie.
pub fn new_nonce() -> String {
    util::random_token(16)
}

/// A nonce as [`new_nonce`] makes them: 22 URL-safe base64 characters.
pub fn valid_nonce(n: &str) -> bool {
    n.len() == 22
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token forms carry for `nonce`.
pub fn token(app: &App, nonce: &str) -> String {
    let ts = util::now();
    format!("{ts}.{}", mac(app, ts, nonce))
}

/// Whether `token` was made for `nonce` by this server within [`LIFETIME`].
pub fn token_ok(app: &App, nonce: &str, token: &str) -> bool {
    let Some((ts, m)) = token.split_once('.') else {
        return false;
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return false;
    };
    let age = util::now() - ts;
    (0..=LIFETIME).contains(&age) && util::ct_eq(mac(app, ts, nonce).as_bytes(), m.as_bytes())
}

/// Whether a POST comes from the page itself: `Sec-Fetch-Site`, when sent,
/// is `same-origin`; `Origin`, when sent, is `expected` (the page's origin
/// as the browser sees it). Without a known origin, an `Origin` is refused.
pub fn same_site(headers: &HeaderMap, expected: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && site.as_bytes() != b"same-origin"
    {
        return false;
    }
    match (headers.get(header::ORIGIN), expected) {
        (None, _) => true,
        (Some(o), Some(e)) => o.as_bytes().eq_ignore_ascii_case(e.as_bytes()),
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn only_same_origin_posts_pass() {
        let o = Some("https://ha.example:8123");
        assert!(same_site(&h(&[]), o));
        assert!(same_site(
            &h(&[
                ("sec-fetch-site", "same-origin"),
                ("origin", "https://ha.example:8123")
            ]),
            o
        ));
        assert!(!same_site(&h(&[("sec-fetch-site", "cross-site")]), o));
        assert!(!same_site(&h(&[("sec-fetch-site", "same-site")]), o));
        assert!(!same_site(&h(&[("sec-fetch-site", "none")]), o));
        assert!(!same_site(&h(&[("origin", "https://evil.example")]), o));
        assert!(!same_site(&h(&[("origin", "null")]), o));
        assert!(!same_site(
            &h(&[("origin", "https://ha.example:8123")]),
            None
        ));
    }

    #[test]
    fn nonces_have_one_shape() {
        assert!(valid_nonce(&new_nonce()));
        assert!(!valid_nonce("short") && !valid_nonce("a/bcdefghijklmnopqrstu"));
    }
}
