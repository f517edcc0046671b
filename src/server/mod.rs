//! The connection loop: accepts from any [`Listener`] (TCP, or the tailnet's
//! Funnel listener), serves HTTP/1.1 and HTTP/2 with hyper, enforces the
//! connection cap, header and idle timeouts, and drains on shutdown.

mod activity;
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
use activity::{Activity, Tracked};
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
        // Off: hyper's clock also runs while a keep-alive connection waits
        // for its next request, closing it after the header timeout instead
        // of the idle timeout. `IdleTimeout` keeps the header timeout.
        .header_read_timeout(None)
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
        let activity = Activity::new();
        let act = Arc::clone(&activity);
        let svc = service_fn(move |req| {
            let guard = act.begin_request();
            let app = Arc::clone(&app);
            async move {
                let resp = router::handle(&app, req, info).await;
                Ok::<_, std::convert::Infallible>(resp.map(|b| Tracked::new(b, guard)))
            }
        });
        let io = IdleTimeout::new(io, limits.idle_timeout, limits.header_timeout, activity);
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
