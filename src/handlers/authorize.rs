//! `GET` and `POST /alexa/authorize`: validates the authorization request,
//! shows the login and consent page, checks the login, issues a code.
//!
//! Errors before the client and redirect URI are known good are shown as a
//! page and never redirected (no open redirector). Later errors go back to the
//! client as `error`, `error_description`, `state` and `iss`.
//!
//! PKCE is S256 only. It is optional unless the client is registered with
//! `require_pkce` (`client add ... --require-pkce`, `client set ID
//! --require-pkce on`): Alexa sends a challenge only when the skill owner turns
//! "PKCE Authorization" on in the developer console, off by default.
//!
//! CSRF: the GET sets a random `ma_login` cookie (HttpOnly, SameSite=Lax) and
//! the form carries `csrf = ts "." HMAC(key, ts, cookie, request)`, so a posted
//! form is bound to this browser's login session, to the authorization
//! request it was shown for, and to a one-hour window. The POST also refuses
//! foreign `Origin` and cross-site `Sec-Fetch-Site`.

use std::net::IpAddr;
use std::time::Instant;

use aws_lc_rs::hmac;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Response, StatusCode};

use crate::app::App;
use crate::audit::AuditEvent;
use crate::http::{self, Body, cookie, params::Params};
use crate::identity::IdentityError;
use crate::oauth::{metadata, parse_scope, pkce};
use crate::pages;
use crate::store::{self, Client, ClientKind, CodeGrant};
use crate::util;

pub const COOKIE: &str = "ma_login";
const FORM_LIFETIME: i64 = 3600;
const MAX_STATE: usize = 2048;

/// A validated authorization request.
struct AuthRequest {
    client: Client,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
}

enum Reject {
    /// Shown to the person; never redirected.
    Page(StatusCode, &'static str, String),
    /// Sent back to the client's redirect URI.
    Redirect(Response<Body>),
}

impl Reject {
    fn into_response(self) -> Response<Body> {
        match self {
            Reject::Page(status, title, msg) => error_page(status, title, &msg),
            Reject::Redirect(r) => r,
        }
    }
}

pub fn error_page(status: StatusCode, title: &str, msg: &str) -> Response<Body> {
    http::html(status, pages::error(title, msg), &pages::csp(None))
}

fn redirect_error(
    app: &App,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Reject {
    let description = crate::oauth::error::rfc6749_text(description);
    let mut q: Vec<(&str, &str)> = vec![("error", error), ("error_description", &description)];
    if let Some(s) = state {
        q.push(("state", s));
    }
    q.push(("iss", &app.config().issuer));
    Reject::Redirect(http::see_other(&http::append_query(redirect_uri, &q)))
}

async fn validate(app: &App, params: &Params) -> Result<AuthRequest, Reject> {
    let page = |m: &str| {
        Reject::Page(
            StatusCode::BAD_REQUEST,
            "This link request cannot be completed",
            m.to_owned(),
        )
    };
    let Some(client_id) = params.get("client_id") else {
        return Err(page(
            "The request does not say which application is asking (client_id is missing).",
        ));
    };
    if client_id.len() > 256 {
        return Err(page(
            "The application is not registered with this server (unknown client_id).",
        ));
    }
    let id = client_id.to_owned();
    let client = match app.store().call(move |c| store::get_client(c, &id)).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(page(
                "The application is not registered with this server (unknown client_id).",
            ));
        }
        Err(e) => {
            tracing::warn!(error = %e, "storage failure on authorize");
            return Err(Reject::Page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "The server cannot reach its database right now. Please try again in a minute."
                    .into(),
            ));
        }
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(page("The request has no redirect_uri."));
    };
    if !client.has_redirect_uri(redirect_uri) {
        return Err(page(
            "The redirect_uri is not registered for this application. If you run this server, check that the \
             client's redirect URLs match the Alexa Redirect URLs in the developer console exactly.",
        ));
    }
    let redirect_uri = redirect_uri.to_owned();
    let raw_state = params.get("state");
    let state = raw_state.filter(|s| s.len() <= MAX_STATE);
    let fail = |error: &str, desc: &str| redirect_error(app, &redirect_uri, state, error, desc);
    if raw_state.is_some() && state.is_none() {
        return Err(fail("invalid_request", "state is too long"));
    }
    match params.get("response_type") {
        None => return Err(fail("invalid_request", "response_type is missing")),
        Some("code") => {}
        Some(_) => {
            return Err(fail(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
    }
    if let Some(mode) = params.get("response_mode")
        && mode != "query"
    {
        return Err(fail(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    let scope = match params.get("scope") {
        None => client.scopes.join(" "),
        Some(s) => {
            let Some(items) = parse_scope(s) else {
                return Err(fail("invalid_scope", "scope is malformed"));
            };
            if let Some(bad) = items
                .iter()
                .find(|i| !client.scopes.iter().any(|c| c == *i))
            {
                return Err(fail(
                    "invalid_scope",
                    &format!("scope {bad:?} is not available to this client"),
                ));
            }
            items.join(" ")
        }
    };
    let code_challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method without code_challenge",
            ));
        }
        (Some(_), None) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method is required; only S256 is supported (plain is refused)",
            ));
        }
        (Some(_), Some(m)) if m != "S256" => {
            return Err(fail(
                "invalid_request",
                "only the S256 code_challenge_method is supported",
            ));
        }
        (Some(c), Some(_)) if !pkce::valid_challenge(c) => {
            return Err(fail(
                "invalid_request",
                "code_challenge must be 43 base64url characters (S256)",
            ));
        }
        (Some(c), Some(_)) => Some(c.to_owned()),
    };
    if code_challenge.is_none() && client.require_pkce {
        return Err(fail(
            "invalid_request",
            match client.kind {
                ClientKind::Alexa => {
                    "code_challenge is missing: this client requires PKCE (S256); turn on \
                     PKCE Authorization in the skill's account linking settings in the Alexa \
                     developer console"
                }
                ClientKind::Generic => {
                    "code_challenge is missing: this client requires PKCE (S256)"
                }
            },
        ));
    }
    let state = state.map(str::to_owned);
    Ok(AuthRequest {
        client,
        redirect_uri,
        scope,
        state,
        code_challenge,
    })
}

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

