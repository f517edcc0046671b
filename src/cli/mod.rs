//! Command-line interface. Command and flag names are part of the contract.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::net::{SocketAddr, ToSocketAddrs as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::app::App;
use crate::config::{Cidr, Config};
use crate::identity::{self, password};
use crate::oauth::{self, client_auth, metadata};
use crate::store::{self, Client, ClientKind, Store};
use crate::tailnet;
#[cfg(feature = "tailnet")]
use crate::tailnet::NodeBuilder;
use crate::util;

/// Where Alexa sends the browser back after login, one per region.
pub const ALEXA_REDIRECT_HOSTS: [&str; 3] = [
    "https://pitangui.amazon.com",
    "https://layla.amazon.com",
    "https://alexa.amazon.co.jp",
];

const PUBLIC_URL_META: &str = "public_url";
/// The tailnet node's state directory, inside the data directory.
pub const TAILNET_DIR: &str = "tailnet";
/// A snapshot of the node's status that a running `serve` keeps up to date for `status`.
pub const TAILNET_SNAPSHOT: &str = "ma-alexa-status.json";

#[derive(Debug, Parser)]
#[command(
    name = "ma-alexa-oauth",
    version,
    about = "OAuth 2.0 account linking between an Alexa skill and Music Assistant"
)]
pub struct Cli {
    /// Directory holding the database and keys (created with mode 0700).
    /// Default: $XDG_DATA_HOME/ma-alexa-oauth or ~/.local/share/ma-alexa-oauth.
    #[arg(long, global = true, env = "MA_ALEXA_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Log filter (tracing syntax), e.g. `info` or `ma_alexa_oauth=debug`.
    #[arg(
        long,
        global = true,
        env = "MA_ALEXA_LOG",
        default_value = "info",
        value_name = "FILTER"
    )]
    log: String,

    /// Log format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the authorization server.
    Serve(ServeArgs),
    /// Manage OAuth clients (the Alexa skill).
    #[command(subcommand)]
    Client(ClientCmd),
    /// Manage local user accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Inspect and revoke linked accounts.
    #[command(subcommand)]
    Links(LinksCmd),
    /// Show the configuration and state of this installation.
    Status(JsonFlag),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Serve plain HTTP on this address (for a reverse proxy or tunnel), e.g. 127.0.0.1:8080.
    /// Without it, `serve` joins your tailnet and serves on Tailscale Funnel.
    #[arg(long, env = "MA_ALEXA_LISTEN", value_name = "ADDR")]
    listen: Option<String>,

    /// The public base URL users and Alexa reach (the issuer), e.g. https://auth.example.com.
    /// Only with --listen: in tailnet mode it is the node's name.
    #[arg(long, env = "MA_ALEXA_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,

    /// Tailnet mode: the control server (default: Tailscale's). For Headscale,
    /// or the offline lab (scripts/tailnet-lab).
    #[arg(long, env = "TS_CONTROL_URL", value_name = "URL")]
    control_url: Option<String>,

    /// Tailnet mode: the node's hostname; the public URL becomes https://HOSTNAME.<tailnet>.ts.net.
    #[arg(long, env = "MA_ALEXA_HOSTNAME", default_value = tailnet::DEFAULT_HOSTNAME, value_name = "NAME")]
    hostname: String,

    /// Tailnet mode: read the auth key from this file (default: env TS_AUTHKEY;
    /// without either, `serve` prints a login URL). Used only on the first start.
    #[arg(long, value_name = "FILE")]
    authkey_file: Option<PathBuf>,

    /// Believe X-Forwarded-For from these proxies (IP or CIDR; repeatable or comma-separated).
    #[arg(
        long = "trusted-proxy",
        env = "MA_ALEXA_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    trusted_proxies: Vec<Cidr>,

    /// Access token lifetime in seconds (60 to 86400).
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(i64).range(60..=86400), value_name = "SECS")]
    access_token_ttl: i64,

    /// Connections served at once.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=65536), value_name = "N")]
    max_connections: u32,

    /// Music Assistant's URL on your network, e.g. http://homeassistant.local:8095.
    /// With it, people sign in with their Music Assistant accounts (local accounts
    /// are not used) and /ma/api forwards commands to it.
    #[arg(long, env = "MA_URL", value_name = "URL")]
    music_assistant_url: Option<String>,

    /// Time allowed for each call to Music Assistant, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60), value_name = "SECS")]
    music_assistant_timeout: u64,
}

