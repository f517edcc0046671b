//! The benchmark's floor: the least a refresh grant must cost on this stack,
//! to measure ours against. A hyper server shaped like `serve` (multi-thread
//! tokio runtime, HTTP/1.1 keep-alive through hyper-util's auto builder)
//! that does only the irreducible work of a refresh grant and nothing else:
//!
//! 1. read the request and its form body (`grant_type`, `refresh_token`);
//! 2. check HTTP Basic: base64, the id, SHA-256 of the secret compared in
//!    constant time with the stored digest (held in memory: one client);
//! 3. one indexed SQLite read of the refresh token's row by its SHA-256
//!    (a rowid table with a BLOB primary key, like ours; the row carries what
//!    the token needs: client, subject, username, scope, link id, revoked),
//!    on a read-only connection kept per runtime thread, inline;
//! 4. one Ed25519 signature (aws-lc-rs, key parsed once) over a JWT with
//!    our claims (same names, same sizes: issuer and audience as given);
//! 5. the JSON answer with our fields and headers.
//!
//! No logging, no audit line, no connection accounting, no timeouts, no
//! per-client slots, no routing beyond one path. Everything else our server
//! does per refresh is measured against this.
//!
//! ```sh
//! cargo run --release --example bench_floor -- 127.0.0.1:0 --tokens FILE \
//!     --client-id ID --client-secret SECRET --issuer URL [--users 200]
//! ```
//!
//! `--tokens`: refresh tokens, one per line (the ones `bench_prep links`
//! wrote for our server: wrk sends the same bodies to both). Prints
//! `bench_floor listening on http://ADDR` once it accepts connections.
//! Used by `scripts/bench`; see bench/README.md.

use std::cell::RefCell;
use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::Ed25519KeyPair;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};
use serde::Serialize;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const TTL: i64 = 3600;

struct Floor {
    db: PathBuf,
    client_id: String,
    secret_hash: [u8; 32],
    key: Ed25519KeyPair,
    header_b64: String,
    issuer: String,
}

/// Our access token's claims, in our order, borrowed from the row.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
    iat: i64,
    jti: &'a str,
    client_id: &'a str,
    scope: &'a str,
    sid: &'a str,
    preferred_username: &'a str,
}

#[derive(Serialize)]
struct TokenResponse<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: &'a str,
    scope: &'a str,
}

/// The refresh token's row.
struct Row {
    client_id: String,
    subject: String,
    username: String,
    scope: String,
    link_id: String,
    revoked: bool,
}

thread_local! {
    /// One read-only connection per runtime thread (no pool, no lock).
    static CONN: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, data).as_ref());
    out
}

fn random_b64(n: usize) -> String {
    let mut b = [0u8; 32];
    let b = &mut b[..n.min(32)];
    let _ = getrandom::fill(b);
    URL_SAFE_NO_PAD.encode(b)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Floor {
    fn lookup(&self, hash: &[u8; 32]) -> Res<Option<Row>> {
        CONN.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                let c = Connection::open_with_flags(
                    &self.db,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                *slot = Some(c);
            }
            let conn = slot.as_ref().ok_or("no connection")?;
            let mut stmt = conn.prepare_cached(
                "SELECT client_id, subject, username, scope, link_id, revoked_at IS NOT NULL \
                 FROM refresh_tokens WHERE hash = ?1",
            )?;
            Ok(stmt
                .query_row([&hash[..]], |r| {
                    Ok(Row {
                        client_id: r.get(0)?,
                        subject: r.get(1)?,
                        username: r.get(2)?,
                        scope: r.get(3)?,
                        link_id: r.get(4)?,
                        revoked: r.get(5)?,
                    })
                })
                .optional()?)
        })
    }

    /// HTTP Basic: the id matches and SHA-256 of the secret equals the
    /// stored digest (constant time).
    fn client_ok(&self, header: Option<&HeaderValue>) -> bool {
        let Some(raw) = header.and_then(|h| h.as_bytes().strip_prefix(b"Basic ")) else {
            return false;
        };
        let Ok(decoded) = STANDARD.decode(raw) else {
            return false;
        };
        let Some(colon) = decoded.iter().position(|&b| b == b':') else {
            return false;
        };
        let (id, secret) = decoded.split_at(colon);
        let secret = &secret[1..];
        let id: std::borrow::Cow<'_, [u8]> = percent_encoding::percent_decode(id).into();
        let secret: std::borrow::Cow<'_, [u8]> = percent_encoding::percent_decode(secret).into();
        let presented = sha256(&secret);
        let same = subtle::ConstantTimeEq::ct_eq(&presented[..], &self.secret_hash[..]);
        id.as_ref() == self.client_id.as_bytes() && bool::from(same)
    }

    fn sign(&self, claims: &Claims<'_>) -> Res<String> {
        let json = serde_json::to_vec(claims)?;
        let mut out = String::with_capacity(self.header_b64.len() + json.len() * 4 / 3 + 92);
        out.push_str(&self.header_b64);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&json, &mut out);
        let sig = self.key.sign(out.as_bytes());
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(sig.as_ref(), &mut out);
        Ok(out)
    }

    fn refresh(&self, headers: &hyper::HeaderMap, body: &[u8]) -> Response<Full<Bytes>> {
        let form = headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes() == b"application/x-www-form-urlencoded");
        if !form {
            return error(StatusCode::BAD_REQUEST, "invalid_request");
        }
        let (mut grant, mut token) = (None, None);
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "grant_type" => grant = Some(v),
                "refresh_token" => token = Some(v),
                _ => {}
            }
        }
        if !self.client_ok(headers.get(AUTHORIZATION)) {
            return error(StatusCode::UNAUTHORIZED, "invalid_client");
        }
        let (Some("refresh_token"), Some(token)) = (grant.as_deref(), token) else {
            return error(StatusCode::BAD_REQUEST, "invalid_request");
        };
        let row = match self.lookup(&sha256(token.as_bytes())) {
            Ok(Some(r)) if r.client_id == self.client_id && !r.revoked => r,
            Ok(_) => return error(StatusCode::BAD_REQUEST, "invalid_grant"),
            Err(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
        };
        let now = now();
        let jti = random_b64(16);
        let claims = Claims {
            iss: &self.issuer,
            sub: &row.subject,
            aud: &self.issuer,
            exp: now + TTL,
            iat: now,
            jti: &jti,
            client_id: &row.client_id,
            scope: &row.scope,
            sid: &row.link_id,
            preferred_username: &row.username,
        };
        let Ok(access_token) = self.sign(&claims) else {
            return error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
        };
        let body = serde_json::to_vec(&TokenResponse {
            access_token: &access_token,
            token_type: "Bearer",
            expires_in: TTL,
            refresh_token: &token,
            scope: &row.scope,
        })
        .unwrap_or_default();
        json(StatusCode::OK, body)
    }
}

