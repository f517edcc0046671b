//! Against the real Music Assistant with its own Alexa provider
//! (../shared/tools/real-music-assistant/run --library --alexa URL; Amazon's
//! side there is a stand-in that logs each command Music Assistant sends an
//! Echo). Our server listens on URL's port, on a data directory prepared
//! beforehand whose provider password is the one `run` was given
//! (`provider show --json`), with a linked account and the skill's testing
//! trust; the provider loads against it. The test then plays the Echo's
//! part (skill.rs's `Echo`): whenever the provider's log shows an utterance
//! for the Echo Kitchen, the Echo sends the skill that request, signed, and
//! obeys the answer (fetching the relay URL as it would). Checked: the
//! relay's bytes are MP3 frames at 320 kbit/s, and Music Assistant's state
//! after play, pause, resume, next, stop and a voice "play … here".
//! Skipped (one line) unless `MA_ALEXA_LOAD` and `MA_ECHO_DATA_DIR` are set.
//! scripts/echo-real-ma runs it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::relay::{ReadEnd, open};
use super::skill::{Echo, KITCHEN};
use super::{Rig, wait_for};
use crate::ma_standin::stream::walk_mp3;

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

/// Music Assistant's view of `player`: its playback state and the name of
/// its queue's current item.
async fn seen(player: &str) -> (String, String) {
    let p = ma("players/get", json!({"player_id": player})).await;
    let q = ma("player_queues/get", json!({"queue_id": player})).await;
    let state = p["playback_state"]
        .as_str()
        .or(p["state"].as_str())
        .unwrap_or("")
        .to_owned();
    let item = q["current_item"]["name"].as_str().unwrap_or("").to_owned();
    (state, item)
}

