//! The connection's clocks: an I/O wrapper that fails a connection idle too
//! long, or whose request header takes too long.
//!
//! hyper's own HTTP/1 header timeout starts as soon as a keep-alive
//! connection waits for its next request, which made every idle keep-alive
//! connection close after the header timeout (10 s) rather than the idle
//! timeout (60 s). hyper's is therefore off, and the header timeout is kept
//! here: it starts at accept (the first request) and, later, with the first
//! byte of each next request, and ends when hyper hands the request to the
//! service (see [`Activity::begin_request`]). HTTP/2 (recognised by its
//! connection preface) has no per-request header clock; the idle timeout
//! bounds it.
//!
//! The wrapper also counts the connection's progress for the connection
//! table (`super::pace`): every byte read or written on HTTP/1, and on
//! HTTP/2 only the payload of HEADERS, CONTINUATION and DATA frames
//! (`super::frames`), so that PINGs and other control frames neither count
//! as progress nor keep an HTTP/2 connection from being idle. The count is
//! a plain store into [`Activity`]: no clock, lock or allocation more per
//! read or write.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use super::activity::Activity;
use super::frames::FrameScan;

/// The HTTP/2 client connection preface (RFC 9113 section 3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// What the first bytes say about the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    /// This many bytes of the HTTP/2 preface matched so far.
    Sniffing(usize),
    Http1,
    Http2,
}

/// Closes a connection that neither reads nor writes for `idle`, or whose
/// request header is not complete `header` after it began (after accept for
/// the first request).
pub struct IdleTimeout<T> {
    inner: T,
    idle: Duration,
    header: Duration,
    activity: Arc<Activity>,
    sleep: Pin<Box<Sleep>>,
    idle_deadline: Instant,
    /// The header clock: its deadline and the number of request heads
    /// complete when it started (it stops when that number moves).
    head: Option<(Instant, u64)>,
    proto: Proto,
    /// Bytes of progress so far, in both directions.
    progress: u64,
    /// HTTP/2 frames read (after the preface) and written.
    frames_in: FrameScan,
    frames_out: FrameScan,
}

impl<T> IdleTimeout<T> {
    pub fn new(inner: T, idle: Duration, header: Duration, activity: Arc<Activity>) -> Self {
        let now = Instant::now();
        let head_deadline = now + header;
        activity.set_head_pending(true);
        IdleTimeout {
            inner,
            idle,
            header,
            head: Some((head_deadline, activity.heads())),
            activity,
            sleep: Box::pin(tokio::time::sleep_until(head_deadline.min(now + idle))),
            idle_deadline: now + idle,
            proto: Proto::Sniffing(0),
            progress: 0,
            frames_in: FrameScan::default(),
            frames_out: FrameScan::default(),
        }
    }

    /// Notes bytes read: progress restarts the idle clock; the first bytes
    /// of a request (none in flight) start the header clock.
    fn on_read(&mut self, new: &[u8]) {
        if new.is_empty() {
            return;
        }
        let now = Instant::now();
        self.activity.set_bytes_seen();
        let useful = match self.proto {
            Proto::Http1 => new.len() as u64,
            Proto::Http2 => self.frames_in.feed(new),
            Proto::Sniffing(_) => match self.sniff(new) {
                // The preface is no progress; frames may follow it.
                Some(k) => self.frames_in.feed(new.get(k..).unwrap_or_default()),
                None => new.len() as u64,
            },
        };
        self.moved(useful, now);
        if self.proto == Proto::Http2 {
            return;
        }
        if self.head.is_none() && !self.activity.in_flight() {
            self.head = Some((now + self.header, self.activity.heads()));
            self.activity.set_head_pending(true);
        }
    }

    /// Counts `useful` bytes of progress; any restarts the idle clock.
    fn moved(&mut self, useful: u64, now: Instant) {
        if useful > 0 {
            self.progress += useful;
            self.activity.set_progress(self.progress);
            self.idle_deadline = now + self.idle;
        }
    }

    /// Follows the HTTP/2 preface; `Some(k)` once `new` completed it with
    /// its first `k` bytes.
    fn sniff(&mut self, new: &[u8]) -> Option<usize> {
        let Proto::Sniffing(n) = self.proto else {
            return None;
        };
        let rest = H2_PREFACE.get(n..).unwrap_or_default();
        let k = new.len().min(rest.len());
        if new.get(..k) != rest.get(..k) {
            self.proto = Proto::Http1;
            None
        } else if n + k == H2_PREFACE.len() {
            // Streams have no header clock; the idle timeout bounds them.
            self.head = None;
            self.activity.set_head_pending(false);
            self.proto = Proto::Http2;
            Some(k)
        } else {
            self.proto = Proto::Sniffing(n + k);
            None
        }
    }

    /// Stops the header clock once its request has reached the service.
    fn settle_head(&mut self) {
        if let Some((_, heads)) = self.head {
            if self.activity.heads() != heads {
                self.head = None;
                self.activity.set_head_pending(false);
            }
        }
    }

    /// While the inner I/O is pending: fails the connection once a clock
    /// has run out, otherwise arranges to be woken when one will.
    fn check_clocks<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        self.settle_head();
        loop {
            let deadline = match self.head {
                Some((h, _)) => h.min(self.idle_deadline),
                None => self.idle_deadline,
            };
            // Lazily: a clock that moved later (the idle deadline at every
            // byte) leaves the timer where it is; it then fires early once,
            // and the loop sets it again. Only an earlier deadline, or a
            // timer already fired, moves it. Resetting at every request
            // cost a timer-wheel removal and insertion each time.
            let current = self.sleep.deadline();
            if deadline < current || (deadline != current && self.sleep.is_elapsed()) {
                self.sleep.as_mut().reset(deadline);
            }
            if self.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let now = Instant::now();
            if self.head.is_some_and(|(h, _)| now >= h) {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "request header not received in time",
                )));
            }
            if now >= self.idle_deadline {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                )));
            }
        }
    }

    /// Notes a write's outcome; `useful` says how much of the `n` bytes
    /// written was progress.
    fn on_write(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<usize>>,
        useful: impl FnOnce(&mut Self, usize) -> u64,
    ) -> Poll<io::Result<usize>> {
        match r {
            Poll::Ready(r) => {
                self.activity.set_write_pending(false);
                if let Ok(n) = r {
                    let u = useful(self, n);
                    self.moved(u, Instant::now());
                }
                self.settle_head();
                Poll::Ready(r)
            }
            Poll::Pending => {
                self.activity.set_write_pending(true);
                self.check_clocks(cx)
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleTimeout<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        this.activity.set_started();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.on_read(buf.filled().get(before..).unwrap_or_default());
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.check_clocks(cx),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleTimeout<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.on_write(cx, r, |this, n| match this.proto {
            Proto::Http2 => this.frames_out.feed(buf.get(..n).unwrap_or_default()),
            _ => n as u64,
        })
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.on_write(cx, r, |this, n| match this.proto {
            Proto::Http2 => this.frames_out.feed_vectored(bufs, n),
            _ => n as u64,
        })
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
