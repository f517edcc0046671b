//! The HTTP client for Music Assistant's REST API (plain `http://` on the LAN).
//!
//! Every call has one deadline covering connect, request and the whole
//! answer; answers are capped. Nothing here retries: a password is sent at
//! most once per login (Music Assistant rate-limits logins), and a command is
//! forwarded once. Errors never carry a token or a password.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use crate::util::{self, Secret};

/// Largest answer read from Music Assistant (a big library listing fits).
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;
/// The device name Music Assistant shows for our logins.
pub const DEVICE_NAME: &str = "ma-alexa-oauth";

#[derive(Debug, thiserror::Error)]
pub enum MaError {
    #[error("Music Assistant is unreachable: {0}")]
    Unreachable(String),
    #[error("Music Assistant did not answer within {0:?}")]
    Timeout(Duration),
    #[error("Music Assistant answered {status}: {text}")]
    Status { status: StatusCode, text: String },
    #[error("unexpected answer from Music Assistant: {0}")]
    Protocol(String),
}

/// A raw answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<HeaderValue>,
    pub body: Bytes,
}

impl Answer {
    fn text(&self) -> String {
        let t = String::from_utf8_lossy(&self.body);
        t.chars().take(300).collect()
    }
    fn into_error(self) -> MaError {
        MaError::Status {
            status: self.status,
            text: self.text(),
        }
    }
}

/// The outcome of `POST /auth/login`.
#[derive(Debug)]
pub enum Login {
    Ok {
        session: Secret,
        user_id: String,
        username: String,
    },
    /// 401: wrong username or password.
    BadCredentials,
    /// 403: Music Assistant has not been onboarded (no users yet).
    NotOnboarded,
    /// 401 "Too many failed attempts. Please try again in N seconds.":
    /// Music Assistant refuses every login for this username (the right
    /// password too) for `retry_after`. Says nothing about the password.
    Paused { retry_after: Duration },
}

/// The pause assumed when Music Assistant's answer gives no number of
/// seconds (its shortest pause).
const DEFAULT_PAUSE: Duration = Duration::from_secs(30);
/// The longest pause taken from an answer (Music Assistant's longest is 300 s).
const MAX_PAUSE: Duration = Duration::from_secs(15 * 60);

/// Music Assistant's sign-in pause, recognised in a login answer's `error`:
/// `"Too many failed attempts. Please try again in N seconds."` (after 3
/// failed logins for a username within 30 minutes; N rounded down, so one
/// second is added). None for any other answer.
pub fn sign_in_pause(body: &[u8]) -> Option<Duration> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let error = v.get("error")?.as_str()?;
    if !error
        .to_ascii_lowercase()
        .starts_with("too many failed attempts")
    {
        return None;
    }
    let secs = error
        .rsplit_once(" in ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    Some(match secs {
        Some(n) => Duration::from_secs(n.saturating_add(1)).min(MAX_PAUSE),
        None => DEFAULT_PAUSE,
    })
}

/// What `POST /auth/logout` with a token did to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// 2xx: Music Assistant revoked it.
    Revoked,
    /// 401: Music Assistant no longer knows it (deleted in its settings,
    /// revoked before, expired, or its user removed): nothing left to revoke.
    AlreadyGone,
}

