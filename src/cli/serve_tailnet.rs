//! `serve` without --listen: joins the tailnet as an embedded Tailscale
//! node, serves on Funnel port 443, and keeps the node's state in /health
//! and in the snapshot `status` reads. Only with the `tailnet` feature.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;

use super::serve::{
    PreBound, ServeArgs, flush_link_uses, multi_thread_runtime, open_app, print_console_values,
    purge_loop, serve_config,
};
use super::{Failure, LOG_TARGET, Signals, TAILNET_DIR, TAILNET_SNAPSHOT};
use crate::app::App;
use crate::tailnet::{self, NodeBuilder};
use crate::util;

/// What to do when the tailnet does not allow Funnel for this node.
const FUNNEL_ADVICE: &str = "In the tailnet's access controls, turn on HTTPS certificates and give this node \
the \"funnel\" node attribute (nodeAttrs: {\"target\": [...], \"attr\": [\"funnel\"]}), then start `serve` again.";

/// Tailnet mode's guarantee that nothing listens on the host: whether the
/// seccomp filter holds, and the sockets the fallback sweep must spare (the
/// admin page's, bound before the filter).
#[derive(Debug, Clone)]
struct HostGuard {
    listen_denied: bool,
    keep: Arc<Vec<u64>>,
}

impl HostGuard {
    /// Where the filter does not hold: stop any host TCP listener but ours.
    fn sweep(&self) {
        if !self.listen_denied {
            guard_host_listeners(&self.keep);
        }
    }
}

/// `serve` without --listen: joins the tailnet and serves on Funnel port 443
/// (and the admin page on its own, already bound, sockets).
pub(super) fn serve_tailnet(dir: &Path, args: ServeArgs, pages: PreBound) -> Result<(), Failure> {
    if args.public_url.is_some() {
        return Err(Failure::usage(
            "--public-url goes with --listen. In tailnet mode the public URL is the node's name \
             (https://HOSTNAME.<tailnet>.ts.net); choose HOSTNAME with --hostname",
        ));
    }
    crate::files::ensure_data_dir(dir).map_err(|e| Failure::runtime(e.to_string()))?;
    // Tailnet mode serves on Funnel only: nothing in this process may listen
    // on the host network (tsnet would open a kernel PeerAPI listener on
    // 0.0.0.0). If the kernel refuses the filter, the sweep below still stops
    // such listeners as soon as they appear.
    let filtered = match tailnet::deny_host_listeners() {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(target: LOG_TARGET, error = %e, "cannot forbid listening sockets (seccomp); stopping them when they appear instead");
            false
        }
    };
    let guard = HostGuard {
        listen_denied: filtered,
        keep: Arc::new(pages.inodes()),
    };
    for line in super::serve_admin::describe(&pages) {
        println!("{line}");
    }
    let state_dir = dir.join(TAILNET_DIR);
    let builder = NodeBuilder::new(&state_dir)
        .hostname(args.hostname.clone())
        .control_url(args.control_url.clone())
        .authkey_from(args.authkey_file.as_deref())?;
    let builder = match args.extras.authkey.clone() {
        Some(k) => builder.authkey(Some(k)),
        None => builder,
    };
    let rt = multi_thread_runtime()?;
    rt.block_on(async move {
        let mut signals = Signals::new()
            .map_err(|e| Failure::runtime(format!("cannot install signal handlers: {e}")))?;
        let node = builder.build()?;
        let result = serve_on_node(dir, &args, &node, &mut signals, (guard, pages)).await;
        // Clean shutdown of the node on every path (signal, error, done).
        node.close().await;
        result
    })
}

