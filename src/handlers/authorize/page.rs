//! The pages the authorization endpoint shows: the login and consent form
//! (with its cookie and CSP) and error pages.

use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::COOKIE;
use super::csrf::{FORM_LIFETIME, csrf_token};
use super::request::AuthRequest;
use crate::app::App;
use crate::http::{self, Body};
use crate::oauth::metadata;
use crate::pages;

/// An error page; never a redirect.
pub fn error_page(status: StatusCode, title: &str, msg: &str) -> Response<Body> {
    http::html(status, pages::error(title, msg), &pages::csp(None))
}

/// The origin (or scheme) a redirect URI points at, for the CSP's form-action.
fn redirect_origin(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(u) => match u.origin() {
            o @ url::Origin::Tuple(..) => o.ascii_serialization(),
            url::Origin::Opaque(_) => format!("{}:", u.scheme()),
        },
        Err(_) => "'none'".to_owned(),
    }
}

pub(super) fn login_page(
    app: &App,
    r: &AuthRequest,
    nonce: &str,
    status: StatusCode,
    username: &str,
    error: Option<&str>,
) -> Response<Body> {
    let csrf = csrf_token(app, nonce, r);
    let mut hidden: Vec<(&str, &str)> = vec![
        ("client_id", &r.client.id),
        ("redirect_uri", &r.redirect_uri),
        ("response_type", "code"),
        ("scope", &r.scope),
    ];
    if let Some(s) = &r.state {
        hidden.push(("state", s));
    }
    if let Some(c) = &r.code_challenge {
        hidden.push(("code_challenge", c));
        hidden.push(("code_challenge_method", "S256"));
    }
    hidden.push(("csrf", &csrf));
    let scopes: Vec<&str> = r.scope.split(' ').collect();
    let html = pages::login(&pages::LoginPage {
        client_name: &r.client.name,
        scopes: &scopes,
        hidden: &hidden,
        username,
        error,
        account_source: app.identity().display_name(),
    });
    let mut resp = http::html(
        status,
        html,
        &pages::csp(Some(&redirect_origin(&r.redirect_uri))),
    );
    let secure = if app.config().issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={nonce}; Path={}; Max-Age={FORM_LIFETIME}; HttpOnly; SameSite=Lax{secure}",
        metadata::AUTHORIZE_PATH
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// A wait in words, for the throttle message.
pub(super) fn human_wait(secs: u64) -> String {
    match secs {
        1 => "a second".into(),
        s if s < 90 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}
