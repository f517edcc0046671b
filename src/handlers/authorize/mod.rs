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

mod csrf;
mod page;
mod request;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Response, StatusCode};

use crate::app::App;
use crate::audit::AuditEvent;
use crate::http::{self, Body, cookie};
use crate::identity::{Identity, IdentityError};
use crate::oauth::metadata;
use crate::store::{self, CodeGrant};
use crate::util;
use csrf::{csrf_ok, same_site, valid_nonce};
pub use page::error_page;
use page::{human_wait, login_page};
use request::{AuthRequest, parse_and_validate, redirect_error};

pub const COOKIE: &str = "ma_login";

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
    if params.get("action") == Some("deny") {
        return deny(app, &r, username, addr).await;
    }
    let password = params.get("password").unwrap_or("");
    let form = |status, username, error| login_page(app, &r, nonce, status, username, error);
    if username.is_empty() || password.is_empty() {
        return form(
            StatusCode::BAD_REQUEST,
            username,
            Some("Enter your username and password."),
        );
    }
    if username.len() > 256 || password.len() > 1024 {
        return form(
            StatusCode::BAD_REQUEST,
            "",
            Some("The username or password is too long."),
        );
    }
    let identity = match log_in(app, &r, nonce, username, password, addr).await {
        Ok(identity) => identity,
        Err(resp) => return resp,
    };
    issue_code(app, &r, nonce, username, identity, addr).await
}

/// The person cancelled: `access_denied` back to the client.
async fn deny(app: &App, r: &AuthRequest, username: &str, addr: IpAddr) -> Response<Body> {
    app.audit().emit(AuditEvent::ConsentDenied {
        username: shown_username(app, username).await,
        client_id: r.client.id.clone(),
        addr,
    });
    redirect_error(
        app,
        &r.redirect_uri,
        r.state.as_deref(),
        "access_denied",
        "the user cancelled linking",
    )
    .into_response()
}

/// Checks the throttle, then the password with the identity source; every
/// outcome is an audit event. The error is the page to show.
async fn log_in(
    app: &App,
    r: &AuthRequest,
    nonce: &str,
    username: &str,
    password: &str,
    addr: IpAddr,
) -> Result<Identity, Response<Body>> {
    let a = Attempt {
        app,
        r,
        nonce,
        username,
        addr,
    };
    if let Err(blocked) = app.throttle().check(username, addr, Instant::now()) {
        return Err(a.must_wait(blocked.wait, blocked.by_source, false).await);
    }
    match app.identity().verify(username, password).await {
        Ok(Some(identity)) => {
            app.throttle().record_success(username);
            app.audit().emit(AuditEvent::LoginSucceeded {
                username: identity.username.clone(),
                client_id: r.client.id.clone(),
                addr,
            });
            Ok(identity)
        }
        Ok(None) => {
            app.throttle()
                .record_failure(username, addr, Instant::now());
            app.audit().emit(AuditEvent::LoginFailed {
                username: shown_username(app, username).await,
                client_id: r.client.id.clone(),
                addr,
            });
            Err(a.form(StatusCode::UNAUTHORIZED, "Wrong username or password."))
        }
        Err(e) => Err(a.not_verified(e).await),
    }
}

/// A typed username as the audit log shows it: as typed when it names an
/// account, otherwise [`crate::audit::Audit::unverified`] (it may be a
/// password typed into the username box). Music Assistant accounts are
/// never known here without the password: a failed login's name is always
/// the fingerprint.
async fn shown_username(app: &App, username: &str) -> String {
    if username.is_empty() || app.identity().knows(username).await {
        username.to_owned()
    } else {
        app.audit().unverified(username)
    }
}

/// One login attempt: what its pages and audit events need.
struct Attempt<'a> {
    app: &'a App,
    r: &'a AuthRequest,
    nonce: &'a str,
    username: &'a str,
    addr: IpAddr,
}

impl Attempt<'_> {
    fn form(&self, status: StatusCode, error: &str) -> Response<Body> {
        login_page(
            self.app,
            self.r,
            self.nonce,
            status,
            self.username,
            Some(error),
        )
    }

    /// 429 with `Retry-After`: our slow-down, or the identity source's pause
    /// (`asked`: it answered so just now; otherwise it was not asked).
    async fn must_wait(&self, wait: Duration, by_source: bool, asked: bool) -> Response<Body> {
        let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let username = shown_username(self.app, self.username).await;
        let (client_id, addr) = (self.r.client.id.clone(), self.addr);
        let msg = if by_source {
            self.app.audit().emit(AuditEvent::LoginPaused {
                username,
                client_id,
                addr,
                retry_after_secs: secs,
                asked,
            });
            format!(
                "Music Assistant has paused sign-ins for this account after several failed \
                 attempts. Please wait {} and try again.",
                human_wait(secs)
            )
        } else {
            self.app.audit().emit(AuditEvent::LoginThrottled {
                username,
                client_id,
                addr,
                retry_after_secs: secs,
            });
            format!(
                "Too many failed sign-in attempts. Please wait {} and try again.",
                human_wait(secs)
            )
        };
        let mut resp = self.form(StatusCode::TOO_MANY_REQUESTS, &msg);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }

    /// The identity source gave no verdict on the password.
    async fn not_verified(&self, e: IdentityError) -> Response<Body> {
        let (app, client_id, addr) = (self.app, self.r.client.id.clone(), self.addr);
        match e {
            IdentityError::Paused { retry_after } => {
                // Remembered, so that until it is over the password is not
                // sent again (each refused attempt would be one more login).
                let now = Instant::now();
                app.throttle()
                    .record_pause(self.username, now + retry_after, now);
                self.must_wait(retry_after, true, true).await
            }
            IdentityError::Refused(message) => {
                app.audit().emit(AuditEvent::LoginUnavailable {
                    client_id,
                    addr,
                    reason: message.clone(),
                });
                self.form(StatusCode::SERVICE_UNAVAILABLE, &message)
            }
            IdentityError::Unavailable(reason) => {
                app.audit().emit(AuditEvent::LoginUnavailable {
                    client_id,
                    addr,
                    reason,
                });
                self.form(
                    StatusCode::SERVICE_UNAVAILABLE,
                    if app.ma().is_some() {
                        "Music Assistant is not reachable right now (it may be restarting). Please try again in a minute."
                    } else {
                        "The account service is not reachable right now. Please try again in a minute."
                    },
                )
            }
        }
    }
}

/// Stores a code for the logged-in person (with the identity source's token,
/// encrypted) and redirects back to the client with it.
async fn issue_code(
    app: &App,
    r: &AuthRequest,
    nonce: &str,
    username: &str,
    identity: Identity,
    addr: IpAddr,
) -> Response<Body> {
    let client_id = r.client.id.clone();
    // A token from the identity source (Music Assistant) travels with the
    // code, encrypted, until redemption moves it to the link.
    let ma_token = match (&identity.upstream, app.ma()) {
        (Some(t), Some(ma)) => match ma.seal(&identity.subject, t) {
            Ok(sealed) => Some(sealed),
            Err(e) => {
                tracing::error!(error = %e, "could not encrypt the Music Assistant token");
                return save_failed(app, r, nonce, username, identity.upstream.as_ref()).await;
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
        return save_failed(app, r, nonce, username, upstream.as_ref()).await;
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
        let _ = ma.revoke_upstream(&t.token).await;
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
