//! The API Music Assistant's Alexa player provider calls ("API Url" in its
//! settings), exactly as the provider and the community prototype use it:
//! `GET /alexa/intents` (the invocation name and the first utterance of
//! pause, resume and stop it makes the Echo say), `POST /ma/push-url` (a
//! stream it starts on an Echo, then its metadata), `GET /ma/latest-url`
//! (the last push). Every request needs the provider's HTTP Basic
//! credentials ([`crate::echo::credentials`]), checked in constant time;
//! the right ones are always taken, wrong ones slowed down per client
//! address (the project's throttle);
//! neither the credentials nor a pushed URL are ever logged.
//!
//! Served wherever the public router is: the public address (Funnel, or
//! the user's proxy), and with `serve --listen` that plain listener itself,
//! which Music Assistant on the same machine or container network may use
//! as its API Url instead (README, "Playing on the Echo itself").

use std::net::IpAddr;

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Method, Response, StatusCode};
use serde_json::json;

use crate::app::App;
use crate::echo::credentials::{self, CredentialError};
use crate::echo::push::{self, PushError};
use crate::echo::source::Refused;
use crate::echo::{Accepted, Echo};
use crate::http::{self, Body, basic};
use crate::store;

pub const INTENTS_PATH: &str = "/alexa/intents";
pub const PUSH_PATH: &str = "/ma/push-url";
pub const LATEST_PATH: &str = "/ma/latest-url";

/// The API's path without its optional language prefix (an API Url of
/// `https://HOST/de-DE` for a provider set to German: its Echos are told
/// the German words), and that locale.
pub fn split_locale(path: &str) -> (Option<&str>, &str) {
    let bytes = path.as_bytes();
    let prefixed = bytes.len() > 6
        && bytes.first() == Some(&b'/')
        && bytes.get(3) == Some(&b'-')
        && bytes.get(6) == Some(&b'/')
        && bytes
            .get(1..3)
            .is_some_and(|b| b.iter().all(u8::is_ascii_lowercase))
        && bytes
            .get(4..6)
            .is_some_and(|b| b.iter().all(u8::is_ascii_uppercase));
    match (prefixed, path.get(1..6), path.get(6..)) {
        (true, Some(locale), Some(rest)) => (Some(locale), rest),
        _ => (None, path),
    }
}

/// True for the provider API's paths (with or without a language prefix).
pub fn is_provider_path(path: &str) -> bool {
    matches!(split_locale(path).1, INTENTS_PATH | PUSH_PATH | LATEST_PATH)
}

/// Answers one provider API request (`path` is one of its paths).
pub async fn handle<B>(
    app: &App,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: B,
    client: IpAddr,
) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (locale, path) = split_locale(path);
    let echo = app.echo();
    if !echo.enabled() {
        return error(
            StatusCode::NOT_FOUND,
            "not_configured",
            "this server has no Music Assistant (serve --music-assistant-url): nothing to play on an Echo",
        );
    }
    let allowed = match path {
        PUSH_PATH => method == Method::POST,
        _ => method == Method::GET || method == Method::HEAD,
    };
    if !allowed {
        let allow = if path == PUSH_PATH {
            "POST"
        } else {
            "GET, HEAD"
        };
        let mut r = error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method not allowed",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        return r;
    }
    if let Err(r) = authenticate(app, echo, headers, client).await {
        return r;
    }
    match path {
        INTENTS_PATH => http::json(
            StatusCode::OK,
            &crate::skill::echo::provider_intents(locale.unwrap_or("en-US")),
        ),
        LATEST_PATH => latest(echo),
        _ => push_url(app, echo, body).await,
    }
}

/// The provider's credentials, or the refusal. The right credentials are
/// always accepted (and clear the address's failures); only wrong or
/// missing ones are slowed down: 429 while the address waits, else 401
/// (with a Basic challenge) and the failure recorded.
async fn authenticate(
    app: &App,
    echo: &Echo,
    headers: &HeaderMap,
    client: IpAddr,
) -> Result<(), Response<Body>> {
    let now = std::time::Instant::now();
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let given = match (values.next(), values.next()) {
        (Some(v), None) => basic::parse_plain(v.as_bytes()).ok(),
        _ => None,
    };
    if accepted(app, echo, given.as_ref(), now).await? {
        echo.throttle().record_address_success(client);
        return Ok(());
    }
    if let Err(b) = echo.throttle().check("", client, now) {
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "slow_down",
            "too many failed attempts from this address; try again later",
        );
        let secs = b.wait.as_secs().max(1).to_string();
        if let Ok(v) = HeaderValue::from_str(&secs) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Err(r);
    }
    echo.throttle().record_failure("", client, now);
    tracing::info!(%client, "provider API request refused: wrong or missing credentials");
    let mut r = error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "the provider API needs the user name and password `ma-alexa-oauth provider show` prints",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"ma-alexa-oauth provider API\", charset=\"UTF-8\""),
    );
    Err(r)
}

