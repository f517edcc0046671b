//! The connection loop: accepts from any [`Listener`] (TCP, or the tailnet's
//! Funnel listener), serves HTTP/1.1 and HTTP/2 with hyper, enforces the
//! connection cap, header and idle timeouts, and drains on shutdown.

mod idle;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::Semaphore;

use crate::app::App;
pub use crate::listener::{ConnInfo, Listener};
use crate::router;
pub use idle::IdleTimeout;

/// Serves `app` on `listener` until `shutdown` completes, then stops
/// accepting and gives requests in flight `limits.shutdown_grace` to finish.
pub async fn run<L: Listener>(mut listener: L, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let limits = app.config().limits.clone();
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(64)
        .max_header_list_size(32 * 1024)
        // No keep-alive PINGs: the PING and its answer count as traffic, so an
        // idle HTTP/2 connection would never reach the idle timeout. Dead peers
        // are found by the idle timeout instead.
        .keep_alive_interval(None);
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    let mut backoff = Duration::from_millis(5);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = Arc::clone(&permits).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let (io, info) = match accepted {
            Ok(a) => {
                backoff = Duration::from_millis(5);
                a
            }
            Err(e) => {
                // Out of descriptors and the like: wait and try again rather than exit.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        tracing::debug!(peer = %info.peer, "connection accepted");
        let app = Arc::clone(&app);
        let svc = service_fn(move |req| {
            let app = Arc::clone(&app);
            async move { Ok::<_, std::convert::Infallible>(router::handle(&app, req, info).await) }
        });
        // Until the first byte arrives hyper is still sniffing for the HTTP/2
        // preface and its header timeout is not running: bound that wait too.
        let io = IdleTimeout::new(io, limits.idle_timeout)
            .first_byte_within(limits.header_timeout.min(limits.idle_timeout));
        let io = TokioIo::new(io);
        let conn = builder.serve_connection_with_upgrades(io, svc).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, peer = %info.peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    tracing::info!("shutting down: no new connections; draining");
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(limits.shutdown_grace) => tracing::warn!("shutdown grace period over; closing remaining connections"),
    }
}
