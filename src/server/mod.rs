//! The connection loop: accepts from any [`Listener`] (TCP, or the tailnet's
//! Funnel listener) without ever waiting for a slot, serves HTTP/1.1 and
//! HTTP/2 with hyper, enforces the connection cap and each client's share
//! of it (`slots`), parks newcomers while every slot is taken (`lobby`),
//! header and idle timeouts (`idle`), the minimum rate of clients the
//! server waits on (`pace`, settled by [`sweep`]), and drains on shutdown.

mod activity;
mod frames;
mod idle;
mod lobby;
mod pace;
mod slots;

use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::app::App;
use crate::config::Limits;
pub use crate::listener::{ConnInfo, Listener};
use crate::router;
use activity::{Activity, Tracked, Watched};
pub use idle::IdleTimeout;
use lobby::{Lobby, Waiting};
use pace::Pace;
use slots::{Admission, ClientKey, Table, Ticket};

/// How often, while connections wait in the lobby, room is made for the
/// next to be served (a client holding no slot gets it on arrival), and the
/// lobby closes those that waited too long.
const LOBBY_TICK: Duration = Duration::from_millis(20);

/// A request's body as routes get it: hyper's, watched for the minimum
/// rate while a handler waits on it.
pub type RequestBody = Watched<hyper::body::Incoming>;

/// What answers the requests of one listener.
pub trait Routes: Send + Sync + 'static {
    /// The response to `req`; never panics on client input.
    fn route(
        &self,
        app: &App,
        req: hyper::Request<RequestBody>,
        conn: ConnInfo,
    ) -> impl Future<Output = hyper::Response<crate::http::Body>> + Send;
}

/// The public routes: [`router::handle`] (OAuth, the skill, the gateway).
struct Public;

impl Routes for Public {
    async fn route(
        &self,
        app: &App,
        req: hyper::Request<RequestBody>,
        conn: ConnInfo,
    ) -> hyper::Response<crate::http::Body> {
        router::handle(app, req, conn).await
    }
}

/// Serves `app`'s public routes on `listener` until `shutdown` completes,
/// then stops accepting and gives requests in flight
/// `limits.shutdown_grace` to finish.
pub async fn run<L: Listener>(listener: L, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    run_routes(listener, app, Arc::new(Public), shutdown).await;
}

/// [`run`] with other routes (the add-on's page).
pub async fn run_routes<L: Listener, R: Routes>(
    mut listener: L,
    app: Arc<App>,
    routes: Arc<R>,
    shutdown: impl Future<Output = ()>,
) {
    let mut door = Door::<L::Io, R>::new(app, routes);
    tokio::spawn(sweep(Arc::downgrade(&door.table)));
    let mut tick = tokio::time::interval(LOBBY_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    let mut backoff = Duration::from_millis(5);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => match a {
                Ok((io, info)) => {
                    backoff = Duration::from_millis(5);
                    door.arrive(io, info);
                }
                Err(e) => {
                    // Out of descriptors and the like: wait and try again rather than exit.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                }
            },
            p = Arc::clone(&door.permits).acquire_owned(), if !door.lobby.is_empty() => {
                if let Ok(permit) = p {
                    door.seat(permit);
                }
            }
            _ = tick.tick(), if !door.lobby.is_empty() => door.tick(),
        }
    }
    let (graceful, grace) = door.close();
    tracing::info!("shutting down: no new connections; draining");
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(grace) => tracing::warn!("shutdown grace period over; closing remaining connections"),
    }
}

/// The accept side: the slots, who holds them, who waits for one, and how
/// an admitted connection is served.
struct Door<I, R> {
    app: Arc<App>,
    routes: Arc<R>,
    limits: Limits,
    permits: Arc<Semaphore>,
    table: Arc<Table>,
    lobby: Lobby<I>,
    graceful: GracefulShutdown,
    builder: Arc<auto::Builder<TokioExecutor>>,
    /// Connections dropped to make room whose slots have not come back yet
    /// (a dropped connection's task gives its slot back at once), and when
    /// the last was dropped.
    evicting: usize,
    evicted_at: tokio::time::Instant,
}

