//! The stream relay: one plain HTTP/1.1 GET to Music Assistant's stream
//! server for the granted stream (as MP3), its audio handed to the Echo's
//! response as the Echo takes it.
//!
//! ```text
//!  Music Assistant :8097 ──TCP──► hyper client conn (read buffer ≤ 64 KiB)
//!        │ frames, pulled by the pump task
//!        ▼
//!  pump (owns the lease and the stream permit) ──mpsc(4)──► RelayBody ──► hyper server ──► Echo
//!   ends on: upstream EOF (clean end) │ upstream silent (idle) │ channel full
//!   for `stall` (the Echo stopped reading) │ the token revoked (player
//!   stopped, new stream) │ the Echo gone (receiver dropped)
//! ```
//!
//! Backpressure: the pump reads Music Assistant only when the channel has
//! room, and the channel empties only as fast as hyper writes to the Echo;
//! at most four frames wait. No redirect is followed (anything but 200 is
//! an error), no `Range` is sent, only MP3 is taken (`audio/mpeg` or
//! Music Assistant's `audio/mp3`; any other type is refused, never
//! relabelled), and the answer is what Music Assistant answers: 200,
//! `Accept-Ranges: none`, no length.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper::body::{Frame, Incoming};
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::grants::Lease;
use super::source::HostPort;
use crate::http::{Body, StreamError};

/// The relay's clocks and sizes.
#[derive(Debug, Clone)]
pub struct RelayLimits {
    /// Connecting to Music Assistant's stream server.
    pub connect: Duration,
    /// From the request to the response's head (Music Assistant answers
    /// in about 0.3 s).
    pub head: Duration,
    /// Music Assistant sending nothing for this long ends the stream.
    pub upstream_idle: Duration,
    /// The Echo taking nothing for this long (the buffer full) ends it.
    pub stall: Duration,
    /// Largest read buffer of the connection to Music Assistant.
    pub read_buffer: usize,
    /// Frames waiting between the two connections.
    pub queued_frames: usize,
}

impl Default for RelayLimits {
    fn default() -> Self {
        RelayLimits {
            connect: Duration::from_secs(5),
            head: Duration::from_secs(10),
            upstream_idle: Duration::from_secs(20),
            stall: Duration::from_secs(20),
            read_buffer: 64 * 1024,
            queued_frames: 4,
        }
    }
}

/// Why Music Assistant's stream could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("Music Assistant's stream server cannot be reached")]
    Unreachable,
    #[error("Music Assistant's stream server did not answer in time")]
    Slow,
    #[error("Music Assistant's stream server answered {0}")]
    Status(u16),
    #[error("Music Assistant answered with another media type than asked")]
    WrongType,
}

/// The media types taken from Music Assistant's stream server: MP3 only,
/// the one format the relay asks for and labels its answer with
/// (`audio/mpeg`). Music Assistant names it `audio/mp3`
/// (`audio/{output_format_str}`); `audio/mpeg` is the standard name.
const MP3_TYPES: &[&str] = &["audio/mpeg", "audio/mp3"];

/// A `Content-Type`'s media type, lowercase, without parameters.
fn media_type(v: &str) -> String {
    v.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// An open stream from Music Assistant (its head was 200 with MP3).
pub struct Upstream {
    body: Incoming,
}

/// Opens `path` on `at` (one connection, one request).
pub async fn open(at: &HostPort, path: &str, limits: &RelayLimits) -> Result<Upstream, OpenError> {
    let authority = at.authority();
    let tcp = tokio::time::timeout(limits.connect, tokio::net::TcpStream::connect(&authority))
        .await
        .map_err(|_| OpenError::Slow)?
        .map_err(|_| OpenError::Unreachable)?;
    let _ = tcp.set_nodelay(true);
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(limits.read_buffer.max(8192))
        .handshake::<_, Empty<Bytes>>(TokioIo::new(tcp))
        .await
        .map_err(|_| OpenError::Unreachable)?;
    // The connection's task ends once the response body and the sender are gone.
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::get(path)
        .header(HOST, &authority)
        .header(
            USER_AGENT,
            concat!("ma-alexa-oauth/", env!("CARGO_PKG_VERSION")),
        )
        .header(ACCEPT, "audio/mpeg")
        .body(Empty::new())
        .map_err(|_| OpenError::Unreachable)?;
    let resp = tokio::time::timeout(limits.head, sender.send_request(req))
        .await
        .map_err(|_| OpenError::Slow)?
        .map_err(|_| OpenError::Unreachable)?;
    if resp.status() != hyper::StatusCode::OK {
        return Err(OpenError::Status(resp.status().as_u16()));
    }
    let mp3 = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(media_type)
        .is_some_and(|t| MP3_TYPES.contains(&t.as_str()));
    if !mp3 {
        return Err(OpenError::WrongType);
    }
    Ok(Upstream {
        body: resp.into_body(),
    })
}

/// How a relayed stream ended (logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Music Assistant ended it (the queue's end).
    Finished,
    /// The Echo went away.
    ClientGone,
    /// The Echo stopped taking audio for the stall time.
    ClientStalled,
    /// Music Assistant sent nothing for the idle time, or failed.
    UpstreamFailed,
    /// The player was stopped or another stream replaced this one.
    Revoked,
}

