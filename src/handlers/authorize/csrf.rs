//! CSRF defence of the login form: the `ma_login` cookie's nonce, the form's
//! `csrf = ts "." HMAC(key, ts, nonce, request)` token, and the same-site
//! check of the POST. No server state: the GET writes nothing.

use aws_lc_rs::hmac;
use hyper::HeaderMap;
use hyper::header;

use super::request::AuthRequest;
use crate::app::App;
use crate::util;

/// How long a login form stays valid (seconds).
pub(super) const FORM_LIFETIME: i64 = 3600;

fn csrf_mac(app: &App, ts: i64, nonce: &str, r: &AuthRequest) -> String {
    let mut ctx = hmac::Context::with_key(app.csrf_key());
    for part in [
        "csrf-v1",
        &ts.to_string(),
        nonce,
        &r.client.id,
        &r.redirect_uri,
        &r.scope,
        r.state.as_deref().unwrap_or(""),
        r.code_challenge.as_deref().unwrap_or(""),
    ] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    util::b64url(ctx.sign().as_ref())
}

pub(super) fn csrf_token(app: &App, nonce: &str, r: &AuthRequest) -> String {
    let ts = util::now();
    format!("{ts}.{}", csrf_mac(app, ts, nonce, r))
}

pub(super) fn csrf_ok(app: &App, nonce: &str, token: &str, r: &AuthRequest) -> bool {
    let Some((ts, mac)) = token.split_once('.') else {
        return false;
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return false;
    };
    let age = util::now() - ts;
    (0..=FORM_LIFETIME).contains(&age)
        && util::ct_eq(csrf_mac(app, ts, nonce, r).as_bytes(), mac.as_bytes())
}

pub(super) fn valid_nonce(n: &str) -> bool {
    n.len() == 22
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Refuses cross-site form posts. `Origin: null` is what browsers send under
/// our own `Referrer-Policy: no-referrer`, so it is allowed; any other origin
/// must be ours.
pub(super) fn same_site(app: &App, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return false;
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(o) => o.as_bytes() == b"null" || o.as_bytes() == app.issuer_origin().as_bytes(),
    }
}
