//! Benchmark preparation and SQL counting for `scripts/bench`.
//!
//! Writes straight into a data directory's database with the library's store
//! API, so a benchmark does not pay one Argon2 hash per code or link:
//!
//! - `users`: M local accounts sharing one password (hashed once, the PHC
//!   string reused);
//! - `codes`: N authorization codes with a PKCE S256 challenge each; writes
//!   `CODE VERIFIER` lines (a code is single-use);
//! - `links`: N links, each made by minting a code and redeeming it with
//!   `store::redeem_code` (what the token endpoint does); writes the refresh
//!   tokens, one per line (refresh tokens do not rotate: reusable);
//! - `sql`: statements and transactions per operation (refresh, code
//!   exchange, login), counted in process with SQLite's trace hook on a
//!   scratch data directory, through the real handlers (`App::handle`).
//!
//! ```sh
//! cargo run --release --example bench_prep -- users --data-dir D --count 200 --password 'bench pass 1'
//! cargo run --release --example bench_prep -- codes --data-dir D --client ID --redirect-uri URI --count 5000 --out codes.txt
//! cargo run --release --example bench_prep -- links --data-dir D --client ID --redirect-uri URI --count 1000 --out refresh.txt
//! cargo run --release --example bench_prep -- sql --json
//! ```

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, Subcommand};
use http_body_util::{BodyExt as _, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use hyper::{Request, StatusCode};
use ma_alexa_oauth::app::App;
use ma_alexa_oauth::config::Config;
use ma_alexa_oauth::identity::{self, password};
use ma_alexa_oauth::oauth::{client_auth, metadata, pkce};
use ma_alexa_oauth::server::ConnInfo;
use ma_alexa_oauth::store::{self, Client, ClientKind, CodeGrant, Redeemed};
use ma_alexa_oauth::util;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Parser)]
#[command(about = "Prepare benchmark data in a data directory; count SQL per operation")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Args)]
struct Target {
    /// The server's data directory (the database is written directly).
    #[arg(long)]
    data_dir: PathBuf,
    /// Client id (from `client add ... --json`).
    #[arg(long)]
    client: String,
    /// One of the client's registered redirect URIs.
    #[arg(long)]
    redirect_uri: String,
    /// How many to make.
    #[arg(long)]
    count: usize,
    /// Spread over this many accounts `PREFIX0..` (they need not exist for codes and links).
    #[arg(long, default_value_t = 200)]
    users: usize,
    #[arg(long, default_value = "benchuser")]
    prefix: String,
    /// Links only: make them as of this many seconds ago, so that the first
    /// refresh of each records its use (one write, as Alexa's hourly refresh does).
    #[arg(long, default_value_t = 0)]
    age: i64,
    /// Output file.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Subcommand)]
enum Cmd {
    /// Local accounts PREFIX0..PREFIX{count-1}, all with the same password, hashed once.
    Users {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        count: usize,
        #[arg(long, default_value = "benchuser")]
        prefix: String,
        #[arg(long)]
        password: String,
    },
    /// Authorization codes with PKCE: writes `CODE VERIFIER` lines.
    Codes(Target),
    /// Links with refresh tokens (code minted and redeemed): writes one refresh token per line.
    Links(Target),
    /// Statements and transactions per operation, counted in process.
    Sql {
        /// Operations of each kind to average over.
        #[arg(long, default_value_t = 50)]
        iterations: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> Res<()> {
    match Cli::parse().cmd {
        Cmd::Users {
            data_dir,
            count,
            prefix,
            password,
        } => users(&data_dir, count, &prefix, &password),
        Cmd::Codes(t) => codes(&t),
        Cmd::Links(t) => links(&t),
        Cmd::Sql { iterations, json } => sql(iterations, json),
    }
}

fn users(dir: &Path, count: usize, prefix: &str, pw: &str) -> Res<()> {
    identity::validate_password(pw)?;
    let phc = password::hash(pw).map_err(|e| e.to_string())?;
    let store = ma_alexa_oauth::startup::open_store(dir)?;
    let now = util::now();
    let added = store.with(|c| {
        store::in_transaction(c, |tx| {
            let mut added = 0;
            for i in 0..count {
                if store::insert_user(tx, &format!("{prefix}{i}"), &phc, now)? {
                    added += 1;
                }
            }
            Ok(added)
        })
    })?;
    println!("{added} users added ({} existed)", count - added);
    Ok(())
}

/// A freshly minted code (not yet stored).
struct Minted {
    code: String,
    hash: [u8; 32],
    verifier: String,
    grant: CodeGrant,
}

/// A fresh code for account `i % users`, with its PKCE verifier.
fn mint(client: &Client, redirect_uri: &str, username: String, now: i64) -> Minted {
    let code = util::random_token(32);
    let verifier = util::random_token(32);
    let grant = CodeGrant {
        client_id: client.id.clone(),
        subject: identity::local_subject(&username),
        username,
        redirect_uri: redirect_uri.to_owned(),
        scope: client.scopes.join(" "),
        code_challenge: Some(pkce::s256(&verifier)),
        // The longest a code may live (Config::code_ttl's upper bound).
        expires_at: now + 300,
        ma_token: None,
    };
    Minted {
        hash: util::sha256(code.as_bytes()),
        code,
        verifier,
        grant,
    }
}

/// Makes a link with a refresh token as the token endpoint does (a code
/// minted and redeemed), as of `now`; returns the refresh token.
fn make_link(
    store: &store::Store,
    client: &Client,
    redirect_uri: &str,
    username: String,
    now: i64,
) -> Res<String> {
    let m = mint(client, redirect_uri, username, now);
    store.with(|c| store::insert_code(c, &m.hash, &m.grant))?;
    let refresh = util::random_token(32);
    let refresh_hash = util::sha256(refresh.as_bytes());
    let link_id = util::random_token(12);
    let r = store.with(|c| {
        store::redeem_code(c, &m.hash, &client.id, now, &link_id, &refresh_hash, |_| {
            Ok::<(), ()>(())
        })
    })?;
    if !matches!(r, Redeemed::Issued(_)) {
        return Err(format!("redeeming a fresh code gave {r:?}").into());
    }
    Ok(refresh)
}

fn username(t: &Target, i: usize) -> String {
    format!("{}{}", t.prefix, i % t.users.max(1))
}

fn open_target(t: &Target) -> Res<(store::Store, Client)> {
    let store = ma_alexa_oauth::startup::open_store(&t.data_dir)?;
    let client = store
        .with(|c| store::get_client(c, &t.client))?
        .ok_or_else(|| format!("no client {:?} in {}", t.client, t.data_dir.display()))?;
    if !client.has_redirect_uri(&t.redirect_uri) {
        return Err(format!("{:?} is not a redirect URI of {}", t.redirect_uri, t.client).into());
    }
    Ok((store, client))
}

fn codes(t: &Target) -> Res<()> {
    let (store, client) = open_target(t)?;
    let now = util::now();
    let made: Vec<Minted> = (0..t.count)
        .map(|i| mint(&client, &t.redirect_uri, username(t, i), now))
        .collect();
    store.with(|c| {
        store::in_transaction(c, |tx| {
            for m in &made {
                store::insert_code(tx, &m.hash, &m.grant)?;
            }
            Ok(())
        })
    })?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&t.out)?);
    for m in &made {
        writeln!(out, "{} {}", m.code, m.verifier)?;
    }
    out.flush()?;
    println!("{} codes written to {}", t.count, t.out.display());
    Ok(())
}

fn links(t: &Target) -> Res<()> {
    let (store, client) = open_target(t)?;
    let now = util::now() - t.age;
    // All in one transaction (one commit): the same statements as the token
    // endpoint's redemption, without an fsync per link.
    let refresh: Vec<String> = store.with(|c| {
        store::in_transaction(c, |tx| {
            let mut out = Vec::with_capacity(t.count);
            for i in 0..t.count {
                let m = mint(&client, &t.redirect_uri, username(t, i), now);
                store::insert_code(tx, &m.hash, &m.grant)?;
                let token = util::random_token(32);
                let r = store::redeem_code_in(
                    tx,
                    &m.hash,
                    &client.id,
                    now,
                    &util::random_token(12),
                    &util::sha256(token.as_bytes()),
                    |_| Ok::<(), ()>(()),
                )?;
                if !matches!(r, Redeemed::Issued(_)) {
                    return Err(store::StoreError::Corrupt(format!(
                        "redeeming a fresh code gave {r:?}"
                    )));
                }
                out.push(token);
            }
            Ok(out)
        })
    })?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&t.out)?);
    for token in &refresh {
        writeln!(out, "{token}")?;
    }
    out.flush()?;
    println!("{} links written to {}", t.count, t.out.display());
    Ok(())
}

