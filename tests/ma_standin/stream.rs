//! The stand-in's stream server (Music Assistant's port 8097), as
//! ../shared/facts/echo-playback.md measured the real one:
//! `/{flow|single}/SESSION/QUEUE/ITEM/PLAYER.{mp3|flac}` for a queue it
//! knows (404 otherwise, also once the queue was replaced), `audio/mp3`
//! made of valid MPEG-1 Layer III frames at 320 kbit/s and 48 kHz (FLAC:
//! a `fLaC` header and filler), a burst of `burst` seconds ahead, then paced
//! at real time; `Accept-Ranges: none`, no length, `Range` ignored; HEAD
//! the head only. Every GET starts a new stream. Knobs for the relay's
//! refusals: a redirect, a stall without end, an error status.
//! `/imageproxy?...` answers a small JPEG (or `image_type`).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// One MP3 frame: MPEG-1 Layer III, 320 kbit/s, 48 kHz, stereo, no CRC,
/// no padding: 144 * 320000 / 48000 = 960 bytes (1152 samples, 24 ms).
pub const FRAME_LEN: usize = 960;
pub const FRAME_HEADER: [u8; 4] = [0xFF, 0xFB, 0xE4, 0x00];
/// Bytes per second at 320 kbit/s.
pub const BYTES_PER_SEC: usize = 40_000;

/// `n` MP3 frames of silence.
pub fn mp3_frames(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * FRAME_LEN);
    for _ in 0..n {
        out.extend_from_slice(&FRAME_HEADER);
        out.resize(out.len() + FRAME_LEN - 4, 0);
    }
    out
}

#[derive(Debug, Clone)]
pub struct StreamKnobs {
    /// Seconds of audio sent at once before pacing at real time.
    pub burst: f64,
    /// Seconds of audio in a stream (then it ends, as the queue's end).
    pub length: f64,
    /// Pace faster than real time by this factor (tests that need bytes fast).
    pub speed: f64,
    /// Answer every stream request with a 302 to this location.
    pub redirect_to: Option<String>,
    /// After this many bytes, send nothing more and never end.
    pub stall_after: Option<usize>,
    /// Answer stream requests with this status instead.
    pub status: Option<u16>,
    /// The image proxy's content type.
    pub image_type: String,
    /// The streams' content type instead of Music Assistant's `audio/FMT`.
    pub stream_type: Option<String>,
    /// Serve any queue's stream (the benchmark's source, which knows no queues).
    pub any_queue: bool,
}

impl Default for StreamKnobs {
    fn default() -> Self {
        StreamKnobs {
            burst: 5.0,
            length: 60.0,
            speed: 1.0,
            redirect_to: None,
            stall_after: None,
            status: None,
            image_type: "image/jpeg".into(),
            stream_type: None,
            any_queue: false,
        }
    }
}

/// A stream request as received.
#[derive(Debug, Clone)]
pub struct StreamRequest {
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl StreamRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    /// queue id → (session, item) of its current stream.
    queues: HashMap<String, (String, String)>,
    knobs: StreamKnobs,
    log: Vec<StreamRequest>,
}

/// The stream server.
pub struct StreamServer {
    pub addr: SocketAddr,
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    open: Arc<AtomicUsize>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Drop for StreamServer {
    fn drop(&mut self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

impl StreamServer {
    pub async fn start() -> StreamServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared: Arc<Mutex<Shared>> = Arc::default();
        let open = Arc::new(AtomicUsize::new(0));
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (s2, o2, t2) = (Arc::clone(&shared), Arc::clone(&open), Arc::clone(&tasks));
        let accept = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (s3, o3) = (Arc::clone(&s2), Arc::clone(&o2));
                let conn = tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let (s4, o4) = (Arc::clone(&s3), Arc::clone(&o3));
                        async move { Ok::<_, std::convert::Infallible>(handle(s4, o4, req)) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
                t2.lock().unwrap().push(conn);
            }
        });
        tasks.lock().unwrap().push(accept);
        StreamServer {
            addr,
            url: format!("http://{addr}"),
            shared,
            open,
            tasks,
        }
    }

