//! `client`: register OAuth clients (the Alexa skill), change, list and
//! remove them, rotate secrets; print the values to paste into the Alexa
//! developer console.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::invocation::Invocation;
use super::{Failure, JsonFlag, PUBLIC_URL_META, open, parse_public_url};
use crate::console::{self, ConsoleValues, NextSteps, UNKNOWN_PUBLIC_URL, labels};
use crate::oauth::{self, client_auth};
use crate::store::{self, Client, ClientKind, Store};
use crate::util;

pub use crate::console::{ALEXA_REDIRECT_HOSTS, alexa_redirect_uris};

#[derive(Debug, Subcommand)]
pub(super) enum ClientCmd {
    /// Register a client. `client add alexa --vendor-id ID` registers the Alexa
    /// skill with its three regional redirect URLs.
    Add(AddArgs),
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

// `client add`'s arguments (no doc comment here: the variant's is the help text).
#[derive(Debug, Args)]
pub(super) struct AddArgs {
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum OnOff {
    On,
    Off,
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

pub(super) fn client_id_for(name: &str) -> String {
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

/// The public URL to print the values with: `--public-url` (checked: Alexa
/// takes only HTTPS on port 443), else the one `serve` last ran with, else
/// a placeholder. Returns (URL, known).
fn public_url_for_print(store: &Store, flag: Option<String>) -> Result<(String, bool), Failure> {
    if let Some(u) = flag {
        let u = parse_public_url(&u)?;
        if let Some(why) = console::alexa_url_problem(&u) {
            return Err(Failure::usage(format!("--public-url {why}")));
        }
        return Ok((u, true));
    }
    match store.with(|c| store::get_meta(c, PUBLIC_URL_META))? {
        Some(u) => Ok((u, true)),
        None => Ok((UNKNOWN_PUBLIC_URL.to_owned(), false)),
    }
}

pub(super) fn client(inv: &Invocation, cmd: ClientCmd) -> Result<(), Failure> {
    let store = open(inv.dir())?;
    match cmd {
        ClientCmd::Add(args) => client_add(inv, &store, args),
        ClientCmd::List(f) => client_list(inv, &store, f.json),
        ClientCmd::Set { id, require_pkce } => client_set(&store, &id, require_pkce),
        ClientCmd::Remove { id } => client_remove(&store, &id),
        ClientCmd::RotateSecret { id, json } => client_rotate_secret(&store, &id, json),
    }
}

/// `client add`: registers the client and prints its console values and
/// secret. Every argument is checked before anything is stored.
fn client_add(inv: &Invocation, store: &Store, args: AddArgs) -> Result<(), Failure> {
    let AddArgs {
        name,
        vendor_id,
        redirect_uris,
        scope,
        public_url,
        require_pkce,
        json,
    } = args;
    check_client_name(&name)?;
    let (kind, uris) = client_redirect_uris(vendor_id.as_deref(), redirect_uris)?;
    let scopes = client_scopes(scope)?;
    let (base, known) = public_url_for_print(store, public_url)?;
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
    let values = ConsoleValues::new(&base, known, &c, Some(&secret));
    if json {
        println!("{}", values.json());
        return Ok(());
    }
    let pkce = format!(
        "run {}",
        inv.quoted(&format!("client set {} --require-pkce on", c.id))
    );
    let skill_id = inv.quoted("skill id add amzn1.ask.skill.<your skill id>");
    let model = inv.quoted("skill model --locale en-US");
    println!("Registered client {:?} ({}).", c.name, kind_name(c.kind));
    println!();
    print!(
        "{}",
        values.text(&NextSteps {
            require_pkce: &pkce,
            skill_id: &skill_id,
            model: &model,
        })
    );
    println!();
    println!(
        "The secret is shown only once; {} makes a new one.",
        inv.quoted(&format!("client rotate-secret {}", c.id))
    );
    print_redirect_uris(&c, known);
    if let Some(why) = values.public_url_problem() {
        println!(
            "Note: {why}. These values are for local trials; serve behind your HTTPS proxy \
             with --public-url https://HOST (or in tailnet mode), then run `client add` again."
        );
    }
    if let Some(note) = inv.container_note() {
        println!("{note}");
    }
    Ok(())
}

fn check_client_name(name: &str) -> Result<(), Failure> {
    if name.trim().is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Failure::usage(
            "a client name has 1 to 64 printable characters",
        ));
    }
    Ok(())
}

/// The kind of client and its redirect URIs, from --vendor-id (Alexa) or --redirect-uri.
fn client_redirect_uris(
    vendor_id: Option<&str>,
    redirect_uris: Vec<String>,
) -> Result<(ClientKind, Vec<String>), Failure> {
    match (vendor_id, redirect_uris.is_empty()) {
        (Some(v), true) => {
            if !console::valid_vendor_id(v) {
                return Err(Failure::usage(format!(
                    "--vendor-id {}",
                    console::vendor_id_problem(v)
                )));
            }
            Ok((ClientKind::Alexa, alexa_redirect_uris(v)))
        }
        (Some(_), false) => Err(Failure::usage(
            "use either --vendor-id (Alexa) or --redirect-uri, not both",
        )),
        (None, false) => {
            for u in &redirect_uris {
                check_redirect_uri(u)?;
            }
            Ok((ClientKind::Generic, redirect_uris))
        }
        (None, true) => Err(Failure::usage(
            "say where users return after login: `client add alexa --vendor-id ID` for an Alexa skill, \
             or `client add NAME --redirect-uri URI`",
        )),
    }
}

/// The scopes of --scope (space- or comma-separated, each known), or all by default.
fn client_scopes(scope: Option<String>) -> Result<Vec<String>, Failure> {
    let Some(s) = scope else {
        return Ok(oauth::default_scopes());
    };
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
    Ok(items)
}

fn client_list(inv: &Invocation, store: &Store, json_out: bool) -> Result<(), Failure> {
    let clients = store.with(|c| store::list_clients(c))?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&clients)?);
    } else if clients.is_empty() {
        println!(
            "no clients. Add the Alexa skill with: {}",
            inv.cmd("client add alexa --vendor-id ID")
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

fn client_set(store: &Store, id: &str, require_pkce: Option<OnOff>) -> Result<(), Failure> {
    let Some(setting) = require_pkce else {
        return Err(Failure::usage(
            "nothing to change: say what to set, e.g. `client set ID --require-pkce on`",
        ));
    };
    let on = setting == OnOff::On;
    if !store.with(|c| store::set_client_require_pkce(c, id, on))? {
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
            "For an Alexa skill, \"{}\" must be on in the developer console \
             (your skill > {}), or linking fails.",
            labels::PKCE,
            labels::ACCOUNT_LINKING_PAGE
        );
    } else {
        println!(
            "client {id}: PKCE is optional (a request with an S256 code_challenge still \
             needs its code_verifier)"
        );
    }
    Ok(())
}

fn client_remove(store: &Store, id: &str) -> Result<(), Failure> {
    if store.with(|c| store::delete_client(c, id))? {
        println!("removed client {id} and every link it held");
        Ok(())
    } else {
        Err(Failure::runtime(format!(
            "no client {id:?} (see `client list`)"
        )))
    }
}

fn client_rotate_secret(store: &Store, id: &str, json: bool) -> Result<(), Failure> {
    let secret = client_auth::new_secret();
    let hash = client_auth::secret_hash(&secret);
    if !store.with(|c| store::set_client_secret_hash(c, id, &hash))? {
        return Err(Failure::runtime(format!(
            "no client {id:?} (see `client list`)"
        )));
    }
    if json {
        println!("{}", json!({ "client_id": id, "client_secret": secret }));
    } else {
        println!("New secret for {id} (the old one no longer works; shown only once):");
        println!("  {secret}");
        println!(
            "Paste it into the Alexa developer console ({}) as \"{}\".",
            labels::ACCOUNT_LINKING_PAGE,
            labels::SECRET
        );
    }
    Ok(())
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

/// After the console values: the placeholder hint, and the registered
/// redirect URLs of an Alexa client.
fn print_redirect_uris(c: &Client, known: bool) {
    if !known {
        println!(
            "Replace https://YOUR-PUBLIC-HOST with the public HTTPS address of this server (pass --public-url)."
        );
    }
    if c.kind == ClientKind::Alexa {
        println!(
            "Registered redirect URLs (must equal the console's {}):",
            labels::REDIRECT_URLS
        );
        for u in &c.redirect_uris {
            println!("  {u}");
        }
    }
}
