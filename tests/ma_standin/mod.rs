//! A stand-in Music Assistant written from the contract in
//! ../shared/facts/music-assistant-auth.md and checked against the real server
//! (`music_assistant::the_stand_in_answers_like_music_assistant` runs against
//! both): `POST /auth/login` (REST form), `GET /auth/me`, `POST /auth/logout`,
//! `POST /api` with `auth/token/create`, `auth/tokens`, `auth/token/revoke`
//! and a few `players/...` and `music/...` commands. As the real server does:
//! `/api` looks the command up before it checks the token (an unknown command
//! is 400 even with a dead token), a dead or unknown token is 401
//! `Authentication required` (text/plain) on `/api` and `Not authenticated` on
//! `/auth/me` and `/auth/logout`, `auth/tokens` answers at most 100 rows in no
//! set order, `auth/token/revoke` answers 200 `null` (500 for an unknown id),
//! and a session token is named after the login's `device_name`.
//! It records every request and has knobs for failure modes
//! ([`Knobs`]) and for deleting a token "in Music Assistant's settings"
//! ([`Standin::delete_token`]).
#![allow(dead_code)]

pub mod music;

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
    /// Limits `slow` and `fail_5xx` to requests for this path (e.g.
    /// `/auth/me`); `None`: every path.
    pub faults_only_on: Option<String>,
    /// false: 403 on login, 503 "Setup required" on /api.
    pub onboarded: bool,
    /// auth/token/create answers 500.
    pub fail_token_create: bool,
    /// Music Assistant's sign-in pause: after 3 failed logins for a username
    /// within 30 minutes, every login for it (right password too) is refused
    /// for this long after the last failure.
    pub lockout: Option<Duration>,
    /// Guests may create long-lived tokens: true as in the 2.7/2.8 snapshot
    /// the facts were checked against, false (403) as in the newest sources.
    pub guests_may_create_tokens: bool,
    /// The next N authenticated `/api` calls answer 401 `Authentication
    /// failed`, as Music Assistant does when checking a token raised, although
    /// the token is fine.
    pub spurious_401: u32,
    /// Every authenticated `/api` call answers this status (text/plain).
    pub fail_with: Option<u16>,
    /// Keep every request for inspection (off in benchmarks: memory).
    pub record: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            slow: None,
            fail_5xx: false,
            faults_only_on: None,
            onboarded: true,
            fail_token_create: false,
            lockout: None,
            guests_may_create_tokens: false,
            spurious_401: 0,
            fail_with: None,
            record: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub token_id: String,
    pub user_id: String,
    pub name: String,
    pub long_lived: bool,
    /// Gone: logged out, revoked, or deleted in the settings. (The real
    /// server deletes the row; the stand-in keeps it for inspection.)
    pub revoked: bool,
    /// Order of creation.
    pub seq: u64,
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
    /// Players and their queues (`music.rs`).
    players: Vec<music::PlayerState>,
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
        let mut st = State {
            players: music::players(),
            ..State::default()
        };
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

    /// A user (or an admin) deletes `token` in Music Assistant's settings:
    /// every later call with it answers 401.
    pub fn delete_token(&self, token: &str) {
        let mut st = self.state.lock().unwrap();
        let info = st.tokens.get_mut(token).expect("no such token");
        info.revoked = true;
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

    /// A player's state (queue, volume, shuffle, ...), by id.
    pub fn player(&self, id: &str) -> music::PlayerState {
        let st = self.state.lock().unwrap();
        st.players
            .iter()
            .find(|p| p.id == id)
            .expect("no such player")
            .clone()
    }

    /// `/api` requests after the first `skip`: (command, args).
    pub fn calls_since(&self, skip: usize) -> Vec<(String, Value)> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/api")
            .skip(skip)
            .map(|r| (r.command().unwrap_or_default(), r.json()["args"].clone()))
            .collect()
    }

    /// How many `/api` requests arrived so far.
    pub fn api_count(&self) -> usize {
        self.requests().iter().filter(|r| r.path == "/api").count()
    }

    pub fn tokens(&self) -> HashMap<String, TokenInfo> {
        self.state.lock().unwrap().tokens.clone()
    }

    /// Long-lived tokens: (token, info), oldest first.
    pub fn long_lived(&self) -> Vec<(String, TokenInfo)> {
        let mut v: Vec<_> = self
            .tokens()
            .into_iter()
            .filter(|(_, i)| i.long_lived)
            .collect();
        v.sort_by_key(|(_, i)| i.seq);
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
            token_id: format!("tid{:04}-{:x}", st.counter, rand_u64()),
            user_id: user_id.to_owned(),
            name: name.to_owned(),
            long_lived,
            revoked: false,
            seq: st.counter,
        },
    );
    token
}