fn csrf_token(app: &App, nonce: &str, r: &AuthRequest) -> String {
    let ts = util::now();
    format!("{ts}.{}", csrf_mac(app, ts, nonce, r))
}

fn csrf_ok(app: &App, nonce: &str, token: &str, r: &AuthRequest) -> bool {
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

fn valid_nonce(n: &str) -> bool {
    n.len() == 22
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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

fn login_page(
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

/// Parses the request's parameters (query or form) and validates them as an
/// authorization request; the error is the finished response.
async fn parse_and_validate(
    app: &App,
    input: &[u8],
) -> Result<(Params, AuthRequest), Response<Body>> {
    let params = Params::parse(input).map_err(|e| {
        error_page(
            StatusCode::BAD_REQUEST,
            "This link request cannot be completed",
            &e.to_string(),
        )
    })?;
    let r = validate(app, &params)
        .await
        .map_err(Reject::into_response)?;
    Ok((params, r))
}

pub async fn get(app: &App, headers: &HeaderMap, query: Option<&str>) -> Response<Body> {
    let r = match parse_and_validate(app, query.unwrap_or("").as_bytes()).await {
        Ok((_, r)) => r,
        Err(resp) => return resp,
    };
    let nonce = match cookie::get(headers, COOKIE) {
        Some(n) if valid_nonce(n) => n.to_owned(),
        _ => util::random_token(16),
    };
    login_page(app, &r, &nonce, StatusCode::OK, "", None)
}

/// Refuses cross-site form posts. `Origin: null` is what browsers send under
/// our own `Referrer-Policy: no-referrer`, so it is allowed; any other origin
/// must be ours.
fn same_site(app: &App, headers: &HeaderMap) -> bool {
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

pub async fn post(app: &App, headers: &HeaderMap, body: &[u8], addr: IpAddr) -> Response<Body> {
    if !http::is_form(headers) {
        return error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unexpected form",
            "The login form must be posted as a web form.",
        );
    }
    let (params, r) = match parse_and_validate(app, body).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    if !same_site(app, headers) {
        return error_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form was not sent from this site. Start linking again from the Alexa app.",
        );
    }
    let username = params.get("username").unwrap_or("");
    let nonce = cookie::get(headers, COOKIE).filter(|n| valid_nonce(n));
    let csrf = params.get("csrf").unwrap_or("");
    let Some(nonce) = nonce.filter(|n| csrf_ok(app, n, csrf, &r)) else {
        // Expired form, lost cookie or forged post: nothing happens; show a fresh form.
        let nonce = util::random_token(16);
        return login_page(
            app,
            &r,
            &nonce,
            StatusCode::FORBIDDEN,
            "",
            Some("This sign-in form has expired. Please enter your username and password again."),
        );
    };
    let client_id = r.client.id.clone();
    if params.get("action") == Some("deny") {
        app.audit().emit(AuditEvent::ConsentDenied {
            username: username.to_owned(),
            client_id,
            addr,
        });
        let resp = redirect_error(
            app,
            &r.redirect_uri,
            r.state.as_deref(),
            "access_denied",
            "the user cancelled linking",
        );
        return resp.into_response();
    }
    let password = params.get("password").unwrap_or("");
    if username.is_empty() || password.is_empty() {
        return login_page(
            app,
            &r,
            nonce,
            StatusCode::BAD_REQUEST,
            username,
            Some("Enter your username and password."),
        );
    }
    if username.len() > 256 || password.len() > 1024 {
        return login_page(
            app,
            &r,
            nonce,
            StatusCode::BAD_REQUEST,
            "",
            Some("The username or password is too long."),
        );
    }
    if let Err(wait) = app.throttle().check(username, addr, Instant::now()) {
        let secs = wait.as_secs().max(1);
        app.audit().emit(AuditEvent::LoginThrottled {
            username: username.to_owned(),
            client_id,
            addr,
            retry_after_secs: secs,
        });
        let msg = format!(
            "Too many failed sign-in attempts. Please wait {} and try again.",
            human_wait(secs)
        );
        let mut resp = login_page(
            app,
            &r,
            nonce,
            StatusCode::TOO_MANY_REQUESTS,
            username,
            Some(&msg),
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let identity = match app.identity().verify(username, password).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            app.throttle()
                .record_failure(username, addr, Instant::now());
            app.audit().emit(AuditEvent::LoginFailed {
                username: username.to_owned(),
                client_id,
                addr,
            });
            return login_page(
                app,
                &r,
                nonce,
                StatusCode::UNAUTHORIZED,
                username,
                Some("Wrong username or password."),
            );
        }
        Err(IdentityError::Refused(message)) => {
            app.audit().emit(AuditEvent::LoginUnavailable {
                client_id,
                addr,
                reason: message.clone(),
            });
            return login_page(
                app,
                &r,
                nonce,
                StatusCode::SERVICE_UNAVAILABLE,
                username,
                Some(&message),
            );
        }
        Err(IdentityError::Unavailable(reason)) => {
            app.audit().emit(AuditEvent::LoginUnavailable {
                client_id,
                addr,
                reason,
            });
            return login_page(
                app,
                &r,
                nonce,
                StatusCode::SERVICE_UNAVAILABLE,
                username,
                Some(if app.ma().is_some() {
                    "Music Assistant is not reachable right now (it may be restarting). Please try again in a minute."
                } else {
                    "The account service is not reachable right now. Please try again in a minute."
                }),
            );
        }
    };
    app.throttle().record_success(username);
    app.audit().emit(AuditEvent::LoginSucceeded {
        username: identity.username.clone(),
        client_id: client_id.clone(),
        addr,
    });

    // A token from the identity source (Music Assistant) travels with the
    // code, encrypted, until redemption moves it to the link.
    let ma_token = match (&identity.upstream, app.ma()) {
        (Some(t), Some(ma)) => match ma.seal(&identity.subject, t) {
            Ok(sealed) => Some(sealed),
            Err(e) => {
                tracing::error!(error = %e, "could not encrypt the Music Assistant token");
                return save_failed(app, &r, nonce, username, identity.upstream.as_ref()).await;
            }
        },
        _ => None,
    };
    let upstream = identity.upstream.clone();
    let code = util::random_token(32);
    let grant = CodeGrant {
        client_id: client_id.clone(),
        subject: identity.subject,
        username: identity.username.clone(),
        redirect_uri: r.redirect_uri.clone(),
        scope: r.scope.clone(),
        code_challenge: r.code_challenge.clone(),
        expires_at: util::now() + app.config().code_ttl,
        ma_token,
    };
    let hash = util::sha256(code.as_bytes());
    if let Err(e) = app
        .store()
        .call(move |c| store::insert_code(c, &hash, &grant))
        .await
    {
        tracing::warn!(error = %e, "could not store an authorization code");
        return save_failed(app, &r, nonce, username, upstream.as_ref()).await;
    }
    app.audit().emit(AuditEvent::CodeIssued {
        client_id,
        username: identity.username,
        code_fp: util::fingerprint(&code),
        addr,
    });
    let mut q: Vec<(&str, &str)> = vec![("code", &code)];
    if let Some(s) = &r.state {
        q.push(("state", s));
    }
    q.push(("iss", &app.config().issuer));
    let mut resp = http::see_other(&http::append_query(&r.redirect_uri, &q));
    let clear = format!(
        "{COOKIE}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax",
        metadata::AUTHORIZE_PATH
    );
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The login succeeded but the link could not be saved: give back the
/// upstream token the login created (best effort) and ask to try again.
async fn save_failed(
    app: &App,
    r: &AuthRequest,
    nonce: &str,
    username: &str,
    upstream: Option<&crate::ma::UpstreamToken>,
) -> Response<Body> {
    if let (Some(t), Some(ma)) = (upstream, app.ma()) {
        let _ = ma.revoke_upstream(&t.token, &t.name).await;
    }
    login_page(
        app,
        r,
        nonce,
        StatusCode::SERVICE_UNAVAILABLE,
        username,
        Some("The server could not save the link right now. Please try again in a minute."),
    )
}

fn human_wait(secs: u64) -> String {
    match secs {
        1 => "a second".into(),
        s if s < 90 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}
