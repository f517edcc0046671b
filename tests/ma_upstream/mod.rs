//! The Music Assistant the tests in `music_assistant.rs` run against: the
//! stand-in (`ma_standin/`, the default, what CI runs), or a real Music
//! Assistant when `MA_URL` and the accounts are in the environment, as
//! ../shared/tools/real-music-assistant/run provides them:
//!
//! ```text
//! MA_URL  MA_USER  MA_USER_PASSWORD  MA_ADMIN_USER  MA_ADMIN_PASSWORD  MA_ADMIN_TOKEN
//! (optional: MA_GUEST  MA_GUEST_PASSWORD)
//! ```
//!
//! Everything a test checks at Music Assistant goes over its HTTP API, the
//! same in both modes, except what only the stand-in can do (go down, be
//! slow, fail with 5xx, show the requests it received): those tests and parts
//! ask [`Upstream::standin_or_skip`] and, against the real server, print
//! `SKIPPED (real Music Assistant): ...` and skip. Against the real server the
//! tests run one at a time (they share its users and their tokens).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use hyper::StatusCode;
use serde_json::{Value, json};

use crate::common::{AuthParams, Browser, PITANGUI, Resp, TestServer, send};
use crate::ma_standin::Standin;

/// The stand-in's accounts.
pub const STANDIN_PASSWORD: &str = "ma password 123";

/// Real-server tests take turns.
static REAL_SERVER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

enum Mode {
    Standin(Standin),
    Real {
        admin_token: String,
        _turn: tokio::sync::MutexGuard<'static, ()>,
    },
}

pub struct Upstream {
    pub url: String,
    pub addr: SocketAddr,
    /// A user account (role user) and its password.
    pub user: String,
    pub password: String,
    /// A guest account, if known.
    pub guest: Option<(String, String)>,
    mode: Mode,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The real server's settings, if `MA_URL` and every account variable are set.
fn real_settings() -> Option<[String; 6]> {
    const NAMES: [&str; 6] = [
        "MA_URL",
        "MA_USER",
        "MA_USER_PASSWORD",
        "MA_ADMIN_USER",
        "MA_ADMIN_PASSWORD",
        "MA_ADMIN_TOKEN",
    ];
    let vals: Vec<Option<String>> = NAMES.iter().map(|n| env(n)).collect();
    if vals.iter().all(Option::is_some) {
        return Some(
            vals.into_iter()
                .map(Option::unwrap)
                .collect::<Vec<_>>()
                .try_into()
                .unwrap(),
        );
    }
    if vals[0].is_some() {
        let missing: Vec<&str> = NAMES
            .iter()
            .zip(&vals)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "note: MA_URL is set but {} not: these tests use the stand-in Music Assistant",
            missing.join(", ")
        );
    }
    None
}

fn addr_of(url: &str) -> SocketAddr {
    let u = url::Url::parse(url).expect("MA_URL is a URL");
    let host = u.host_str().expect("MA_URL has a host");
    let port = u.port_or_known_default().unwrap_or(80);
    std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .expect("MA_URL's host resolves")
        .next()
        .expect("MA_URL's host has an address")
}

impl Upstream {
    /// The real Music Assistant if the environment names one, else a fresh
    /// stand-in with users alice (user), guest (guest) and admin (admin).
    pub async fn start() -> Upstream {
        if let Some([url, user, password, _admin, _admin_pw, admin_token]) = real_settings() {
            let turn = REAL_SERVER.lock().await;
            let url = url.trim_end_matches('/').to_owned();
            return Upstream {
                addr: addr_of(&url),
                url,
                user,
                password,
                guest: env("MA_GUEST").zip(env("MA_GUEST_PASSWORD")),
                mode: Mode::Real {
                    admin_token,
                    _turn: turn,
                },
            };
        }
        let sd = Standin::start(&[
            ("alice", STANDIN_PASSWORD, "user"),
            ("guest", STANDIN_PASSWORD, "guest"),
            ("admin", STANDIN_PASSWORD, "admin"),
        ])
        .await;
        Upstream {
            url: sd.url.clone(),
            addr: sd.addr,
            user: "alice".into(),
            password: STANDIN_PASSWORD.into(),
            guest: Some(("guest".into(), STANDIN_PASSWORD.into())),
            mode: Mode::Standin(sd),
        }
    }

    pub fn is_real(&self) -> bool {
        matches!(self.mode, Mode::Real { .. })
    }

    pub fn standin(&self) -> Option<&Standin> {
        match &self.mode {
            Mode::Standin(s) => Some(s),
            Mode::Real { .. } => None,
        }
    }

    /// The stand-in, or None after printing that `what` (a test, or a part
    /// of one) is skipped against the real server, and why.
    pub fn standin_or_skip(&self, what: &str, why: &str) -> Option<&Standin> {
        let s = self.standin();
        if s.is_none() {
            skipped(what, why);
        }
        s
    }

    /// How long the server under test waits for this Music Assistant.
    pub fn timeout(&self) -> Duration {
        if self.is_real() {
            Duration::from_secs(10)
        } else {
            Duration::from_millis(1500)
        }
    }

    // -----------------------------------------------------------------------
    // Music Assistant's HTTP API, as any client sees it