fn rand_u64() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Fisher-Yates: the real server promises no order.
fn shuffle<T>(v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = (rand_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// Commands the stand-in knows; `/api` answers 400 for any other, before
/// looking at the token (as the real server does).
const KNOWN: &[&str] = &[
    "auth/token/create",
    "auth/tokens",
    "auth/token/revoke",
    "players/all",
    "players/get",
    "players/cmd/play",
    "players/cmd/pause",
    "players/cmd/stop",
    "players/cmd/next",
    "players/cmd/previous",
    "players/cmd/seek",
    "players/cmd/volume_set",
    "players/cmd/volume_up",
    "players/cmd/volume_down",
    "players/cmd/volume_mute",
    "players/cmd/set_members",
    "player_queues/play_media",
    "player_queues/shuffle",
    "player_queues/repeat",
    "player_queues/get_active_queue",
    "music/search",
    "music/artists/library_items",
    "music/albums/library_items",
    "music/tracks/library_items",
    "music/playlists/library_items",
    "music/radios/library_items",
];

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
        if st.knobs.record {
            st.log.push(rec.clone());
        }
        st.knobs.clone()
    };
    let faulty = knobs
        .faults_only_on
        .as_deref()
        .is_none_or(|p| p == rec.path);
    if faulty && let Some(d) = knobs.slow {
        tokio::time::sleep(d).await;
    }
    if faulty && knobs.fail_5xx {
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
    match (rec.method.as_str(), rec.path.as_str()) {
        ("POST", "/auth/login") => login(&mut st, &knobs, &rec),
        ("GET", "/auth/me") => match caller {
            Some((_, i)) => json_reply(StatusCode::OK, &json!({"user_id": i.user_id})),
            None => text(StatusCode::UNAUTHORIZED, "Not authenticated"),
        },
        ("POST", "/auth/logout") => match caller {
            Some((t, _)) => {
                if let Some(i) = st.tokens.get_mut(&t) {
                    i.revoked = true;
                }
                json_reply(StatusCode::OK, &json!({"success": true}))
            }
            None => text(StatusCode::UNAUTHORIZED, "Not authenticated"),
        },
        ("POST", "/api") => api(&mut st, &knobs, &rec, caller),
        _ => text(StatusCode::NOT_FOUND, "Not Found"),
    }
}

fn login(st: &mut State, knobs: &Knobs, rec: &Recorded) -> Response<Full<Bytes>> {
    if !knobs.onboarded {
        return json_reply(
            StatusCode::FORBIDDEN,
            &json!({"success": false, "error": "Setup required"}),
        );
    }
    let v = rec.json();
    let (u, p) = (
        v["credentials"]["username"].as_str().unwrap_or(""),
        v["credentials"]["password"].as_str().unwrap_or(""),
    );
    let device = v["device_name"]
        .as_str()
        .unwrap_or("Unknown device")
        .to_owned();
    if let Some(refusal) = sign_in_pause(st, knobs, u, p) {
        return refusal;
    }
    match st.users.get(u).cloned() {
        Some((pw, id, role)) if pw == p && v["provider_id"] == "builtin" => {
            let t = new_token(st, &id, &device, false);
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

/// Knob `lockout`, as auth_providers.py's LoginRateLimiter: after 3 failed
/// logins within 30 minutes every login for the username is refused; the wait
/// counts from the last failure, its seconds rounded down.
fn sign_in_pause(st: &mut State, knobs: &Knobs, u: &str, p: &str) -> Option<Response<Full<Bytes>>> {
    let pause = knobs.lockout?;
    let ok = st.users.get(u).is_some_and(|(pw, ..)| pw == p);
    let now = Instant::now();
    let fails = st.failed_logins.entry(u.trim().to_lowercase()).or_default();
    fails.retain(|t| now.duration_since(*t) < Duration::from_secs(30 * 60));
    let since = fails.last().map(|t| now.duration_since(*t));
    if let Some(since) = since.filter(|s| fails.len() >= 3 && *s < pause) {
        let n = (pause - since).as_secs();
        let error = format!("Too many failed attempts. Please try again in {n} seconds.");
        return Some(json_reply(
            StatusCode::UNAUTHORIZED,
            &json!({"success": false, "error": error}),
        ));
    }
    if ok {
        fails.clear()
    } else {
        fails.push(now)
    }
    None
}

fn role_of(st: &State, user_id: &str) -> String {
    st.users
        .values()
        .find(|u| u.1 == user_id)
        .map(|u| u.2.clone())
        .unwrap_or_default()
}

fn api(
    st: &mut State,
    knobs: &Knobs,
    rec: &Recorded,
    caller: Option<(String, TokenInfo)>,
) -> Response<Full<Bytes>> {
    if !knobs.onboarded {
        return text(StatusCode::SERVICE_UNAVAILABLE, "Setup required");
    }
    let v = rec.json();
    let cmd = v["command"].as_str().unwrap_or("").to_owned();
    let args = v["args"].clone();
    if !KNOWN.contains(&cmd.as_str()) {
        return text(StatusCode::BAD_REQUEST, &format!("Invalid Command: {cmd}"));
    }
    let unauthorized = |t: &str| {
        let mut r = text(StatusCode::UNAUTHORIZED, t);
        r.headers_mut().insert(
            "www-authenticate",
            "Bearer realm=\"Music Assistant\"".parse().unwrap(),
        );
        r
    };
    let Some((_, me)) = caller else {
        return unauthorized("Authentication required");
    };
    if st.knobs.spurious_401 > 0 {
        st.knobs.spurious_401 -= 1;
        return unauthorized("Authentication failed");
    }
    if let Some(code) = knobs.fail_with {
        return text(StatusCode::from_u16(code).unwrap(), "Forbidden by the knob");
    }
    // Any exception inside a command: a bare 500, as the real server answers.
    let failed = || text(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
    match cmd.as_str() {
        "auth/token/create" => {
            if knobs.fail_token_create {
                return failed();
            }
            if role_of(st, &me.user_id) == "guest" && !knobs.guests_may_create_tokens {
                return text(
                    StatusCode::FORBIDDEN,
                    "Guest users cannot create long-lived tokens",
                );
            }
            let name = args["name"].as_str().unwrap_or("").to_owned();
            let t = new_token(st, &me.user_id, &name, true);
            json_reply(StatusCode::OK, &json!(t))
        }
        "auth/tokens" => {
            let target = match args["user_id"].as_str() {
                Some(u) if u != me.user_id => {
                    if role_of(st, &me.user_id) != "admin" {
                        return json_reply(StatusCode::OK, &json!([]));
                    }
                    u.to_owned()
                }
                _ => me.user_id.clone(),
            };
            let mut list: Vec<Value> = st
                .tokens
                .iter()
                .filter(|(_, i)| i.user_id == target && !i.revoked)
                .map(|(t, i)| {
                    json!({"token_id": i.token_id, "user_id": i.user_id,
                        "token_hash": hex(&ma_alexa_oauth::util::sha256(t.as_bytes())),
                        "name": i.name, "created_at": "2026-02-27T00:00:00+00:00",
                        "expires_at": null, "last_used_at": null, "is_long_lived": i.long_lived})
                })
                .collect();
            shuffle(&mut list);
            list.truncate(100);
            json_reply(StatusCode::OK, &json!(list))
        }
        "auth/token/revoke" => {
            let id = args["token_id"].as_str().unwrap_or("");
            let admin = role_of(st, &me.user_id) == "admin";
            let Some(info) = st
                .tokens
                .values_mut()
                .find(|i| i.token_id == id && !i.revoked)
            else {
                return failed(); // InvalidDataError("Token not found")
            };
            if info.user_id != me.user_id && !admin {
                return failed(); // InsufficientPermissions
            }
            info.revoked = true;
            json_reply(StatusCode::OK, &Value::Null)
        }
        "players/get" => match args["player_id"].as_str() {
            Some(id) => match st.players.iter().find(|p| p.id == id) {
                Some(p) => json_reply(StatusCode::OK, &music::player_json(p, &st.players)),
                None => json_reply(StatusCode::OK, &Value::Null),
            },
            None => failed(),
        },
        other => match music_command(st, other, &args) {
            Some(v) => json_reply(StatusCode::OK, &v),
            None => failed(),
        },
    }
}

/// `players/cmd/set_members`: players join (or leave) a leader's group.
fn set_members(st: &mut State, args: &Value) -> Option<Value> {
    let target = args["target_player"].as_str()?.to_owned();
    let ids = |k: &str| -> Option<Vec<String>> {
        match &args[k] {
            Value::Null => Some(Vec::new()),
            Value::Array(a) => a.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => None,
        }
    };
    let (add, remove) = (ids("player_ids_to_add")?, ids("player_ids_to_remove")?);
    let known = |id: &String| st.players.iter().any(|p| &p.id == id && !p.hidden);
    if !known(&target) || !add.iter().chain(&remove).all(known) {
        return None;
    }
    for p in st.players.iter_mut() {
        if add.contains(&p.id) {
            p.synced_to = Some(target.clone());
        }
        if remove.contains(&p.id) {
            p.synced_to = None;
        }
    }
    let leader = st.players.iter_mut().find(|p| p.id == target)?;
    if leader.members.is_empty() {
        leader.members.push(target.clone());
    }
    leader
        .members
        .extend(add.into_iter().filter(|a| *a != target));
    leader.members.retain(|m| !remove.contains(m));
    leader.members.dedup();
    Some(Value::Null)
}

/// Library, player and queue commands; None: the command raised (a bare 500).
fn music_command(st: &mut State, cmd: &str, args: &Value) -> Option<Value> {
    match cmd {
        "players/all" => {
            let all = &st.players;
            return Some(Value::Array(
                all.iter().map(|p| music::player_json(p, all)).collect(),
            ));
        }
        "players/cmd/set_members" => return set_members(st, args),
        "music/search" => return Some(music::search(args)),
        "music/artists/library_items" => return Some(music::library_items("artist")),
        "music/albums/library_items" => return Some(music::library_items("album")),
        "music/tracks/library_items" => return Some(music::library_items("track")),
        "music/playlists/library_items" => return Some(music::library_items("playlist")),
        "music/radios/library_items" => return Some(music::library_items("radio")),
        _ => {}
    }
    let id = args["player_id"].as_str().or(args["queue_id"].as_str())?;
    let p = st.players.iter_mut().find(|p| p.id == id)?;
    match cmd {
        "player_queues/get_active_queue" => return Some(music::queue_json(p)),
        "player_queues/play_media" => {
            let uris = music::resolve_media(&args["media"]).filter(|u| !u.is_empty())?;
            match args["option"].as_str().unwrap_or("replace") {
                "add" => p.queue.extend(uris),
                "replace" | "play" => {
                    p.queue = uris;
                    p.index = 0;
                }
                _ => return None,
            }
            p.state = "playing".into();
            // A group's members play what the leader plays.
            let (members, queue) = (p.members.clone(), p.queue.clone());
            for m in st
                .players
                .iter_mut()
                .filter(|m| members.contains(&m.id) && m.id != id)
            {
                m.queue = queue.clone();
                m.index = 0;
                m.state = "playing".into();
            }
        }
        "players/cmd/play" => {
            if !p.queue.is_empty() {
                p.state = "playing".into()
            }
        }
        // As the real server: nothing to pause or stop on an idle player is a 500.
        "players/cmd/pause" if p.state == "idle" => return None,
        "players/cmd/stop" if p.state == "idle" => return None,
        "players/cmd/pause" => p.state = "paused".into(),
        "players/cmd/stop" => p.state = "idle".into(),
        "players/cmd/next" => p.index = (p.index + 1).min(p.queue.len().saturating_sub(1)),
        "players/cmd/previous" => p.index = p.index.saturating_sub(1),
        "players/cmd/seek" => {
            args["position"].as_i64()?;
        }
        "players/cmd/volume_set" => {
            let v = args["volume_level"]
                .as_i64()
                .filter(|v| (0..=100).contains(v))?;
            p.volume = v;
        }
        "players/cmd/volume_up" => p.volume = (p.volume + 5).min(100),
        "players/cmd/volume_down" => p.volume = (p.volume - 5).max(0),
        "players/cmd/volume_mute" => p.muted = args["muted"].as_bool()?,
        "player_queues/shuffle" => p.shuffle = args["shuffle_enabled"].as_bool()?,
        "player_queues/repeat" => {
            let m = args["repeat_mode"]
                .as_str()
                .filter(|m| ["off", "one", "all"].contains(m))?;
            p.repeat = m.into();
        }
        _ => return None,
    }
    Some(Value::Null)
}