impl<I, R: Routes> Door<I, R>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    fn new(app: Arc<App>, routes: Arc<R>) -> Self {
        let limits = app.config().limits.clone();
        Door {
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            table: Table::new(limits.client_share(), Pace::new(&limits)),
            lobby: Lobby::new(lobby_size(&limits), limits.header_timeout),
            graceful: GracefulShutdown::new(),
            builder: Arc::new(builder()),
            evicting: 0,
            evicted_at: tokio::time::Instant::now(),
            app,
            routes,
            limits,
        }
    }

    /// Makes room for a connection of `key`'s client unless the slots of
    /// those already dropped will do (one slot per waiting connection).
    fn make_room_for(&mut self, key: Option<ClientKey>, waiting: usize) {
        if self.permits.available_permits() + self.evicting >= waiting {
            return;
        }
        if self.table.make_room_for(key) {
            self.evicting += 1;
            self.evicted_at = tokio::time::Instant::now();
        }
    }

    /// A newcomer: refused (its client at its share, all busy), served at
    /// once, or parked in the lobby. A client holding no slot gets room made
    /// at once if there is any to make; the others at the next tick.
    fn arrive(&mut self, io: I, info: ConnInfo) {
        tracing::debug!(peer = %info.peer, "connection accepted");
        let ip = info.peer.ip();
        let key = (!self.app.trusted_proxy(ip)).then(|| ClientKey::of(ip));
        if self.table.admit(key) == Admission::Refused {
            tracing::debug!(peer = %info.peer, "connection refused: its client holds its share, all busy");
            return;
        }
        if self.lobby.is_empty() {
            if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
                return self.start(io, info, key, permit);
            }
        }
        if key.is_none() || self.table.count(key) == 0 {
            self.make_room_for(key, self.lobby.len() + 1);
        }
        self.lobby.push(Waiting::new(io, info, key), &self.table);
    }

    /// A slot is free: the lobby's best gets it.
    fn seat(&mut self, permit: OwnedSemaphorePermit) {
        self.evicting = self.evicting.saturating_sub(1);
        if let Some(w) = self.lobby.take_best(&self.table) {
            self.start(w.io, w.info, w.key, permit);
        }
    }

    /// Closes connections that waited too long, and makes room for the
    /// lobby's best.
    fn tick(&mut self) {
        self.lobby.expire();
        if self.evicted_at.elapsed() > Duration::from_secs(1) {
            // Slots come back at once; these did otherwise (to the lobby).
            self.evicting = 0;
        }
        if let Some(key) = self.lobby.best_key(&self.table) {
            self.make_room_for(key, self.lobby.len());
        }
    }

    fn start(&self, io: I, info: ConnInfo, key: Option<ClientKey>, permit: OwnedSemaphorePermit) {
        let activity = Activity::new();
        let (ticket, dropped) = self.table.insert(key, Arc::clone(&activity));
        let conn = Conn {
            info,
            activity,
            ticket,
            dropped,
            permit,
        };
        serve(
            &self.builder,
            &self.graceful,
            (&self.app, &self.routes),
            &self.limits,
            io,
            conn,
        );
    }

    /// Stops admitting: the waiting connections are closed. What the drain
    /// needs: the connections to watch, and how long to give them.
    fn close(self) -> (GracefulShutdown, Duration) {
        (self.graceful, self.limits.shutdown_grace)
    }
}

/// Connections that may wait for a slot: a quarter of the slots, at least 4.
fn lobby_size(limits: &Limits) -> usize {
    (limits.max_connections / 4).max(4)
}

fn builder() -> auto::Builder<TokioExecutor> {
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
        // No keep-alive PINGs: dead peers are found by the idle timeout,
        // which PINGs (ours or the client's) do not restart (`frames`).
        .keep_alive_interval(None);
    builder
}

/// Settles the table's ledgers every [`Table::sweep_every`] (closing the
/// connections too far behind) until the table is gone: the accept loop has
/// ended and the last connection with it.
async fn sweep(table: Weak<Table>) {
    let Some(every) = table.upgrade().map(|t| t.sweep_every()) else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(t) = table.upgrade() else {
            return;
        };
        t.sweep();
    }
}

/// An admitted connection's bookkeeping: its place in the table, the signal
/// that it is to be dropped, and its slot.
struct Conn {
    info: ConnInfo,
    activity: Arc<Activity>,
    ticket: Ticket,
    dropped: oneshot::Receiver<()>,
    permit: OwnedSemaphorePermit,
}

/// Serves one connection on its own task until it ends or is dropped.
fn serve<I, R: Routes>(
    builder: &Arc<auto::Builder<TokioExecutor>>,
    graceful: &GracefulShutdown,
    (app, routes): (&Arc<App>, &Arc<R>),
    limits: &Limits,
    io: I,
    c: Conn,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (app, act, info) = (Arc::clone(app), Arc::clone(&c.activity), c.info);
    let routes = Arc::clone(routes);
    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let guard = act.begin_request();
        let req = req.map(|b| Watched::new(b, Arc::clone(&act)));
        let app = Arc::clone(&app);
        let routes = Arc::clone(&routes);
        async move {
            let resp = routes.route(&app, req, info).await;
            Ok::<_, std::convert::Infallible>(resp.map(|b| Tracked::new(b, guard)))
        }
    });
    let io = IdleTimeout::new(io, limits.idle_timeout, limits.header_timeout, c.activity);
    let conn = builder
        .serve_connection_with_upgrades(TokioIo::new(io), svc)
        .into_owned();
    let conn = graceful.watch(conn);
    let (ticket, dropped, permit) = (c.ticket, c.dropped, c.permit);
    tokio::spawn(async move {
        tokio::select! {
            biased;
            r = conn => if let Err(e) = r {
                tracing::debug!(error = %e, peer = %info.peer, "connection ended with an error");
            },
            _ = dropped => tracing::debug!(peer = %info.peer, "connection dropped to make room"),
        }
        drop(ticket);
        drop(permit);
    });
}
