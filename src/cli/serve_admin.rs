//! `serve`'s admin page: `--ingress-listen` (Home Assistant's ingress; the
//! add-on sets it) and `--admin-listen` (loopback or Tailscale, behind the
//! admin password). Their sockets are bound and listening before anything
//! else starts (tailnet mode then forbids listen(2) to the whole process,
//! and its fallback sweep spares exactly these sockets); the pages are
//! served once the app is open, until `serve` stops.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs as _};
use std::path::Path;
use std::sync::Arc;

use clap::Args;

use super::{Failure, LOG_TARGET, open};
use crate::admin::{self, Admin, Gate, PASSWORD_META, SUPERVISOR_PROXY};
use crate::app::App;
use crate::store;

#[derive(Debug, Args)]
pub(super) struct AdminArgs {
    /// Serve the admin page (the console values, the interaction model, the
    /// skill id, linked accounts) on this address, behind the password set
    /// with `admin password`: loopback (e.g. 127.0.0.1:8081), a Tailscale
    /// address of this machine, or in tailnet mode `tailnet:PORT` (the
    /// embedded node's tailnet address: your tailnet's devices, never Funnel).
    #[arg(long, env = "MA_ALEXA_ADMIN_LISTEN", value_name = "ADDR")]
    pub(super) admin_listen: Option<String>,

    /// Serve the admin page to Home Assistant's ingress proxy on this
    /// address (the add-on sets 0.0.0.0:8099): connections from any other
    /// address than --ingress-proxy are closed.
    #[arg(long, env = "MA_ALEXA_INGRESS_LISTEN", value_name = "ADDR")]
    pub(super) ingress_listen: Option<String>,

    /// The ingress proxy's address (Home Assistant's Supervisor on its
    /// hassio network).
    #[arg(long, env = "MA_ALEXA_INGRESS_PROXY", default_value_t = SUPERVISOR_PROXY, value_name = "IP")]
    pub(super) ingress_proxy: IpAddr,
}

/// The admin page's sockets, bound and listening (std sockets: no runtime
/// exists yet).
#[derive(Debug, Default)]
pub(super) struct PreBound {
    pages: Vec<(std::net::TcpListener, Gate)>,
    addon: bool,
    /// `--admin-listen tailnet:PORT`: the page on the node's tailnet address
    /// (listened on through the node once it is up, not on the host).
    #[cfg_attr(not(feature = "tailnet"), allow(dead_code))]
    pub(super) tailnet_port: Option<u16>,
}

impl PreBound {
    /// The inodes of these sockets (tailnet mode's sweep spares them).
    #[cfg_attr(not(feature = "tailnet"), allow(dead_code))]
    pub(super) fn inodes(&self) -> Vec<u64> {
        use std::os::fd::AsRawFd as _;
        use std::os::unix::fs::MetadataExt as _;
        self.pages
            .iter()
            .filter_map(|(l, _)| {
                std::fs::metadata(format!("/proc/self/fd/{}", l.as_raw_fd()))
                    .ok()
                    .map(|m| m.ino())
            })
            .collect()
    }

    /// Serves each page on the runtime until `stop` turns true.
    pub(super) fn spawn(
        self,
        app: &Arc<App>,
        stop: &tokio::sync::watch::Sender<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        for (l, gate) in self.pages {
            let listener = match l
                .set_nonblocking(true)
                .and_then(|()| tokio::net::TcpListener::from_std(l))
            {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!(target: LOG_TARGET, error = %e, "cannot serve the admin page");
                    continue;
                }
            };
            let mut rx = stop.subscribe();
            let shutdown = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            let admin = Admin::new(gate, self.addon);
            tasks.push(tokio::spawn(admin::run(
                listener,
                Arc::clone(app),
                admin,
                shutdown,
            )));
        }
        tasks
    }
}

fn resolve(flag: &str, addr: &str) -> Result<SocketAddr, Failure> {
    addr.to_socket_addrs()
        .map_err(|e| Failure::usage(format!("{flag} {addr:?}: {e}")))?
        .next()
        .ok_or_else(|| Failure::usage(format!("{flag} {addr:?} resolves to no address")))
}