#[derive(Debug, Args)]
struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ClientCmd {
    /// Register a client. `client add alexa --vendor-id ID` registers the Alexa
    /// skill with its three regional redirect URLs.
    Add {
        /// A name for the client, shown on the login page (e.g. `alexa`).
        name: String,
        /// The Alexa vendor id (from the developer console's Alexa Redirect URLs).
        #[arg(long, value_name = "ID")]
        vendor_id: Option<String>,
        /// Registered redirect URI (repeatable); exact match only.
        #[arg(long = "redirect-uri", value_name = "URI", num_args = 1..)]
        redirect_uris: Vec<String>,
        /// Scopes the client may ask for (space- or comma-separated). Default: all.
        #[arg(long, value_name = "SCOPES")]
        scope: Option<String>,
        /// Public base URL to print in the console values (default: the one `serve` last used).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// Refuse authorization requests without a PKCE (S256) code_challenge. For an
        /// Alexa skill, turn on "PKCE Authorization" in the developer console too.
        #[arg(long)]
        require_pkce: bool,
        #[arg(long)]
        json: bool,
    },
    /// Change a client's settings.
    Set {
        /// The client id from `client list`.
        id: String,
        /// `on`: refuse authorization requests without a PKCE (S256) code_challenge
        /// (for an Alexa skill, turn on "PKCE Authorization" in the developer console
        /// first); `off`: PKCE optional, used when the request has a challenge.
        #[arg(long, value_enum, value_name = "on|off")]
        require_pkce: Option<OnOff>,
    },
    /// List clients.
    List(JsonFlag),
    /// Remove a client and every link and token it holds.
    Remove { id: String },
    /// Generate a new secret for a client (the old one stops working at once).
    RotateSecret {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
enum UserCmd {
    /// Add a local user. Prompts twice on a terminal; otherwise reads the
    /// password from the first line of standard input.
    Add { name: String },
    /// List local users.
    List(JsonFlag),
    /// Remove a user and revoke every link made with the account.
    Remove { name: String },
    /// Change a user's password (same input rules as `user add`).
    Passwd { name: String },
}

#[derive(Debug, Subcommand)]
enum LinksCmd {
    /// List linked accounts.
    List(JsonFlag),
    /// Revoke a link: its refresh token and every access token it issued.
    Revoke {
        /// The link id from `links list` (ids may start with '-').
        #[arg(allow_hyphen_values = true)]
        id: String,
        /// Music Assistant's URL, to revoke the link's token there too
        /// (default: the one `serve` last ran with).
        #[arg(long, env = "MA_URL", value_name = "URL")]
        music_assistant_url: Option<String>,
    },
}

/// A failure a person can act on: message, and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    fn usage(m: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: m.into(),
        }
    }
    fn runtime(m: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: m.into(),
        }
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::runtime(e.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve(_));
    init_logging(&cli.log, cli.log_format, serving);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn init_logging(filter: &str, format: LogFormat, serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { filter } else { "warn" };
    let filter = EnvFilter::try_new(default).unwrap_or_else(|_| EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => b.try_init(),
        LogFormat::Json => b.json().try_init(),
    };
}

fn default_data_dir() -> Result<PathBuf, Failure> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return Ok(PathBuf::from(x).join("ma-alexa-oauth"));
    }
    match std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        Some(h) => Ok(PathBuf::from(h).join(".local/share/ma-alexa-oauth")),
        None => Err(Failure::usage(
            "no data directory: pass --data-dir DIR or set MA_ALEXA_DATA_DIR",
        )),
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let dir = match cli.data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    match cli.command {
        Command::Serve(args) => serve(&dir, args),
        Command::Client(cmd) => client(&dir, cmd),
        Command::User(cmd) => user(&dir, cmd),
        Command::Links(cmd) => links(&dir, cmd),
        Command::Status(f) => status(&dir, f.json),
    }
}

// ---------------------------------------------------------------------------
// serve

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

fn serve(dir: &Path, args: ServeArgs) -> Result<(), Failure> {
    let Some(listen) = args.listen.clone() else {
        #[cfg(feature = "tailnet")]
        return serve_tailnet(dir, args);
        #[cfg(not(feature = "tailnet"))]
        return Err(Failure::usage(
            "this build has no tailnet support (built without the `tailnet` feature): \
             serve needs --listen ADDR",
        ));
    };
    let addr: SocketAddr = listen
        .to_socket_addrs()
        .map_err(|e| Failure::usage(format!("--listen {listen:?}: {e}")))?
        .next()
        .ok_or_else(|| Failure::usage(format!("--listen {listen:?} resolves to no address")))?;
    let issuer = match &args.public_url {
        Some(u) => parse_public_url(u)?,
        None if addr.ip().is_unspecified() => format!("http://localhost:{}", addr.port()),
        None => format!("http://{addr}"),
    };
    if !issuer.starts_with("https://") {
        tracing::warn!(
            issuer,
            "the public URL is not https: Alexa will refuse it. Pass --public-url https://… when serving behind a proxy"
        );
    }
    let mut config = Config::new(issuer);
    config.trusted_proxies = args.trusted_proxies.clone();
    config.access_token_ttl = args.access_token_ttl;
    config.limits.max_connections = args.max_connections as usize;
    apply_music_assistant(&mut config, &args)?;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let app = App::open(config, dir).map_err(|e| Failure::runtime(e.to_string()))?;
        record_identity(&app).await?;
        let issuer = app.config().issuer.clone();
        app.store()
            .call({
                let issuer = issuer.clone();
                move |c| store::set_meta(c, PUBLIC_URL_META, &issuer)
            })
            .await?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::runtime(format!("cannot listen on {addr}: {e}")))?;
        let local = listener.local_addr()?;
        let app = Arc::new(app);
        tracing::info!(%local, %issuer, data_dir = %dir.display(), "serving");
        println!(
            "ma-alexa-oauth {} listening on http://{local}",
            env!("CARGO_PKG_VERSION")
        );
        print_console_values(&issuer);
        let _ = std::io::stdout().flush();
        let purger = tokio::spawn(purge_loop(Arc::clone(&app)));
        crate::server::run(listener, Arc::clone(&app), shutdown_signal()).await;
        purger.abort();
        flush_link_uses(&app).await;
        Ok(())
    })
}