/// Whether `given` are the provider's credentials. The password is kept
/// in memory ([`crate::echo::credentials::PasswordCache`]): credentials
/// matching it have the stored value checked again (so a rotation by
/// another process applies at once); credentials matching nothing cost no
/// store read, except one re-read per second at most (a new password
/// taken). Err: the 503 when the password cannot be read.
async fn accepted(
    app: &App,
    echo: &Echo,
    given: Option<&(String, String)>,
    now: std::time::Instant,
) -> Result<bool, Response<Body>> {
    let matches =
        |p: &crate::util::Secret| given.is_some_and(|(u, pw)| credentials::matches(p, u, pw));
    let kept = echo.password().kept();
    let (recheck, missed) = match &kept {
        Some(p) if matches(p) => (true, false),
        Some(_) => (echo.password().may_refresh_on_miss(now), true),
        None => (true, false),
    };
    if !recheck {
        return Ok(false);
    }
    match expected_password(app, echo).await {
        Ok(p) => Ok(matches(&p)),
        // Credentials that matched nothing kept stay refused (401).
        Err(e) if missed => {
            tracing::warn!(error = %e, "the provider API password cannot be read");
            Ok(false)
        }
        Err(e) => {
            tracing::warn!(error = %e, "the provider API password cannot be read");
            Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the provider API's password cannot be read right now",
            ))
        }
    }
}

/// The stored password (made on first use: `serve` makes it at start),
/// read from the store and kept in memory (decrypted only when the stored
/// form changed).
pub(crate) async fn expected_password(
    app: &App,
    echo: &Echo,
) -> Result<crate::util::Secret, CredentialError> {
    let Some(sealer) = echo.sealer() else {
        return Err(CredentialError::Unreadable);
    };
    let stored = app
        .store()
        .read(|c| store::get_meta(c, credentials::PASSWORD_META))
        .await?;
    match stored {
        Some(s) if !s.is_empty() => echo.password().update(sealer, &s),
        _ => Err(CredentialError::Unreadable),
    }
}

async fn push_url<B>(app: &App, echo: &Echo, body: B) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let raw = match http::read_body(body, push::MAX_BODY, app.config().limits.body_timeout).await {
        Ok(b) => b,
        Err(e) => return error(e.status(), "invalid_request", &e.to_string()),
    };
    let push = match echo.parse_push(&raw) {
        Ok(p) => p,
        Err(e) => return refused_push(echo, &e),
    };
    match echo.accept(push) {
        Accepted::NewStream { player, ended } => {
            tracing::info!(
                player,
                ended_relays = ended,
                "Music Assistant pushed a stream for an Echo"
            )
        }
        Accepted::Updated { player } => {
            tracing::debug!(player, "Music Assistant pushed the stream's metadata")
        }
    }
    http::json(StatusCode::OK, &json!({"status": "ok"}))
}

/// A refused push: 400 for a malformed body, 403 for a URL off the
/// accept-list; logged with the reason (and, for a host off the list,
/// which `host:port` to add), never the URL.
fn refused_push(echo: &Echo, e: &PushError) -> Response<Body> {
    let accepted: Vec<String> = echo
        .stream_hosts()
        .hosts()
        .iter()
        .map(|h| h.authority())
        .collect();
    tracing::warn!(reason = %e, accepted = accepted.join(" "), "Music Assistant's push refused");
    let status = match e {
        PushError::Shape => StatusCode::BAD_REQUEST,
        PushError::Refused(Refused::OffHost) => StatusCode::FORBIDDEN,
        PushError::Refused(_) => StatusCode::FORBIDDEN,
    };
    let hint = match e {
        PushError::Refused(Refused::OffHost) => format!(
            "{e}; accepted: {} (add Music Assistant's stream address with serve --music-assistant-stream-host)",
            accepted.join(", ")
        ),
        _ => e.to_string(),
    };
    error(status, e.code(), &hint)
}

fn latest(echo: &Echo) -> Response<Body> {
    match echo.latest() {
        Some(p) => http::json(
            StatusCode::OK,
            &json!({
                "streamUrl": p.stream_url,
                "title": p.meta.title,
                "artist": p.meta.artist,
                "album": p.meta.album,
                "imageUrl": p.image_url,
            }),
        ),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no stream URL has been pushed yet",
        ),
    }
}

fn error(status: StatusCode, code: &str, description: &str) -> Response<Body> {
    http::json(
        status,
        &json!({"error": code, "error_description": description}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_prefix_is_split_off() {
        assert_eq!(
            split_locale("/de-DE/alexa/intents"),
            (Some("de-DE"), "/alexa/intents")
        );
        assert_eq!(split_locale("/alexa/intents"), (None, "/alexa/intents"));
        assert_eq!(
            split_locale("/DE-de/ma/push-url"),
            (None, "/DE-de/ma/push-url")
        );
        assert!(is_provider_path("/it-IT/ma/push-url"));
        assert!(!is_provider_path("/it-IT/alexa/skill"));
        assert!(!is_provider_path("/x/alexa/intents"));
    }
}
