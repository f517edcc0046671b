//! `serve`: its options, and what the two transports share (the issuer's
//! checks, Music Assistant settings, the identity record, background purging,
//! the console values printed at start-up, the last writes at shutdown).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::invocation::Invocation;
use super::provider::ProviderServeArgs;
pub(super) use super::serve_admin::PreBound;
use super::serve_admin::{AdminArgs, bind_pages};
use super::serve_listen::serve_listen;
#[cfg(feature = "tailnet")]
use super::serve_tailnet::serve_tailnet;
use super::skill::{SkillServeArgs, skill_setup};
use super::{Failure, LOG_TARGET, PUBLIC_URL_META};
use crate::app::App;
use crate::config::{Cidr, Config};
use crate::oauth::metadata;
use crate::store;
use crate::tailnet;

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Serve plain HTTP on this address (for a reverse proxy or tunnel), e.g. 127.0.0.1:8080.
    /// Without it, `serve` joins your tailnet and serves on Tailscale Funnel.
    #[arg(long, env = "MA_ALEXA_LISTEN", value_name = "ADDR")]
    pub(super) listen: Option<String>,

    /// The public base URL users and Alexa reach (the issuer), e.g. https://auth.example.com.
    /// Only with --listen: in tailnet mode it is the node's name.
    #[arg(long, env = "MA_ALEXA_PUBLIC_URL", value_name = "URL")]
    pub(super) public_url: Option<String>,

    /// Tailnet mode: the control server (default: Tailscale's). For Headscale,
    /// or the offline lab (scripts/tailnet-lab).
    #[arg(long, env = "TS_CONTROL_URL", value_name = "URL")]
    pub(super) control_url: Option<String>,

    /// Tailnet mode: the node's hostname; the public URL becomes https://HOSTNAME.<tailnet>.ts.net.
    #[arg(long, env = "MA_ALEXA_HOSTNAME", default_value = tailnet::DEFAULT_HOSTNAME, value_name = "NAME")]
    pub(super) hostname: String,

    /// Tailnet mode: read the auth key from this file (default: env TS_AUTHKEY;
    /// without either, `serve` prints a login URL). Used only on the first start.
    #[arg(long, value_name = "FILE")]
    pub(super) authkey_file: Option<PathBuf>,

    /// Believe X-Forwarded-For from these proxies (IP or CIDR; repeatable or comma-separated).
    #[arg(
        long = "trusted-proxy",
        env = "MA_ALEXA_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub(super) trusted_proxies: Vec<Cidr>,

    /// Access token lifetime in seconds (60 to 86400).
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(i64).range(60..=86400), value_name = "SECS")]
    pub(super) access_token_ttl: i64,

    /// Connections served at once.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=65536), value_name = "N")]
    pub(super) max_connections: u32,

    /// Connections one client address (an IPv6 /64) may hold at once; a
    /// client over it loses its own least useful connection. Default: an
    /// eighth of --max-connections, at least 4. Trusted proxies have no share.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=65536), value_name = "N")]
    pub(super) max_connections_per_client: Option<u32>,

    /// Music Assistant's URL on your network, e.g. http://homeassistant.local:8095.
    /// With it, people sign in with their Music Assistant accounts (local accounts
    /// are not used) and /ma/api forwards commands to it.
    #[arg(long, env = "MA_URL", value_name = "URL")]
    pub(super) music_assistant_url: Option<String>,

    /// Time allowed for each call to Music Assistant, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60), value_name = "SECS")]
    pub(super) music_assistant_timeout: u64,

    #[command(flatten)]
    pub(super) skill: SkillServeArgs,

    #[command(flatten)]
    pub(super) admin: AdminArgs,

    #[command(flatten)]
    pub(super) provider: ProviderServeArgs,
    /// What `addon` adds (not command-line options).
    #[arg(skip)]
    pub(super) extras: ServeExtras,
}

