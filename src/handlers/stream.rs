//! `GET`/`HEAD /alexa/stream/TOKEN.mp3`: the relay the Echo plays
//! (`crate::echo::relay`), and `GET`/`HEAD /alexa/art/TOKEN`: the cover
//! its screen shows. The token is the only credential: unknown, expired
//! and revoked tokens are one 404, and a token is never logged (the router
//! logs these paths without it).
//!
//! Answered as Music Assistant answers its own streams: 200,
//! `Content-Type: audio/mpeg`, `Accept-Ranges: none`, no length; `Range`
//! is ignored; `HEAD` answers the same head without touching Music
//! Assistant.

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Method, Response, StatusCode};

use crate::app::App;
use crate::echo::grants::{Denied, Scope};
use crate::echo::relay::{self, Ended, OpenError};
use crate::echo::source::Art;
use crate::echo::{ART_PREFIX, STREAM_PREFIX};
use crate::http::{self, Body};

/// True for the relay's paths (the router sends these here, and logs them
/// without the token).
pub fn is_relay_path(path: &str) -> bool {
    path.starts_with(STREAM_PREFIX) || path.starts_with(ART_PREFIX)
}

/// A token's shape: 43 characters of base64url (256 bits).
fn token_of<'a>(path: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    let t = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let ok = t.len() == 43
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(t)
}

fn not_found() -> Response<Body> {
    http::text(
        StatusCode::NOT_FOUND,
        "no such stream: unknown or expired link; ask Alexa again\n",
    )
}

/// Answers a relay path.
pub async fn handle(
    app: &App,
    method: &Method,
    path: &str,
    _headers: &HeaderMap,
) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        let mut r = http::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if let Some(token) = token_of(path, STREAM_PREFIX, ".mp3") {
        return stream(app, method == Method::HEAD, token).await;
    }
    if let Some(token) = token_of(path, ART_PREFIX, "") {
        return art(app, method == Method::HEAD, token).await;
    }
    not_found()
}

/// The audio head Music Assistant answers its own streams with.
fn audio_head(body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/mpeg"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("none"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

async fn stream(app: &App, head: bool, token: &str) -> Response<Body> {
    let echo = app.echo();
    if head {
        return match echo.grants().peek(token, Scope::Stream) {
            Ok(_) => audio_head(Body::empty()),
            Err(_) => not_found(),
        };
    }
    // The slot first: a request refused as busy takes no lease. A lease
    // that delivers nothing (Music Assistant failing) extends nothing.
    let Ok(permit) = std::sync::Arc::clone(echo.streams()).try_acquire_owned() else {
        if echo.grants().peek(token, Scope::Stream).is_err() {
            return not_found();
        }
        tracing::warn!("stream relay refused: every stream slot is in use");
        return busy("too many streams at once");
    };
    let lease = match echo.grants().open(token) {
        Ok(l) => l,
        Err(Denied::Unknown) => return not_found(),
        Err(Denied::Busy) => return busy("this stream is already being played"),
    };
    let source = lease.grant.source.clone();
    let limits = echo.relay_limits().clone();
    let up = match relay::open(&source.at, &source.mp3_path(), &limits).await {
        Ok(u) => u,
        Err(e) => return upstream_failed(&lease.grant.player, &e),
    };
    let player = lease.grant.player.clone();
    tracing::info!(player, "relaying Music Assistant's stream to an Echo");
    let body = relay::body(up, lease, permit, &limits, move |ended: Ended| {
        tracing::info!(player, ?ended, "relayed stream ended");
    });
    audio_head(body)
}

fn busy(why: &str) -> Response<Body> {
    let mut r = http::text(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("{why}; try again\n"),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    r
}

/// Music Assistant's stream could not be opened: 404 when it says the
/// stream is gone (the queue was replaced), 504 when slow, else 502.
fn upstream_failed(player: &str, e: &OpenError) -> Response<Body> {
    tracing::warn!(player, error = %e, "cannot relay Music Assistant's stream");
    match e {
        OpenError::Status(404) => http::text(
            StatusCode::NOT_FOUND,
            "Music Assistant no longer has this stream\n",
        ),
        OpenError::Slow => http::text(
            StatusCode::GATEWAY_TIMEOUT,
            "Music Assistant's stream server did not answer in time\n",
        ),
        _ => http::text(StatusCode::BAD_GATEWAY, format!("{e}\n")),
    }
}

/// The cover behind an art token (never a stream token): from the kept
/// images, else fetched once from Music Assistant under the art permits
/// (503 when they are taken) and kept. `HEAD` never fetches: it answers
/// the kept image's head, or 200 without a type before the first `GET`.
async fn art(app: &App, head: bool, token: &str) -> Response<Body> {
    let echo = app.echo();
    let Ok(grant) = echo.grants().peek(token, Scope::Art) else {
        return not_found();
    };
    let Some(Art::Relayed { at, path_and_query }) = grant.art else {
        return not_found();
    };
    let key = format!("{}{path_and_query}", at.authority());
    if let Some((kind, bytes)) = echo.art_cache().get(&key) {
        return image(Some(kind), if head { Bytes::new() } else { bytes });
    }
    if head {
        return image(None, Bytes::new());
    }
    let Ok(_permit) = echo.art_fetches().try_acquire() else {
        return busy("too many cover images being fetched at once");
    };
    match relay::fetch_image(&at, &path_and_query, echo.relay_limits()).await {
        Ok((kind, bytes)) => {
            echo.art_cache().put(key, (kind, bytes.clone()));
            image(Some(kind), bytes)
        }
        Err(e) => upstream_failed(&grant.player, &e),
    }
}

fn image(kind: Option<&'static str>, bytes: Bytes) -> Response<Body> {
    let mut r = Response::new(Body::full(bytes));
    let h = r.headers_mut();
    if let Some(kind) = kind {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}
