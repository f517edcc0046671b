//! `POST /ma/api`: Music Assistant commands for holders of our access tokens.
//!
//! The request carries `Authorization: Bearer <our access token>` and a
//! Music Assistant command `{"message_id", "command", "args"}`. The token is
//! verified (signature, expiry, issuer, audience, link and `jti` not
//! revoked), the command is checked against the allowlist
//! ([`crate::ma::commands`]) and the token's scopes, its arguments against
//! the command's shape (names, types, bounds; media only as accepted URIs:
//! [`crate::ma::shape`]), and only then forwarded
//! to Music Assistant's `/api` with the link's own Music Assistant token.
//! Music Assistant's 2xx/4xx answers come back unchanged (body and
//! content type), except a 401: that is Music Assistant refusing the link's
//! own token, so the gateway asks once more (`GET /auth/me`); a second
//! refusal ends the link (`refused`) and answers our own 401
//! `invalid_token` ("link the skill again"), one odd answer is a 502. Music
//! Assistant down, slow or failing becomes 502/504 with a JSON body and never
//! ends a link. Our token never goes upstream, the Music Assistant token
//! never comes back, and no request header is forwarded.

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::{Value, json};

use crate::app::App;
use crate::app::link::LinkError;
use crate::http::{self, Body};
use crate::keys::AccessClaims;
use crate::ma::client::{Answer as MaAnswer, MaError};
use crate::ma::shape::Kind;
use crate::ma::{MusicAssistant, Refusal, commands};
use crate::store::MaToken;
use crate::util::{self, Secret};

pub const PATH: &str = "/ma/api";
const MAX_COMMAND_LEN: usize = 128;
/// Our 401's description once Music Assistant refused the link's token.
const RELINK: &str = "Music Assistant no longer accepts this link's token (it was deleted there, \
                      or its user removed); link the skill again";

fn error(status: StatusCode, code: &str, description: &str) -> Response<Body> {
    http::json(
        status,
        &json!({ "error": code, "error_description": description }),
    )
}

fn www_authenticate(mut r: Response<Body>, value: String) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750).
fn invalid_token(description: &str) -> Response<Body> {
    www_authenticate(
        error(StatusCode::UNAUTHORIZED, "invalid_token", description),
        format!(
            "Bearer realm=\"ma-alexa-oauth\", error=\"invalid_token\", error_description=\"{description}\""
        ),
    )
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let mut all = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(v), None) = (all.next(), all.next()) else {
        return None;
    };
    let v = v.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

fn valid_command(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= MAX_COMMAND_LEN
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'))
}

/// Parses `{"message_id", "command", "args"}` into the body sent upstream
/// (only these three members) and the command name. Public for the fuzz
/// target `gateway_command`.
pub fn parse_command(body: &[u8]) -> Result<(String, Vec<u8>), &'static str> {
    let bad = |m: &'static str| m;
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return Err(bad(
            "the body must be a JSON object {\"message_id\", \"command\", \"args\"}",
        ));
    };
    let Some(command) = obj.get("command").and_then(Value::as_str) else {
        return Err(bad("\"command\" (a string) is missing"));
    };
    if !valid_command(command) {
        return Err(bad("\"command\" is not a valid command name"));
    }
    let message_id = match obj.get("message_id") {
        None | Some(Value::Null) => Value::String(util::random_token(9)),
        Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
        Some(_) => return Err(bad("\"message_id\" must be a string or a number")),
    };
    let args = match obj.get("args") {
        None | Some(Value::Null) => json!({}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(bad("\"args\" must be a JSON object")),
    };
    let upstream = json!({ "message_id": message_id, "command": command, "args": args });
    Ok((
        command.to_owned(),
        serde_json::to_vec(&upstream).unwrap_or_default(),
    ))
}

/// `POST /ma/api`: verifies the bearer token, the command and its scopes,
/// then forwards the command to Music Assistant with the link's token.
pub async fn handle<B>(app: &App, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    match forward(app, headers, body).await {
        Ok(r) | Err(r) => r,
    }
}

/// The gateway's steps in order; each refusal is the finished response.
async fn forward<B>(
    app: &App,
    headers: &HeaderMap,
    body: B,
) -> Result<Response<Body>, Response<Body>>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let ma = app.ma_or_err().map_err(link_refusal)?;
    let Some(token) = bearer(headers) else {
        return Err(invalid_token(
            "an access token is required (Authorization: Bearer ...)",
        ));
    };
    let claims = app.access_claims(token).map_err(link_refusal)?;
    let (command, upstream_body) = read_command(app, body).await?;
    let now = util::now();
    let up = app.active_link(&claims, now).await.map_err(link_refusal)?;
    if let Some(refusal) = scope_refusal(&command, &claims.scope) {
        return Err(refusal);
    }
    if let Some(refusal) = argument_refusal(&command, &upstream_body) {
        return Err(refusal);
    }
    let (token, secret) = app.usable_ma_token(&up, now).map_err(link_refusal)?;
    let answer = ma.client().command_raw(&secret, upstream_body).await;
    tracing::debug!(link_id = %up.link_id, command, ok = answer.is_ok(), "gateway call");
    if matches!(&answer, Ok(a) if a.status == StatusCode::UNAUTHORIZED) {
        return Err(refused(app, ma, &claims, &up.link_id, &token, &secret).await);
    }
    Ok(relay(answer))
}

