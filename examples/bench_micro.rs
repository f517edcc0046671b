//! What the pieces of a refresh cost, in process (no network): the figures
//! behind the profile of the refresh path in bench/RESULTS.md.
//!
//! ```sh
//! cargo run --release --example bench_micro [-- --json]
//! ```
//!
//! Each figure is the median of 15 batches (each batch long enough to take a
//! few milliseconds), in microseconds per operation, on one thread (the
//! `Store::call` and `Store::read` figures use the tokio runtime `serve` uses).

use std::time::{Duration, Instant};

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use ma_alexa_oauth::keys::{self, AccessClaims, Keys};
use ma_alexa_oauth::oauth::client_auth;
use ma_alexa_oauth::store::{self, Client, ClientKind, CodeGrant, Redeemed};
use ma_alexa_oauth::util;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn median(mut per: Vec<f64>) -> f64 {
    per.sort_by(f64::total_cmp);
    per[per.len() / 2]
}

/// Median µs per call of `f` over 15 batches of `n` calls.
fn time(n: usize, mut f: impl FnMut()) -> f64 {
    let mut per = Vec::with_capacity(15);
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        per.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    median(per)
}

/// Median µs per awaited call of `f(i)` (i counts calls) over 15 batches of `n`.
async fn time_async<F, Fut>(n: usize, mut f: F) -> f64
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut per = Vec::with_capacity(15);
    for b in 0..15 {
        let t = Instant::now();
        for j in 0..n {
            f(b * n + j).await;
        }
        per.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    median(per)
}

/// Picks a batch size so that one batch takes about 5 ms.
fn calibrated(mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    let mut k = 0;
    while t.elapsed() < Duration::from_millis(5) {
        f();
        k += 1;
    }
    time(k.max(1), f)
}

fn claims() -> AccessClaims {
    let now = util::now();
    AccessClaims {
        iss: "https://auth.example.com".into(),
        sub: "local:benchuser1".into(),
        aud: "https://auth.example.com".into(),
        exp: now + 3600,
        iat: now,
        jti: util::random_token(16),
        client_id: "alexa-0123456789abcdef".into(),
        scope: "music:read music:control".into(),
        sid: util::random_token(12),
        preferred_username: "benchuser1".into(),
    }
}

