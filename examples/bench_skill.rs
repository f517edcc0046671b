//! The Alexa skill endpoint for `scripts/bench`: our server in process with
//! the skill's testing trust (the test CA of `tests/common/skill_sign.rs`)
//! and our skill id, a stand-in Music Assistant (`tests/ma_standin/`, not
//! recording; or the real one, below), and one link whose Music Assistant
//! token that server issued. Two modes:
//!
//! - `bench_skill standin`: the stand-in alone, so that our server and the
//!   ask-sdk peer (`tests/peers/ask-sdk-skill.mjs`) call the same one and
//!   each server's memory is its own. Prints `READY {"url": ...}`; commands
//!   on stdin: `record on`, `record off`, `calls` (prints `CALLS [[command,
//!   args], ...]`: the `/api` calls recorded since the last `calls`).
//! - `bench_skill [--ma-url URL]`: our server, against the stand-in at URL
//!   (without it, the real server of the environment, below, or a stand-in
//!   started in this process). Prints one line
//!   `READY {"url", "chain_url", "skill_id", "access_token", "ma_token",
//!   "device", "player", "roots", "files"}` (what the peer needs to do the
//!   same work: the test root, a directory holding the chain at its URL's
//!   path, the link's tokens, the Echo and its remembered player), then
//!   answers commands on stdin, one per line:
//!   - `sign PATH`: writes a verified "pause" request (an
//!     `AMAZON.PauseIntent` with the link's access token, stamped now: valid
//!     for 150 s) to PATH (16 identical lines, one or more per wrk thread),
//!     and its headers to PATH.headers (`Name: value` lines); prints
//!     `SIGNED`.
//!   - `intents N PATH`: every intent of [`SCRIPT`], N times in a row
//!     each, one request at a time (freshly signed, posted over HTTP), and
//!     writes to PATH one JSON object: per intent, the whole time the client
//!     waited and, from the handler's `skill answered` log line
//!     ([`TIMING_TARGET`]), the skill's own time and the time spent waiting
//!     on Music Assistant (p50, p99, max, in ms), with each command's own
//!     time; prints `INTENTS`.
//!
//! EOF on stdin stops either. wrk then posts the same signed body over and
//! over (Alexa's verification has no replay check beyond the timestamp
//! window).
//!
//! Without `--ma-url`, with `MA_URL`, `MA_USER`, `MA_USER_PASSWORD` and
//! `MA_PLAYER_ID` in the environment (`real-music-assistant/run --library`)
//! it links to that real Music Assistant instead of a stand-in of its own
//! (`--ma-url` always names a stand-in: its user and its Kitchen).
//!
//! ```sh
//! cargo run --release --example bench_skill -- standin
//! cargo run --release --example bench_skill -- --ma-url http://127.0.0.1:PORT
//! cargo run --release --example bench_skill    # its own stand-in, or MA_URL's server
//! ```

#[path = "../tests/common/http.rs"]
#[allow(dead_code)]
mod http_client;
#[path = "../tests/ma_standin/mod.rs"]
mod ma_standin;
#[path = "../tests/common/skill_sign.rs"]
#[allow(dead_code)]
mod skill_sign;

use std::io::{BufRead as _, Write as _};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use ma_alexa_oauth::app::App;
use ma_alexa_oauth::config::Config;
use ma_alexa_oauth::handlers::skill::TIMING_TARGET;
use ma_alexa_oauth::keys::AccessClaims;
use ma_alexa_oauth::ma::UpstreamToken;
use ma_alexa_oauth::oauth::client_auth;
use ma_alexa_oauth::skill::SkillVerifier;
use ma_alexa_oauth::store::{self, Client, ClientKind, CodeGrant, Redeemed};
use ma_alexa_oauth::util;
use serde_json::{Value, json};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const PASSWORD: &str = "bench ma password";
/// Copies of the signed body written per file: at least wrk's thread count.
const LINES: usize = 16;
/// The Echo the requests come from.
const DEVICE: &str = "bench-echo";