/// Music Assistant answered 401 to the link's own token: only a second
/// refusal (a harmless authenticated read) ends the link.
async fn refused(
    app: &App,
    ma: &MusicAssistant,
    claims: &AccessClaims,
    link_id: &str,
    token: &MaToken,
    secret: &Secret,
) -> Response<Body> {
    match app.ma_refused(ma, claims, link_id, token, secret).await {
        Refusal::Ended | Refusal::AlreadyEnded => invalid_token(RELINK),
        Refusal::NotConfirmed => error(
            StatusCode::BAD_GATEWAY,
            "upstream_error",
            "Music Assistant refused this link's token once, then accepted it; try again",
        ),
        Refusal::Upstream(e) => relay(Err(e)),
        Refusal::Store(e) => {
            tracing::warn!(error = %e, "storage failure recording a refused Music Assistant token");
            unavailable()
        }
    }
}

fn unavailable() -> Response<Body> {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "the server cannot reach its database right now; try again",
    )
}

/// Reads the body (capped) and parses the command out of it.
async fn read_command<B>(app: &App, body: B) -> Result<(String, Vec<u8>), Response<Body>>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let limits = &app.config().limits;
    let body = http::read_body(body, app.config().max_gateway_bytes, limits.body_timeout)
        .await
        .map_err(|e| error(e.status(), "invalid_request", &e.to_string()))?;
    parse_command(&body).map_err(|m| error(StatusCode::BAD_REQUEST, "invalid_request", m))
}

/// Our answer when a token gives no way to Music Assistant.
fn link_refusal(e: LinkError) -> Response<Body> {
    match e {
        LinkError::NotConfigured => error(
            StatusCode::NOT_FOUND,
            "not_configured",
            "this server is not connected to Music Assistant (serve --music-assistant-url)",
        ),
        LinkError::Expired => invalid_token("the access token has expired"),
        LinkError::Invalid => invalid_token("the access token is not valid"),
        LinkError::Refused => invalid_token(RELINK),
        LinkError::Revoked => invalid_token("the access token was revoked"),
        LinkError::NoToken => {
            invalid_token("this link has no usable Music Assistant token; link the skill again")
        }
        LinkError::Store(e) => {
            tracing::warn!(error = %e, "storage failure on the gateway");
            unavailable()
        }
    }
}

/// The command must be on the allowlist and the token must carry its scopes:
/// the refusal otherwise.
fn scope_refusal(command: &str, scope: &str) -> Option<Response<Body>> {
    let Some(required) = commands::required_scopes(command) else {
        return Some(error(
            StatusCode::FORBIDDEN,
            "forbidden_command",
            &format!("the command {command:?} is not available through this gateway"),
        ));
    };
    let granted: Vec<&str> = scope.split(' ').collect();
    if !required.iter().all(|s| granted.contains(s)) {
        let need = required.join(" ");
        return Some(www_authenticate(
            error(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                &format!("the command {command:?} needs the scope {need:?}"),
            ),
            format!(
                "Bearer realm=\"ma-alexa-oauth\", error=\"insufficient_scope\", scope=\"{need}\""
            ),
        ));
    }
    None
}

/// The arguments must fit the command's shape ([`commands::check`]): an
/// argument the gateway never forwards is 403 `forbidden_argument`, a
/// malformed one 400 `invalid_request`; both name the argument's path
/// (`argument`), never its value.
fn argument_refusal(command: &str, upstream_body: &[u8]) -> Option<Response<Body>> {
    let body: Value = serde_json::from_slice(upstream_body).unwrap_or(Value::Null);
    let args = body.get("args").unwrap_or(&Value::Null);
    let refusal = commands::check(command, args).err()?;
    let (status, code) = match refusal.kind {
        Kind::Forbidden => (StatusCode::FORBIDDEN, "forbidden_argument"),
        Kind::Malformed => (StatusCode::BAD_REQUEST, "invalid_request"),
    };
    Some(http::json(
        status,
        &json!({ "error": code, "error_description": refusal.to_string(), "argument": refusal.path }),
    ))
}

/// Music Assistant's answer: 2xx and 4xx unchanged, anything else a 502 or 504.
fn relay(answer: Result<MaAnswer, MaError>) -> Response<Body> {
    match answer {
        Ok(a) if a.status.is_success() || a.status.is_client_error() => {
            let mut r = http::json_raw(a.status, a.body);
            let ct = a
                .content_type
                .unwrap_or_else(|| HeaderValue::from_static("text/plain; charset=utf-8"));
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
            r
        }
        Ok(a) => {
            let text: String = String::from_utf8_lossy(&a.body).chars().take(500).collect();
            http::json(
                StatusCode::BAD_GATEWAY,
                &json!({
                    "error": "upstream_error",
                    "error_description": format!("Music Assistant answered {}: {text}", a.status.as_u16()),
                    "upstream_status": a.status.as_u16(),
                }),
            )
        }
        Err(MaError::Timeout(t)) => error(
            StatusCode::GATEWAY_TIMEOUT,
            "upstream_timeout",
            &format!(
                "Music Assistant did not answer within {} s",
                t.as_secs_f32()
            ),
        ),
        Err(MaError::Unreachable(_)) => error(
            StatusCode::BAD_GATEWAY,
            "upstream_unreachable",
            "Music Assistant is not reachable from this server",
        ),
        Err(e) => error(StatusCode::BAD_GATEWAY, "upstream_error", &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  abc "),
        );
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn command_bodies() {
        let (c, b) =
            parse_command(br#"{"message_id":"1","command":"players/all","args":{},"x":1}"#)
                .unwrap();
        assert_eq!(c, "players/all");
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(
            v,
            json!({"message_id":"1","command":"players/all","args":{}})
        );
        assert!(parse_command(b"[]").is_err());
        assert!(parse_command(br#"{"command":"a b"}"#).is_err());
        assert!(parse_command(br#"{"command":"x","args":[]}"#).is_err());
    }
}
