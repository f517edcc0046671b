//! Against the real Music Assistant with its own Alexa provider
//! (../shared/tools/real-music-assistant/run --library --alexa URL): our
//! server on URL's port, on a data directory prepared beforehand whose
//! provider password is the one `run` was given (`provider show --json`),
//! then: the provider loads against us, an album played on the Echo player
//! is pushed to us, the relay plays Music Assistant's stream as MP3
//! (frames checked, 320 kbit/s), and pause, resume, next and stop reach the
//! Echo as Music Assistant's provider says them. Skipped (one line) unless
//! `MA_ALEXA_LOAD` and `MA_ECHO_DATA_DIR` are set. scripts/echo-real-ma runs it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::ma_standin::stream::walk_mp3;
use super::relay::{ReadEnd, open};
use super::wait_for;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// One command to Music Assistant's API as its admin.
async fn ma(command: &str, args: Value) -> Value {
    let url = env("MA_URL").unwrap();
    let token = env("MA_ADMIN_TOKEN").unwrap();
    let authority = url.trim_start_matches("http://").to_owned();
    let tcp = tokio::net::TcpStream::connect(&authority).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let body = json!({"message_id": "1", "command": command, "args": args}).to_string();
    let req = hyper::Request::post("/api")
        .header("host", &authority)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(60), sender.send_request(req))
        .await
        .unwrap()
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(
        status.is_success(),
        "{command}: {status} {}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// The lines of `$MA_ALEXA_LOG`.
fn echo_log() -> Vec<Value> {
    let path = env("MA_ALEXA_LOG").unwrap();
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

async fn expect_echo(device: &str, arg: &str, since: usize) {
    let found = wait_for(Duration::from_secs(15), || {
        echo_log()
            .into_iter()
            .skip(since)
            .find(|l| l["device"] == device && l["arg"] == arg)
    })
    .await;
    let log = echo_log();
    assert!(found.is_some(), "{device} was not told {arg:?}: {log:?}");
    eprintln!("REAL MA: the Echo log has {arg:?} for {device}");
}

async fn state(player: &str) -> String {
    ma("players/get", json!({"player_id": player})).await["playback_state"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// Time to the first byte of a GET of `url` (http, path as given).
async fn first_byte(addr: std::net::SocketAddr, path: &str) -> f64 {
    let t = Instant::now();
    let mut o = open(addr, "GET", path, &[]).await;
    assert_eq!(o.status, 200, "{path}");
    let (b, _) = o.read(1, Duration::from_secs(15)).await;
    assert!(!b.is_empty());
    t.elapsed().as_secs_f64() * 1000.0
}

// Long function: the real server's whole sequence, step by step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_music_assistant_plays_on_the_echo_through_the_relay() {
    let (Some(load), Some(dir), Some(api)) = (
        env("MA_ALEXA_LOAD"),
        env("MA_ECHO_DATA_DIR"),
        env("MA_ALEXA_API_URL"),
    ) else {
        eprintln!(
            "SKIPPED (no real Music Assistant with its Alexa provider): set by scripts/echo-real-ma"
        );
        return;
    };
    let player = env("MA_ALEXA_PLAYER_ID").unwrap();
    let listen = api.trim_start_matches("http://").to_owned();
    let listener = tokio::net::TcpListener::bind(&listen).await.unwrap();
    let mut config = ma_alexa_oauth::config::Config::new(api.clone());
    config.music_assistant_url = env("MA_URL");
    let app = Arc::new(ma_alexa_oauth::app::App::open(config, std::path::Path::new(&dir)).unwrap());
    let addr = listener.local_addr().unwrap();
    tokio::spawn(ma_alexa_oauth::server::run(
        listener,
        Arc::clone(&app),
        std::future::pending::<()>(),
    ));
    // Music Assistant loads its provider against us: our intents, its Echo players.
    let st = std::process::Command::new(&load).status().unwrap();
    assert!(st.success(), "$MA_ALEXA_LOAD failed");
    eprintln!("REAL MA: the provider loaded against our server");
    // Play an album on the Echo player: the push, the play text, the metadata.
    let albums = ma("music/albums/library_items", json!({"limit": 50})).await;
    let album = albums
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Late Sessions")
        .unwrap()
        .clone();
    let n = echo_log().len();
    ma(
        "player_queues/play_media",
        json!({"queue_id": player, "media": album["uri"]}),
    )
    .await;
    let pushed = wait_for(Duration::from_secs(20), || {
        app.echo().pushed(&player).filter(|p| p.push.has_meta)
    })
    .await
    .expect("Music Assistant pushed the stream and its metadata");
    eprintln!(
        "REAL MA: pushed {:?} stream of {:?}: title {:?}, artist {:?}, album {:?}",
        pushed.push.source.kind,
        pushed.push.source.player,
        pushed.push.meta.title,
        pushed.push.meta.artist,
        pushed.push.meta.album
    );
    assert_eq!(pushed.push.meta.album.as_deref(), Some("Late Sessions"));
    expect_echo(&player, "ask music assistant to play audio", n).await;
    // The relay: Music Assistant's stream as MP3, as the Echo would fetch it.
    let minted = app.echo().mint(&player).unwrap();
    let mut o = open(addr, "GET", &minted.stream_path, &[]).await;
    assert_eq!(o.status, 200);
    assert_eq!(o.headers["content-type"], "audio/mpeg");
    let t = Instant::now();
    let (bytes, end) = o.read(3 * 40_000, Duration::from_secs(15)).await;
    assert_eq!(end, ReadEnd::Enough);
    let walk = walk_mp3(&bytes).expect("MP3 frames");
    eprintln!(
        "REAL MA: relayed {} bytes in {:.2} s: {} MP3 frames, {:?} kbit/s, {:?} Hz",
        bytes.len(),
        t.elapsed().as_secs_f64(),
        walk.frames,
        walk.kbps,
        walk.rates
    );
    assert_eq!(walk.kbps, vec![320]);
    drop(o);
    // First byte: direct from Music Assistant's stream server vs through the relay.
    let src = &pushed.push.source;
    let direct_addr: std::net::SocketAddr = src.at.authority().parse().unwrap();
    let direct = first_byte(direct_addr, &src.mp3_path()).await;
    let relayed = first_byte(addr, &app.echo().mint(&player).unwrap().stream_path).await;
    eprintln!("REAL MA: first byte direct {direct:.1} ms, through the relay {relayed:.1} ms");
    // Pause, resume, next and stop on Music Assistant reach the Echo as its provider says them.
    for (cmd, said) in [
        ("players/cmd/pause", "music assistant pause the music"),
        ("players/cmd/play", "music assistant resume the music"),
    ] {
        let n = echo_log().len();
        ma(cmd, json!({"player_id": player})).await;
        expect_echo(&player, said, n).await;
        eprintln!(
            "REAL MA: after {cmd} the player is {}",
            state(&player).await
        );
    }
    let before = app.echo().pushed(&player).unwrap().id;
    let n = echo_log().len();
    ma("players/cmd/next", json!({"player_id": player})).await;
    let after = wait_for(Duration::from_secs(20), || {
        app.echo().pushed(&player).filter(|p| p.id != before)
    })
    .await;
    eprintln!(
        "REAL MA: next: {}",
        if after.is_some() {
            "a new stream was pushed"
        } else {
            "no new push (the flow goes on)"
        }
    );
    let _ = n;
    let n = echo_log().len();
    ma("players/cmd/stop", json!({"player_id": player})).await;
    expect_echo(&player, "music assistant stop the music", n).await;
    eprintln!("REAL MA: after stop the player is {}", state(&player).await);
}
