//! The stream relay: MP3 from Music Assistant's flow to the Echo, as Music
//! Assistant answers (200, `Accept-Ranges: none`, no length, `Range`
//! ignored, HEAD without touching Music Assistant), and its refusals:
//! unknown, expired and revoked tokens, a reader that stalls, too many
//! streams, a redirect from the stream server; stopping the player ends
//! its streams; cover art relayed the same way.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper::StatusCode;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::json;

use super::ma_standin::stream::{BYTES_PER_SEC, walk_mp3};
use super::{Rig, wait_for};
use crate::common::*;

/// A GET from `from` (a loopback address) with the head's status and the
/// whole body.
pub async fn send_from(
    from: &str,
    to: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Bytes) {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let stream = sock.connect(to).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::get(path).header("host", to.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Empty::<Bytes>::new()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}

/// An open GET on our server: its head and the body still to read.
pub struct Open {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Incoming,
}

pub async fn open(to: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Open {
    let stream = tokio::net::TcpStream::connect(to).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", to.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Empty::<Bytes>::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    Open {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// How a read ended.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadEnd {
    /// Read what was asked for.
    Enough,
    /// The response ended properly.
    Complete,
    /// The connection ended in the middle of the response.
    Cut,
    /// Nothing arrived for the time allowed.
    Silent,
}

impl Open {
    /// Reads up to `want` bytes, each frame within `quiet`.
    pub async fn read(&mut self, want: usize, quiet: Duration) -> (Vec<u8>, ReadEnd) {
        let mut got = Vec::new();
        while got.len() < want {
            match tokio::time::timeout(quiet, self.body.frame()).await {
                Err(_) => return (got, ReadEnd::Silent),
                Ok(None) => return (got, ReadEnd::Complete),
                Ok(Some(Err(_))) => return (got, ReadEnd::Cut),
                Ok(Some(Ok(f))) => {
                    if let Ok(d) = f.into_data() {
                        got.extend_from_slice(&d);
                    }
                }
            }
        }
        (got, ReadEnd::Enough)
    }
}

#[tokio::test]
async fn the_relay_streams_music_assistants_flow_as_mp3_at_320_kbits() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let pushed = rig.push_stream("Echo Kitchen").await;
    let path = rig.relay_path("Echo Kitchen");
    assert!(path.starts_with("/alexa/stream/") && path.ends_with(".mp3"));
    // The Echo asks with a Range: it is ignored, as Music Assistant does.
    let mut o = open(rig.s.addr, "GET", &path, &[("range", "bytes=1000-")]).await;
    assert_eq!(o.status, StatusCode::OK);
    assert_eq!(o.headers["content-type"], "audio/mpeg");
    assert_eq!(o.headers["accept-ranges"], "none");
    assert!(o.headers.get("content-length").is_none());
    assert!(o.headers.get("content-range").is_none());
    // Five seconds of burst arrive at once; read three of them.
    let (bytes, end) = o.read(3 * BYTES_PER_SEC, Duration::from_secs(5)).await;
    assert_eq!(end, ReadEnd::Enough);
    let walk = walk_mp3(&bytes).expect("MP3 frames from the first byte");
    assert_eq!(walk.kbps, vec![320]);
    assert_eq!(walk.rates, vec![48_000]);
    assert!(walk.frames >= 120, "{walk:?}");
    // What the stream server was asked: the same stream as MP3, no Range.
    let asked = rig.streams.requests();
    assert_eq!(asked.len(), 1, "{asked:?}");
    let want = pushed
        .trim_start_matches(&rig.streams.url)
        .replace(' ', "%20")
        .replace(".flac", ".mp3");
    assert_eq!(asked[0].path, want);
    assert_eq!(asked[0].method, "GET");
    assert_eq!(asked[0].header("range"), None);
    assert_eq!(asked[0].header("accept"), Some("audio/mpeg"));
    assert_eq!(rig.s.app.echo().active_streams(), 1);
    drop(o);
    let freed = wait_for(Duration::from_secs(5), || {
        (rig.s.app.echo().active_streams() == 0 && rig.streams.open_streams() == 0).then_some(())
    })
    .await;
    assert!(
        freed.is_some(),
        "the Echo gone: the upstream stream and the slot are freed"
    );
    // HEAD: the same head, without a request to Music Assistant.
    let h = open(rig.s.addr, "HEAD", &path, &[]).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.headers["content-type"], "audio/mpeg");
    assert_eq!(rig.streams.requests().len(), 1);
}

