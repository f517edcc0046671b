//! What verifying a skill request costs (`skill::SkillVerifier`), in
//! process: the cached-chain path every request takes, the first request
//! for a chain URL (fetch, PEM, chain check, cache), and the parts.
//!
//! ```sh
//! cargo run --release --example bench_skill_verify [-- --json]
//! ```
//!
//! Signed by the test CA of tests/common/skill_sign.rs (RSA-2048 root,
//! intermediate and leaf, like Amazon's chain); the "https" fetch is a TLS
//! 1.3 GET from a loopback server (a real fetch from s3.amazonaws.com adds
//! the network's round trips). Medians of 15 batches, µs per operation.

#[allow(dead_code)]
#[path = "../tests/common/skill_sign.rs"]
mod skill_sign;

use std::time::{Duration, Instant, SystemTime};

use ma_alexa_oauth::skill::chain::{check_chain, parse_pem_chain};
use ma_alexa_oauth::skill::{ChainSource, SkillVerifier, Trust};
use skill_sign::{SKILL_ID, alexa_timestamp, chain_url, chains, skill_body, skill_ca};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn median(mut per: Vec<f64>) -> f64 {
    per.sort_by(f64::total_cmp);
    per[per.len() / 2]
}

/// Median µs per awaited call of `f(i)` over 15 batches of `n`.
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

fn testing(roots: &str, chains: ChainSource) -> Res<SkillVerifier> {
    Ok(SkillVerifier::new(Trust::Testing {
        roots_pem: roots.as_bytes().to_vec(),
        chains,
    })?)
}

// Long function: one figure after the other, each with its set-up.
fn main() -> Res<()> {
    let json = std::env::args().any(|a| a == "--json");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let ca = skill_ca();
    let tmp = tempfile::tempdir()?;
    let files = ca.write(tmp.path());
    let now = SystemTime::now();
    let body = skill_body("IntentRequest", &alexa_timestamp(now), SKILL_ID);
    let sig = ca.sign(&body);
    let url = chain_url(chains::GOOD);
    let ids = vec![SKILL_ID.to_owned()];
    let mut out: Vec<(String, f64)> = Vec::new();

    let dir_source = ChainSource::Dir(files.chains.clone());
    let cached = testing(&ca.roots_pem, dir_source.clone())?;
    out.push((
        format!(
            "verify, chain cached ({} B body): URL rules, cache, RSA-SHA256, timestamp, skill id",
            body.len()
        ),
        rt.block_on(async {
            cached
                .verify(Some(&url), Some(&sig), &body, now, &ids)
                .await
                .map(|_| ())?;
            Ok::<_, Box<dyn std::error::Error>>(
                time_async(2000, |_| async {
                    let _ = cached
                        .verify(Some(&url), Some(&sig), &body, now, &ids)
                        .await;
                })
                .await,
            )
        })?,
    ));
    let pem = ca.chain(chains::GOOD).to_vec();
    let certs = parse_pem_chain(&pem)?;
    let anchors = ma_alexa_oauth::skill::chain::anchors_from_pem(ca.roots_pem.as_bytes())?;
    let now_s = now.duration_since(SystemTime::UNIX_EPOCH)?.as_secs() as i64;
    out.push((
        "  first request only: PEM chain parse (2 certificates)".into(),
        time(2000, || {
            let _ = parse_pem_chain(&pem);
        }),
    ));
    out.push((
        "  first request only: chain check (webpki path to the root, dates, SAN)".into(),
        time(500, || {
            let _ = check_chain(&certs, &anchors, now_s);
        }),
    ));
    let leaf = ma_alexa_oauth::skill::chain::leaf_key(&certs).ok_or("no RSA leaf key")?;
    let raw_sig = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &sig)?;
    out.push((
        "  every request: RSA-2048 PKCS#1 SHA-256 signature check alone (key parsed once)".into(),
        time(2000, || {
            let _ = leaf.verify_sig(&body, &raw_sig);
        }),
    ));
    let url_str = url.clone();
    out.push((
        "  every request: the URL rules alone (parse, normalise)".into(),
        time(5000, || {
            let _ = ma_alexa_oauth::skill::CertUrl::parse(&url_str);
        }),
    ));
    out.push((
        "first request, chain from a file (--skill-test-chain-dir): read, parse, check, cache, verify".into(),
        rt.block_on(time_async(200, |_| {
            let v = testing(&ca.roots_pem, dir_source.clone());
            let (url, sig, body, ids) = (&url, &sig, &body, &ids);
            async move {
                if let Ok(v) = v {
                    let _ = v.verify(Some(url), Some(sig), body, now, ids).await;
                }
            }
        })),
    ));
    let fetched = rt.block_on(async {
        let origin = ca.chain_origin(&files).await;
        let source = ChainSource::Origin(origin.origin.clone());
        let first = testing(&ca.roots_pem, source.clone())?;
        first
            .verify(Some(&url), Some(&sig), &body, now, &ids)
            .await?;
        let t = time_async(20, |_| {
            let v = testing(&ca.roots_pem, source.clone());
            let (url, sig, body, ids) = (&url, &sig, &body, &ids);
            async move {
                if let Ok(v) = v {
                    let _ = v.verify(Some(url), Some(sig), body, now, ids).await;
                }
            }
        })
        .await;
        Ok::<_, Box<dyn std::error::Error>>(t)
    })?;
    out.push((
        "first request, chain fetched over https from loopback (TCP, TLS 1.3, GET) + parse, check, verify".into(),
        fetched,
    ));

    // The skill ids: one inline store read per request (App::skill_ids).
    let data = tmp.path().join("data");
    let app = ma_alexa_oauth::app::App::open(
        ma_alexa_oauth::config::Config::new("https://auth.example.com"),
        &data,
    )?;
    let st = app.store().clone();
    st.with(|c| ma_alexa_oauth::store::add_skill_id(c, SKILL_ID, 1).map(|_| ()))?;
    out.push((
        "App::skill_ids (one inline read of the skill_ids table)".into(),
        rt.block_on(async {
            let _ = app.skill_ids().await;
            time_async(5000, |_| async {
                let _ = app.skill_ids().await;
            })
            .await
        }),
    ));

    if json {
        let v: Vec<_> = out
            .iter()
            .map(|(k, v)| serde_json::json!({"what": k, "us": v}))
            .collect();
        println!("{}", serde_json::to_string(&v)?);
    } else {
        println!("µs per operation (median of 15 batches)");
        for (k, v) in &out {
            println!("{v:>10.2}  {k}");
        }
    }
    let _ = Duration::ZERO;
    Ok(())
}
