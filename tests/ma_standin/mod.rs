//! A stand-in Music Assistant written from the contract in
//! ../shared/facts/music-assistant-auth.md: `POST /auth/login` (REST form),
//! `GET /auth/me`, `POST /auth/logout`, `POST /api` with `auth/token/create`,
//! `auth/tokens`, `auth/token/revoke` and a few `players/...` and `music/...`
//! commands. It records every request and has knobs for failure modes.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn bearer(&self) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .and_then(|(_, v)| v.strip_prefix("Bearer ").map(str::to_owned))
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn command(&self) -> Option<String> {
        self.json()["command"].as_str().map(str::to_owned)
    }
    /// Everything received, as one string, for "never contains" checks.
    pub fn all_text(&self) -> String {
        let mut s = format!("{} {}\n", self.method, self.path);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\n"));
        }
        s.push_str(&String::from_utf8_lossy(&self.body));
        s
    }
}

#[derive(Debug, Clone)]
pub struct Knobs {
    /// Sleep this long before answering anything.
    pub slow: Option<Duration>,
    /// Answer 500 to everything.
    pub fail_5xx: bool,
    /// false: 403 on login, 503 "Setup required" on /api.
    pub onboarded: bool,
    /// auth/token/create answers 500.
    pub fail_token_create: bool,
    /// Music Assistant's sign-in pause: after 3 failed logins for a username
    /// within 30 minutes, every login for it (right password too) is refused
    /// for this long after the last failure.
    pub lockout: Option<Duration>,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            slow: None,
            fail_5xx: false,
            onboarded: true,
            fail_token_create: false,
            lockout: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub token_id: String,
    pub user_id: String,
    pub name: String,
    pub long_lived: bool,
    pub revoked: bool,
}

#[derive(Debug, Default)]
struct State {
    /// username → (password, user_id, role)
    users: HashMap<String, (String, String, String)>,
    tokens: HashMap<String, TokenInfo>,
    log: Vec<Recorded>,
    knobs: Knobs,
    counter: u64,
    /// Failed logins per normalised username (knob `lockout`).
    failed_logins: HashMap<String, Vec<Instant>>,
}