#[tokio::test]
async fn a_stream_music_assistant_ends_ends_cleanly() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    rig.streams.set_knobs(|k| {
        k.length = 1.0;
        k.burst = 5.0;
    });
    rig.push_stream("Echo Office").await;
    let path = rig.relay_path("Echo Office");
    let mut o = open(rig.s.addr, "GET", &path, &[]).await;
    let (bytes, end) = o.read(usize::MAX, Duration::from_secs(5)).await;
    assert_eq!(end, ReadEnd::Complete);
    assert!(walk_mp3(&bytes).unwrap().frames >= 40);
}

#[tokio::test]
async fn unknown_expired_and_revoked_tokens_get_404_and_reach_nothing() {
    let Some(rig) = Rig::start_with(|e| {
        e.token_ttl = Duration::from_millis(600);
        e.reconnect = Duration::from_millis(300);
    })
    .await
    else {
        return;
    };
    rig.push_stream("Echo Kitchen").await;
    let unknown = format!("/alexa/stream/{}.mp3", "A".repeat(43));
    let shapes = [
        unknown.as_str(),
        "/alexa/stream/short.mp3",
        "/alexa/stream/",
        "/alexa/stream/../../etc/passwd",
        "/alexa/art/nothing",
    ];
    for p in shapes {
        for method in ["GET", "HEAD"] {
            let o = open(rig.s.addr, method, p, &[]).await;
            assert_eq!(o.status, StatusCode::NOT_FOUND, "{method} {p}");
        }
    }
    // Expired: minted, never used, past its lifetime.
    let expired = rig.relay_path("Echo Kitchen");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        open(rig.s.addr, "GET", &expired, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    // Revoked: a new stream for the player ends the old links.
    let old = rig.relay_path("Echo Kitchen");
    rig.push_stream("Echo Kitchen").await;
    assert_eq!(
        open(rig.s.addr, "GET", &old, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    // Stopped: the player's links end.
    let stopped = rig.relay_path("Echo Kitchen");
    rig.s.app.echo().stop_player("Echo Kitchen");
    assert_eq!(
        open(rig.s.addr, "GET", &stopped, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    // Other methods.
    let live = rig.relay_path("Echo Kitchen");
    assert_eq!(
        open(rig.s.addr, "POST", &live, &[]).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert!(
        rig.streams.requests().is_empty(),
        "no refused token reached Music Assistant"
    );
}

#[tokio::test]
async fn stopping_the_player_ends_its_streams() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    rig.push_stream("Echo Kitchen").await;
    rig.push_stream("Echo Office").await;
    let mut kitchen = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
    let mut office = open(rig.s.addr, "GET", &rig.relay_path("Echo Office"), &[]).await;
    let (_, end) = kitchen.read(BYTES_PER_SEC, Duration::from_secs(5)).await;
    assert_eq!(end, ReadEnd::Enough);
    assert_eq!(rig.s.app.echo().stop_player("Echo Kitchen"), 1);
    let (_, end) = kitchen.read(usize::MAX, Duration::from_secs(5)).await;
    assert_eq!(end, ReadEnd::Cut, "ended, never as a complete answer");
    let (_, end) = office.read(BYTES_PER_SEC, Duration::from_secs(5)).await;
    assert_eq!(end, ReadEnd::Enough, "the other Echo plays on");
    let one = wait_for(Duration::from_secs(5), || {
        (rig.streams.open_streams() == 1).then_some(())
    })
    .await;
    assert!(
        one.is_some(),
        "Music Assistant's kitchen stream is closed too"
    );
}

#[tokio::test]
async fn a_reader_that_stalls_is_dropped() {
    let Some(rig) = Rig::start_full(|c| {
        c.echo.stall = Duration::from_millis(500);
        c.limits.idle_timeout = Duration::from_secs(2);
    })
    .await
    else {
        return;
    };
    // Music Assistant sends much faster than real time: buffers fill.
    rig.streams.set_knobs(|k| {
        k.speed = 400.0;
        k.length = 3600.0;
    });
    rig.push_stream("Echo Kitchen").await;
    let path = rig.relay_path("Echo Kitchen");
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let mut tcp = sock.connect(rig.s.addr).await.unwrap();
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    tcp.write_all(format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut head = [0u8; 512];
    let n = tcp.read(&mut head).await.unwrap();
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"));
    // Now the reader stops reading.
    let freed = wait_for(Duration::from_secs(20), || {
        (rig.s.app.echo().active_streams() == 0 && rig.streams.open_streams() == 0).then_some(())
    })
    .await;
    assert!(
        freed.is_some(),
        "the stalled reader's stream, its slot and Music Assistant's stream were let go"
    );
    // And the connection itself is closed (the idle timeout, or the
    // server's write-stall protection): reading drains and ends without
    // the chunked terminator.
    let mut rest = Vec::new();
    let r = tokio::time::timeout(Duration::from_secs(20), tcp.read_to_end(&mut rest)).await;
    assert!(r.is_ok(), "the connection was closed");
    assert!(!rest.ends_with(b"0\r\n\r\n"), "never a complete answer");
}

#[tokio::test]
async fn concurrent_streams_are_bounded() {
    let Some(rig) = Rig::start_with(|e| e.max_streams = 2).await else {
        return;
    };
    rig.push_stream("Echo Kitchen").await;
    let a = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
    let b = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    let c = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
    assert_eq!(c.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(c.headers["retry-after"], "5");
    drop((a, b));
    let freed = wait_for(Duration::from_secs(5), || {
        (rig.s.app.echo().active_streams() == 0).then_some(())
    })
    .await;
    assert!(freed.is_some());
    let d = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
    assert_eq!(d.status, StatusCode::OK, "slots come back");
}

#[tokio::test]
async fn redirects_and_errors_from_the_stream_server_are_not_followed() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let elsewhere = crate::ma_standin::stream::StreamServer::start().await;
    rig.streams
        .set_knobs(|k| k.redirect_to = Some(format!("{}/flow/a/b/c/d.mp3", elsewhere.url)));
    rig.push_stream("Echo Kitchen").await;
    let o = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
    assert_eq!(o.status, StatusCode::BAD_GATEWAY);
    assert!(
        elsewhere.requests().is_empty(),
        "the redirect was not followed"
    );
    rig.streams.set_knobs(|k| {
        k.redirect_to = None;
        k.status = Some(404);
    });
    let o = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
    assert_eq!(
        o.status,
        StatusCode::NOT_FOUND,
        "Music Assistant no longer has it"
    );
    // Music Assistant's stream server not there at all (its default port).
    let r = rig
        .push(&json!({"streamUrl": "http://127.0.0.1:8097/flow/s/Echo Office/i/Echo Office.flac"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "its own host is accepted");
    let o = open(rig.s.addr, "GET", &rig.relay_path("Echo Office"), &[]).await;
    assert_eq!(o.status, StatusCode::BAD_GATEWAY);
    assert_eq!(rig.s.app.echo().active_streams(), 0);
}

#[tokio::test]
async fn cover_art_is_relayed_from_music_assistants_image_proxy_only() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let url = {
        rig.streams.set_queue("Echo Kitchen", "sess", "item");
        rig.streams.flow_url("Echo Kitchen", "Echo Kitchen", "flac")
    };
    let image = format!(
        "{}/imageproxy?provider=library&size=500&fmt=jpeg&path=x%252Fy",
        rig.streams.url
    );
    let r = rig
        .push(
            &json!({"streamUrl": url, "title": "Smoky Room", "artist": "Blue Harbor Trio",
            "album": "Late Sessions", "imageUrl": image}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let minted = rig.s.app.echo().mint("Echo Kitchen").unwrap();
    let Some(ma_alexa_oauth::echo::ArtUrl::Relayed(art)) = minted.art else {
        panic!("relayed art: {:?}", minted.art);
    };
    let r = send(rig.s.addr, "GET", &art, &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type").as_deref(), Some("image/jpeg"));
    assert!(r.body.starts_with(b"\xFF\xD8"));
    // Not an image: refused (another cover, not yet kept).
    rig.streams.set_knobs(|k| k.image_type = "text/html".into());
    rig.push(&json!({"streamUrl": url, "title": "x", "imageUrl": format!("{image}z")}))
        .await;
    let Some(ma_alexa_oauth::echo::ArtUrl::Relayed(html)) =
        rig.s.app.echo().mint("Echo Kitchen").unwrap().art
    else {
        panic!("relayed art");
    };
    let r = send(rig.s.addr, "GET", &html, &[], None).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    // Labelled an image, but its bytes are not that image: refused.
    rig.streams.set_knobs(|k| k.image_type = "image/png".into());
    rig.push(&json!({"streamUrl": url, "title": "x", "imageUrl": format!("{image}w")}))
        .await;
    let Some(ma_alexa_oauth::echo::ArtUrl::Relayed(fake)) =
        rig.s.app.echo().mint("Echo Kitchen").unwrap().art
    else {
        panic!("relayed art");
    };
    let r = send(rig.s.addr, "GET", &fake, &[], None).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "JPEG bytes labelled PNG");
    rig.streams
        .set_knobs(|k| k.image_type = "image/jpeg".into());
    // An image elsewhere is not relayed; a public https one is passed on.
    let r = rig
        .push(&json!({"streamUrl": url, "title": "x",
            "imageUrl": "http://10.9.9.9:8097/imageproxy?provider=library&size=500&fmt=jpg&path=x"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(rig.s.app.echo().mint("Echo Kitchen").unwrap().art.is_none());
    // Music Assistant's image proxy steered at a URL or a local file: not relayed.
    let steered = format!(
        "{}/imageproxy?provider=builtin&size=500&fmt=jpg&path=%252Fetc%252Fpasswd",
        rig.streams.url
    );
    let r = rig
        .push(&json!({"streamUrl": url, "title": "x", "imageUrl": steered}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(rig.s.app.echo().mint("Echo Kitchen").unwrap().art.is_none());
    let logo = "https://example.com/logo.png";
    rig.push(&json!({"streamUrl": url, "title": "x", "imageUrl": logo}))
        .await;
    assert_eq!(
        rig.s.app.echo().mint("Echo Kitchen").unwrap().art,
        Some(ma_alexa_oauth::echo::ArtUrl::Public(logo.into()))
    );
}

#[tokio::test]
async fn cover_art_is_fetched_once_on_its_own_token_and_permits_and_head_does_not_fetch() {
    let Some(rig) = Rig::start_with(|e| e.max_streams = 1).await else {
        return;
    };
    rig.push_stream("Echo Kitchen").await;
    let url = rig.streams.flow_url("Echo Kitchen", "Echo Kitchen", "flac");
    let image = format!(
        "{}/imageproxy?provider=library&size=500&fmt=jpeg&path=x%252Fy",
        rig.streams.url
    );
    rig.push(&json!({"streamUrl": url, "title": "Smoky Room", "imageUrl": image}))
        .await;
    let fetches = || {
        rig.streams
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/imageproxy"))
            .count()
    };
    let minted = rig.s.app.echo().mint("Echo Kitchen").unwrap();
    let Some(ma_alexa_oauth::echo::ArtUrl::Relayed(art)) = minted.art else {
        panic!("relayed art: {:?}", minted.art);
    };
    // The one stream slot is taken: art does not need it.
    let playing = open(rig.s.addr, "GET", &minted.stream_path, &[]).await;
    assert_eq!(playing.status, StatusCode::OK);
    // HEAD before any GET: answered, Music Assistant untouched.
    let r = send(rig.s.addr, "HEAD", &art, &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(fetches(), 0, "HEAD fetched nothing");
    for _ in 0..5 {
        let r = send(rig.s.addr, "GET", &art, &[], None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type").as_deref(), Some("image/jpeg"));
        assert!(r.body.starts_with(b"\xFF\xD8"));
    }
    let r = send(rig.s.addr, "HEAD", &art, &[], None).await;
    assert_eq!(r.header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(fetches(), 1, "fetched once, then kept");
    // The art token does not play the audio; the stream token shows no art.
    let art_token = art.strip_prefix("/alexa/art/").unwrap();
    for method in ["GET", "HEAD"] {
        let r = send(
            rig.s.addr,
            method,
            &format!("/alexa/stream/{art_token}.mp3"),
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
    }
    let stream_token = minted
        .stream_path
        .strip_prefix("/alexa/stream/")
        .and_then(|t| t.strip_suffix(".mp3"))
        .unwrap();
    let r = send(
        rig.s.addr,
        "GET",
        &format!("/alexa/art/{stream_token}"),
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    drop(playing);
}

#[tokio::test]
async fn only_mp3_from_music_assistant_is_relayed_as_mp3() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    rig.push_stream("Echo Kitchen").await;
    // Music Assistant's own name for MP3 (`audio/mp3`), and the standard one.
    for ok in [None, Some("audio/mpeg"), Some("audio/MPEG; charset=binary")] {
        rig.streams
            .set_knobs(|k| k.stream_type = ok.map(str::to_owned));
        let o = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
        assert_eq!(o.status, StatusCode::OK, "{ok:?}");
        assert_eq!(o.headers["content-type"], "audio/mpeg");
        drop(o);
    }
    // Any other audio (or anything else) is refused, never labelled MP3.
    for other in [
        "audio/flac",
        "audio/aac",
        "audio/mpegurl",
        "audio/x-wav",
        "text/html",
        "audio/",
    ] {
        rig.streams
            .set_knobs(|k| k.stream_type = Some(other.to_owned()));
        let o = open(rig.s.addr, "GET", &rig.relay_path("Echo Kitchen"), &[]).await;
        assert_eq!(o.status, StatusCode::BAD_GATEWAY, "{other}");
    }
    let freed = wait_for(Duration::from_secs(5), || {
        (rig.s.app.echo().active_streams() == 0).then_some(())
    })
    .await;
    assert!(freed.is_some(), "refused streams hold no slot");
}