/// The response body fed by the pump.
struct RelayBody {
    rx: mpsc::Receiver<Bytes>,
    /// Set by the pump when the stream did not end cleanly: the response
    /// then ends with an error (the connection closes without the last
    /// chunk), never as a complete answer.
    aborted: Arc<AtomicBool>,
}

impl hyper::body::Body for RelayBody {
    type Data = Bytes;
    type Error = StreamError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, StreamError>>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(b)) => Poll::Ready(Some(Ok(Frame::data(b)))),
            Poll::Ready(None) if self.aborted.load(Ordering::Acquire) => {
                Poll::Ready(Some(Err(StreamError("the relayed stream ended early"))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The Echo's response body for `up`: a pump task copies Music
/// Assistant's frames as the Echo takes them, holding `lease` and
/// `permit` until the stream ends. `done` is told how it ended.
pub fn body(
    up: Upstream,
    lease: Lease,
    permit: OwnedSemaphorePermit,
    limits: &RelayLimits,
    done: impl FnOnce(Ended) + Send + 'static,
) -> Body {
    let (tx, rx) = mpsc::channel(limits.queued_frames.max(1));
    let aborted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&aborted);
    let limits = limits.clone();
    tokio::spawn(async move {
        let ended = pump(up, lease, &tx, &limits).await;
        if ended != Ended::Finished {
            flag.store(true, Ordering::Release);
        }
        drop(tx);
        drop(permit);
        done(ended);
    });
    Body::stream(RelayBody { rx, aborted })
}

async fn pump(
    mut up: Upstream,
    mut lease: Lease,
    tx: &mpsc::Sender<Bytes>,
    limits: &RelayLimits,
) -> Ended {
    loop {
        let next = tokio::select! {
            _ = lease.cancel.wait_for(|c| *c) => return Ended::Revoked,
            _ = tx.closed() => return Ended::ClientGone,
            f = tokio::time::timeout(limits.upstream_idle, up.body.frame()) => f,
        };
        let data = match next {
            Err(_) | Ok(Some(Err(_))) => return Ended::UpstreamFailed,
            Ok(None) => return Ended::Finished,
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(d) if !d.is_empty() => d,
                _ => continue,
            },
        };
        let sent = tokio::select! {
            _ = lease.cancel.wait_for(|c| *c) => return Ended::Revoked,
            s = tokio::time::timeout(limits.stall, tx.send(data)) => s,
        };
        match sent {
            Err(_) => return Ended::ClientStalled,
            Ok(Err(_)) => return Ended::ClientGone,
            Ok(Ok(())) => lease.delivered(),
        }
    }
}

/// Largest cover image relayed.
pub const MAX_IMAGE: usize = 1024 * 1024;
/// Image types relayed (what an Echo's screen shows).
const IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif"];

/// The image type `bytes` begin as (JPEG, PNG, WebP, GIF), if any.
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1A\n") {
        Some("image/png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else {
        None
    }
}

/// A cover image from Music Assistant's image proxy: its content type and
/// bytes (at most [`MAX_IMAGE`], within the head and idle times), taken
/// only if the bytes begin as the image type the head named.
pub async fn fetch_image(
    at: &HostPort,
    path_and_query: &str,
    limits: &RelayLimits,
) -> Result<(&'static str, Bytes), OpenError> {
    let authority = at.authority();
    let tcp = tokio::time::timeout(limits.connect, tokio::net::TcpStream::connect(&authority))
        .await
        .map_err(|_| OpenError::Slow)?
        .map_err(|_| OpenError::Unreachable)?;
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .handshake::<_, Empty<Bytes>>(TokioIo::new(tcp))
        .await
        .map_err(|_| OpenError::Unreachable)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::get(path_and_query)
        .header(HOST, &authority)
        .header(
            USER_AGENT,
            concat!("ma-alexa-oauth/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::new())
        .map_err(|_| OpenError::Unreachable)?;
    let fetch = async {
        let resp = sender
            .send_request(req)
            .await
            .map_err(|_| OpenError::Unreachable)?;
        if resp.status() != hyper::StatusCode::OK {
            return Err(OpenError::Status(resp.status().as_u16()));
        }
        let ct = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(media_type)
            .unwrap_or_default();
        let kind = IMAGE_TYPES
            .iter()
            .find(|t| **t == ct)
            .ok_or(OpenError::WrongType)?;
        let bytes = http_body_util::Limited::new(resp.into_body(), MAX_IMAGE)
            .collect()
            .await
            .map_err(|_| OpenError::Unreachable)?
            .to_bytes();
        if image_kind(&bytes) != Some(*kind) {
            return Err(OpenError::WrongType);
        }
        Ok((*kind, bytes))
    };
    tokio::time::timeout(limits.head + limits.upstream_idle, fetch)
        .await
        .map_err(|_| OpenError::Slow)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_images_leading_bytes_name_its_type() {
        assert_eq!(image_kind(b"\xFF\xD8\xFF\xE0 jfif"), Some("image/jpeg"));
        assert_eq!(image_kind(b"\x89PNG\r\n\x1A\n...."), Some("image/png"));
        assert_eq!(image_kind(b"GIF89a.."), Some("image/gif"));
        assert_eq!(image_kind(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_kind(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(image_kind(b"<html><body>"), None);
        assert_eq!(image_kind(b"root:x:0:0:root:/root:/bin/bash"), None);
        assert_eq!(image_kind(b"<svg xmlns="), None);
        assert_eq!(image_kind(b""), None);
    }
}