fn apply_music_assistant(config: &mut Config, args: &ServeArgs) -> Result<(), Failure> {
    if let Some(url) = &args.music_assistant_url {
        let url = crate::ma::client::parse_base_url(url)
            .map_err(|e| Failure::usage(format!("--music-assistant-url: {e}")))?;
        config.music_assistant_url = Some(url);
    }
    config.upstream_timeout = std::time::Duration::from_secs(args.music_assistant_timeout);
    Ok(())
}

/// Records which identity source `serve` uses, for `status` and `links revoke`
/// (an empty URL means local accounts).
async fn record_identity(app: &App) -> Result<(), Failure> {
    let url = app
        .ma()
        .map(|m| m.client().base_url().to_owned())
        .unwrap_or_default();
    if !url.is_empty() {
        tracing::info!(url, "identity: Music Assistant accounts");
    }
    app.store()
        .call(move |c| store::set_meta(c, crate::ma::URL_META, &url))
        .await?;
    Ok(())
}

/// Writes the link uses still in memory (graceful shutdown).
async fn flush_link_uses(app: &App) {
    match app.store().flush_uses().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(links = n, "recorded the last use of links"),
        Err(e) => tracing::warn!(error = %e, "could not record the last use of links"),
    }
}

async fn purge_loop(app: Arc<App>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app.purge().await {
            tracing::warn!(error = %e, "purging expired codes failed");
        }
    }
}

/// SIGINT and SIGTERM, received through tokio.
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (inside a runtime). The Go runtime of the
    /// tailnet layer runs in every process of this binary, so the handlers
    /// get SA_ONSTACK, which Go requires of non-Go handlers.
    pub fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        let s = Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        };
        #[cfg(feature = "tailnet")]
        tailnet::make_signal_handlers_go_safe()?;
        Ok(s)
    }

    /// Completes on the next SIGINT or SIGTERM.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.int.recv() => tracing::info!("SIGINT received"),
            _ = self.term.recv() => tracing::info!("SIGTERM received"),
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    match Signals::new() {
        Ok(mut s) => s.recv().await,
        Err(e) => {
            tracing::error!(error = %e, "cannot install signal handlers; stop the server with SIGKILL");
            std::future::pending().await
        }
    }
}

fn print_console_values(issuer: &str) {
    println!("  issuer:                {issuer}");
    println!(
        "  Web Authorization URI: {issuer}{}",
        metadata::AUTHORIZE_PATH
    );
    println!("  Access Token URI:      {issuer}{}", metadata::TOKEN_PATH);
}

#[cfg(feature = "tailnet")]
/// What to do when the tailnet does not allow Funnel for this node.
const FUNNEL_ADVICE: &str = "In the tailnet's access controls, turn on HTTPS certificates and give this node \
the \"funnel\" node attribute (nodeAttrs: {\"target\": [...], \"attr\": [\"funnel\"]}), then start `serve` again.";

#[cfg(feature = "tailnet")]
/// `serve` without --listen: joins the tailnet and serves on Funnel port 443.
fn serve_tailnet(dir: &Path, args: ServeArgs) -> Result<(), Failure> {
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
            tracing::warn!(error = %e, "cannot forbid listening sockets (seccomp); stopping them when they appear instead");
            false
        }
    };
    let state_dir = dir.join(TAILNET_DIR);
    let builder = NodeBuilder::new(&state_dir)
        .hostname(args.hostname.clone())
        .control_url(args.control_url.clone())
        .authkey_from(args.authkey_file.as_deref())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let mut signals = Signals::new()
            .map_err(|e| Failure::runtime(format!("cannot install signal handlers: {e}")))?;
        let node = builder.build()?;
        let result = serve_on_node(dir, &args, &node, &mut signals, filtered).await;
        // Clean shutdown of the node on every path (signal, error, done).
        node.close().await;
        result
    })
}