// ---------------------------------------------------------------------------
// sql: statement counting through SQLite's trace hook

/// Statements seen since the last `take` (the trace hook is a plain fn).
static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

struct Seen {
    sql: String,
    /// When the statement began running (the STMT event).
    start: Instant,
    /// From start to the PROFILE event (end of the statement), measured here:
    /// SQLite's own figure has millisecond resolution.
    time: Option<Duration>,
}

fn on_trace(e: TraceEvent<'_>) {
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    match e {
        TraceEvent::Stmt(_, sql) if !sql.starts_with("--") => seen.push(Seen {
            sql: sql.to_owned(),
            start: Instant::now(),
            time: None,
        }),
        TraceEvent::Profile(s, _) => {
            let sql = s.sql();
            if let Some(last) = seen
                .iter_mut()
                .rev()
                .find(|x| x.time.is_none() && x.sql == sql)
            {
                last.time = Some(last.start.elapsed());
            }
        }
        _ => {}
    }
}

fn take() -> Vec<Seen> {
    std::mem::take(&mut *SEEN.lock().unwrap_or_else(|p| p.into_inner()))
}

/// Counts for one kind of operation, summed over its iterations.
#[derive(Default, serde::Serialize)]
struct Counts {
    operations: usize,
    statements: usize,
    /// Explicit `BEGIN ... COMMIT` transactions.
    transactions: usize,
    /// Statements run outside an explicit transaction (each its own implicit one).
    autocommit_statements: usize,
    /// INSERT/UPDATE/DELETE statements (each takes the write lock).
    write_statements: usize,
    /// Time from each statement's start to its end (prepare excluded).
    sqlite_us: f64,
    /// Distinct statements (normalised) and how often each ran.
    distinct: BTreeMap<String, usize>,
}

