//! `serve --listen ADDR`: plain HTTP on a TCP address, for a reverse proxy
//! or tunnel in front.

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs as _};
use std::path::Path;
use std::sync::Arc;

use super::serve::{
    PreBound, ServeArgs, flush_link_uses, multi_thread_runtime, open_app, parse_public_url,
    print_console_values, purge_loop, serve_config,
};
use super::{Failure, LOG_TARGET, shutdown_signal};

/// Serves on `listen` until SIGINT or SIGTERM.
pub(super) fn serve_listen(
    dir: &Path,
    args: ServeArgs,
    listen: &str,
    pages: PreBound,
) -> Result<(), Failure> {
    let addr: SocketAddr = listen
        .to_socket_addrs()
        .map_err(|e| Failure::usage(format!("--listen {listen:?}: {e}")))?
        .next()
        .ok_or_else(|| Failure::usage(format!("--listen {listen:?} resolves to no address")))?;
    // A given public URL is checked before anything binds.
    let public_url = args
        .public_url
        .as_deref()
        .map(parse_public_url)
        .transpose()?;
    let rt = multi_thread_runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::runtime(format!("cannot listen on {addr}: {e}")))?;
        let local = listener.local_addr()?;
        let issuer = public_url.unwrap_or_else(|| local_issuer(local));
        if !issuer.starts_with("https://") {
            tracing::warn!(
                target: LOG_TARGET,
                issuer,
                "the public URL is not https: Alexa will refuse it. Pass --public-url https://… when serving behind a proxy"
            );
        }
        let mut config = serve_config(issuer, &args)?;
        config.trusted_proxies = args.trusted_proxies.clone();
        let app = open_app(config, dir, &args).await?;
        let issuer = app.config().issuer.clone();
        let app = Arc::new(app);
        tracing::info!(target: LOG_TARGET, %local, %issuer, data_dir = %dir.display(), "serving");
        println!(
            "ma-alexa-oauth {} listening on http://{local}",
            env!("CARGO_PKG_VERSION")
        );
        for line in super::serve_admin::describe(&pages) {
            println!("{line}");
        }
        print_console_values(&issuer);
        args.extras.ready(&app);
        let _ = std::io::stdout().flush();
        let purger = tokio::spawn(purge_loop(Arc::clone(&app)));
        let (stop, _) = tokio::sync::watch::channel(false);
        let page_tasks = pages.spawn(&app, &stop);
        crate::server::run(listener, Arc::clone(&app), shutdown_signal()).await;
        stop.send_replace(true);
        for t in page_tasks {
            let _ = t.await;
        }
        purger.abort();
        flush_link_uses(&app).await;
        Ok(())
    })
}

/// The issuer without `--public-url`: the address actually bound (port 0
/// becomes the port the kernel chose), `localhost` for a wildcard address.
fn local_issuer(local: SocketAddr) -> String {
    if local.ip().is_unspecified() {
        format!("http://localhost:{}", local.port())
    } else {
        format!("http://{local}")
    }
}