/// The supervision of the node, once built: join, check Funnel, open the
/// app, obtain the certificate, listen on Funnel 443, announce, then serve
/// until a signal or the node closes the listener.
async fn serve_on_node(
    dir: &Path,
    args: &ServeArgs,
    node: &tailnet::Node,
    signals: &mut Signals,
    (guard, pages): (HostGuard, PreBound),
) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    join_tailnet(args, node, signals).await?;
    guard.sweep();
    let (st, issuer) = funnel_issuer(node).await?;
    let config = serve_config(issuer.clone(), args)?;
    if !args.trusted_proxies.is_empty() {
        tracing::warn!(
            target: LOG_TARGET,
            "--trusted-proxy is ignored in tailnet mode: Funnel gives the client's own address"
        );
    }
    let app = Arc::new(open_app(config, dir, args).await?);
    let (stop, _) = tokio::sync::watch::channel(false);
    let (tailnet_page, addon) = (pages.tailnet_port, pages.addon());
    let mut page_tasks = pages.spawn(&app, &stop);
    if let Some(port) = tailnet_page {
        let name = st.dns_name.trim_end_matches('.');
        match super::serve_admin::spawn_on_tailnet(node, port, &app, addon, &stop).await {
            Ok(t) => {
                page_tasks.push(t);
                println!(
                    "admin page listening on your tailnet at http://{name}:{port} (sign in with the admin password)"
                );
            }
            Err(e) => {
                stop.send_replace(true);
                return Err(e);
            }
        }
    }
    let listener = listen_on_funnel(node, signals).await;
    guard.sweep();
    let listener = match listener {
        Ok(l) => l,
        Err(e) => {
            stop.send_replace(true);
            return Err(e);
        }
    };
    let st = node.status().await.unwrap_or(st);
    publish_tailnet_state(node.dir(), &st);
    let hint = (!args.extras.has_ready_hook()).then(|| {
        let add = "client add alexa --vendor-id ID";
        args.extras
            .invocation
            .as_ref()
            .map_or_else(|| format!("`ma-alexa-oauth {add}`"), |i| i.quoted(add))
    });
    announce(&st, &issuer, started.elapsed(), hint.as_deref());
    args.extras.ready(&app);
    serve_until_stopped(app, node, listener, signals, guard).await;
    stop.send_replace(true);
    for t in page_tasks {
        let _ = t.await;
    }
    Ok(())
}

/// Brings the node up (printing the login URL when it needs one), unless a
/// signal comes first.
async fn join_tailnet(
    args: &ServeArgs,
    node: &tailnet::Node,
    signals: &mut Signals,
) -> Result<(), Failure> {
    let state_dir = node.dir();
    eprintln!(
        "joining the tailnet as {:?} (node state in {}, node logs in {})",
        args.hostname,
        state_dir.display(),
        state_dir.join(tailnet::LOG_FILE).display()
    );
    tracing::info!(target: LOG_TARGET, hostname = %args.hostname, control_url = args.control_url.as_deref().unwrap_or("(Tailscale)"), "joining the tailnet");
    let up = node.up(|url| {
        eprintln!("To add this server to your tailnet, open this URL and log in: {url}");
        tracing::warn!(target: LOG_TARGET, %url, "waiting for login to the tailnet");
    });
    tokio::select! {
        r = up => r?,
        _ = signals.recv() => return Err(Failure::runtime("stopped while joining the tailnet")),
    }
    Ok(())
}

/// The joined node's status and the issuer it gives (its MagicDNS name);
/// fails when the tailnet does not permit Funnel or has no MagicDNS.
async fn funnel_issuer(node: &tailnet::Node) -> Result<(tailnet::Status, String), Failure> {
    let st = node.status().await?;
    tracing::info!(target: LOG_TARGET, dns_name = %st.dns_name, ips = ?st.tailscale_ips, "joined the tailnet");
    if !st.funnel.permitted {
        return Err(funnel_not_permitted(&st.funnel.reason));
    }
    let Some(issuer) = st.public_url() else {
        return Err(Failure::runtime(
            "the node has no MagicDNS name; turn on MagicDNS and HTTPS certificates for the tailnet",
        ));
    };
    Ok((st, issuer))
}

fn funnel_not_permitted(reason: &str) -> Failure {
    Failure::runtime(format!(
        "Funnel is not permitted for this node: {}. {FUNNEL_ADVICE}",
        reason.trim_end_matches('.')
    ))
}

/// Obtains the certificate, then listens on Funnel port 443. The certificate
/// comes before the URL is announced, so the first client (Alexa) does not
/// wait for ACME.
async fn listen_on_funnel(
    node: &tailnet::Node,
    signals: &mut Signals,
) -> Result<tailnet::FunnelListener, Failure> {
    tokio::select! {
        r = node.fetch_cert(std::time::Duration::from_secs(120)) => r?,
        _ = signals.recv() => return Err(Failure::runtime("stopped while obtaining the certificate")),
    }
    match node.listen_funnel(443).await {
        Ok(l) => Ok(l),
        Err(tailnet::Error::FunnelNotPermitted { reason }) => Err(funnel_not_permitted(&reason)),
        Err(e) => Err(e.into()),
    }
}

