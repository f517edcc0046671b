//! The add-on's page on a listener of its own (the HTTP edge of
//! [`crate::handlers::admin`]): never the public router, never Funnel.
//!
//! Two gates, one per way of reaching it:
//! - **Home Assistant's ingress** ([`Gate::Ingress`]): Home Assistant signs
//!   the person in and its Supervisor proxies `/api/hassio_ingress/TOKEN/…`
//!   to this listener from its own address on the hassio network
//!   (172.30.32.2: the network's third address, supervisor
//!   `docker/network.py`), with `X-Ingress-Path` (set by Home Assistant
//!   Core's ingress view), `X-Remote-User-*` (set by the Supervisor, which
//!   drops any the browser sent) and `X-Forwarded-Host/-Proto`. Connections
//!   from any other address are closed unread; requests without a
//!   well-formed `X-Ingress-Path` are refused. Links, forms, redirects and
//!   cookies live under the ingress path; the page may be framed by its own
//!   origin only (Home Assistant shows it in an iframe of its own origin).
//! - **The admin login** ([`Gate::Login`], `serve --admin-listen`):
//!   loopback or a Tailscale address only ([`check_admin_listen`]), or in
//!   tailnet mode the embedded node's own tailnet address
//!   (`--admin-listen tailnet:PORT`: tailnet devices only, never Funnel);
//!   the admin password (`admin password`), a session cookie.
//!
//! Every POST needs the page's CSRF token and a same-origin request.
//! Nothing here adds HSTS: under ingress the origin is Home Assistant's.

mod routes;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::app::App;
use crate::config::Cidr;
use crate::handlers::admin::session::Sessions;
use crate::listener::{ConnInfo, Listener};

pub use crate::handlers::admin::login::PASSWORD_META;

/// The Supervisor's address on the hassio network (`172.30.32.0/23`, its
/// third address), the only peer of the ingress listener by default.
pub const SUPERVISOR_PROXY: IpAddr = IpAddr::V4(Ipv4Addr::new(172, 30, 32, 2));
/// The ingress port Home Assistant's Supervisor connects to by default
/// (`ingress_port` in config.yaml, default 8099).
pub const INGRESS_PORT: u16 = 8099;

/// Who may use the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Only through Home Assistant's ingress proxy at `proxy`.
    Ingress { proxy: IpAddr },
    /// `serve --admin-listen`: the admin password.
    Login,
}

/// The page's state: its gate, the login sessions, whether this is the
/// add-on, and where the tailnet node's snapshot is.
#[derive(Debug)]
pub struct Admin {
    gate: Gate,
    sessions: Sessions,
    addon: bool,
}

impl Admin {
    pub fn new(gate: Gate, addon: bool) -> Admin {
        Admin {
            gate,
            sessions: Sessions::default(),
            addon,
        }
    }
}

/// Serves the page on `listener` (TCP, or the embedded node's tailnet
/// listener) until `shutdown`.
pub async fn run<L: Listener>(
    listener: L,
    app: Arc<App>,
    admin: Admin,
    shutdown: impl Future<Output = ()>,
) {
    let routes = Arc::new(routes::AdminRoutes::new(admin));
    match routes.gate() {
        Gate::Ingress { proxy } => {
            let filtered = FromOnly {
                inner: listener,
                allowed: proxy,
                warned_at: AtomicI64::new(i64::MIN),
            };
            crate::server::run_routes(filtered, app, routes, shutdown).await;
        }
        Gate::Login => crate::server::run_routes(listener, app, routes, shutdown).await,
    }
}

/// Where `serve --admin-listen` may listen: loopback, or an address of
/// this machine's Tailscale interface (100.64.0.0/10, fd7a:115c:a1e0::/48),
/// never anything the LAN or the internet reaches. The reason otherwise,
/// in one line.
pub fn check_admin_listen(addr: SocketAddr) -> Result<(), String> {
    let ip = crate::config::canonical(addr.ip());
    let tailscale = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"]
        .iter()
        .filter_map(|c| c.parse::<Cidr>().ok())
        .any(|c| c.contains(ip));
    if ip.is_loopback() || tailscale {
        Ok(())
    } else {
        Err(format!(
            "--admin-listen {addr}: the admin page listens only on loopback (127.0.0.1, ::1) or a \
             Tailscale address (100.64.0.0/10, fd7a:115c:a1e0::/48), never on an address the \
             network or the internet reaches"
        ))
    }
}

/// A listener that closes, unread, every connection not from `allowed`
/// (the ingress proxy). Logs at most one warning a minute.
struct FromOnly<L> {
    inner: L,
    allowed: IpAddr,
    warned_at: AtomicI64,
}

impl<L: Listener> Listener for FromOnly<L> {
    type Io = L::Io;
    async fn accept(&mut self) -> std::io::Result<(Self::Io, ConnInfo)> {
        loop {
            let (io, info) = self.inner.accept().await?;
            let peer = crate::config::canonical(info.peer.ip());
            if peer == self.allowed {
                return Ok((io, info));
            }
            drop(io);
            let now = crate::util::now();
            let last = self.warned_at.load(Ordering::Relaxed);
            if now.saturating_sub(last) >= 60 {
                self.warned_at.store(now, Ordering::Relaxed);
                tracing::warn!(peer = %info.peer, proxy = %self.allowed, "the add-on's page refused a connection that did not come from Home Assistant's ingress proxy");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_listen_takes_loopback_and_tailscale_addresses_only() {
        for ok in [
            "127.0.0.1:8081",
            "[::1]:8081",
            "100.101.102.103:80",
            "[fd7a:115c:a1e0::1]:80",
            "127.9.9.9:1",
        ] {
            assert!(check_admin_listen(ok.parse().unwrap()).is_ok(), "{ok}");
        }
        for bad in [
            "0.0.0.0:8081",
            "192.168.1.2:8081",
            "[::]:8081",
            "10.0.0.1:80",
            "100.128.0.1:80",
            "8.8.8.8:80",
        ] {
            let e = check_admin_listen(bad.parse().unwrap()).unwrap_err();
            assert!(
                e.starts_with("--admin-listen") && !e.contains('\n'),
                "{bad}: {e}"
            );
        }
    }
}