/// The Music Assistant the skill calls: a stand-in's or the real server's
/// URL, the user it logs in as, and the Kitchen's player id (the player the
/// Echo uses).
struct Upstream {
    url: String,
    user: String,
    password: String,
    player: String,
}

impl Upstream {
    /// A stand-in (its user and its Kitchen).
    fn standin(url: String) -> Self {
        Self {
            url,
            user: "alice".into(),
            password: PASSWORD.into(),
            player: "kitchen".into(),
        }
    }

    /// The real Music Assistant of the environment, if any.
    fn real() -> Option<Self> {
        let e = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        Some(Self {
            url: e("MA_URL")?,
            user: e("MA_USER")?,
            password: e("MA_USER_PASSWORD")?,
            player: e("MA_PLAYER_ID")?,
        })
    }
}

/// A long-lived token of the stand-in's (or the real server's) user, made as a login does.
async fn ma_token(ma: &Upstream) -> Res<String> {
    let client = ma_alexa_oauth::ma::client::MaClient::new(&ma.url, Duration::from_secs(5))?;
    let ma_alexa_oauth::ma::client::Login::Ok { session, .. } =
        client.login(&ma.user, &ma.password).await?
    else {
        return Err("Music Assistant refused the login".into());
    };
    let token = client.create_token(&session, "bench").await?;
    // Something plays in the Kitchen, so "pause" pauses (an idle player's
    // pause is Music Assistant's 500).
    let play = json!({"queue_id": ma.player, "media": ["library://track/1"]});
    client
        .command(&token, "player_queues/play_media", play)
        .await?;
    Ok(token.expose().to_owned())
}

/// A link of client `client` holding the Music Assistant token; its access token.
async fn link(app: &App, ma: &Upstream) -> Res<(String, String)> {
    let now = util::now();
    let client = Client {
        id: util::random_token(12),
        name: "Alexa".into(),
        kind: ClientKind::Alexa,
        vendor_id: Some("BENCH".into()),
        secret_hash: util::sha256(client_auth::new_secret().as_bytes()),
        redirect_uris: vec!["https://pitangui.amazon.com/api/skill/link/BENCH".into()],
        scopes: vec!["music:read".into(), "music:control".into()],
        created_at: now,
        require_pkce: false,
    };
    app.store().with(|c| store::insert_client(c, &client))?;
    let subject = "ma:user1".to_owned();
    let ma = ma_token(ma).await?;
    let token = UpstreamToken {
        token: util::Secret::new(ma.clone()),
        name: "bench".into(),
        created_at: now,
    };
    let sealed = app
        .ma()
        .ok_or("no Music Assistant")?
        .seal(&subject, &token)?;
    let grant = CodeGrant {
        client_id: client.id.clone(),
        subject: subject.clone(),
        username: "alice".into(),
        redirect_uri: client.redirect_uris[0].clone(),
        scope: "music:read music:control".into(),
        code_challenge: None,
        expires_at: now + 300,
        ma_token: Some(sealed),
    };
    let hash = util::sha256(util::random_token(32).as_bytes());
    app.store().with(|c| store::insert_code(c, &hash, &grant))?;
    let link_id = util::random_token(12);
    let refresh_hash = util::sha256(util::random_token(32).as_bytes());
    let r = app.store().with(|c| {
        store::redeem_code(c, &hash, &client.id, now, &link_id, &refresh_hash, |_| {
            Ok::<(), ()>(())
        })
    })?;
    if !matches!(r, Redeemed::Issued(_)) {
        return Err(format!("redeeming the code gave {r:?}").into());
    }
    let claims = AccessClaims {
        iss: app.config().issuer.clone(),
        sub: subject,
        aud: app.config().audience().to_owned(),
        exp: now + 86_400,
        iat: now,
        jti: util::random_token(12),
        client_id: client.id,
        scope: grant.scope,
        sid: link_id,
        preferred_username: "alice".into(),
    };
    Ok((app.keys().sign(&claims)?, ma))
}

/// A signed "pause" for the Kitchen, stamped now.
fn pause_request(access: &str) -> (Vec<u8>, String) {
    signed(access, Some("AMAZON.PauseIntent"), &[])
}