/// Waits (up to 10 s) for Music Assistant to show `player` in `state`.
async fn expect_state(player: &str, state: &str, after: &str) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = seen(player).await;
        if s.0 == state {
            eprintln!("REAL MA: after {after}: {player} is {} ({:?})", s.0, s.1);
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "after {after}: {player} is {:?}, not {state}",
            s
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Time to the first byte of a GET of `path` at `addr`.
async fn first_byte(addr: std::net::SocketAddr, path: &str) -> f64 {
    let t = Instant::now();
    let mut o = open(addr, "GET", path, &[]).await;
    assert_eq!(o.status, 200, "{path}");
    let (b, _) = o.read(1, Duration::from_secs(15)).await;
    assert!(!b.is_empty());
    t.elapsed().as_secs_f64() * 1000.0
}

/// The Echo's stream: MP3 frames at 320 kbit/s (printed).
async fn echo_hears_mp3(echo: &mut Echo, what: &str) {
    let s = echo.stream.as_mut().expect("the Echo plays something");
    let t = Instant::now();
    let (bytes, end) = s.read(3 * 40_000, Duration::from_secs(15)).await;
    assert_eq!(end, ReadEnd::Enough, "{what}");
    let walk = walk_mp3(&bytes).expect("MP3 frames");
    eprintln!(
        "REAL MA: {what}: the Echo read {} bytes through the relay in {:.2} s: {} MP3 frames, {:?} kbit/s, {:?} Hz",
        bytes.len(),
        t.elapsed().as_secs_f64(),
        walk.frames,
        walk.kbps,
        walk.rates
    );
    assert_eq!(walk.kbps, vec![320], "{what}");
}

// Long function: the real server's whole sequence, step by step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_music_assistant_plays_on_the_echo_through_the_relay() {
    let Some(rig) = Rig::start_real().await else {
        return;
    };
    eprintln!("REAL MA: the provider loaded against our server");
    let player = KITCHEN.1;
    let mut kitchen = Echo::new(KITCHEN);
    kitchen.followed = rig.echo_lines().len();
    // Play: an album from Music Assistant's side; the provider pushes the
    // stream and has the Echo say "play audio"; the Echo plays the relay.
    let albums = ma("music/albums/library_items", json!({"limit": 50})).await;
    let album = albums
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Late Sessions")
        .unwrap()
        .clone();
    ma(
        "player_queues/play_media",
        json!({"queue_id": player, "media": album["uri"]}),
    )
    .await;
    let h = kitchen.follow(&rig).await;
    let play = h
        .play()
        .expect("AudioPlayer.Play for the provider's play audio");
    assert_eq!(play["playBehavior"], "REPLACE_ALL");
    assert_eq!(h.speech(), "");
    eprintln!(
        "REAL MA: play audio answered AudioPlayer.Play {}",
        play["audioItem"]["stream"]["url"]
            .as_str()
            .unwrap()
            .split("/alexa/stream/")
            .next()
            .unwrap()
    );
    echo_hears_mp3(&mut kitchen, "play").await;
    let (_, first) = expect_state(player, "playing", "play").await;
    let pushed = wait_for(Duration::from_secs(5), || {
        rig.s.app.echo().pushed(player).filter(|p| p.push.has_meta)
    })
    .await
    .expect("the metadata push");
    assert_eq!(pushed.push.meta.album.as_deref(), Some("Late Sessions"));
    // First byte: direct from Music Assistant's stream server vs the relay.
    let src = &pushed.push.source;
    let direct_addr: std::net::SocketAddr = src.at.authority().parse().unwrap();
    let direct = first_byte(direct_addr, &src.mp3_path()).await;
    let path = rig.s.app.echo().mint(player).unwrap().stream_path;
    let relayed = first_byte(rig.s.addr, &path).await;
    eprintln!("REAL MA: first byte direct {direct:.1} ms, through the relay {relayed:.1} ms");
    // Pause, said to the Echo: Music Assistant pauses, the Echo stops; the
    // provider's own "pause the music" that follows changes nothing.
    let h = kitchen.intent(&rig, "AMAZON.PauseIntent", &[]).await;
    assert!(h.stops() && h.speech().is_empty(), "{}", h.json);
    expect_state(player, "paused", "pause said to the Echo").await;
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_none(), "{}", h.json);
    expect_state(player, "paused", "the provider's pause the music").await;
    // Resume, from Music Assistant's side: the provider has the Echo say
    // "resume the music", the Echo plays again.
    ma("players/cmd/play", json!({"player_id": player})).await;
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_some(), "resume plays again: {}", h.json);
    echo_hears_mp3(&mut kitchen, "resume").await;
    expect_state(player, "playing", "resume").await;
    // Next, said to the Echo: Music Assistant moves on and pushes a new
    // stream, which is in the answer; the provider's play audio after it
    // does not restart it.
    let h = kitchen.intent(&rig, "AMAZON.NextIntent", &[]).await;
    assert!(h.speech().is_empty(), "{}", h.json);
    if h.play().is_none() {
        // The push came after the answer: the provider's play audio plays it.
        let h = kitchen.follow(&rig).await;
        assert!(h.play().is_some(), "next: {}", h.json);
        eprintln!("REAL MA: next: the new stream came with the provider's play audio");
    } else {
        let h = kitchen.follow(&rig).await;
        assert!(h.play().is_none(), "no restart: {}", h.json);
        eprintln!("REAL MA: next: the new stream was in the answer; play audio did not restart it");
    }
    echo_hears_mp3(&mut kitchen, "next").await;
    let (_, second) = expect_state(player, "playing", "next").await;
    assert_ne!(first, second, "next moved to another track");
    // Stop, said to the Echo.
    let h = kitchen.intent(&rig, "AMAZON.StopIntent", &[]).await;
    assert!(h.stops(), "{}", h.json);
    expect_state(player, "idle", "stop said to the Echo").await;
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_none(), "{}", h.json);
    let ended = wait_for(Duration::from_secs(10), || {
        (rig.s.app.echo().active_streams() == 0).then_some(())
    })
    .await;
    assert!(ended.is_some(), "stopping the player ended its streams");
    eprintln!("REAL MA: after stop no stream is relayed");
    // "Play First Snow here", said to the Echo: started on this Echo's
    // player through Music Assistant, played in the same answer.
    let h = kitchen
        .intent(&rig, "PlayHereIntent", &[("query", "first snow")])
        .await;
    eprintln!("REAL MA: play first snow here: {:?}", h.speech());
    let play = h.play().expect("AudioPlayer.Play in the same answer");
    assert_eq!(play["audioItem"]["metadata"]["title"], "First Snow");
    echo_hears_mp3(&mut kitchen, "play first snow here").await;
    let (_, item) = expect_state(player, "playing", "play first snow here").await;
    assert!(item.ends_with("First Snow"), "{item}");
    let h = kitchen.follow(&rig).await;
    assert!(
        h.play().is_none(),
        "the provider's play audio does not restart it"
    );
    ma("players/cmd/stop", json!({"player_id": player})).await;
    kitchen.follow(&rig).await;
    expect_state(player, "idle", "stop from Music Assistant").await;
}