#[derive(Clone)]
pub struct MaClient {
    base: String,
    http: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for MaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Checks and normalises a Music Assistant base URL: `http://host[:port][/prefix]`,
/// with no user, password, query or fragment. The error says what is wrong
/// and never quotes the value (it may hold a password).
pub fn parse_base_url(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    if u.scheme() == "https" {
        return Err(
            "https to Music Assistant is not supported; use http:// on the local network"
                .to_owned(),
        );
    }
    if u.scheme() != "http" || u.host().is_none() {
        return Err("not an http:// URL".to_owned());
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(
            "a Music Assistant URL carries no user or password (people sign in with their \
             own Music Assistant accounts)"
                .to_owned(),
        );
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err("a Music Assistant URL has no query or fragment".to_owned());
    }
    let mut base = u.to_string();
    while base.ends_with('/') {
        base.pop();
    }
    Ok(base)
}

impl MaClient {
    pub fn new(base_url: &str, timeout: Duration) -> Result<MaClient, String> {
        let base = parse_base_url(base_url)?;
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        connector.set_nodelay(true);
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(8)
            .build(connector);
        Ok(MaClient {
            base,
            http,
            timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// One POST with a JSON body; the deadline covers the whole exchange.
    async fn post(
        &self,
        path: &str,
        bearer: Option<&Secret>,
        body: Vec<u8>,
    ) -> Result<Answer, MaError> {
        self.send(Method::POST, path, bearer, Some(body)).await
    }

    /// One request; the deadline covers the whole exchange.
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&Secret>,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, MaError> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(header::ACCEPT, "application/json");
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(t) = bearer {
            let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose())).map_err(|_| {
                MaError::Protocol("a stored token is not a valid header value".into())
            })?;
            v.set_sensitive(true);
            req = req.header(header::AUTHORIZATION, v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| MaError::Protocol(e.to_string()))?;
        let exchange = async {
            let resp = self.http.request(req).await.map_err(|e| {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                MaError::Unreachable(msg)
            })?;
            let (parts, body) = resp.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| MaError::Protocol(format!("reading the answer: {e}")))?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
                body,
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(r) => r,
            Err(_) => Err(MaError::Timeout(self.timeout)),
        }
    }