fn main() -> Res<()> {
    let json = std::env::args().any(|a| a == "--json");
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("data");
    let st = ma_alexa_oauth::startup::open_store(&dir)?;
    let k = Keys::load_or_create(&dir, "https://auth.example.com", "https://auth.example.com")?;
    let pkcs8 = std::fs::read(dir.join(keys::KEY_FILE))?;
    let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| e.to_string())?;
    let _ = pair.public_key();
    let c = claims();
    // The bytes a JWT signature covers are about this long.
    let signing_input = vec![b'a'; k.sign(&c)?.rsplit_once('.').map_or(400, |(a, _)| a.len())];

    let mut out: Vec<(&str, f64)> = Vec::new();
    out.push((
        "Keys::sign (key pair parsed once at start; header encoded once)",
        calibrated(|| {
            let _ = k.sign(&c);
        }),
    ));
    out.push((
        "Ed25519KeyPair::from_pkcs8 (what jsonwebtoken::encode paid per call before)",
        calibrated(|| {
            let _ = Ed25519KeyPair::from_pkcs8(&pkcs8);
        }),
    ));
    out.push((
        "Ed25519 signature with a key parsed once (aws-lc-rs)",
        calibrated(|| {
            let _ = pair.sign(&signing_input);
        }),
    ));
    out.push((
        "serde_json + base64url of the claims",
        calibrated(|| {
            let _ = util::b64url(&serde_json::to_vec(&c).unwrap_or_default());
        }),
    ));
    out.push((
        "util::sha256 of a 43-character refresh token",
        calibrated(|| {
            let _ = util::sha256(b"eedDphFNJIHTbcaO_9etHJg9WD2yMC9nzLEQT4UP9qY");
        }),
    ));
    out.push((
        "util::random_token(16) (the jti)",
        calibrated(|| {
            let _ = util::random_token(16);
        }),
    ));

    // The store: one client, 1000 links.
    let secret = client_auth::new_secret();
    let client = Client {
        id: "alexa-bench".into(),
        name: "alexa".into(),
        kind: ClientKind::Alexa,
        vendor_id: Some("BENCH".into()),
        secret_hash: client_auth::secret_hash(&secret),
        redirect_uris: vec!["https://pitangui.amazon.com/api/skill/link/BENCH".into()],
        scopes: ma_alexa_oauth::oauth::default_scopes(),
        require_pkce: false,
        created_at: util::now(),
    };
    st.with(|conn| store::insert_client(conn, &client))?;
    let now = util::now();
    let mut hashes = Vec::new();
    for i in 0..1000 {
        let code = util::sha256(format!("code{i}").as_bytes());
        let g = CodeGrant {
            client_id: client.id.clone(),
            subject: format!("local:u{i}"),
            username: format!("u{i}"),
            redirect_uri: client.redirect_uris[0].clone(),
            scope: "music:read music:control".into(),
            code_challenge: None,
            expires_at: now + 300,
            ma_token: None,
        };
        st.with(|conn| store::insert_code(conn, &code, &g))?;
        let rh = util::sha256(format!("refresh{i}").as_bytes());
        let r = st.with(|conn| {
            store::redeem_code(
                conn,
                &code,
                &client.id,
                now,
                &format!("link{i}"),
                &rh,
                |_| Ok::<(), ()>(()),
            )
        })?;
        if !matches!(r, Redeemed::Issued(_)) {
            return Err("could not make a link".into());
        }
        hashes.push(rh);
    }
    let mut i = 0;
    out.push((
        "store::get_client (SELECT, prepared-statement cache)",
        calibrated(|| {
            let _ = st.with(|conn| store::get_client(conn, "alexa-bench"));
        }),
    ));
    out.push((
        "store::lookup_refresh (SELECT ... JOIN)",
        calibrated(|| {
            i = (i + 1) % hashes.len();
            let _ = st.with(|conn| store::lookup_refresh(conn, &hashes[i]));
        }),
    ));
    out.push((
        "store::client_secret_hash (SELECT of the digest: client authentication)",
        calibrated(|| {
            let _ = st.with(|conn| store::client_secret_hash(conn, "alexa-bench"));
        }),
    ));
    out.push((
        "store::client_and_refresh (the refresh grant's one statement: digest + token row)",
        calibrated(|| {
            i = (i + 1) % hashes.len();
            let _ = st.with(|conn| store::client_and_refresh(conn, "alexa-bench", &hashes[i]));
        }),
    ));
    out.push((
        "Store::record_use (in memory; written in one transaction every few seconds)",
        calibrated(|| {
            i = (i + 1) % hashes.len();
            st.record_use(&format!("link{i}"), now);
        }),
    ));

    // Store::call: the hop to tokio's blocking pool and back, on the runtime serve uses.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let st2 = st.clone();
    out.push((
        "Store::call round trip with an empty closure (spawn_blocking + mutex)",
        rt.block_on(time_async(2000, |_| {
            let s = st2.clone();
            async move {
                let _ = s.call(|_| Ok(())).await;
            }
        })),
    ));
    let st4 = st.clone();
    let h2 = hashes.clone();
    out.push((
        "Store::read(lookup_refresh): inline on a read-only connection",
        rt.block_on(time_async(2000, |i| {
            let (s, h) = (st4.clone(), h2[i % h2.len()]);
            async move {
                let _ = s.read(move |c| store::lookup_refresh(c, &h)).await;
            }
        })),
    ));
    out.push((
        "Store::call(lookup_refresh): the same read through the blocking pool",
        rt.block_on(time_async(2000, |i| {
            let (s, h) = (st4.clone(), h2[i % h2.len()]);
            async move {
                let _ = s.call(move |c| store::lookup_refresh(c, &h)).await;
            }
        })),
    ));
    let st3 = st.clone();
    out.push((
        "Store::call, 16 callers at once (per call, wall clock)",
        rt.block_on(async {
            let n = 500;
            let mut per = Vec::new();
            for _ in 0..7 {
                let t = Instant::now();
                let tasks: Vec<_> = (0..16)
                    .map(|_| {
                        let s = st3.clone();
                        tokio::spawn(async move {
                            for _ in 0..n {
                                let _ = s.call(|_| Ok(())).await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    let _ = t.await;
                }
                per.push(t.elapsed().as_secs_f64() * 1e6 / (n * 16) as f64);
            }
            median(per)
        }),
    ));

    if json {
        // An array of [what, µs] pairs, in the order measured.
        let v: Vec<serde_json::Value> =
            out.iter().map(|(k, v)| serde_json::json!([k, v])).collect();
        println!("{}", serde_json::Value::Array(v));
    } else {
        for (k, v) in &out {
            println!("{v:9.2} µs  {k}");
        }
    }
    Ok(())
}