fn json(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn error(status: StatusCode, code: &str) -> Response<Full<Bytes>> {
    json(status, format!(r#"{{"error":"{code}"}}"#).into_bytes())
}

async fn answer(
    floor: Arc<Floor>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.method() != Method::POST || req.uri().path() != "/alexa/token" {
        return Ok(error(StatusCode::NOT_FOUND, "not_found"));
    }
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|c| c.to_bytes()) else {
        return Ok(error(StatusCode::BAD_REQUEST, "invalid_request"));
    };
    Ok(floor.refresh(&parts.headers, &body))
}

struct Args {
    addr: SocketAddr,
    tokens: PathBuf,
    client_id: String,
    client_secret: String,
    issuer: String,
    users: usize,
}

fn args() -> Res<Args> {
    let mut it = std::env::args().skip(1);
    let addr = it
        .next()
        .ok_or("usage: bench_floor ADDR --tokens FILE ...")?
        .parse()?;
    let (mut tokens, mut client_id, mut client_secret, mut issuer, mut users) =
        (None, None, None, None, 200);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--tokens" => tokens = Some(PathBuf::from(value)),
            "--client-id" => client_id = Some(value),
            "--client-secret" => client_secret = Some(value),
            "--issuer" => issuer = Some(value),
            "--users" => users = value.parse()?,
            _ => return Err(format!("unknown option {flag}").into()),
        }
    }
    Ok(Args {
        addr,
        tokens: tokens.ok_or("--tokens is needed")?,
        client_id: client_id.ok_or("--client-id is needed")?,
        client_secret: client_secret.ok_or("--client-secret is needed")?,
        issuer: issuer.ok_or("--issuer is needed")?,
        users: users.max(1),
    })
}

/// The database: one row per refresh token, made like ours (WAL,
/// synchronous=FULL), subjects and link ids of our shapes and sizes.
fn prepare(db: &std::path::Path, a: &Args) -> Res<()> {
    let mut conn = Connection::open(db)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         CREATE TABLE refresh_tokens (
             hash       BLOB PRIMARY KEY,
             client_id  TEXT NOT NULL,
             subject    TEXT NOT NULL,
             username   TEXT NOT NULL,
             scope      TEXT NOT NULL,
             link_id    TEXT NOT NULL,
             revoked_at INTEGER
         ) STRICT;",
    )?;
    let text = std::fs::read_to_string(&a.tokens)?;
    let tx = conn.transaction()?;
    for (i, t) in text.split_whitespace().enumerate() {
        let user = format!("benchuser{}", i % a.users);
        tx.execute(
            "INSERT INTO refresh_tokens (hash, client_id, subject, username, scope, link_id) \
             VALUES (?1, ?2, ?3, ?4, 'music:read music:control', ?5)",
            rusqlite::params![
                &sha256(t.as_bytes())[..],
                a.client_id,
                format!("local:{user}"),
                user,
                random_b64(12)
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn main() -> Res<()> {
    let a = args()?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("floor.sqlite3");
    prepare(&db, &a)?;
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| "key generation failed")?;
    let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| "bad key")?;
    // Our JOSE header's size: typ, alg and a 43-character kid.
    let header = format!(
        r#"{{"typ":"at+jwt","alg":"EdDSA","kid":"{}"}}"#,
        random_b64(32)
    );
    let floor = Arc::new(Floor {
        db,
        client_id: a.client_id.clone(),
        secret_hash: sha256(a.client_secret.as_bytes()),
        key,
        header_b64: URL_SAFE_NO_PAD.encode(header),
        issuer: a.issuer.clone(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr).await?;
        println!("bench_floor listening on http://{}", listener.local_addr()?);
        std::io::stdout().flush()?;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder.http1().timer(TokioTimer::new()).keep_alive(true);
        let builder = Arc::new(builder);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let floor = Arc::clone(&floor);
            let builder = Arc::clone(&builder);
            tokio::spawn(async move {
                let svc = service_fn(move |req| answer(Arc::clone(&floor), req));
                let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
            });
        }
    })
}