    /// `POST /auth/login` (REST form). Sent exactly once per call.
    pub async fn login(&self, username: &str, password: &str) -> Result<Login, MaError> {
        let body = json!({
            "provider_id": "builtin",
            "credentials": { "username": username, "password": password },
            "device_name": DEVICE_NAME,
        });
        let a = self
            .post(
                "/auth/login",
                None,
                serde_json::to_vec(&body).unwrap_or_default(),
            )
            .await?;
        if let Some(retry_after) = sign_in_pause(&a.body) {
            return Ok(Login::Paused { retry_after });
        }
        match a.status {
            StatusCode::UNAUTHORIZED => return Ok(Login::BadCredentials),
            StatusCode::TOO_MANY_REQUESTS => {
                return Ok(Login::Paused {
                    retry_after: DEFAULT_PAUSE,
                });
            }
            StatusCode::FORBIDDEN => return Ok(Login::NotOnboarded),
            s if !s.is_success() => return Err(a.into_error()),
            _ => {}
        }
        let v: Value = serde_json::from_slice(&a.body)
            .map_err(|_| MaError::Protocol("the login answer is not JSON".into()))?;
        if v.get("success").and_then(Value::as_bool) == Some(false) {
            return Ok(Login::BadCredentials);
        }
        let token = v
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| MaError::Protocol("the login answer has no token".into()))?;
        let user = v.get("user");
        let user_id = match user.and_then(|u| u.get("user_id")) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(MaError::Protocol("the login answer has no user_id".into())),
        };
        let name = user
            .and_then(|u| u.get("username"))
            .and_then(Value::as_str)
            .unwrap_or(username)
            .to_owned();
        Ok(Login::Ok {
            session: Secret::new(token),
            user_id,
            username: name,
        })
    }

    /// `POST /auth/logout` with `token`: revokes that token.
    pub async fn logout(&self, token: &Secret) -> Result<(), MaError> {
        let a = self
            .post("/auth/logout", Some(token), b"{}".to_vec())
            .await?;
        if a.status.is_success() {
            Ok(())
        } else {
            Err(a.into_error())
        }
    }

    /// Whether Music Assistant accepts `token` (`GET /auth/me`, a read
    /// without side effects): true on 2xx, false on 401; anything else
    /// (unreachable, slow, 5xx, other answers) is an error, never a verdict.
    pub async fn token_accepted(&self, token: &Secret) -> Result<bool, MaError> {
        let a = self
            .send(Method::GET, "/auth/me", Some(token), None)
            .await?;
        match a.status {
            s if s.is_success() => Ok(true),
            StatusCode::UNAUTHORIZED => Ok(false),
            _ => Err(a.into_error()),
        }
    }

    /// `GET /info` (no token): Music Assistant's server information, for
    /// the add-on's page ("reachable, version ..."). A 2xx with a JSON
    /// object, else an error.
    pub async fn server_info(&self) -> Result<serde_json::Value, MaError> {
        let a = self.send(Method::GET, "/info", None, None).await?;
        if !a.status.is_success() {
            return Err(a.into_error());
        }
        match serde_json::from_slice::<serde_json::Value>(&a.body) {
            Ok(v) if v.is_object() => Ok(v),
            _ => Err(MaError::Protocol(
                "GET /info did not answer a JSON object".into(),
            )),
        }
    }

    /// Forwards a command as is and returns the raw answer.
    pub async fn command_raw(&self, token: &Secret, body: Vec<u8>) -> Result<Answer, MaError> {
        self.post("/api", Some(token), body).await
    }

    /// Runs a command and parses a 2xx answer as JSON.
    pub async fn command(
        &self,
        token: &Secret,
        command: &str,
        args: Value,
    ) -> Result<Value, MaError> {
        let body = json!({ "message_id": util::random_token(9), "command": command, "args": args });
        let a = self
            .command_raw(token, serde_json::to_vec(&body).unwrap_or_default())
            .await?;
        if !a.status.is_success() {
            return Err(a.into_error());
        }
        serde_json::from_slice(&a.body)
            .map_err(|_| MaError::Protocol(format!("{command}: the answer is not JSON")))
    }

    /// `auth/token/create`: a long-lived token named `name`.
    pub async fn create_token(&self, bearer: &Secret, name: &str) -> Result<Secret, MaError> {
        match self
            .command(bearer, "auth/token/create", json!({ "name": name }))
            .await?
        {
            Value::String(t) if !t.is_empty() => Ok(Secret::new(t)),
            Value::Object(o) => match o.get("token").and_then(Value::as_str) {
                Some(t) if !t.is_empty() => Ok(Secret::new(t)),
                _ => Err(MaError::Protocol(
                    "auth/token/create returned no token".into(),
                )),
            },
            _ => Err(MaError::Protocol(
                "auth/token/create returned no token".into(),
            )),
        }
    }

    /// Revokes `token` itself: `POST /auth/logout` with it (Music Assistant
    /// deletes the very token a logout carries, long-lived ones too). No
    /// token list is involved: `auth/tokens` answers at most 100 rows in no
    /// set order, so a lookup there can miss the token.
    pub async fn revoke(&self, token: &Secret) -> Result<Revocation, MaError> {
        let a = self
            .post("/auth/logout", Some(token), b"{}".to_vec())
            .await?;
        match a.status {
            s if s.is_success() => Ok(Revocation::Revoked),
            StatusCode::UNAUTHORIZED => Ok(Revocation::AlreadyGone),
            _ => Err(a.into_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_carry_no_credentials_and_errors_quote_no_value() {
        assert_eq!(
            parse_base_url("http://192.168.1.20:8095/").unwrap(),
            "http://192.168.1.20:8095"
        );
        for bad in [
            "http://admin:pw-SECRET@192.168.1.20:8095",
            "http://:pw-SECRET@192.168.1.20:8095",
            "http://pw-SECRET@192.168.1.20:8095",
            "http://192.168.1.20:8095/?pw-SECRET",
            "http://192.168.1.20:8095/#pw-SECRET",
            "https://admin:pw-SECRET@ma.example",
            "ftp://pw-SECRET.example",
            "pw-SECRET",
        ] {
            let e = parse_base_url(bad).expect_err(bad);
            assert!(!e.contains("SECRET"), "{bad}: {e}");
        }
    }

    #[test]
    fn recognises_music_assistants_sign_in_pause() {
        let answer = |e: &str| json!({"success": false, "error": e}).to_string();
        let pause = |e: &str| sign_in_pause(answer(e).as_bytes());
        assert_eq!(
            pause("Too many failed attempts. Please try again in 29 seconds."),
            Some(Duration::from_secs(30)),
            "rounded down by Music Assistant: one second more"
        );
        assert_eq!(
            pause("Too many failed attempts. Please try again in 0 seconds."),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            pause("Too many failed attempts. Please try again later."),
            Some(DEFAULT_PAUSE)
        );
        assert_eq!(
            pause("Too many failed attempts. Please try again in 99999999 seconds."),
            Some(MAX_PAUSE)
        );
        assert_eq!(pause("Invalid username or password"), None);
        assert_eq!(pause("User account is disabled"), None);
        assert_eq!(sign_in_pause(b"Too many failed attempts"), None, "not JSON");
        assert_eq!(sign_in_pause(b"{\"error\": 3}"), None);
    }
}