impl Counts {
    fn add(&mut self, seen: &[Seen]) {
        self.operations += 1;
        let mut in_tx = false;
        for s in seen {
            let sql = s.sql.trim();
            let head = sql
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            self.statements += 1;
            match head.as_str() {
                "BEGIN" => {
                    in_tx = true;
                    self.transactions += 1;
                }
                "COMMIT" | "END" | "ROLLBACK" => in_tx = false,
                _ if !in_tx => self.autocommit_statements += 1,
                _ => {}
            }
            if matches!(head.as_str(), "INSERT" | "UPDATE" | "DELETE") {
                self.write_statements += 1;
            }
            self.sqlite_us += s.time.unwrap_or_default().as_secs_f64() * 1e6;
            let short: String = sql
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(90)
                .collect();
            *self.distinct.entry(short).or_default() += 1;
        }
    }

    fn per_op(&self) -> serde_json::Value {
        let n = self.operations.max(1) as f64;
        serde_json::json!({
            "operations": self.operations,
            "statements": self.statements as f64 / n,
            "transactions": self.transactions as f64 / n,
            "autocommit_statements": self.autocommit_statements as f64 / n,
            "write_statements": self.write_statements as f64 / n,
            "sqlite_us": self.sqlite_us / n,
            "distinct": self.distinct.iter().map(|(k, v)| (k.clone(), *v as f64 / n)).collect::<BTreeMap<_, _>>(),
        })
    }
}

const PEER: &str = "127.0.0.1:40000";
const PASSWORD: &str = "bench password 1";

async fn call(app: &App, req: Request<Full<Bytes>>) -> Res<(StatusCode, hyper::HeaderMap, String)> {
    let peer: SocketAddr = PEER.parse()?;
    let resp = ma_alexa_oauth::router::handle(app, req, ConnInfo { peer }).await;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok((
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&body).into_owned(),
    ))
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn post(
    path: &str,
    body: String,
    extra: &[(hyper::header::HeaderName, String)],
) -> Res<Request<Full<Bytes>>> {
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in extra {
        b = b.header(k, v);
    }
    Ok(b.body(Full::new(Bytes::from(body)))?)
}

/// The value of a hidden input in the login page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let key = format!("name=\"{name}\" value=\"");
    let start = html.find(&key)? + key.len();
    let end = html.get(start..)?.find('"')? + start;
    Some(html.get(start..end)?.replace("&amp;", "&"))
}

