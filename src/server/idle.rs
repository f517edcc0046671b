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

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use super::activity::Activity;

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
        }
    }

    /// Notes read progress: the idle clock restarts; the first bytes of a
    /// request (none in flight) start the header clock.
    fn on_read(&mut self, new: &[u8]) {
        let now = Instant::now();
        self.idle_deadline = now + self.idle;
        if new.is_empty() {
            return;
        }
        self.activity.set_bytes_seen();
        self.sniff(new);
        if self.proto == Proto::Http2 {
            return;
        }
        if self.head.is_none() && !self.activity.in_flight() {
            self.head = Some((now + self.header, self.activity.heads()));
            self.activity.set_head_pending(true);
        }
    }

    fn sniff(&mut self, new: &[u8]) {
        let Proto::Sniffing(n) = self.proto else {
            return;
        };
        let rest = H2_PREFACE.get(n..).unwrap_or_default();
        let k = new.len().min(rest.len());
        self.proto = if new.get(..k) != rest.get(..k) {
            Proto::Http1
        } else if n + k == H2_PREFACE.len() {
            // Streams have no header clock; the idle timeout bounds them.
            self.head = None;
            self.activity.set_head_pending(false);
            Proto::Http2
        } else {
            Proto::Sniffing(n + k)
        };
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
            if self.sleep.deadline() != deadline {
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

    fn on_write<R>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        match r {
            Poll::Ready(r) => {
                self.activity.set_write_pending(false);
                self.idle_deadline = Instant::now() + self.idle;
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
        this.on_write(cx, r)
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
        this.on_write(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