/// A signed request (`intent` None: a LaunchRequest), stamped now.
fn signed(access: &str, intent: Option<&str>, slots: &[(&str, &str)]) -> (Vec<u8>, String) {
    let app = json!({"applicationId": skill_sign::SKILL_ID});
    let user = json!({"userId": "amzn1.ask.account.BENCH", "accessToken": access});
    let mut request = json!({"type": "LaunchRequest", "requestId": "r", "locale": "en-US",
        "timestamp": skill_sign::alexa_timestamp(SystemTime::now())});
    if let Some(name) = intent {
        let slots: serde_json::Map<String, Value> = slots
            .iter()
            .map(|(n, v)| (n.to_string(), json!({"name": n, "value": v})))
            .collect();
        request["type"] = json!("IntentRequest");
        request["intent"] = json!({"name": name, "slots": slots});
    }
    let body = json!({"version": "1.0",
        "session": {"new": true, "sessionId": "s", "application": app, "attributes": {}, "user": user},
        "context": {"System": {"application": app, "user": user, "device": {"deviceId": DEVICE}}},
        "request": request})
    .to_string()
    .into_bytes();
    let sig = skill_sign::skill_ca().sign(&body);
    (body, sig)
}

/// The per-intent report's requests: (label, intent or None for a launch,
/// slots). Run in this order, each N times in a row.
type Step = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);
const SCRIPT: &[Step] = &[
    ("launch", None, &[]),
    (
        "play the playlist Morning Mix",
        Some("PlayPlaylistIntent"),
        &[("playlist", "morning mix")],
    ),
    (
        "play music by the midnight owls",
        Some("PlayArtistIntent"),
        &[("artist", "the midnight owls")],
    ),
    (
        "play the album Night Shift",
        Some("PlayAlbumIntent"),
        &[("album", "night shift")],
    ),
    (
        "play the song Early Bird",
        Some("PlaySongIntent"),
        &[("song", "early bird")],
    ),
    (
        "play Morning Mix (untyped)",
        Some("PlayIntent"),
        &[("query", "morning mix")],
    ),
    (
        "play Blue Harbor Trio (untyped)",
        Some("PlayIntent"),
        &[("query", "blue harbor trio")],
    ),
    (
        "play Coffee Time by The Midnight Owls",
        Some("PlayIntent"),
        &[("query", "coffee time"), ("artist", "the midnight owls")],
    ),
    (
        "play some jazz",
        Some("PlayGenreIntent"),
        &[("genre", "jazz")],
    ),
    ("what's playing", Some("WhatsPlayingIntent"), &[]),
    ("next", Some("AMAZON.NextIntent"), &[]),
    ("volume 4", Some("VolumeIntent"), &[("level", "4")]),
    ("louder", Some("LouderIntent"), &[]),
    ("pause", Some("AMAZON.PauseIntent"), &[]),
    ("resume", Some("AMAZON.ResumeIntent"), &[]),
];

/// One `skill answered` line: (total, own, Music Assistant) in µs, and the
/// calls ("players/all 2.1, player_queues/play_media 1068.0", ms).
type Timing = ([u64; 3], String);

