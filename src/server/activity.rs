//! What one connection is doing, as its I/O wrapper ([`super::IdleTimeout`])
//! and its service see it: bytes arrived or not, a request header under way,
//! requests in flight, a request body or a response waiting on the peer, a
//! write waiting for the peer, and how many bytes of progress it has made.
//! The header timeout is timed from it, and the connection table decides
//! from it which connections are stalled (`super::pace`) and which make room
//! under pressure.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::task::{Context, Poll};

use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Instant;

/// A connection's state, shared by its I/O wrapper, its service and the
/// connection table. Updated with relaxed atomics: readers need a recent
/// picture, not a consistent snapshot.
#[derive(Debug)]
pub struct Activity {
    accepted: Instant,
    /// The connection's task has read from the socket at least once.
    started: AtomicBool,
    /// At least one byte arrived.
    bytes_seen: AtomicBool,
    /// Bytes of a request header arrived and its request has not started.
    head_pending: AtomicBool,
    /// The last write found the peer's window full.
    write_pending: AtomicBool,
    /// Requests whose response has not been handed to the connection yet.
    in_flight: AtomicUsize,
    /// Requests whose header was complete (the service was called).
    heads: AtomicU64,
    /// Request bodies a handler is waiting on (polled, no data yet).
    awaited_bodies: AtomicU32,
    /// Responses the handler has produced that the connection has not
    /// finished taking (HTTP/2: waiting for the client's window).
    untaken: AtomicU32,
    /// Bytes of progress so far (see `super::idle`): written by the I/O
    /// wrapper only, read by the connection table.
    progress: AtomicU64,
    /// When the current standing began, in milliseconds after `accepted`.
    since_ms: AtomicU64,
}

/// What a connection is doing, from the cheapest to drop to the dearest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// Read from and found nothing: not a byte yet.
    Silent,
    /// Between requests (keep-alive), or HTTP/2 with no stream open.
    Idle,
    /// Part of a request header arrived.
    PartialHead,
    /// A request in flight waits on the client: for its body, or for the
    /// client to take the response (or the end of a response is waiting
    /// for the socket).
    Owing,
    /// Not polled yet: its first bytes may be waiting unread.
    Unstarted,
    /// A request in flight, the server's turn.
    Busy,
}

impl Standing {
    /// The server waits on the client: its progress is owed.
    pub fn owes(self) -> bool {
        matches!(self, Standing::PartialHead | Standing::Owing)
    }
}

impl Activity {
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            accepted: Instant::now(),
            started: AtomicBool::new(false),
            bytes_seen: AtomicBool::new(false),
            head_pending: AtomicBool::new(false),
            write_pending: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            heads: AtomicU64::new(0),
            awaited_bodies: AtomicU32::new(0),
            untaken: AtomicU32::new(0),
            progress: AtomicU64::new(0),
            since_ms: AtomicU64::new(0),
        })
    }

    /// The current standing and since when.
    pub fn standing(&self) -> (Standing, Instant) {
        let since = self.accepted + std::time::Duration::from_millis(self.since_ms.load(Relaxed));
        let write_pending = self.write_pending.load(Relaxed);
        let s = if self.in_flight.load(Relaxed) > 0 {
            let waits = write_pending
                || self.awaited_bodies.load(Relaxed) > 0
                || self.untaken.load(Relaxed) > 0;
            if waits {
                Standing::Owing
            } else {
                Standing::Busy
            }
        } else if write_pending {
            Standing::Owing
        } else if !self.started.load(Relaxed) {
            Standing::Unstarted
        } else if !self.bytes_seen.load(Relaxed) {
            Standing::Silent
        } else if self.head_pending.load(Relaxed) {
            Standing::PartialHead
        } else {
            Standing::Idle
        };
        (s, since)
    }

    /// Bytes of progress so far.
    pub fn progress(&self) -> u64 {
        self.progress.load(Relaxed)
    }

    /// A request's header is complete: counts it and keeps the connection
    /// busy until the returned guard (moved into the response body) drops.
    pub fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.heads.fetch_add(1, Relaxed);
        self.in_flight.fetch_add(1, Relaxed);
        RequestGuard(Arc::clone(self))
    }

    pub(super) fn heads(&self) -> u64 {
        self.heads.load(Relaxed)
    }
    pub(super) fn in_flight(&self) -> bool {
        self.in_flight.load(Relaxed) > 0
    }
    pub(super) fn set_started(&self) {
        self.started.store(true, Relaxed);
    }
    pub(super) fn set_bytes_seen(&self) {
        self.bytes_seen.store(true, Relaxed);
    }
    pub(super) fn set_progress(&self, total: u64) {
        self.progress.store(total, Relaxed);
    }
    pub(super) fn set_write_pending(&self, pending: bool) {
        self.write_pending.store(pending, Relaxed);
    }
    pub(super) fn set_head_pending(&self, pending: bool) {
        if pending {
            self.mark();
        }
        self.head_pending.store(pending, Relaxed);
    }

    fn mark(&self) {
        let ms = self.accepted.elapsed().as_millis();
        self.since_ms
            .store(u64::try_from(ms).unwrap_or(u64::MAX), Relaxed);
    }
}

/// Keeps a connection [`Standing::Busy`] while a request is in flight.
#[derive(Debug)]
pub struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Relaxed) == 1 {
            self.0.mark();
        }
    }
}

/// A response body that holds its request's [`RequestGuard`] until the
/// connection is done with it (written, or dropped with the connection).
/// Until then the response counts as not yet taken by the client: hyper
/// keeps the body while an HTTP/2 stream waits for the client's window.
#[derive(Debug)]
pub struct Tracked<B> {
    inner: B,
    guard: RequestGuard,
}

impl<B> Tracked<B> {
    pub fn new(inner: B, guard: RequestGuard) -> Self {
        guard.0.untaken.fetch_add(1, Relaxed);
        Tracked { inner, guard }
    }
}

impl<B> Drop for Tracked<B> {
    fn drop(&mut self) {
        self.guard.0.untaken.fetch_sub(1, Relaxed);
    }
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A request body that tells the connection while a handler waits on it:
/// polled and nothing there yet.
#[derive(Debug)]
pub struct Watched<B> {
    inner: B,
    activity: Arc<Activity>,
    waiting: bool,
}

impl<B> Watched<B> {
    pub fn new(inner: B, activity: Arc<Activity>) -> Self {
        Watched {
            inner,
            activity,
            waiting: false,
        }
    }

    fn set_waiting(&mut self, waiting: bool) {
        if waiting != self.waiting {
            self.waiting = waiting;
            if waiting {
                self.activity.awaited_bodies.fetch_add(1, Relaxed);
            } else {
                self.activity.awaited_bodies.fetch_sub(1, Relaxed);
            }
        }
    }
}

impl<B> Drop for Watched<B> {
    fn drop(&mut self) {
        self.set_waiting(false);
    }
}

impl<B: Body + Unpin> Body for Watched<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let r = Pin::new(&mut self.inner).poll_frame(cx);
        self.set_waiting(r.is_pending());
        r
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