    /// Makes `queue`'s stream (session, item) current; the old one 404s.
    pub fn set_queue(&self, queue: &str, session: &str, item: &str) {
        let mut s = self.shared.lock().unwrap();
        s.queues
            .insert(queue.to_owned(), (session.to_owned(), item.to_owned()));
    }

    pub fn set_knobs(&self, f: impl FnOnce(&mut StreamKnobs)) {
        f(&mut self.shared.lock().unwrap().knobs);
    }

    pub fn requests(&self) -> Vec<StreamRequest> {
        self.shared.lock().unwrap().log.clone()
    }

    /// Streams being sent right now.
    pub fn open_streams(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// A flow URL as Music Assistant's provider pushes it (ids unescaped).
    pub fn flow_url(&self, queue: &str, player: &str, fmt: &str) -> String {
        let s = self.shared.lock().unwrap();
        let (session, item) = s.queues.get(queue).cloned().unwrap_or_default();
        format!("{}/flow/{session}/{queue}/{item}/{player}.{fmt}", self.url)
    }
}

type Body = http_body_util::Either<http_body_util::Full<Bytes>, Paced>;

fn plain(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(http_body_util::Either::Left(http_body_util::Full::new(
        Bytes::from_static(b"Not Found"),
    )));
    *r.status_mut() = status;
    r
}

fn handle(
    shared: Arc<Mutex<Shared>>,
    open: Arc<AtomicUsize>,
    req: Request<Incoming>,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let mut s = shared.lock().unwrap();
    if s.log.len() < 10_000 {
        s.log.push(StreamRequest {
            method: req.method().to_string(),
            path: req.uri().to_string(),
            headers: req
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
        });
    }
    let knobs = s.knobs.clone();
    if path == "/imageproxy" {
        let mut r = Response::new(http_body_util::Either::Left(http_body_util::Full::new(
            Bytes::from_static(b"\xFF\xD8\xFF\xE0 a tiny jpeg \xFF\xD9"),
        )));
        r.headers_mut()
            .insert("content-type", knobs.image_type.parse().unwrap());
        return r;
    }
    let decoded = percent_encoding::percent_decode_str(&path)
        .decode_utf8_lossy()
        .into_owned();
    let parts: Vec<&str> = decoded.trim_start_matches('/').split('/').collect();
    let [kind, session, queue, item, last] = parts.as_slice() else {
        return plain(StatusCode::NOT_FOUND);
    };
    let known =
        knobs.any_queue || s.queues.get(*queue) == Some(&(session.to_string(), item.to_string()));
    if !["flow", "single"].contains(kind) || !known {
        return plain(StatusCode::NOT_FOUND);
    }
    let Some((_, fmt)) = last.rsplit_once('.') else {
        return plain(StatusCode::NOT_FOUND);
    };
    drop(s);
    if let Some(loc) = &knobs.redirect_to {
        let mut r = plain(StatusCode::FOUND);
        r.headers_mut().insert("location", loc.parse().unwrap());
        return r;
    }
    if let Some(code) = knobs.status {
        return plain(StatusCode::from_u16(code).unwrap());
    }
    let head_only = req.method() == hyper::Method::HEAD;
    let body = if head_only {
        http_body_util::Either::Left(http_body_util::Full::new(Bytes::new()))
    } else {
        http_body_util::Either::Right(Paced::start(fmt == "flac", &knobs, open))
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    let ct = knobs.stream_type.clone().unwrap_or(format!("audio/{fmt}"));
    h.insert("content-type", ct.parse().unwrap());
    h.insert("accept-ranges", "none".parse().unwrap());
    h.insert("cache-control", "no-cache".parse().unwrap());
    r
}

/// A stream's body: a producer task sends chunks (burst, then paced);
/// it waits while the reader does not take them.
pub struct Paced {
    rx: mpsc::Receiver<Bytes>,
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Paced {
    fn start(flac: bool, k: &StreamKnobs, open: Arc<AtomicUsize>) -> Paced {
        let (tx, rx) = mpsc::channel::<Bytes>(2);
        let k = k.clone();
        open.fetch_add(1, Ordering::SeqCst);
        let counted = Counted(open);
        tokio::spawn(async move {
            let _counted = counted;
            // Four frames a chunk: 96 ms of audio.
            let chunk_secs = 4.0 * 0.024;
            let total = (k.length / chunk_secs).ceil() as usize;
            let burst = (k.burst / chunk_secs).floor() as usize;
            let start = tokio::time::Instant::now();
            let mut sent = 0usize;
            for i in 0..total {
                if i == 0 && flac {
                    let mut head = b"fLaC\x80\x00\x00\x22".to_vec();
                    head.resize(42, 0);
                    if tx.send(Bytes::from(head)).await.is_err() {
                        return;
                    }
                }
                if i >= burst {
                    let due = (i - burst) as f64 * chunk_secs / k.speed.max(0.001);
                    tokio::time::sleep_until(start + Duration::from_secs_f64(due)).await;
                }
                let chunk = if flac {
                    vec![0x55; 4 * FRAME_LEN]
                } else {
                    mp3_frames(4)
                };
                if let Some(limit) = k.stall_after
                    && sent + chunk.len() > limit
                {
                    // Stall: keep the stream open, send nothing more.
                    let _keep = tx;
                    std::future::pending::<()>().await;
                    return;
                }
                sent += chunk.len();
                if tx.send(Bytes::from(chunk)).await.is_err() {
                    return;
                }
            }
        });
        Paced { rx }
    }
}

impl hyper::body::Body for Paced {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

/// What an MP3 stream's frames say: frames walked, the bitrates (kbit/s)
/// and sample rates seen; an error names the first offset that is not a
/// frame. An ID3v2 tag at the start is skipped; a partial last frame is
/// allowed (the read stopped mid-frame).
#[derive(Debug, Clone, PartialEq)]
pub struct Mp3Walk {
    pub frames: usize,
    pub kbps: Vec<u32>,
    pub rates: Vec<u32>,
}

pub fn walk_mp3(data: &[u8]) -> Result<Mp3Walk, String> {
    const KBPS: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    let mut pos = 0;
    if data.len() >= 10 && &data[..3] == b"ID3" {
        let size = data[6..10]
            .iter()
            .fold(0usize, |a, b| (a << 7) | usize::from(b & 0x7F));
        pos = 10 + size;
    }
    let mut walk = Mp3Walk {
        frames: 0,
        kbps: Vec::new(),
        rates: Vec::new(),
    };
    while pos + 4 <= data.len() {
        let h = &data[pos..pos + 4];
        if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
            return Err(format!(
                "no frame sync at byte {pos} (frame {})",
                walk.frames
            ));
        }
        if (h[1] >> 3) & 3 != 3 || (h[1] >> 1) & 3 != 1 {
            return Err(format!("frame at {pos} is not MPEG-1 Layer III"));
        }
        let bi = usize::from(h[2] >> 4);
        let ri = usize::from((h[2] >> 2) & 3);
        if bi == 0 || bi == 15 || ri == 3 {
            return Err(format!("frame at {pos}: bad bitrate or sample rate index"));
        }
        let kbps = KBPS[bi];
        let rate = [44_100u32, 48_000, 32_000][ri];
        let pad = usize::from((h[2] >> 1) & 1);
        let len = 144 * kbps as usize * 1000 / rate as usize + pad;
        if !walk.kbps.contains(&kbps) {
            walk.kbps.push(kbps);
        }
        if !walk.rates.contains(&rate) {
            walk.rates.push(rate);
        }
        walk.frames += 1;
        pos += len;
    }
    Ok(walk)
}