#[cfg(feature = "tailnet")]
async fn serve_on_node(
    dir: &Path,
    args: &ServeArgs,
    node: &tailnet::Node,
    signals: &mut Signals,
    listen_denied: bool,
) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let state_dir = node.dir().to_owned();
    eprintln!(
        "joining the tailnet as {:?} (node state in {}, node logs in {})",
        args.hostname,
        state_dir.display(),
        state_dir.join(tailnet::LOG_FILE).display()
    );
    tracing::info!(hostname = %args.hostname, control_url = args.control_url.as_deref().unwrap_or("(Tailscale)"), "joining the tailnet");
    let up = node.up(|url| {
        eprintln!("To add this server to your tailnet, open this URL and log in: {url}");
        tracing::warn!(%url, "waiting for login to the tailnet");
    });
    tokio::select! {
        r = up => r?,
        _ = signals.recv() => return Err(Failure::runtime("stopped while joining the tailnet")),
    }
    if !listen_denied {
        guard_host_listeners();
    }
    let st = node.status().await?;
    tracing::info!(dns_name = %st.dns_name, ips = ?st.tailscale_ips, "joined the tailnet");
    if !st.funnel.permitted {
        return Err(Failure::runtime(format!(
            "Funnel is not permitted for this node: {}. {FUNNEL_ADVICE}",
            st.funnel.reason.trim_end_matches('.')
        )));
    }
    let Some(issuer) = st.public_url() else {
        return Err(Failure::runtime(
            "the node has no MagicDNS name; turn on MagicDNS and HTTPS certificates for the tailnet",
        ));
    };

    let mut config = Config::new(issuer.clone());
    config.access_token_ttl = args.access_token_ttl;
    config.limits.max_connections = args.max_connections as usize;
    apply_music_assistant(&mut config, args)?;
    if !args.trusted_proxies.is_empty() {
        tracing::warn!(
            "--trusted-proxy is ignored in tailnet mode: Funnel gives the client's own address"
        );
    }
    let app = Arc::new(App::open(config, dir).map_err(|e| Failure::runtime(e.to_string()))?);
    record_identity(&app).await?;
    app.store()
        .call({
            let issuer = issuer.clone();
            move |c| store::set_meta(c, PUBLIC_URL_META, &issuer)
        })
        .await?;

    // Get the certificate before announcing the URL, so the first client
    // (Alexa) does not wait for ACME.
    tokio::select! {
        r = node.fetch_cert(std::time::Duration::from_secs(120)) => r?,
        _ = signals.recv() => return Err(Failure::runtime("stopped while obtaining the certificate")),
    }
    let listener = match node.listen_funnel(443).await {
        Ok(l) => l,
        Err(tailnet::Error::FunnelNotPermitted { reason }) => {
            return Err(Failure::runtime(format!(
                "Funnel is not permitted for this node: {}. {FUNNEL_ADVICE}",
                reason.trim_end_matches('.')
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if !listen_denied {
        guard_host_listeners();
    }
    let st = node.status().await.unwrap_or(st);
    publish_tailnet_state(&app, &state_dir, &st);
    let ready = started.elapsed();
    tracing::info!(%issuer, ready_ms = ready.as_millis() as u64, "serving on Tailscale Funnel");
    println!(
        "ma-alexa-oauth {} serving on Tailscale Funnel at {issuer}",
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "  tailnet node:          {} ({})",
        st.dns_name,
        st.tailscale_ips.join(", ")
    );
    print_console_values(&issuer);
    println!(
        "  (register the skill with `ma-alexa-oauth client add alexa --vendor-id ID` for the other values)"
    );
    println!("funnel ready in {} ms: {issuer}", ready.as_millis());
    let _ = std::io::stdout().flush();

    let refresher = tokio::spawn(refresh_tailnet_state(
        Arc::clone(&app),
        node.clone(),
        state_dir.clone(),
    ));
    let purger = tokio::spawn(purge_loop(Arc::clone(&app)));
    let guard = tokio::spawn(async move {
        if listen_denied {
            return;
        }
        // tsnet re-creates its PeerAPI listener when the node's addresses change.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            guard_host_listeners();
        }
    });
    let closed = listener.closed();
    let shutdown = async {
        tokio::select! {
            _ = signals.recv() => {}
            _ = closed => tracing::error!("the node closed the Funnel listener; stopping"),
        }
    };
    crate::server::run(listener, Arc::clone(&app), shutdown).await;
    refresher.abort();
    purger.abort();
    guard.abort();
    flush_link_uses(&app).await;
    tracing::info!("stopping the tailnet node");
    Ok(())
}

#[cfg(feature = "tailnet")]
/// Fallback where the seccomp filter could not be installed: stop any TCP
/// listener on the host network (tsnet opens one for its PeerAPI; see
/// `tailnet::shut_host_tcp_listeners`).
fn guard_host_listeners() {
    for port in tailnet::shut_host_tcp_listeners() {
        tracing::info!(
            port,
            "stopped the node's host-network TCP listener (its PeerAPI is served through the userspace network stack)"
        );
    }
}

#[cfg(feature = "tailnet")]
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

#[cfg(feature = "tailnet")]
/// Updates /health and the status snapshot for `status`.
fn publish_tailnet_state(app: &App, state_dir: &Path, st: &tailnet::Status) {
    let v = tailnet_health(st);
    app.set_health("tailnet", v.clone());
    let snap = json!({ "updated_at": util::now(), "pid": std::process::id(), "tailnet": v });
    let path = state_dir.join(TAILNET_SNAPSHOT);
    if let Err(e) = crate::files::write_private(&path, snap.to_string().as_bytes()) {
        tracing::debug!(error = %e, path = %path.display(), "cannot write the tailnet status snapshot");
    }
}

#[cfg(feature = "tailnet")]
async fn refresh_tailnet_state(app: Arc<App>, node: tailnet::Node, state_dir: PathBuf) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    tick.tick().await;
    loop {
        tick.tick().await;
        match node.status().await {
            Ok(st) => publish_tailnet_state(&app, &state_dir, &st),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the tailnet status");
                app.set_health(
                    "tailnet",
                    json!({ "state": "unknown", "error": e.to_string() }),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// client

fn open(dir: &Path) -> Result<Store, Failure> {
    crate::startup::open_store(dir).map_err(|e| Failure::runtime(e.to_string()))
}

fn valid_vendor_id(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The three Alexa redirect URLs for a vendor id.
pub fn alexa_redirect_uris(vendor_id: &str) -> Vec<String> {
    ALEXA_REDIRECT_HOSTS
        .iter()
        .map(|h| format!("{h}/api/skill/link/{vendor_id}"))
        .collect()
}

fn check_redirect_uri(u: &str) -> Result<(), Failure> {
    let parsed =
        url::Url::parse(u).map_err(|e| Failure::usage(format!("--redirect-uri {u:?}: {e}")))?;
    if parsed.fragment().is_some() {
        return Err(Failure::usage(format!(
            "--redirect-uri {u:?} must not have a fragment"
        )));
    }
    if parsed.scheme() == "http"
        && !matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
    {
        return Err(Failure::usage(format!(
            "--redirect-uri {u:?}: plain http is only allowed for localhost"
        )));
    }
    Ok(())
}

fn client_id_for(name: &str) -> String {
    let slug: String = name
        .chars()
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() {
                Some(c.to_ascii_lowercase())
            } else if c == '-' || c == '_' || c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .take(24)
        .collect();
    let slug = slug.trim_matches('-');
    let slug = if slug.is_empty() { "client" } else { slug };
    format!("{slug}-{}", util::random_token(12))
}

fn public_url_for_print(store: &Store, flag: Option<String>) -> Result<(String, bool), Failure> {
    if let Some(u) = flag {
        return Ok((parse_public_url(&u)?, true));
    }
    match store.with(|c| store::get_meta(c, PUBLIC_URL_META))? {
        Some(u) => Ok((u, true)),
        None => Ok(("https://YOUR-PUBLIC-HOST".to_owned(), false)),
    }
}

fn client(dir: &Path, cmd: ClientCmd) -> Result<(), Failure> {
    let store = open(dir)?;
    match cmd {
        ClientCmd::Add {
            name,
            vendor_id,
            redirect_uris,
            scope,
            public_url,
            require_pkce,
            json,
        } => {
            if name.trim().is_empty()
                || name.chars().count() > 64
                || name.chars().any(char::is_control)
            {
                return Err(Failure::usage(
                    "a client name has 1 to 64 printable characters",
                ));
            }
            let (kind, uris) = match (&vendor_id, redirect_uris.is_empty()) {
                (Some(v), true) => {
                    if !valid_vendor_id(v) {
                        return Err(Failure::usage(format!(
                            "--vendor-id {v:?} is not an Alexa vendor id (letters and digits, as in the console's \
                             Alexa Redirect URLs: …/api/skill/link/<VendorID>)"
                        )));
                    }
                    (ClientKind::Alexa, alexa_redirect_uris(v))
                }
                (Some(_), false) => {
                    return Err(Failure::usage(
                        "use either --vendor-id (Alexa) or --redirect-uri, not both",
                    ));
                }
                (None, false) => {
                    for u in &redirect_uris {
                        check_redirect_uri(u)?;
                    }
                    (ClientKind::Generic, redirect_uris)
                }
                (None, true) => {
                    return Err(Failure::usage(
                        "say where users return after login: `client add alexa --vendor-id ID` for an Alexa skill, \
                         or `client add NAME --redirect-uri URI`",
                    ));
                }
            };
            let scopes = match scope {
                None => oauth::default_scopes(),
                Some(s) => {
                    let items: Vec<String> = s
                        .split([' ', ','])
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect();
                    if items.is_empty() {
                        return Err(Failure::usage("--scope needs at least one scope"));
                    }
                    for i in &items {
                        if !oauth::SCOPES.iter().any(|(k, _)| k == i) {
                            let known: Vec<&str> = oauth::SCOPES.iter().map(|(k, _)| *k).collect();
                            return Err(Failure::usage(format!(
                                "unknown scope {i:?}; known: {}",
                                known.join(", ")
                            )));
                        }
                    }
                    items
                }
            };
            let secret = client_auth::new_secret();
            let c = Client {
                id: client_id_for(&name),
                name,
                kind,
                vendor_id,
                secret_hash: client_auth::secret_hash(&secret),
                redirect_uris: uris,
                scopes,
                created_at: util::now(),
                require_pkce,
            };
            store.with(|conn| store::insert_client(conn, &c))?;
            let (base, known) = public_url_for_print(&store, public_url)?;
            print_client_secret(&c, &secret, &base, known, json);
            Ok(())
        }
        ClientCmd::List(f) => {
            let clients = store.with(|c| store::list_clients(c))?;
            if f.json {
                println!("{}", serde_json::to_string_pretty(&clients)?);
            } else if clients.is_empty() {
                println!(
                    "no clients. Add the Alexa skill with: ma-alexa-oauth client add alexa --vendor-id ID"
                );
            } else {
                for c in clients {
                    println!(
                        "{}  {:?} ({}, created {})",
                        c.id,
                        c.name,
                        kind_name(c.kind),
                        util::fmt_time(c.created_at)
                    );
                    println!("    scopes: {}", c.scopes.join(" "));
                    println!("    pkce: {}", pkce_setting(c.require_pkce));
                    for u in &c.redirect_uris {
                        println!("    redirect: {u}");
                    }
                }
            }
            Ok(())
        }
        ClientCmd::Set { id, require_pkce } => {
            let Some(setting) = require_pkce else {
                return Err(Failure::usage(
                    "nothing to change: say what to set, e.g. `client set ID --require-pkce on`",
                ));
            };
            let on = setting == OnOff::On;
            if !store.with(|c| store::set_client_require_pkce(c, &id, on))? {
                return Err(Failure::runtime(format!(
                    "no client {id:?} (see `client list`)"
                )));
            }
            if on {
                println!(
                    "client {id} now requires PKCE: authorization requests without an S256 \
                     code_challenge are refused"
                );
                println!(
                    "For an Alexa skill, \"PKCE Authorization\" must be on in the developer console \
                     (your skill > Build > Account Linking), or linking fails."
                );
            } else {
                println!(
                    "client {id}: PKCE is optional (a request with an S256 code_challenge still \
                     needs its code_verifier)"
                );
            }
            Ok(())
        }
        ClientCmd::Remove { id } => {
            if store.with(|c| store::delete_client(c, &id))? {
                println!("removed client {id} and every link it held");
                Ok(())
            } else {
                Err(Failure::runtime(format!(
                    "no client {id:?} (see `client list`)"
                )))
            }
        }
        ClientCmd::RotateSecret { id, json } => {
            let secret = client_auth::new_secret();
            let hash = client_auth::secret_hash(&secret);
            if !store.with(|c| store::set_client_secret_hash(c, &id, &hash))? {
                return Err(Failure::runtime(format!(
                    "no client {id:?} (see `client list`)"
                )));
            }
            if json {
                println!("{}", json!({ "client_id": id, "client_secret": secret }));
            } else {
                println!("New secret for {id} (the old one no longer works; shown only once):");
                println!("  {secret}");
                println!("Paste it into the Alexa developer console as \"Your Secret\".");
            }
            Ok(())
        }
    }
}

fn pkce_setting(required: bool) -> &'static str {
    if required {
        "required (S256)"
    } else {
        "optional (S256 when the request has a code_challenge)"
    }
}

fn kind_name(k: ClientKind) -> &'static str {
    match k {
        ClientKind::Alexa => "Alexa skill",
        ClientKind::Generic => "generic",
    }
}

fn print_client_secret(c: &Client, secret: &str, base: &str, known: bool, json: bool) {
    let authorize = format!("{base}{}", metadata::AUTHORIZE_PATH);
    let token = format!("{base}{}", metadata::TOKEN_PATH);
    if json {
        let v = json!({
            "client_id": c.id, "client_secret": secret, "name": c.name, "kind": c.kind,
            "authorization_uri": authorize, "token_uri": token, "redirect_uris": c.redirect_uris,
            "scopes": c.scopes, "authentication_scheme": "HTTP Basic",
            "default_access_token_expiration": 3600, "public_url_known": known,
            "require_pkce": c.require_pkce,
        });
        println!("{v}");
        return;
    }
    println!("Registered client {:?} ({}).", c.name, kind_name(c.kind));
    println!();
    println!(
        "Paste these into the Alexa developer console (your skill > Build > Account Linking):"
    );
    println!("  Authorization Grant Type:             Auth Code Grant");
    println!("  Your Web Authorization URI:           {authorize}");
    println!("  Access Token URI:                     {token}");
    println!("  Your Client ID:                       {}", c.id);
    println!("  Your Secret:                          {secret}");
    println!("  Your Authentication Scheme:           HTTP Basic (Recommended)");
    println!(
        "  Scope:                                {}  (add each as its own entry)",
        c.scopes.join(", ")
    );
    println!("  Domain List:                          (leave empty)");
    println!("  Default Access Token Expiration Time: 3600");
    if c.require_pkce {
        println!(
            "  PKCE Authorization:                   switch it ON (this client requires PKCE; linking fails without it)"
        );
    } else {
        println!(
            "  PKCE Authorization:                   optional; recommended: switch it on, then run"
        );
        println!(
            "                                        `client set {} --require-pkce on`",
            c.id
        );
    }
    println!();
    println!(
        "The secret is shown only once; `client rotate-secret {}` makes a new one.",
        c.id
    );
    if !known {
        println!(
            "Replace https://YOUR-PUBLIC-HOST with the public HTTPS address of this server (pass --public-url)."
        );
    }
    if c.kind == ClientKind::Alexa {
        println!("Registered redirect URLs (must equal the console's Alexa Redirect URLs):");
        for u in &c.redirect_uris {
            println!("  {u}");
        }
    }
}

// ---------------------------------------------------------------------------
// user

fn read_new_password() -> Result<String, Failure> {
    let pw = if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("Password: ")?;
        let b = rpassword::prompt_password("Repeat password: ")?;
        if a != b {
            return Err(Failure::usage("the passwords differ; nothing was changed"));
        }
        a
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let trimmed = line.strip_suffix('\n').unwrap_or(&line);
        trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned()
    };
    identity::validate_password(&pw).map_err(Failure::usage)?;
    Ok(pw)
}

fn user(dir: &Path, cmd: UserCmd) -> Result<(), Failure> {
    let store = open(dir)?;
    match cmd {
        UserCmd::Add { name } => {
            identity::validate_username(&name).map_err(Failure::usage)?;
            if store.with(|c| store::get_user(c, &name))?.is_some() {
                return Err(Failure::runtime(format!(
                    "user {name:?} exists; use `user passwd {name}` to change the password"
                )));
            }
            let pw = read_new_password()?;
            let hash = password::hash(&pw)
                .map_err(|e| Failure::runtime(format!("hashing failed: {e}")))?;
            if !store.with(|c| store::insert_user(c, &name, &hash, util::now()))? {
                return Err(Failure::runtime(format!("user {name:?} exists")));
            }
            println!("added user {name}");
            Ok(())
        }
        UserCmd::Passwd { name } => {
            if store.with(|c| store::get_user(c, &name))?.is_none() {
                return Err(Failure::runtime(format!(
                    "no user {name:?} (see `user list`)"
                )));
            }
            let pw = read_new_password()?;
            let hash = password::hash(&pw)
                .map_err(|e| Failure::runtime(format!("hashing failed: {e}")))?;
            if !store.with(|c| store::set_user_password(c, &name, &hash))? {
                return Err(Failure::runtime(format!("no user {name:?}")));
            }
            println!(
                "changed the password of {name} (existing links stay valid; `links revoke` ends them)"
            );
            Ok(())
        }
        UserCmd::List(f) => {
            let users = store.with(|c| store::list_users(c))?;
            if f.json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else if users.is_empty() {
                println!("no users. Add one with: ma-alexa-oauth user add NAME");
            } else {
                for u in users {
                    println!("{}  (created {})", u.username, util::fmt_time(u.created_at));
                }
            }
            Ok(())
        }
        UserCmd::Remove { name } => {
            let subject = identity::local_subject(&name);
            match store.with(|c| store::delete_user(c, &name, &subject, util::now()))? {
                Some(n) => {
                    println!("removed user {name}; revoked {n} link(s)");
                    Ok(())
                }
                None => Err(Failure::runtime(format!(
                    "no user {name:?} (see `user list`)"
                ))),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// links and status

fn links(dir: &Path, cmd: LinksCmd) -> Result<(), Failure> {
    let store = open(dir)?;
    match cmd {
        LinksCmd::List(f) => {
            let links = store.with(|c| store::list_links(c))?;
            if f.json {
                println!("{}", serde_json::to_string_pretty(&links)?);
            } else if links.is_empty() {
                println!("no linked accounts yet");
            } else {
                for l in links {
                    let mut state = match l.revoked_at {
                        Some(t) => format!("revoked {}", util::fmt_time(t)),
                        None => "active".to_owned(),
                    };
                    if let Some(ma) = &l.ma_token_state {
                        let exp = l
                            .ma_token_expires_at
                            .map(util::fmt_time)
                            .unwrap_or_default();
                        state.push_str(&format!("  music-assistant token {ma} (expires {exp})"));
                    }
                    println!(
                        "{}  user {}  client {}  scope {:?}  linked {}  last used {}  {state}",
                        l.id,
                        l.username,
                        l.client_id,
                        l.scope,
                        util::fmt_time(l.created_at),
                        util::fmt_time(l.last_used_at)
                    );
                }
            }
            Ok(())
        }
        LinksCmd::Revoke {
            id,
            music_assistant_url,
        } => {
            let revoked = store.with(|c| store::revoke_link(c, &id, util::now()))?;
            if revoked {
                println!("revoked link {id}: its refresh token and access tokens no longer work");
            }
            let upstream = store.with(|c| store::link_upstream(c, &id))?;
            let Some(up) = upstream else {
                return Err(Failure::runtime(format!(
                    "no link {id:?} (see `links list`)"
                )));
            };
            if up.token.is_some() {
                // Also (or, for an earlier failure, again) at Music Assistant.
                revoke_ma_token(dir, &store, &id, music_assistant_url)?;
                return Ok(());
            }
            if revoked {
                Ok(())
            } else {
                Err(Failure::runtime(format!("link {id} was already revoked")))
            }
        }
    }
}

/// Revokes a (locally revoked) link's token at Music Assistant.
fn revoke_ma_token(
    dir: &Path,
    store: &Store,
    id: &str,
    flag: Option<String>,
) -> Result<(), Failure> {
    let url = match flag {
        Some(u) => Some(u),
        None => store
            .with(|c| store::get_meta(c, crate::ma::URL_META))?
            .filter(|u| !u.is_empty()),
    };
    let Some(url) = url else {
        return Err(Failure::runtime(format!(
            "link {id} holds a Music Assistant token, but no Music Assistant URL is known: \
             pass --music-assistant-url to revoke it there too"
        )));
    };
    let ma =
        crate::ma::MusicAssistant::open(&url, std::time::Duration::from_secs(10), i64::MAX, dir)
            .map_err(|e| Failure::runtime(e.to_string()))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the runtime: {e}")))?;
    match rt.block_on(ma.revoke_link_token(store, id)) {
        Ok(_) => {
            println!("revoked the link's Music Assistant token at {url}");
            Ok(())
        }
        Err(e) => Err(Failure::runtime(format!(
            "the link is revoked here, but Music Assistant at {url} could not revoke its token: {e}. \
             Run `links revoke {id}` again later, or delete the token in Music Assistant's settings"
        ))),
    }
}

fn status(dir: &Path, json_out: bool) -> Result<(), Failure> {
    let store = open(dir)?;
    let (clients, users, links) = store.with(|c| store::counts(c))?;
    let public = store.with(|c| store::get_meta(c, PUBLIC_URL_META))?;
    let problems = store.with(|c| store::integrity_problems(c))?;
    let tn = tailnet_status(dir);
    let ma_url = store
        .with(|c| store::get_meta(c, crate::ma::URL_META))?
        .filter(|u| !u.is_empty());
    let ma_problems = store.with(|c| store::ma_token_problems(c))?;
    let identity = if ma_url.is_some() {
        "music_assistant"
    } else {
        "local"
    };
    let v = json!({
        "data_dir": dir.display().to_string(),
        "database": store.path().display().to_string(),
        "public_url": public,
        "identity": identity,
        "music_assistant_url": ma_url,
        "music_assistant_token_problems": ma_problems
            .iter()
            .map(|(id, state)| json!({ "link": id, "state": state }))
            .collect::<Vec<_>>(),
        "tailnet": tn,
        "clients": clients,
        "users": users,
        "active_links": links,
        "database_ok": problems.is_empty(),
        "database_problems": problems,
    });
    if json_out {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("data directory: {}", dir.display());
        println!(
            "public URL:     {}",
            public.as_deref().unwrap_or("(unknown until `serve` runs)")
        );
        match &ma_url {
            Some(u) => {
                println!("identity:       Music Assistant accounts ({u}); gateway at /ma/api")
            }
            None => println!("identity:       local accounts"),
        }
        for (id, state) in &ma_problems {
            println!("music assistant: link {id}: token {state} (see `links list`)");
        }
        println!("tailnet:        {}", describe_tailnet(&tn));
        println!("clients: {clients}   users: {users}   active links: {links}");
        println!(
            "database:       {}",
            if problems.is_empty() {
                "ok".to_owned()
            } else {
                problems.join("; ")
            }
        );
    }
    Ok(())
}

/// The tailnet node of a data directory, as far as it can be known without
/// starting it: whether a node state exists, and the last status snapshot
/// written by a running (or the last) `serve`.
fn tailnet_status(dir: &Path) -> serde_json::Value {
    let state_dir = dir.join(TAILNET_DIR);
    if !tailnet::has_node_state(&state_dir) {
        return json!({ "configured": false });
    }
    let snap: Option<serde_json::Value> = std::fs::read(state_dir.join(TAILNET_SNAPSHOT))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let mut out = serde_json::Map::new();
    out.insert("configured".into(), json!(true));
    out.insert("state_dir".into(), json!(state_dir.display().to_string()));
    if let Some(snap) = snap {
        let pid = snap.get("pid").and_then(|p| p.as_u64()).unwrap_or(0);
        let running = pid != 0 && Path::new(&format!("/proc/{pid}")).exists();
        out.insert("serve_running".into(), json!(running));
        if let Some(t) = snap.get("updated_at") {
            out.insert("updated_at".into(), t.clone());
        }
        if let Some(t) = snap.get("tailnet").and_then(|t| t.as_object()) {
            for (k, val) in t {
                out.insert(k.clone(), val.clone());
            }
        }
    }
    let name = out
        .get("dns_name")
        .and_then(|n| n.as_str())
        .unwrap_or("")
        .to_owned();
    if !name.is_empty() && !name.contains('/') {
        let expiry = std::fs::read_to_string(state_dir.join("certs").join(format!("{name}.crt")))
            .ok()
            .and_then(|pem| tailnet::cert::pem_not_after(&pem));
        out.insert("cert_expires_at".into(), json!(expiry));
    }
    serde_json::Value::Object(out)
}

fn describe_tailnet(v: &serde_json::Value) -> String {
    let get = |path: &[&str]| {
        path.iter()
            .try_fold(v, |cur, k| cur.get(*k))
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    };
    if get(&["configured"]) != true {
        return "not configured (`serve` without --listen joins a tailnet)".to_owned();
    }
    let Some(name) = get(&["dns_name"]).as_str().map(str::to_owned) else {
        return format!(
            "configured (node state in {})",
            get(&["state_dir"]).as_str().unwrap_or("?")
        );
    };
    let funnel = if get(&["funnel", "listening"]) == true {
        "Funnel on 443".to_owned()
    } else if get(&["funnel", "permitted"]) == false {
        format!(
            "Funnel not permitted: {}",
            get(&["funnel", "reason"]).as_str().unwrap_or("")
        )
    } else {
        "Funnel off".to_owned()
    };
    let when = get(&["updated_at"])
        .as_i64()
        .map(util::fmt_time)
        .unwrap_or_default();
    let state = get(&["state"]).as_str().unwrap_or("?").to_owned();
    let (running, state) = if get(&["serve_running"]) == true {
        ("serve running", state)
    } else {
        ("serve not running", format!("last seen {state}"))
    };
    let cert = match get(&["cert_expires_at"]).as_i64() {
        Some(t) => format!("certificate valid until {}", util::fmt_time(t)),
        None => "no certificate yet".to_owned(),
    };
    format!("{name} ({state}), {funnel}, {cert}; {running}, as of {when}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alexa_uris_cover_the_three_regions() {
        assert_eq!(
            alexa_redirect_uris("M2ABC"),
            vec![
                "https://pitangui.amazon.com/api/skill/link/M2ABC",
                "https://layla.amazon.com/api/skill/link/M2ABC",
                "https://alexa.amazon.co.jp/api/skill/link/M2ABC",
            ]
        );
    }

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

    #[cfg(feature = "tailnet")]
    #[tokio::test]
    async fn signal_handlers_carry_sa_onstack_for_go() {
        let _signals = Signals::new().unwrap();
        assert!(tailnet::signal_handlers_are_go_safe().unwrap());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