/// Logs and prints that the server is ready, with the console values.
fn announce(st: &tailnet::Status, issuer: &str, ready: std::time::Duration, hint: Option<&str>) {
    tracing::info!(target: LOG_TARGET, %issuer, ready_ms = ready.as_millis() as u64, "serving on Tailscale Funnel");
    println!(
        "ma-alexa-oauth {} serving on Tailscale Funnel at {issuer}",
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "  tailnet node:          {} ({})",
        st.dns_name,
        st.tailscale_ips.join(", ")
    );
    print_console_values(issuer);
    if let Some(cmd) = hint {
        println!("  (register the skill with {cmd} for the other values)");
    }
    println!("funnel ready in {} ms: {issuer}", ready.as_millis());
    let _ = std::io::stdout().flush();
}

/// Serves on the Funnel listener until a signal or until the node closes the
/// listener, with the background tasks (node status refresh, purging, the
/// host-listener sweep); then records the last link uses.
async fn serve_until_stopped(
    app: Arc<App>,
    node: &tailnet::Node,
    listener: tailnet::FunnelListener,
    signals: &mut Signals,
    host: HostGuard,
) {
    let refresher = tokio::spawn(refresh_tailnet_state(node.clone(), node.dir().to_owned()));
    let purger = tokio::spawn(purge_loop(Arc::clone(&app)));
    let guard = tokio::spawn(sweep_host_listeners(host));
    let closed = listener.closed();
    let shutdown = async {
        tokio::select! {
            _ = signals.recv() => {}
            _ = closed => tracing::error!(target: LOG_TARGET, "the node closed the Funnel listener; stopping"),
        }
    };
    crate::server::run(listener, Arc::clone(&app), shutdown).await;
    refresher.abort();
    purger.abort();
    guard.abort();
    flush_link_uses(&app).await;
    tracing::info!(target: LOG_TARGET, "stopping the tailnet node");
}

/// [`guard_host_listeners`] every 2 s, unless the seccomp filter forbids
/// listening: tsnet re-creates its PeerAPI listener when the node's
/// addresses change.
async fn sweep_host_listeners(host: HostGuard) {
    if host.listen_denied {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tick.tick().await;
        host.sweep();
    }
}

/// Fallback where the seccomp filter could not be installed: stop any TCP
/// listener on the host network (tsnet opens one for its PeerAPI; see
/// `tailnet::shut_host_tcp_listeners`), except the sockets in `keep` (the
/// admin page's).
fn guard_host_listeners(keep: &[u64]) {
    for port in tailnet::shut_host_tcp_listeners(keep) {
        tracing::info!(
            target: LOG_TARGET,
            port,
            "stopped the node's host-network TCP listener (its PeerAPI is served through the userspace network stack)"
        );
    }
}

/// The `/health` view of the node.
fn tailnet_health(st: &tailnet::Status) -> serde_json::Value {
    json!({
        "state": st.backend_state,
        "dns_name": st.dns_name,
        "public_url": st.public_url(),
        "tailscale_ips": st.tailscale_ips,
        "https_enabled": st.https_enabled,
        "funnel": {
            "port": st.funnel.port,
            "permitted": st.funnel.permitted,
            "reason": st.funnel.reason,
            "listening": st.funnel.listeners > 0,
        },
        "health": st.health,
    })
}

/// Writes the status snapshot `status` reads (never published in /health).
fn publish_tailnet_state(state_dir: &Path, st: &tailnet::Status) {
    let v = tailnet_health(st);
    let snap = json!({ "updated_at": util::now(), "pid": std::process::id(), "tailnet": v });
    let path = state_dir.join(TAILNET_SNAPSHOT);
    if let Err(e) = crate::files::write_private(&path, snap.to_string().as_bytes()) {
        tracing::debug!(target: LOG_TARGET, error = %e, path = %path.display(), "cannot write the tailnet status snapshot");
    }
}

async fn refresh_tailnet_state(node: tailnet::Node, state_dir: PathBuf) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    tick.tick().await;
    loop {
        tick.tick().await;
        match node.status().await {
            Ok(st) => publish_tailnet_state(&state_dir, &st),
            // `status` shows the last good snapshot with its time.
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, error = %e, "cannot read the tailnet status");
            }
        }
    }
}