pub struct Standin {
    pub addr: SocketAddr,
    pub url: String,
    state: Arc<Mutex<State>>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Drop for Standin {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Standin {
    /// Starts with one user per (username, password, role).
    pub async fn start(users: &[(&str, &str, &str)]) -> Standin {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut st = State::default();
        for (i, (u, p, role)) in users.iter().enumerate() {
            st.users.insert(
                u.to_string(),
                (p.to_string(), format!("user{}", i + 1), role.to_string()),
            );
        }
        let state = Arc::new(Mutex::new(st));
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (s2, t2) = (Arc::clone(&state), Arc::clone(&tasks));
        let accept = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let s3 = Arc::clone(&s2);
                let conn = tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let s4 = Arc::clone(&s3);
                        async move { Ok::<_, std::convert::Infallible>(handle(s4, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
                t2.lock().unwrap().push(conn);
            }
        });
        tasks.lock().unwrap().push(accept);
        Standin {
            addr,
            url: format!("http://{addr}"),
            state,
            tasks,
        }
    }

    /// Goes down: the listener and every open connection close (connection refused after).
    pub fn stop(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    pub fn set_knobs(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.state.lock().unwrap().knobs);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().log.clone()
    }

    /// `/api` requests: (command, bearer token).
    pub fn commands(&self) -> Vec<(String, Option<String>)> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/api")
            .map(|r| (r.command().unwrap_or_default(), r.bearer()))
            .collect()
    }

    pub fn tokens(&self) -> HashMap<String, TokenInfo> {
        self.state.lock().unwrap().tokens.clone()
    }

    /// Long-lived tokens: (token, info).
    pub fn long_lived(&self) -> Vec<(String, TokenInfo)> {
        let mut v: Vec<_> = self
            .tokens()
            .into_iter()
            .filter(|(_, i)| i.long_lived)
            .collect();
        v.sort_by(|a, b| a.1.token_id.cmp(&b.1.token_id));
        v
    }
}

fn reply(status: StatusCode, ct: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", ct)
        .body(Full::new(body.into()))
        .unwrap()
}

fn json_reply(status: StatusCode, v: &Value) -> Response<Full<Bytes>> {
    reply(status, "application/json", v.to_string())
}

fn text(status: StatusCode, t: &str) -> Response<Full<Bytes>> {
    reply(status, "text/plain; charset=utf-8", t.to_owned())
}

fn new_token(st: &mut State, user_id: &str, name: &str, long_lived: bool) -> String {
    st.counter += 1;
    let token = format!(
        "ma{}-{}-{:x}",
        if long_lived { "long" } else { "sess" },
        st.counter,
        rand_u64()
    );
    st.tokens.insert(
        token.clone(),
        TokenInfo {
            token_id: format!("tid{:04}", st.counter),
            user_id: user_id.to_owned(),
            name: name.to_owned(),
            long_lived,
            revoked: false,
        },
    );
    token
}

fn rand_u64() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b)
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let rec = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: body.to_vec(),
    };
    let knobs = {
        let mut st = state.lock().unwrap();
        st.log.push(rec.clone());
        st.knobs.clone()
    };
    if let Some(d) = knobs.slow {
        tokio::time::sleep(d).await;
    }
    if knobs.fail_5xx {
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error: boom",
        );
    }
    let mut st = state.lock().unwrap();
    // The caller's token, if valid.
    let caller: Option<(String, TokenInfo)> = rec.bearer().and_then(|t| {
        st.tokens
            .get(&t)
            .filter(|i| !i.revoked)
            .cloned()
            .map(|i| (t, i))
    });
    let unauthorized = || {
        let mut r = text(StatusCode::UNAUTHORIZED, "Authentication required");
        r.headers_mut().insert(
            "www-authenticate",
            "Bearer realm=\"Music Assistant\"".parse().unwrap(),
        );
        r
    };
    match (rec.method.as_str(), rec.path.as_str()) {
        ("POST", "/auth/login") => {
            if !knobs.onboarded {
                return json_reply(
                    StatusCode::FORBIDDEN,
                    &json!({"success": false, "error": "Onboarding required"}),
                );
            }
            let v = rec.json();
            let (u, p) = (
                v["credentials"]["username"].as_str().unwrap_or(""),
                v["credentials"]["password"].as_str().unwrap_or(""),
            );
            // Knob `lockout`, as auth_providers.py's LoginRateLimiter: the
            // wait counts from the last failure, its seconds rounded down.
            if let Some(pause) = knobs.lockout {
                let ok = st.users.get(u).is_some_and(|(pw, ..)| pw == p);
                let now = Instant::now();
                let fails = st.failed_logins.entry(u.trim().to_lowercase()).or_default();
                fails.retain(|t| now.duration_since(*t) < Duration::from_secs(30 * 60));
                let since = fails.last().map(|t| now.duration_since(*t));
                if let Some(since) = since.filter(|s| fails.len() >= 3 && *s < pause) {
                    let n = (pause - since).as_secs();
                    let error =
                        format!("Too many failed attempts. Please try again in {n} seconds.");
                    return json_reply(
                        StatusCode::UNAUTHORIZED,
                        &json!({"success": false, "error": error}),
                    );
                }
                if ok { fails.clear() } else { fails.push(now) }
            }
            match st.users.get(u).cloned() {
                Some((pw, id, role)) if pw == p && v["provider_id"] == "builtin" => {
                    let t = new_token(&mut st, &id, "session", false);
                    json_reply(
                        StatusCode::OK,
                        &json!({"success": true, "token": t,
                            "user": {"user_id": id, "username": u, "role": role}}),
                    )
                }
                _ => json_reply(
                    StatusCode::UNAUTHORIZED,
                    &json!({"success": false, "error": "Invalid username or password"}),
                ),
            }
        }
        ("GET", "/auth/me") => match caller {
            Some((_, i)) => json_reply(StatusCode::OK, &json!({"user_id": i.user_id})),
            None => unauthorized(),
        },
        ("POST", "/auth/logout") => match caller {
            Some((t, _)) => {
                if let Some(i) = st.tokens.get_mut(&t) {
                    i.revoked = true;
                }
                json_reply(StatusCode::OK, &json!({"success": true}))
            }
            None => unauthorized(),
        },
        ("POST", "/api") => {
            if !knobs.onboarded {
                return text(StatusCode::SERVICE_UNAVAILABLE, "Setup required");
            }
            let Some((_, me)) = caller else {
                return unauthorized();
            };
            let v = rec.json();
            let cmd = v["command"].as_str().unwrap_or("").to_owned();
            let args = v["args"].clone();
            match cmd.as_str() {
                "auth/token/create" => {
                    if knobs.fail_token_create {
                        return text(StatusCode::INTERNAL_SERVER_ERROR, "token creation failed");
                    }
                    let role = st
                        .users
                        .values()
                        .find(|u| u.1 == me.user_id)
                        .map(|u| u.2.clone())
                        .unwrap_or_default();
                    if role == "guest" {
                        return text(StatusCode::FORBIDDEN, "Guests cannot create tokens");
                    }
                    let name = args["name"].as_str().unwrap_or("").to_owned();
                    let t = new_token(&mut st, &me.user_id, &name, true);
                    json_reply(StatusCode::OK, &json!(t))
                }
                "auth/tokens" => {
                    let list: Vec<Value> = st
                        .tokens
                        .values()
                        .filter(|i| i.user_id == me.user_id && !i.revoked)
                        .map(|i| json!({"token_id": i.token_id, "name": i.name, "is_long_lived": i.long_lived}))
                        .collect();
                    json_reply(StatusCode::OK, &json!(list))
                }
                "auth/token/revoke" => {
                    let id = args["token_id"].as_str().unwrap_or("");
                    let mut found = false;
                    for i in st.tokens.values_mut() {
                        if i.token_id == id && i.user_id == me.user_id {
                            i.revoked = true;
                            found = true;
                        }
                    }
                    if found {
                        json_reply(StatusCode::OK, &Value::Null)
                    } else {
                        text(StatusCode::BAD_REQUEST, "Token not found")
                    }
                }
                "players/all" => json_reply(
                    StatusCode::OK,
                    &json!([{"player_id": "kitchen", "name": "Kitchen", "state": "idle"}]),
                ),
                "players/get" => {
                    if args["player_id"] == "kitchen" {
                        json_reply(StatusCode::OK, &json!({"player_id": "kitchen"}))
                    } else {
                        text(StatusCode::BAD_REQUEST, "Player not found")
                    }
                }
                "players/cmd/play" | "players/cmd/pause" | "player_queues/play_media" => {
                    json_reply(StatusCode::OK, &Value::Null)
                }
                "music/search" => json_reply(StatusCode::OK, &json!({"tracks": [], "albums": []})),
                other => text(
                    StatusCode::BAD_REQUEST,
                    &format!("Invalid command: {other}"),
                ),
            }
        }
        _ => text(StatusCode::NOT_FOUND, "Not Found"),
    }
}