/// `tailnet:PORT`'s port, if `addr` has that form.
fn tailnet_port(addr: &str) -> Option<Result<u16, Failure>> {
    let port = addr.strip_prefix("tailnet:")?;
    Some(port.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
        Failure::usage(format!(
            "--admin-listen {addr:?}: tailnet:PORT takes a port from 1 to 65535"
        ))
    }))
}

/// Checks the admin options and binds their sockets (before any other
/// work of `serve`), printing where each page is. `tailnet_mode`: serve
/// joins a tailnet (no --listen).
pub(super) fn bind_pages(
    dir: &Path,
    a: &AdminArgs,
    addon: bool,
    tailnet_mode: bool,
) -> Result<PreBound, Failure> {
    let mut wanted = Vec::new();
    let mut on_tailnet = None;
    if let Some(addr) = &a.admin_listen {
        match tailnet_port(addr) {
            Some(port) => {
                if !tailnet_mode {
                    return Err(Failure::usage(
                        "--admin-listen tailnet:PORT is for tailnet mode (serve without --listen); \
                         with --listen give a loopback or Tailscale address",
                    ));
                }
                on_tailnet = Some(port?);
            }
            None => {
                let sa = resolve("--admin-listen", addr)?;
                admin::check_admin_listen(sa).map_err(Failure::usage)?;
                wanted.push(("--admin-listen", sa, Gate::Login));
            }
        }
        let set = open(dir)?
            .with(|c| store::get_meta(c, PASSWORD_META))?
            .is_some_and(|p| !p.is_empty());
        if !set {
            return Err(Failure::usage(format!(
                "--admin-listen needs an admin password: set one first with `{}`",
                super::invocation::Invocation::new(dir).cmd("admin password")
            )));
        }
    }
    if let Some(addr) = &a.ingress_listen {
        let sa = resolve("--ingress-listen", addr)?;
        let proxy = crate::config::canonical(a.ingress_proxy);
        wanted.push(("--ingress-listen", sa, Gate::Ingress { proxy }));
    }
    let mut pages = Vec::new();
    for (flag, sa, gate) in wanted {
        let l = std::net::TcpListener::bind(sa)
            .map_err(|e| Failure::runtime(format!("{flag}: cannot listen on {sa}: {e}")))?;
        let local = l.local_addr()?;
        match gate {
            Gate::Login => {
                tracing::info!(target: LOG_TARGET, %local, "admin page (sign in with the admin password)")
            }
            Gate::Ingress { proxy } => {
                tracing::info!(target: LOG_TARGET, %local, %proxy, "admin page for Home Assistant's ingress")
            }
        }
        pages.push((l, gate));
    }
    Ok(PreBound {
        pages,
        addon,
        tailnet_port: on_tailnet,
    })
}

/// Serves the page on the embedded node's tailnet address `:port` (never
/// Funnel: a tailnet listener takes tailnet connections only), behind the
/// admin password; returns the task, or None after logging why not.
#[cfg(feature = "tailnet")]
pub(super) async fn spawn_on_tailnet(
    node: &crate::tailnet::Node,
    port: u16,
    app: &Arc<App>,
    addon: bool,
    stop: &tokio::sync::watch::Sender<bool>,
) -> Result<tokio::task::JoinHandle<()>, Failure> {
    let listener = node
        .listen("tcp", &format!(":{port}"))
        .await
        .map_err(|e| Failure::runtime(format!("--admin-listen tailnet:{port}: {e}")))?;
    let mut rx = stop.subscribe();
    let shutdown = async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let admin = Admin::new(Gate::Login, addon);
    Ok(tokio::spawn(admin::run(
        listener,
        Arc::clone(app),
        admin,
        shutdown,
    )))
}

impl PreBound {
    /// Whether this is the add-on.
    #[cfg_attr(not(feature = "tailnet"), allow(dead_code))]
    pub(super) fn addon(&self) -> bool {
        self.addon
    }
}

/// The lines `serve` prints for its pages (after its own first line).
pub(super) fn describe(p: &PreBound) -> Vec<String> {
    p.pages
        .iter()
        .filter_map(|(l, gate)| {
            let local = l.local_addr().ok()?;
            Some(match gate {
                Gate::Login => format!(
                    "admin page listening on http://{local} (sign in with the admin password)"
                ),
                Gate::Ingress { proxy } => format!(
                    "admin page listening on http://{local} for Home Assistant's ingress (from {proxy} only)"
                ),
            })
        })
        .collect()
}