    pub async fn login(&self, user: &str, password: &str) -> Resp {
        let body = json!({"provider_id": "builtin",
            "credentials": {"username": user, "password": password},
            "device_name": "ma-alexa-oauth tests"});
        send(
            self.addr,
            "POST",
            "/auth/login",
            &[("content-type", "application/json")],
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    /// A session token of the user account.
    pub async fn session(&self) -> String {
        let r = self.login(&self.user, &self.password).await;
        assert_eq!(r.status, StatusCode::OK, "login: {}", r.text());
        r.json()["token"].as_str().unwrap().to_owned()
    }

    pub async fn api(&self, token: &str, command: &str, args: Value) -> Resp {
        let auth = format!("Bearer {token}");
        let body = json!({"message_id": "t1", "command": command, "args": args});
        send(
            self.addr,
            "POST",
            "/api",
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    pub async fn me(&self, token: &str) -> Resp {
        let auth = format!("Bearer {token}");
        send(
            self.addr,
            "GET",
            "/auth/me",
            &[("authorization", &auth)],
            None,
        )
        .await
    }

    pub async fn logout(&self, token: &str) -> Resp {
        let auth = format!("Bearer {token}");
        send(
            self.addr,
            "POST",
            "/auth/logout",
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            Some(b"{}".to_vec()),
        )
        .await
    }

    /// True while Music Assistant accepts `token` (`GET /auth/me` answers 200).
    pub async fn alive(&self, token: &str) -> bool {
        let r = self.me(token).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::UNAUTHORIZED,
            "/auth/me: {} {}",
            r.status,
            r.text()
        );
        r.status == StatusCode::OK
    }

    /// A long-lived token of the user account named `name`.
    pub async fn create_token(&self, bearer: &str, name: &str) -> String {
        let r = self
            .api(bearer, "auth/token/create", json!({"name": name}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "auth/token/create: {}", r.text());
        r.json().as_str().unwrap().to_owned()
    }

    /// `n` more long-lived tokens for the user account (made with a session
    /// that is logged out after).
    pub async fn add_tokens(&self, n: usize) -> Vec<String> {
        let s = self.session().await;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(self.create_token(&s, &format!("filler {i}")).await);
        }
        assert_eq!(self.logout(&s).await.status, StatusCode::OK);
        out
    }

    /// Logs each token out (clean-up); already dead ones are fine.
    pub async fn drop_tokens(&self, tokens: &[String]) {
        for t in tokens {
            let r = self.logout(t).await;
            assert!(
                r.status == StatusCode::OK || r.status == StatusCode::UNAUTHORIZED,
                "{}",
                r.text()
            );
        }
    }

    /// A user (or an admin) deletes `token` in Music Assistant's settings:
    /// every later call with it answers 401. Real server: the admin revokes
    /// it by its id (the JWT's `jti`).
    pub async fn delete_token(&self, token: &str) {
        match &self.mode {
            Mode::Standin(s) => s.delete_token(token),
            Mode::Real { admin_token, .. } => {
                let id = jwt_claim(token, "jti").expect("a real token is a JWT with a jti");
                let r = self
                    .api(admin_token, "auth/token/revoke", json!({"token_id": id}))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "auth/token/revoke: {}", r.text());
            }
        }
        assert!(!self.alive(token).await, "the deleted token still works");
    }

    /// The rows `auth/tokens` lists for the holder of `token`.
    pub async fn token_rows(&self, token: &str) -> Vec<Value> {
        let r = self.api(token, "auth/tokens", json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "auth/tokens: {}", r.text());
        r.json().as_array().unwrap().clone()
    }
}

/// Prints `SKIPPED (real Music Assistant): what: why` on the real stderr
/// (not captured by the test harness, so it shows in every run).
pub fn skipped(what: &str, why: &str) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (real Music Assistant): {what}: {why}"
    );
}

/// A claim of a JWT's payload (not verified: only to find a token's id).
pub fn jwt_claim(token: &str, claim: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get(claim)?.as_str().map(str::to_owned)
}

/// `auth/tokens`' `token_hash` of a token: SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    ma_alexa_oauth::util::sha256(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A user's link made through the whole Alexa flow (tests/music_assistant.rs,
/// tests/skill.rs).
pub struct Linked {
    pub id: String,
    pub secret: String,
    pub access: String,
    pub refresh: String,
    /// Our link's id (the access token's `sid`).
    pub link_id: String,
}

/// The Alexa flow with the Music Assistant user account; returns the tokens.
pub async fn link(s: &TestServer, ma: &Upstream, scope: &str) -> Linked {
    let (id, secret) = s.add_alexa_client();
    let mut p = AuthParams::new(&id, PITANGUI);
    p.scope = Some(scope.into());
    let mut b = Browser::default();
    let r = b.login(s, &p, &ma.user, &ma.password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.text());
    let code = r.location_params()["code"].clone();
    let t = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text());
    let j = t.json();
    let access: String = j["access_token"].as_str().unwrap().into();
    let link_id = s.app.keys().verify(&access).unwrap().sid;
    Linked {
        id,
        secret,
        access,
        refresh: j["refresh_token"].as_str().unwrap().into(),
        link_id,
    }
}
