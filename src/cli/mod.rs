//! Command-line interface. Command and flag names are part of the contract.
//!
//! - `mod.rs`: the [`Cli`] root (global flags), the subcommand enum,
//!   [`main`] and its dispatch, logging set-up, the data directory,
//!   [`Failure`] (message and exit code), constants several commands share.
//! - `serve.rs`: `serve`'s options and what both transports share
//!   (configuration, opening the app, console values, purging, shutdown writes).
//! - `serve_listen.rs`: `serve --listen ADDR`, plain HTTP on TCP.
//! - `serve_tailnet.rs`: `serve` on the tailnet (Funnel) and its supervision;
//!   only with the `tailnet` feature.
//! - `signals.rs`: [`Signals`] (SIGINT/SIGTERM, Go-safe handlers).
//! - `client.rs`: `client add|list|set|remove|rotate-secret`, the Alexa
//!   redirect URLs, the values printed for the Alexa developer console.
//! - `user.rs`: `user add|list|remove|passwd`.
//! - `links.rs`: `links list|revoke` (and revocation at Music Assistant).
//! - `status.rs`: `status`, with the tailnet node's last snapshot.
//! - `skill.rs`: `skill ...`; `skill_id.rs`: `skill id add|list|remove`
//!   and `serve`'s skill options (skill ids, the testing trust).
//! - `invocation.rs`: the follow-up commands printed for pasting (this
//!   program with `--data-dir`, quoted for the shell).
//! - `admin.rs`: `admin password`, the login of `serve --admin-listen`.
//! - `provider.rs`: `provider show|rotate-password` (Music Assistant's
//!   Alexa provider settings) and `serve`'s options for it.
//! - `addon.rs`: `addon`, the Home Assistant add-on's entrypoint (options,
//!   the add-on's Alexa client, handing root over, then `serve`);
//!   `addon_options.rs`: parsing and checking the add-on's options.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::store::Store;

mod addon;
mod addon_options;
mod admin;
mod client;
mod invocation;
mod links;
mod provider;
mod serve;
mod serve_admin;
mod serve_listen;
#[cfg(feature = "tailnet")]
mod serve_tailnet;
mod signals;
mod skill;
mod skill_id;
mod skill_model;
mod status;
mod user;

pub use addon::{ADDON_UID, OPTIONS_FILE, RUN_AS_ENV};
use addon::{AddonArgs, addon};
pub use addon_options::{AddonOptions, MUSIC_ASSISTANT_ADDON_URL, OPTION_NAMES, parse_options};
use admin::{AdminCmd, admin};
pub use client::{ALEXA_REDIRECT_HOSTS, alexa_redirect_uris};
use client::{ClientCmd, client};
use invocation::Invocation;
use links::{LinksCmd, links};
use provider::{ProviderCmd, provider};
pub use serve::parse_public_url;
use serve::{ServeArgs, serve};
pub use signals::{Signals, shutdown_signal};
use skill::{SkillCmd, skill};
use status::{status, status_check};
use user::{UserCmd, user};

/// The target of the events the CLI logs, from every file here:
/// `ma_alexa_oauth::cli`, as when the CLI was one file (log filters and the
/// JSON logs' `target` stay the same).
const LOG_TARGET: &str = module_path!();
/// Meta key of the public URL `serve` last ran with.
const PUBLIC_URL_META: &str = "public_url";
/// The tailnet node's state directory, inside the data directory.
pub const TAILNET_DIR: &str = crate::tailnet::snapshot::DIR;
/// A snapshot of the node's status that a running `serve` keeps up to date for `status`.
pub const TAILNET_SNAPSHOT: &str = crate::tailnet::snapshot::SNAPSHOT;

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

impl LogFormat {
    fn name(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the authorization server.
    Serve(Box<ServeArgs>),
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
    Status(StatusArgs),
    /// The Alexa skill served at /alexa/skill (its registered ids).
    #[command(subcommand)]
    Skill(SkillCmd),
    /// The admin page of `serve --admin-listen` (its password).
    #[command(subcommand)]
    Admin(AdminCmd),
    /// Music Assistant's Alexa player provider: the values to paste into its
    /// settings (API Url, user name, password), a new password.
    #[command(subcommand)]
    Provider(ProviderCmd),
    /// The Home Assistant add-on's entrypoint: reads the add-on's options
    /// (options.json in the data directory), registers and updates the Alexa
    /// client from them, then serves on Tailscale Funnel.
    Addon(AddonArgs),
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long, conflicts_with = "check")]
    json: bool,
    /// Health check of a running `serve` on the tailnet (a container's
    /// HEALTHCHECK): one line, exit 0 when it serves through Funnel with a
    /// fresh status snapshot and a certificate not about to expire, else 1.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, Args)]
struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
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
    // `addon` sets logging up itself, from its options.
    if !matches!(cli.command, Command::Addon(_)) {
        init_logging(&cli.log, cli.log_format, serving);
    }
    let outcome = run(cli);
    // Lines still batched go out before anything printed from here on.
    crate::logsink::flush();
    match outcome {
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
    let ansi = std::io::stderr().is_terminal();
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi);
    // A serving process writes its lines in batches (src/logsink.rs).
    let sink = serving
        .then(|| crate::logsink::install(matches!(format, LogFormat::Text) && !ansi))
        .flatten();
    let _ = match (format, sink) {
        (LogFormat::Text, Some(w)) => b.with_writer(w).try_init(),
        (LogFormat::Json, Some(w)) => b.json().with_writer(w).try_init(),
        (LogFormat::Text, None) => b.with_writer(std::io::stderr).try_init(),
        (LogFormat::Json, None) => b.json().with_writer(std::io::stderr).try_init(),
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
    // `addon` reads root's options file first, then hands over itself.
    if !matches!(cli.command, Command::Addon(_)) {
        addon::run_as_from_env()?;
    }
    let format = cli.log_format;
    let dir = match cli.data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    let inv = Invocation::new(&dir);
    match cli.command {
        Command::Serve(args) => serve(&inv, *args),
        Command::Client(cmd) => client(&inv, cmd),
        Command::User(cmd) => user(&inv, cmd),
        Command::Links(cmd) => links(&inv, cmd),
        Command::Status(a) if a.check => status_check(&dir),
        Command::Status(a) => status(&inv, a.json),
        Command::Skill(cmd) => skill(&inv, cmd),
        Command::Admin(cmd) => admin(&dir, cmd),
        Command::Provider(cmd) => provider(&inv, cmd),
        Command::Addon(args) => addon(&dir, args, format),
    }
}

fn open(dir: &Path) -> Result<Store, Failure> {
    crate::startup::open_store(dir).map_err(|e| Failure::runtime(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