/// The handler's `skill answered` lines.
#[derive(Clone, Default)]
struct Timings(Arc<Mutex<Vec<Timing>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Timings {
    fn on_event(&self, e: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(Timing);
        impl tracing::field::Visit for Fields {
            fn record_u64(&mut self, f: &tracing::field::Field, v: u64) {
                match f.name() {
                    "total_us" => self.0.0[0] = v,
                    "own_us" => self.0.0[1] = v,
                    "music_assistant_us" => self.0.0[2] = v,
                    _ => {}
                }
            }
            fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
                if f.name() == "calls" {
                    self.0.1 = v.to_owned();
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut f = Fields(([0; 3], String::new()));
        e.record(&mut f);
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(f.0);
    }
}

/// Per command, the median of its own time (ms) over `lines`.
fn per_command(lines: &[String]) -> Value {
    let mut by: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for line in lines {
        for call in line.split(", ").filter(|c| !c.is_empty()) {
            if let Some((name, ms)) = call.rsplit_once(' ')
                && let Ok(ms) = ms.parse::<f64>()
            {
                by.entry(name.to_owned())
                    .or_default()
                    .push((ms * 1000.0) as u64);
            }
        }
    }
    let out: serde_json::Map<String, Value> = by
        .into_iter()
        .map(|(name, mut us)| {
            let n = us.len();
            let mut s = summary(&mut us);
            s["calls"] = json!(n);
            (name, s)
        })
        .collect();
    Value::Object(out)
}

/// p50, p99 and max of `xs` (µs) in ms.
fn summary(xs: &mut [u64]) -> Value {
    xs.sort_unstable();
    let at = |q: f64| {
        let i = ((xs.len() as f64 - 1.0) * q).round() as usize;
        xs.get(i).copied().unwrap_or(0) as f64 / 1000.0
    };
    json!({"p50": at(0.5), "p99": at(0.99), "max": at(1.0)})
}

/// Runs [`SCRIPT`] `n` times per intent; the report.
async fn per_intent(
    url: &str,
    chain: &str,
    access: &str,
    n: usize,
    timings: &Timings,
    upstream: &str,
) -> Value {
    let addr: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    let mut out = Vec::new();
    for (label, intent, slots) in SCRIPT {
        let (mut client, mut total, mut own, mut ma) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut calls = Vec::new();
        let mut heard = String::new();
        for _ in 0..n {
            let (body, sig) = signed(access, *intent, slots);
            let mark = timings.0.lock().unwrap_or_else(|p| p.into_inner()).len();
            let t = Instant::now();
            let r = http_client::send(
                addr,
                "POST",
                "/alexa/skill",
                &[
                    ("content-type", "application/json"),
                    ("signaturecertchainurl", chain),
                    ("signature-256", &sig),
                ],
                Some(body),
            )
            .await;
            client.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
            heard = r.json()["response"]["outputSpeech"]["ssml"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let got = timings.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(([t, o, m], c)) = got.get(mark) {
                total.push(*t);
                own.push(*o);
                ma.push(*m);
                calls.push(c.clone());
            }
        }
        out.push(json!({"intent": label, "n": n, "heard": heard,
            "client_ms": summary(&mut client), "handler_ms": summary(&mut total),
            "own_ms": summary(&mut own), "music_assistant_ms": summary(&mut ma),
            "commands_ms": per_command(&calls)}));
    }
    json!({"music_assistant": upstream, "intents": out})
}

/// The stand-in alone (`bench_skill standin`).
async fn standin() -> Res<()> {
    let sd = ma_standin::Standin::start(&[("alice", PASSWORD, "user")]).await;
    sd.set_knobs(|k| k.record = false);
    println!("READY {}", json!({ "url": sd.url }));
    std::io::stdout().flush()?;
    let sd = Arc::new(sd);
    let sd2 = Arc::clone(&sd);
    tokio::task::spawn_blocking(move || {
        let mut seen = 0;
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match line.trim() {
                "record on" => sd2.set_knobs(|k| k.record = true),
                "record off" => sd2.set_knobs(|k| k.record = false),
                "calls" => {
                    let calls = sd2.calls_since(seen);
                    seen += calls.len();
                    println!("CALLS {}", json!(calls));
                }
                _ => continue,
            }
            let _ = std::io::stdout().flush();
        }
    })
    .await?;
    sd.stop();
    Ok(())
}

/// The files the peer needs: the test root, and the chain at its URL's path.
fn peer_files(dir: &std::path::Path) -> Res<(std::path::PathBuf, std::path::PathBuf)> {
    let roots = dir.join("trust").join("roots.pem");
    let files = dir.join("peer-files");
    let at = files.join("echo.api");
    std::fs::create_dir_all(&at)?;
    skill_sign::write_file(
        &at.join(format!("{}.pem", skill_sign::chains::GOOD)),
        skill_sign::skill_ca().chain(skill_sign::chains::GOOD),
    );
    Ok((roots, files))
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("standin") {
        return standin().await;
    }
    let ma_url = match args.as_slice() {
        [flag, url] if flag == "--ma-url" => Some(url.clone()),
        [] => None,
        _ => return Err("usage: bench_skill [standin | --ma-url URL]".into()),
    };
    let timings = Timings::default();
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target(TIMING_TARGET, tracing::Level::DEBUG);
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(timings.clone().with_filter(filter)),
    )?;
    // --ma-url's stand-in, else the environment's real server, else a
    // stand-in in this process (kept until the end).
    let (upstream, own, kind) = match (ma_url, Upstream::real()) {
        (Some(url), _) => (Upstream::standin(url), None, "stand-in"),
        (None, Some(real)) => (real, None, "real"),
        (None, None) => {
            let sd = ma_standin::Standin::start(&[("alice", PASSWORD, "user")]).await;
            sd.set_knobs(|k| k.record = false);
            (Upstream::standin(sd.url.clone()), Some(sd), "stand-in")
        }
    };
    let tmp = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let mut config = Config::new(base.clone());
    config.music_assistant_url = Some(upstream.url.clone());
    let verifier = SkillVerifier::new(skill_sign::skill_ca().trust(&tmp.path().join("trust")))?;
    let (roots, files) = peer_files(tmp.path())?;
    let app = App::open(config, &tmp.path().join("data"))?
        .with_skill_verifier(verifier)
        .with_skill_ids(vec![skill_sign::SKILL_ID.into()]);
    let (access, ma) = link(&app, &upstream).await?;
    // The Echo's player, as "use the kitchen" would remember it.
    app.skill().rooms.set(DEVICE, &upstream.player);
    let app = Arc::new(app);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ma_alexa_oauth::server::run(
        listener,
        Arc::clone(&app),
        async move {
            let _ = stop_rx.await;
        },
    ));
    let chain = skill_sign::chain_url(skill_sign::chains::GOOD);
    println!(
        "READY {}",
        json!({"url": format!("{base}/alexa/skill"), "chain_url": chain,
            "skill_id": skill_sign::SKILL_ID, "access_token": access, "ma_token": ma,
            "device": DEVICE, "player": upstream.player, "roots": roots, "files": files})
    );
    std::io::stdout().flush()?;
    let url = format!("{base}/alexa/skill");
    let runtime = tokio::runtime::Handle::current();
    let lines = tokio::task::spawn_blocking(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("intents ") {
                let (n, path) = rest.split_once(' ').unwrap_or((rest, "intents.json"));
                let n = n.parse().unwrap_or(20);
                let report = runtime.block_on(per_intent(&url, &chain, &access, n, &timings, kind));
                let ok = std::fs::File::create(path)
                    .and_then(|mut f| f.write_all(report.to_string().as_bytes()));
                println!("{}", if ok.is_ok() { "INTENTS" } else { "FAILED" });
                let _ = std::io::stdout().flush();
                continue;
            }
            let Some(path) = line.strip_prefix("sign ") else {
                continue;
            };
            let ok = write_signed(path, &access, &chain);
            println!("{}", if ok.is_ok() { "SIGNED" } else { "FAILED" });
            let _ = std::io::stdout().flush();
        }
    });
    lines.await?;
    let _ = stop_tx.send(());
    let _ = server.await;
    drop(own);
    Ok(())
}

/// A fresh signed "pause" at `path` (one line per wrk thread: post.lua
/// gives each thread its own lines) and its headers at `path.headers`.
fn write_signed(path: &str, access: &str, chain: &str) -> std::io::Result<()> {
    let (body, sig) = pause_request(access);
    let mut b = Vec::new();
    for _ in 0..LINES {
        b.extend_from_slice(&body);
        b.push(b'\n');
    }
    let headers = format!(
        "Content-Type: application/json\nSignatureCertChainUrl: {chain}\nSignature-256: {sig}\n"
    );
    std::fs::File::create(path)?.write_all(&b)?;
    std::fs::File::create(format!("{path}.headers"))?.write_all(headers.as_bytes())
}