/// Run once the server is ready, with the issuer known (the Funnel name in
/// tailnet mode): `addon` prints the Alexa console values then.
pub(super) type ReadyHook = Box<dyn FnOnce(&App) + Send>;

/// What `addon` passes to `serve` besides its options: the auth key from
/// the add-on's options (never from the command line) and the ready hook.
#[derive(Default)]
pub(super) struct ServeExtras {
    pub(super) authkey: Option<String>,
    pub(super) on_ready: std::sync::Mutex<Option<ReadyHook>>,
    /// Run by `addon`: the page says so (the add-on's options, no shell).
    pub(super) addon: bool,
    /// How the running program is invoked (for printed commands).
    pub(super) invocation: Option<Invocation>,
}

impl ServeExtras {
    /// Whether a ready hook will print the console values (then `serve`
    /// does not point at `client add`).
    #[cfg_attr(not(feature = "tailnet"), allow(dead_code))]
    pub(super) fn has_ready_hook(&self) -> bool {
        self.on_ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Runs the ready hook, once.
    pub(super) fn ready(&self, app: &App) {
        let hook = self
            .on_ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(h) = hook {
            h(app);
        }
    }
}

impl std::fmt::Debug for ServeExtras {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeExtras")
            .field("authkey", &self.authkey.as_ref().map(|_| "(hidden)"))
            .finish_non_exhaustive()
    }
}

/// `serve`: with --listen on TCP (`serve_listen.rs`), otherwise on the
/// tailnet (`serve_tailnet.rs`). The admin page's listeners are bound here,
/// first: tailnet mode forbids listening once its filter is in place.
pub(super) fn serve(inv: &Invocation, mut args: ServeArgs) -> Result<(), Failure> {
    let dir = inv.dir().to_owned();
    args.extras.invocation = Some(inv.clone());
    // The skill options are checked before a node joins (a bad one must not
    // spend a one-off auth key) or a port is bound; open_app checks them again.
    skill_setup(&args.skill)?;
    let pages = bind_pages(&dir, &args.admin, args.extras.addon, args.listen.is_none())?;
    let Some(listen) = args.listen.clone() else {
        #[cfg(feature = "tailnet")]
        return serve_tailnet(&dir, args, pages);
        #[cfg(not(feature = "tailnet"))]
        return Err(Failure::usage(
            "this build has no tailnet support (built without the `tailnet` feature): \
             serve needs --listen ADDR",
        ));
    };
    serve_listen(&dir, args, &listen, pages)
}

/// Checks a public base URL: absolute http(s), no query or fragment.
pub fn parse_public_url(s: &str) -> Result<String, Failure> {
    let u = url::Url::parse(s).map_err(|e| Failure::usage(format!("--public-url {s:?}: {e}")))?;
    if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
        return Err(Failure::usage(format!(
            "--public-url {s:?} must be an http:// or https:// URL"
        )));
    }
    if u.query().is_some() || u.fragment().is_some() || !u.username().is_empty() {
        return Err(Failure::usage(format!(
            "--public-url {s:?} must not have a query, fragment or user name"
        )));
    }
    Ok(s.trim_end_matches('/').to_owned())
}

/// The configuration both transports build from the serve options (the
/// --listen transport adds the trusted proxies).
pub(super) fn serve_config(issuer: String, args: &ServeArgs) -> Result<Config, Failure> {
    let mut config = Config::new(issuer);
    config.access_token_ttl = args.access_token_ttl;
    config.limits.max_connections = args.max_connections as usize;
    config.limits.max_connections_per_client = args.max_connections_per_client.map(|n| n as usize);
    apply_music_assistant(&mut config, args)?;
    Ok(config)
}

fn apply_music_assistant(config: &mut Config, args: &ServeArgs) -> Result<(), Failure> {
    if let Some(url) = &args.music_assistant_url {
        let url = crate::ma::client::parse_base_url(url)
            .map_err(|e| Failure::usage(format!("--music-assistant-url: {e}")))?;
        config.music_assistant_url = Some(url);
    }
    config.upstream_timeout = std::time::Duration::from_secs(args.music_assistant_timeout);
    config.echo.stream_hosts = args.provider.stream_hosts.clone();
    Ok(())
}

