//! `provider show|rotate-password`: the values to paste into Music
//! Assistant's Alexa provider settings (API Url, API Basic Auth Username
//! and Password), and `serve`'s options for it (`ProviderServeArgs`).

use clap::{Args, Subcommand};
use serde_json::json;

use super::invocation::Invocation;
use super::{Failure, PUBLIC_URL_META, open};
use crate::echo::credentials::{self, Sealer};
use crate::echo::source::{DEFAULT_STREAM_PORT, HostPort};
use crate::store;

#[derive(Debug, Subcommand)]
pub(super) enum ProviderCmd {
    /// Prints what to paste into Music Assistant's Alexa provider settings
    /// (Settings > Providers > Alexa): API Url, user name and password
    /// (made on first use).
    Show {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Makes a new password for Music Assistant's Alexa provider; the old
    /// one stops working at once, also for a running server.
    RotatePassword {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `serve`'s options for Music Assistant's Alexa provider and the relay.
#[derive(Debug, Args)]
pub(super) struct ProviderServeArgs {
    /// Another host (HOST or HOST:PORT, port 8097 by default) Music
    /// Assistant's stream URLs may name besides its URL's host, e.g. its LAN
    /// address when this server reaches it at another one (repeatable or
    /// comma-separated). Pushed streams on any other host are refused.
    #[arg(
        long = "music-assistant-stream-host",
        env = "MA_STREAM_HOSTS",
        value_delimiter = ',',
        value_name = "HOST[:PORT]",
        value_parser = parse_stream_host
    )]
    pub(super) stream_hosts: Vec<String>,
}

fn parse_stream_host(s: &str) -> Result<String, String> {
    HostPort::parse(s, DEFAULT_STREAM_PORT).map(|h| h.authority())
}

pub(super) fn provider(inv: &Invocation, cmd: ProviderCmd) -> Result<(), Failure> {
    let dir = inv.dir();
    let st = open(dir)?;
    let sealer = Sealer::open(dir).map_err(|e| Failure::runtime(e.to_string()))?;
    let (password, json, new) = match cmd {
        ProviderCmd::Show { json } => {
            let p =
                credentials::ensure(&st, &sealer).map_err(|e| Failure::runtime(e.to_string()))?;
            (p, json, false)
        }
        ProviderCmd::RotatePassword { json } => {
            let p =
                credentials::rotate(&st, &sealer).map_err(|e| Failure::runtime(e.to_string()))?;
            (p, json, true)
        }
    };
    let public = st.with(|c| store::get_meta(c, PUBLIC_URL_META))?;
    let ma = st.with(|c| store::get_meta(c, crate::ma::URL_META))?;
    let api_url = public.filter(|u| !u.is_empty());
    if json {
        let v = json!({
            "api_url": api_url,
            "api_username": credentials::USERNAME,
            "api_password": password.expose(),
        });
        println!("{v}");
        return Ok(());
    }
    if new {
        println!(
            "New password for Music Assistant's Alexa provider (the old one no longer works)."
        );
    }
    println!("Music Assistant > Settings > Providers > Alexa:");
    match &api_url {
        Some(u) => println!("  API Url:                 {u}"),
        None => {
            println!("  API Url:                 (this server's public URL: start `serve` once)")
        }
    }
    println!("  API Basic Auth Username: {}", credentials::USERNAME);
    println!("  API Basic Auth Password: {}", password.expose());
    if ma.as_deref().unwrap_or("").is_empty() {
        println!(
            "Note: `serve` last ran without --music-assistant-url: the provider API answers 404 until it has one."
        );
    }
    Ok(())
}
