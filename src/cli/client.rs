//! `client`: register OAuth clients (the Alexa skill), change, list and
//! remove them, rotate secrets; print the values to paste into the Alexa
//! developer console.

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::{Failure, JsonFlag, PUBLIC_URL_META, open, parse_public_url};
use crate::oauth::{self, client_auth, metadata};
use crate::store::{self, Client, ClientKind, Store};
use crate::util;

/// Where Alexa sends the browser back after login, one per region.
pub const ALEXA_REDIRECT_HOSTS: [&str; 3] = [
    "https://pitangui.amazon.com",
    "https://layla.amazon.com",
    "https://alexa.amazon.co.jp",
];

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

pub(super) fn valid_vendor_id(v: &str) -> bool {
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

fn public_url_for_print(store: &Store, flag: Option<String>) -> Result<(String, bool), Failure> {
    if let Some(u) = flag {
        return Ok((parse_public_url(&u)?, true));
    }
    match store.with(|c| store::get_meta(c, PUBLIC_URL_META))? {
        Some(u) => Ok((u, true)),
        None => Ok(("https://YOUR-PUBLIC-HOST".to_owned(), false)),
    }
}

pub(super) fn client(dir: &Path, cmd: ClientCmd) -> Result<(), Failure> {
    let store = open(dir)?;
    match cmd {
        ClientCmd::Add(args) => client_add(&store, args),
        ClientCmd::List(f) => client_list(&store, f.json),
        ClientCmd::Set { id, require_pkce } => client_set(&store, &id, require_pkce),
        ClientCmd::Remove { id } => client_remove(&store, &id),
        ClientCmd::RotateSecret { id, json } => client_rotate_secret(&store, &id, json),
    }
}

/// `client add`: registers the client and prints its console values and secret.
fn client_add(store: &Store, args: AddArgs) -> Result<(), Failure> {
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
    let (base, known) = public_url_for_print(store, public_url)?;
    let then_pkce = format!("run `client set {} --require-pkce on`", c.id);
    print_client_secret(&c, &secret, (&base, known), json, &then_pkce);
    if !json {
        println!(
            "The secret is shown only once; `client rotate-secret {}` makes a new one.",
            c.id
        );
        print_redirect_uris(&c, known);
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
            if !valid_vendor_id(v) {
                return Err(Failure::usage(format!(
                    "--vendor-id {v:?} is not an Alexa vendor id (letters and digits, as in the console's \
                     Alexa Redirect URLs: …/api/skill/link/<VendorID>)"
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

fn client_list(store: &Store, json_out: bool) -> Result<(), Failure> {
    let clients = store.with(|c| store::list_clients(c))?;
    if json_out {
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
        println!("Paste it into the Alexa developer console as \"Your Secret\".");
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

/// The values to paste into the Alexa developer console (or, with `json`,
/// one JSON line); `then_pkce` says how to require PKCE afterwards; the
/// caller adds how to get a new secret.
pub(super) fn print_client_secret(
    c: &Client,
    secret: &str,
    (base, known): (&str, bool),
    json: bool,
    then_pkce: &str,
) {
    let authorize = format!("{base}{}", metadata::AUTHORIZE_PATH);
    let token = format!("{base}{}", metadata::TOKEN_PATH);
    if json {
        let v = json!({
            "client_id": c.id, "client_secret": secret, "name": c.name, "kind": c.kind,
            "authorization_uri": authorize, "token_uri": token, "redirect_uris": c.redirect_uris,
            "scopes": c.scopes, "authentication_scheme": "HTTP Basic",
            "default_access_token_expiration": 3600, "public_url_known": known,
            "require_pkce": c.require_pkce,
            "skill_endpoint": format!("{base}{}", crate::handlers::skill::PATH),
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
            "  PKCE Authorization:                   optional; recommended: switch it on, then {then_pkce}"
        );
    }
    if c.kind == ClientKind::Alexa {
        print_skill_endpoint(base);
    }
    println!();
}

/// After the console values: the placeholder hint, and the registered
/// redirect URLs of an Alexa client.
pub(super) fn print_redirect_uris(c: &Client, known: bool) {
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

/// The skill's own endpoint (Build > Endpoint) and its id's registration.
fn print_skill_endpoint(base: &str) {
    let endpoint = format!("{base}{}", crate::handlers::skill::PATH);
    println!();
    println!("The skill's endpoint (your skill > Build > Endpoint > HTTPS), Default Region:");
    println!("  URL:         {endpoint}");
    println!(
        "  Certificate: \"My development endpoint has a certificate from a trusted certificate authority\""
    );
    println!(
        "Then register the skill id shown under the skill's name, so its requests are answered:"
    );
    println!("  ma-alexa-oauth skill id add amzn1.ask.skill.<id from the console>");
    println!("The interaction model: `ma-alexa-oauth skill model --locale en-US` (JSON Editor).");
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
}