fn sql(iterations: usize, json: bool) -> Res<()> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("data");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let report = rt.block_on(async {
        let mut config = Config::new("http://127.0.0.1:9");
        // Successful logins never trip the throttle, but say so explicitly.
        config.login_policy.free_failures_per_address = u32::MAX;
        let app = App::open(config, &dir)?;
        let secret = client_auth::new_secret();
        let redirect = "https://pitangui.amazon.com/api/skill/link/BENCH".to_owned();
        let client = Client {
            id: "alexa-bench".into(),
            name: "alexa".into(),
            kind: ClientKind::Alexa,
            vendor_id: Some("BENCH".into()),
            secret_hash: client_auth::secret_hash(&secret),
            redirect_uris: vec![redirect.clone()],
            scopes: ma_alexa_oauth::oauth::default_scopes(),
            require_pkce: false,
            created_at: util::now(),
        };
        let phc = password::hash(PASSWORD).map_err(|e| e.to_string())?;
        app.store().with(|c| {
            store::insert_client(c, &client)?;
            store::insert_user(c, "alice", &phc, util::now())?;
            Ok(())
        })?;
        use base64::Engine as _;
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", client.id))
        );
        fn install_trace(c: &rusqlite::Connection) {
            c.trace_v2(
                TraceEventCodes::SQLITE_TRACE_STMT | TraceEventCodes::SQLITE_TRACE_PROFILE,
                Some(on_trace),
            );
        }
        app.store().with(|c| {
            install_trace(c);
            Ok(())
        })?;
        // The inline reads (Store::read) use read-only connections of their own.
        app.store().on_reader_open(install_trace);

        let mut login = Counts::default();
        let mut exchange = Counts::default();
        let mut refresh = Counts::default();
        let mut form_get = Counts::default();
        let mut refresh_tokens = Vec::new();
        for i in 0..iterations {
            // Login: GET the form (cookie + CSRF), POST it.
            let verifier = util::random_token(32);
            let challenge = pkce::s256(&verifier);
            let query = form(&[
                ("client_id", &client.id),
                ("redirect_uri", &redirect),
                ("response_type", "code"),
                ("scope", "music:read music:control"),
                ("state", &format!("s{i}")),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ]);
            take();
            let get = Request::builder()
                .uri(format!("{}?{query}", metadata::AUTHORIZE_PATH))
                .body(Full::new(Bytes::new()))?;
            let (status, headers, html) = call(&app, get).await?;
            form_get.add(&take());
            if status != StatusCode::OK {
                return Err(format!("login form: {status}").into());
            }
            let cookie = headers
                .get(SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .ok_or("no cookie")?
                .to_owned();
            let csrf = hidden(&html, "csrf").ok_or("no csrf field")?;
            let body = form(&[
                ("client_id", &client.id),
                ("redirect_uri", &redirect),
                ("response_type", "code"),
                ("scope", "music:read music:control"),
                ("state", &format!("s{i}")),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("csrf", &csrf),
                ("username", "alice"),
                ("password", PASSWORD),
            ]);
            let (status, headers, _) = call(
                &app,
                post(metadata::AUTHORIZE_PATH, body, &[(COOKIE, cookie)])?,
            )
            .await?;
            login.add(&take());
            if status != StatusCode::SEE_OTHER {
                return Err(format!("login: {status}").into());
            }
            let location = headers
                .get(hyper::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or("no Location")?;
            let code = url::Url::parse(location)?
                .query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
                .ok_or("no code")?;

            // Code exchange.
            let body = form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &redirect),
                ("code_verifier", &verifier),
            ]);
            let (status, _, text) = call(
                &app,
                post(
                    metadata::TOKEN_PATH,
                    body,
                    &[(AUTHORIZATION, basic.clone())],
                )?,
            )
            .await?;
            exchange.add(&take());
            if status != StatusCode::OK {
                return Err(format!("code exchange: {status} {text}").into());
            }
            let v: serde_json::Value = serde_json::from_str(&text)?;
            let rt = v["refresh_token"].as_str().ok_or("no refresh_token")?;
            refresh_tokens.push(rt.to_owned());
        }
        let refresh_once = async |rt: &str| -> Res<()> {
            let body = form(&[("grant_type", "refresh_token"), ("refresh_token", rt)]);
            let auth = [(AUTHORIZATION, basic.clone())];
            let (status, _, text) = call(&app, post(metadata::TOKEN_PATH, body, &auth)?).await?;
            if status != StatusCode::OK {
                return Err(format!("refresh: {status} {text}").into());
            }
            Ok(())
        };
        // Refresh of a link used within the last minute (last_used_at is
        // not rewritten): what a burst of refreshes of one link costs.
        for rt in refresh_tokens.iter().cycle().take(iterations * 4) {
            refresh_once(rt).await?;
            refresh.add(&take());
        }
        // Refresh of a link last used over a minute ago: Alexa's hourly
        // refresh, which records the use (in memory: the UPDATE comes later,
        // in the store's batch, off the request path).
        let old: Vec<String> = (0..iterations)
            .map(|_| {
                make_link(
                    app.store(),
                    &client,
                    &redirect,
                    "alice".into(),
                    util::now() - 120,
                )
            })
            .collect::<Res<_>>()?;
        take();
        let mut refresh_stale = Counts::default();
        for rt in &old {
            refresh_once(rt).await?;
            refresh_stale.add(&take());
        }
        Ok::<_, Box<dyn std::error::Error>>((login, exchange, refresh, form_get, refresh_stale))
    })?;
    let (login, exchange, refresh, form_get, refresh_stale) = report;
    let out = serde_json::json!({
        "authorize_get": form_get.per_op(),
        "login_post": login.per_op(),
        "code_exchange": exchange.per_op(),
        "refresh_recent": refresh.per_op(),
        "refresh_stale": refresh_stale.per_op(),
    });
    if json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}