/// Opens the app and records what `status`, `client add` and `links revoke`
/// read back: the identity source and the public URL (the issuer); sets
/// up the skill's verifier and ids from the skill options.
pub(super) async fn open_app(config: Config, dir: &Path, args: &ServeArgs) -> Result<App, Failure> {
    let (verifier, skill_ids) = skill_setup(&args.skill)?;
    let app = App::open(config, dir)
        .map_err(|e| Failure::runtime(e.to_string()))?
        .with_skill_verifier(verifier)
        .with_skill_ids(skill_ids);
    record_identity(&app).await?;
    ensure_provider_password(&app).await?;
    let issuer = app.config().issuer.clone();
    app.store()
        .call(move |c| store::set_meta(c, PUBLIC_URL_META, &issuer))
        .await?;
    Ok(app)
}

/// Records which identity source `serve` uses, for `status` and `links revoke`
/// (an empty URL means local accounts).
async fn record_identity(app: &App) -> Result<(), Failure> {
    let url = app
        .ma()
        .map(|m| m.client().base_url().to_owned())
        .unwrap_or_default();
    if !url.is_empty() {
        tracing::info!(target: LOG_TARGET, url, "identity: Music Assistant accounts");
    }
    app.store()
        .call(move |c| store::set_meta(c, crate::ma::URL_META, &url))
        .await?;
    Ok(())
}

/// With Music Assistant configured, makes the provider API's password if
/// there is none yet (so `provider show` and the add-on's page have it).
async fn ensure_provider_password(app: &App) -> Result<(), Failure> {
    if !app.echo().enabled() {
        return Ok(());
    }
    let (dir, st) = (app.data_dir().to_owned(), app.store().clone());
    tokio::task::spawn_blocking(move || {
        use crate::echo::credentials::{Sealer, ensure};
        Sealer::open(&dir).and_then(|s| ensure(&st, &s)).map(|_| ())
    })
    .await?
    .map_err(|e| Failure::runtime(e.to_string()))
}

/// The runtime `serve` runs on.
pub(super) fn multi_thread_runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the runtime: {e}")))
}

/// Writes the link uses still in memory (graceful shutdown).
pub(super) async fn flush_link_uses(app: &App) {
    match app.store().flush_uses().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(target: LOG_TARGET, links = n, "recorded the last use of links"),
        Err(e) => {
            tracing::warn!(target: LOG_TARGET, error = %e, "could not record the last use of links")
        }
    }
}

pub(super) async fn purge_loop(app: Arc<App>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app.purge().await {
            tracing::warn!(target: LOG_TARGET, error = %e, "purging expired codes failed");
        }
    }
}

/// The public URL and the two account linking URIs, when Alexa can use
/// them (HTTPS on port 443); otherwise one line saying why none are shown.
pub(super) fn print_console_values(issuer: &str) {
    use crate::console::labels;
    println!("  issuer:                {issuer}");
    if let Some(why) = crate::console::alexa_url_problem(issuer) {
        println!(
            "  no console values: {why}. For trials on this machine only; for Alexa, serve behind your \
             HTTPS proxy with --public-url https://HOST (or in tailnet mode)"
        );
        return;
    }
    println!(
        "  {}: {issuer}{}",
        labels::AUTHORIZATION_URI,
        metadata::AUTHORIZE_PATH
    );
    println!(
        "  {}:           {issuer}{}",
        labels::TOKEN_URI,
        metadata::TOKEN_PATH
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_checks() {
        assert_eq!(
            parse_public_url("https://a.example/").unwrap(),
            "https://a.example"
        );
        assert!(parse_public_url("ftp://a.example").is_err());
        assert!(parse_public_url("https://a.example/?x=1").is_err());
        assert!(parse_public_url("not a url").is_err());
    }
}
