//! The Alexa skill endpoint for `scripts/bench`: our server in process with
//! the skill's testing trust (the test CA of `tests/common/skill_sign.rs`)
//! and our skill id, a stand-in Music Assistant (`tests/ma_standin/`, not
//! recording), and one link whose Music Assistant token the stand-in
//! issued. Two modes:
//!
//! - `bench_skill standin`: the stand-in alone, so that our server and the
//!   ask-sdk peer (`tests/peers/ask-sdk-skill.mjs`) call the same one and
//!   each server's memory is its own. Prints `READY {"url": ...}`; commands
//!   on stdin: `record on`, `record off`, `calls` (prints `CALLS [[command,
//!   args], ...]`: the `/api` calls recorded since the last `calls`).
//! - `bench_skill [--ma-url URL]`: our server, against the stand-in at URL
//!   (without it, one started in this process). Prints one line
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
//!
//! EOF on stdin stops either. wrk then posts the same signed body over and
//! over (Alexa's verification has no replay check beyond the timestamp
//! window).
//!
//! ```sh
//! cargo run --release --example bench_skill -- standin
//! cargo run --release --example bench_skill -- --ma-url http://127.0.0.1:PORT
//! ```

#[path = "../tests/ma_standin/mod.rs"]
mod ma_standin;
#[path = "../tests/common/skill_sign.rs"]
#[allow(dead_code)]
mod skill_sign;

use std::io::{BufRead as _, Write as _};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ma_alexa_oauth::app::App;
use ma_alexa_oauth::config::Config;
use ma_alexa_oauth::keys::AccessClaims;
use ma_alexa_oauth::ma::UpstreamToken;
use ma_alexa_oauth::oauth::client_auth;
use ma_alexa_oauth::skill::SkillVerifier;
use ma_alexa_oauth::store::{self, Client, ClientKind, CodeGrant, Redeemed};
use ma_alexa_oauth::util;
use serde_json::json;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const PASSWORD: &str = "bench ma password";
/// Copies of the signed body written per file: at least wrk's thread count.
const LINES: usize = 16;
/// The Echo the requests come from, and the player it uses.
const DEVICE: &str = "bench-echo";
const PLAYER: &str = "kitchen";

/// A long-lived token of the stand-in's user, made as a login does.
async fn ma_token(url: &str) -> Res<String> {
    let client = ma_alexa_oauth::ma::client::MaClient::new(url, Duration::from_secs(5))?;
    let ma_alexa_oauth::ma::client::Login::Ok { session, .. } =
        client.login("alice", PASSWORD).await?
    else {
        return Err("the stand-in refused the login".into());
    };
    let token = client.create_token(&session, "bench").await?;
    // Something plays in the Kitchen, so "pause" pauses (an idle player's
    // pause is Music Assistant's 500).
    let play = json!({"queue_id": "kitchen", "media": ["library://track/1"]});
    client
        .command(&token, "player_queues/play_media", play)
        .await?;
    Ok(token.expose().to_owned())
}

/// A link of client `client` holding the Music Assistant token; its access token.
async fn link(app: &App, ma_url: &str) -> Res<(String, String)> {
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
    let ma = ma_token(ma_url).await?;
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
    let app = json!({"applicationId": skill_sign::SKILL_ID});
    let user = json!({"userId": "amzn1.ask.account.BENCH", "accessToken": access});
    let body = json!({"version": "1.0",
        "session": {"new": true, "sessionId": "s", "application": app, "attributes": {}, "user": user},
        "context": {"System": {"application": app, "user": user, "device": {"deviceId": DEVICE}}},
        "request": {"type": "IntentRequest", "requestId": "r", "locale": "en-US",
            "timestamp": skill_sign::alexa_timestamp(SystemTime::now()),
            "intent": {"name": "AMAZON.PauseIntent", "slots": {}}}})
    .to_string()
    .into_bytes();
    let sig = skill_sign::skill_ca().sign(&body);
    (body, sig)
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
    // Without --ma-url, a stand-in in this process (kept until the end).
    let own = match &ma_url {
        Some(_) => None,
        None => {
            let sd = ma_standin::Standin::start(&[("alice", PASSWORD, "user")]).await;
            sd.set_knobs(|k| k.record = false);
            Some(sd)
        }
    };
    let ma_url = ma_url.unwrap_or_else(|| own.as_ref().map(|s| s.url.clone()).unwrap_or_default());
    let tmp = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let mut config = Config::new(base.clone());
    config.music_assistant_url = Some(ma_url.clone());
    let verifier = SkillVerifier::new(skill_sign::skill_ca().trust(&tmp.path().join("trust")))?;
    let (roots, files) = peer_files(tmp.path())?;
    let app = App::open(config, &tmp.path().join("data"))?
        .with_skill_verifier(verifier)
        .with_skill_ids(vec![skill_sign::SKILL_ID.into()]);
    let (access, ma) = link(&app, &ma_url).await?;
    // The Echo's player, as "use the kitchen" would remember it.
    app.skill().rooms.set(DEVICE, PLAYER);
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
            "device": DEVICE, "player": PLAYER, "roots": roots, "files": files})
    );
    std::io::stdout().flush()?;
    let lines = tokio::task::spawn_blocking(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
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
