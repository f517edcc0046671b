//! Request verification of the skill endpoint (`skill::SkillVerifier`), one
//! test per rule of Amazon's (../shared/facts/alexa-skill.md, "The
//! endpoint"), against a test CA (`common::skill_sign`) under the testing
//! trust. The same corpus is run through independent verifiers in
//! `tests/skill_verify_differential.rs`.

mod common;

use std::time::SystemTime;

use common::{
    OTHER_SKILL_ID, SKILL_ID, TestServer, alexa_timestamp, chain_url, chains, shifted, skill_body,
    skill_ca, write_file,
};
use ma_alexa_oauth::skill::{ChainSource, SkillVerifier, Trust, UrlRule, Verified, VerifyError};

struct Fixture {
    _dir: tempfile::TempDir,
    verifier: SkillVerifier,
    now: SystemTime,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let verifier = SkillVerifier::new(skill_ca().trust(dir.path())).unwrap();
    // Whole seconds, as Alexa's timestamps are: offsets below are exact.
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Fixture {
        _dir: dir,
        verifier,
        now: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs),
    }
}

impl Fixture {
    fn body(&self, request_type: &str) -> Vec<u8> {
        skill_body(request_type, &alexa_timestamp(self.now), SKILL_ID)
    }

    /// Verifies `body` signed by the test leaf, with chain URL `url`, at `now`.
    async fn signed(
        &self,
        url: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        let sig = skill_ca().sign(body);
        self.raw(Some(url), Some(&sig), body, now, &[SKILL_ID.to_owned()])
            .await
    }

    async fn raw(
        &self,
        url: Option<&str>,
        sig: Option<&str>,
        body: &[u8],
        now: SystemTime,
        ids: &[String],
    ) -> Result<Verified, VerifyError> {
        self.verifier.verify(url, sig, body, now, ids).await
    }

    /// A good "IntentRequest" with chain URL `url`, verified now.
    async fn with_url(&self, url: &str) -> Result<Verified, VerifyError> {
        let body = self.body("IntentRequest");
        self.signed(url, &body, self.now).await
    }
}

#[tokio::test]
async fn a_good_request_is_verified_and_reports_what_it_carried() {
    let f = fixture();
    let body = f.body("IntentRequest");
    let v = f
        .signed(&chain_url(chains::GOOD), &body, f.now)
        .await
        .unwrap();
    assert_eq!(v.application_id, SKILL_ID);
    assert_eq!(v.request_type, "IntentRequest");
    let now_s = f
        .now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(v.timestamp_ms, now_s * 1000);
}

#[tokio::test]
async fn cert_url_dot_dot_segments_are_normalised_before_the_path_rule() {
    let f = fixture();
    for url in [
        "https://s3.amazonaws.com/echo.api/../echo.api/good.pem",
        "https://s3.amazonaws.com/echo.api/./good.pem",
        "https://s3.amazonaws.com/other/../echo.api/good.pem",
    ] {
        assert!(f.with_url(url).await.is_ok(), "{url}");
    }
    assert_eq!(
        f.with_url("https://s3.amazonaws.com/echo.api/../good.pem")
            .await,
        Err(VerifyError::CertUrl(UrlRule::Path))
    );
}

#[tokio::test]
async fn cert_url_scheme_and_host_are_case_insensitive_and_port_443_is_allowed() {
    let f = fixture();
    for url in [
        "HTTPS://s3.amazonaws.com/echo.api/good.pem",
        "https://S3.AmazonAWS.COM/echo.api/good.pem",
        "https://s3.amazonaws.com:443/echo.api/good.pem",
    ] {
        assert!(f.with_url(url).await.is_ok(), "{url}");
    }
}

#[tokio::test]
async fn cert_url_path_is_case_sensitive() {
    let f = fixture();
    for url in [
        "https://s3.amazonaws.com/EcHo.aPi/good.pem",
        "https://s3.amazonaws.com/ECHO.API/good.pem",
        "https://s3.amazonaws.com/echo.api",
        "https://s3.amazonaws.com/invalid.path/good.pem",
    ] {
        assert_eq!(
            f.with_url(url).await,
            Err(VerifyError::CertUrl(UrlRule::Path)),
            "{url}"
        );
    }
}

#[tokio::test]
async fn cert_url_must_be_https() {
    let f = fixture();
    for url in [
        "http://s3.amazonaws.com/echo.api/good.pem",
        "ftp://s3.amazonaws.com/echo.api/good.pem",
    ] {
        assert_eq!(
            f.with_url(url).await,
            Err(VerifyError::CertUrl(UrlRule::Scheme)),
            "{url}"
        );
    }
}

#[tokio::test]
async fn cert_url_must_be_on_s3_amazonaws_com() {
    let f = fixture();
    for url in [
        "https://notamazon.com/echo.api/good.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/good.pem",
        "https://evil.example/s3.amazonaws.com/echo.api/good.pem",
        "https://s3-eu-west-1.amazonaws.com/echo.api/good.pem",
    ] {
        assert_eq!(
            f.with_url(url).await,
            Err(VerifyError::CertUrl(UrlRule::Host)),
            "{url}"
        );
    }
}

#[tokio::test]
async fn cert_url_port_other_than_443_is_refused() {
    let f = fixture();
    for url in [
        "https://s3.amazonaws.com:563/echo.api/good.pem",
        "https://s3.amazonaws.com:80/echo.api/good.pem",
    ] {
        assert_eq!(
            f.with_url(url).await,
            Err(VerifyError::CertUrl(UrlRule::Port)),
            "{url}"
        );
    }
    assert_eq!(
        f.with_url("not a url").await,
        Err(VerifyError::CertUrl(UrlRule::Malformed))
    );
}

#[tokio::test]
async fn missing_headers_are_refused() {
    let f = fixture();
    let body = f.body("LaunchRequest");
    let sig = skill_ca().sign(&body);
    let ids = [SKILL_ID.to_owned()];
    let url = chain_url(chains::GOOD);
    assert_eq!(
        f.raw(None, Some(&sig), &body, f.now, &ids).await,
        Err(VerifyError::MissingCertUrl)
    );
    assert_eq!(
        f.raw(Some(&url), None, &body, f.now, &ids).await,
        Err(VerifyError::MissingSignature)
    );
}

/// A request carrying only the deprecated SHA-1 `Signature` header: the
/// endpoint reads `Signature-256` only, so there is no signature to check.
#[tokio::test]
async fn a_sha1_signature_header_alone_is_not_enough() {
    let f = fixture();
    let body = f.body("LaunchRequest");
    let url = chain_url(chains::GOOD);
    assert_eq!(
        f.raw(Some(&url), None, &body, f.now, &[SKILL_ID.to_owned()])
            .await,
        Err(VerifyError::MissingSignature)
    );
}

#[tokio::test]
async fn a_chain_to_an_untrusted_root_is_refused() {
    let f = fixture();
    for name in [chains::UNTRUSTED, chains::LEAF_ONLY] {
        let r = f.with_url(&chain_url(name)).await;
        assert!(
            matches!(r, Err(VerifyError::ChainUntrusted(_))),
            "{name}: {r:?}"
        );
    }
}

#[tokio::test]
async fn an_expired_leaf_is_refused() {
    let f = fixture();
    assert_eq!(
        f.with_url(&chain_url(chains::EXPIRED)).await,
        Err(VerifyError::CertExpired)
    );
}

#[tokio::test]
async fn a_leaf_not_yet_valid_is_refused() {
    let f = fixture();
    assert_eq!(
        f.with_url(&chain_url(chains::NOT_YET_VALID)).await,
        Err(VerifyError::CertNotYetValid)
    );
}

#[tokio::test]
async fn a_leaf_without_echo_api_in_its_san_is_refused() {
    let f = fixture();
    for name in [chains::WRONG_SAN, chains::NO_SAN] {
        assert_eq!(
            f.with_url(&chain_url(name)).await,
            Err(VerifyError::SubjectName),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_signature_covers_the_raw_body_bytes() {
    let f = fixture();
    let url = chain_url(chains::GOOD);
    let ids = [SKILL_ID.to_owned()];
    let body = f.body("IntentRequest");
    let sig = skill_ca().sign(&body);
    // One byte changed, a space added, the same JSON re-serialised: all refused.
    let mut tampered = body.clone();
    let i = tampered.iter().position(|&c| c == b'I').unwrap();
    tampered[i] = b'J';
    let mut spaced = body.clone();
    spaced.push(b' ');
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    for other in [&tampered, &spaced, &pretty] {
        assert_eq!(
            f.raw(Some(&url), Some(&sig), other, f.now, &ids).await,
            Err(VerifyError::SignatureMismatch)
        );
    }
    // Signed by a key that is not the certificate's.
    let foreign = skill_ca().sign_with_other_key(&body);
    assert_eq!(
        f.raw(Some(&url), Some(&foreign), &body, f.now, &ids).await,
        Err(VerifyError::SignatureMismatch)
    );
    // The signature is checked before the body is read: unsigned garbage is a
    // signature failure, signed garbage a body failure.
    let garbage = b"not json at all".to_vec();
    assert_eq!(
        f.raw(Some(&url), Some(&sig), &garbage, f.now, &ids).await,
        Err(VerifyError::SignatureMismatch)
    );
    let r = f.signed(&url, &garbage, f.now).await;
    assert!(matches!(r, Err(VerifyError::Body(_))), "{r:?}");
}

#[tokio::test]
async fn a_signature_that_is_not_base64_is_refused() {
    let f = fixture();
    let url = chain_url(chains::GOOD);
    let ids = [SKILL_ID.to_owned()];
    let body = f.body("IntentRequest");
    for sig in ["not base64!", "@@@@", "YWJj=ZGVm", &"A".repeat(5000)] {
        assert_eq!(
            f.raw(Some(&url), Some(sig), &body, f.now, &ids).await,
            Err(VerifyError::SignatureEncoding),
            "{sig:.20}"
        );
    }
    // Base64 of the wrong length for the key: a mismatch.
    assert_eq!(
        f.raw(Some(&url), Some("AAAA"), &body, f.now, &ids).await,
        Err(VerifyError::SignatureMismatch)
    );
}

#[tokio::test]
async fn the_timestamp_must_be_within_150_seconds() {
    let f = fixture();
    let url = chain_url(chains::GOOD);
    let body = f.body("IntentRequest");
    for (offset, ok) in [
        (0, true),
        (149, true),
        (-149, true),
        (150, true),
        (-150, true),
        (151, false),
        (-151, false),
        (3600, false),
    ] {
        // The clock moves, the request stays: +offset means the request is that old.
        let r = f.signed(&url, &body, shifted(f.now, offset)).await;
        match (ok, r) {
            (true, Ok(_)) => {}
            (false, Err(VerifyError::TimestampSkew(ms))) => assert_eq!(ms, offset * 1000),
            (_, r) => panic!("clock {offset:+} s: {r:?}"),
        }
    }
    for ts in ["", "yesterday", "2026-11-30", "1796064471"] {
        let body = skill_body("IntentRequest", ts, SKILL_ID);
        assert_eq!(
            f.signed(&url, &body, f.now).await,
            Err(VerifyError::TimestampMalformed),
            "{ts:?}"
        );
    }
}

#[tokio::test]
async fn skill_events_may_be_an_hour_old() {
    let f = fixture();
    let url = chain_url(chains::GOOD);
    let event = f.body("AlexaSkillEvent.SkillEnabled");
    let intent = f.body("IntentRequest");
    assert!(f.signed(&url, &event, shifted(f.now, 3599)).await.is_ok());
    assert!(f.signed(&url, &event, shifted(f.now, -3599)).await.is_ok());
    assert_eq!(
        f.signed(&url, &event, shifted(f.now, 3601)).await,
        Err(VerifyError::TimestampSkew(3_601_000))
    );
    assert_eq!(
        f.signed(&url, &intent, shifted(f.now, 3599)).await,
        Err(VerifyError::TimestampSkew(3_599_000))
    );
}

#[tokio::test]
async fn only_registered_skill_ids_are_answered() {
    let f = fixture();
    let url = chain_url(chains::GOOD);
    let ts = alexa_timestamp(f.now);
    let other = skill_body("IntentRequest", &ts, OTHER_SKILL_ID);
    assert_eq!(
        f.signed(&url, &other, f.now).await,
        Err(VerifyError::SkillIdUnknown)
    );
    // Nothing registered at all.
    let body = f.body("IntentRequest");
    let sig = skill_ca().sign(&body);
    assert_eq!(
        f.raw(Some(&url), Some(&sig), &body, f.now, &[]).await,
        Err(VerifyError::NoSkillRegistered)
    );
    // The id in `session.application` when `context` lacks it; neither: missing.
    let mut v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    v["context"]["System"]
        .as_object_mut()
        .unwrap()
        .remove("application");
    let session_only = serde_json::to_vec(&v).unwrap();
    assert_eq!(
        f.signed(&url, &session_only, f.now)
            .await
            .unwrap()
            .application_id,
        SKILL_ID
    );
    v.as_object_mut().unwrap().remove("session");
    let none = serde_json::to_vec(&v).unwrap();
    assert_eq!(
        f.signed(&url, &none, f.now).await,
        Err(VerifyError::SkillIdMissing)
    );
    // context wins over session.
    let mut v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    v["session"]["application"]["applicationId"] = OTHER_SKILL_ID.into();
    assert!(
        f.signed(&url, &serde_json::to_vec(&v).unwrap(), f.now)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn garbage_truncated_oversized_or_missing_chains_are_refused() {
    let f = fixture();
    for name in [chains::GARBAGE, chains::TRUNCATED] {
        let r = f.with_url(&chain_url(name)).await;
        assert!(
            matches!(r, Err(VerifyError::ChainParse(_))),
            "{name}: {r:?}"
        );
    }
    for name in [chains::OVERSIZED, "no-such-chain"] {
        let r = f.with_url(&chain_url(name)).await;
        assert!(
            matches!(r, Err(VerifyError::ChainFetch(_))),
            "{name}: {r:?}"
        );
    }
}

#[tokio::test]
async fn a_verified_chain_is_cached_by_url_and_its_dates_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    let ca = skill_ca();
    let files = ca.write(dir.path());
    let verifier = SkillVerifier::new(Trust::Testing {
        roots_pem: ca.roots_pem.clone().into_bytes(),
        chains: ChainSource::Dir(files.chains.clone()),
    })
    .unwrap();
    let now = SystemTime::now();
    let body = skill_body("IntentRequest", &alexa_timestamp(now), SKILL_ID);
    let sig = ca.sign(&body);
    let ids = [SKILL_ID.to_owned()];
    let url = chain_url(chains::GOOD);
    verifier
        .verify(Some(&url), Some(&sig), &body, now, &ids)
        .await
        .unwrap();
    assert_eq!(verifier.cached_chains(), 1);
    // The file is gone: the cached chain still answers.
    std::fs::remove_file(files.chains.join("good.pem")).unwrap();
    verifier
        .verify(Some(&url), Some(&sig), &body, now, &ids)
        .await
        .unwrap();
    // Sixty days back, before the cached leaf's notBefore: the cached chain's
    // dates are checked again (no fetch: the file is gone) and refused.
    let earlier = shifted(now, -60 * 86_400);
    let body0 = skill_body("IntentRequest", &alexa_timestamp(earlier), SKILL_ID);
    let sig0 = ca.sign(&body0);
    assert_eq!(
        verifier
            .verify(Some(&url), Some(&sig0), &body0, earlier, &ids)
            .await,
        Err(VerifyError::CertNotYetValid)
    );
    // Two years on, the leaf has expired: the entry is dropped, the chain
    // fetched again and refused.
    write_file(&files.chains.join("good.pem"), ca.chain(chains::GOOD));
    let later = shifted(now, 2 * 365 * 86_400);
    let body2 = skill_body("IntentRequest", &alexa_timestamp(later), SKILL_ID);
    let sig2 = ca.sign(&body2);
    assert_eq!(
        verifier
            .verify(Some(&url), Some(&sig2), &body2, later, &ids)
            .await,
        Err(VerifyError::CertExpired)
    );
    assert_eq!(verifier.cached_chains(), 0);
    // The cache is bounded: 40 URLs leave at most 16 chains.
    let good = ca.chain(chains::GOOD);
    for i in 0..40 {
        write_file(&files.chains.join(format!("copy-{i}.pem")), good);
        let url = chain_url(&format!("copy-{i}"));
        verifier
            .verify(Some(&url), Some(&sig), &body, now, &ids)
            .await
            .unwrap();
    }
    assert!(
        verifier.cached_chains() <= 16,
        "{}",
        verifier.cached_chains()
    );
}

#[tokio::test]
async fn chains_fetched_over_https_once_for_concurrent_first_requests() {
    let dir = tempfile::tempdir().unwrap();
    let ca = skill_ca();
    let files = ca.write(dir.path());
    let origin = ca.chain_origin(&files).await;
    let verifier = SkillVerifier::new(Trust::Testing {
        roots_pem: ca.roots_pem.clone().into_bytes(),
        chains: ChainSource::Origin(origin.origin.clone()),
    })
    .unwrap();
    let now = SystemTime::now();
    let body = skill_body("IntentRequest", &alexa_timestamp(now), SKILL_ID);
    let sig = ca.sign(&body);
    let ids = vec![SKILL_ID.to_owned()];
    let url = chain_url(chains::GOOD);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (v, url, sig, body, ids) = (
            verifier.clone(),
            url.clone(),
            sig.clone(),
            body.clone(),
            ids.clone(),
        );
        tasks.push(tokio::spawn(async move {
            v.verify(Some(&url), Some(&sig), &body, now, &ids).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(origin.requests.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Not found, too large, and no answer: fetch failures, never cached.
    for name in ["no-such-chain", chains::OVERSIZED, "silent"] {
        let r = verifier
            .verify(Some(&chain_url(name)), Some(&sig), &body, now, &ids)
            .await;
        assert!(
            matches!(r, Err(VerifyError::ChainFetch(_))),
            "{name}: {r:?}"
        );
    }
    assert_eq!(verifier.cached_chains(), 1);
}

/// Unsigned requests can name any chain URL under /echo.api/, and each
/// starts a fetch: a flood of them (fetches that never finish) must not
/// evict a verified chain from the bounded cache.
#[tokio::test]
async fn made_up_chain_urls_never_evict_a_verified_chain() {
    let dir = tempfile::tempdir().unwrap();
    let ca = skill_ca();
    let files = ca.write(dir.path());
    let origin = ca.chain_origin(&files).await;
    let verifier = SkillVerifier::new(Trust::Testing {
        roots_pem: ca.roots_pem.clone().into_bytes(),
        chains: ChainSource::Origin(origin.origin.clone()),
    })
    .unwrap();
    let now = SystemTime::now();
    let body = skill_body("IntentRequest", &alexa_timestamp(now), SKILL_ID);
    let sig = ca.sign(&body);
    let ids = vec![SKILL_ID.to_owned()];
    let good = chain_url(chains::GOOD);
    verifier
        .verify(Some(&good), Some(&sig), &body, now, &ids)
        .await
        .unwrap();
    assert_eq!(verifier.cached_chains(), 1);
    let mut flood = Vec::new();
    for i in 0..40 {
        let (v, url, body) = (
            verifier.clone(),
            chain_url(&format!("silent-{i}")),
            body.clone(),
        );
        flood.push(tokio::spawn(async move {
            v.verify(Some(&url), Some("AAAA"), &body, now, &[]).await
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        verifier.cached_chains(),
        1,
        "the verified chain is still cached while 40 fetches hang"
    );
    verifier
        .verify(Some(&good), Some(&sig), &body, now, &ids)
        .await
        .unwrap();
    for t in flood {
        t.abort();
    }
}

/// Issue 17: 240 unsigned requests at once, each naming a made-up chain URL
/// (the origin answers 404 after 250 ms) and sent again as soon as it is
/// answered, must not cost a genuine first request (a chain not cached yet)
/// its fetch: it is verified every time, whether the flood comes from one
/// address or from 240.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_made_up_chain_urls_never_costs_a_genuine_chain_its_fetch() {
    use std::net::IpAddr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    const FLOOD: usize = 240;
    let dir = tempfile::tempdir().unwrap();
    let ca = skill_ca();
    let files = ca.write(dir.path());
    let origin = ca.chain_origin(&files).await;
    let now = SystemTime::now();
    let body = skill_body("IntentRequest", &alexa_timestamp(now), SKILL_ID);
    let sig = ca.sign(&body);
    let ids = vec![SKILL_ID.to_owned()];
    let amazon: IpAddr = "198.51.100.7".parse().unwrap();
    for attempt in 0..6 {
        // A new verifier each time: the genuine chain is not cached.
        let verifier = SkillVerifier::new(Trust::Testing {
            roots_pem: ca.roots_pem.clone().into_bytes(),
            chains: ChainSource::Origin(origin.origin.clone()),
        })
        .unwrap();
        let spread = attempt % 2 == 1;
        let stop = Arc::new(AtomicBool::new(false));
        let before = origin.requests.load(Ordering::SeqCst);
        let mut flood = Vec::new();
        for i in 0..FLOOD {
            let from: IpAddr = if spread {
                format!("2001:db8:0:{i:x}::1").parse().unwrap()
            } else {
                "203.0.113.9".parse().unwrap()
            };
            let (v, body, ids, stop) = (
                verifier.clone(),
                body.clone(),
                ids.clone(),
                Arc::clone(&stop),
            );
            flood.push(tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let url = chain_url(&format!("slow404-{attempt}-{i}-{n}"));
                    let r = v
                        .verify_from(Some(from), Some(&url), Some("AAAA"), &body, now, &ids)
                        .await;
                    assert!(r.is_err(), "a made-up chain was accepted");
                    // An attacker's round trip, so that refusals do not spin.
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
            }));
        }
        // The flood is under way when the genuine request comes.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let genuine = verifier
            .verify_from(
                Some(amazon),
                Some(&chain_url(chains::GOOD)),
                Some(&sig),
                &body,
                now,
                &ids,
            )
            .await;
        let took = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        for t in flood {
            t.abort();
        }
        let fetched = origin.requests.load(Ordering::SeqCst) - before;
        eprintln!(
            "attempt {attempt} ({}): genuine answered after {} ms; the origin saw {fetched} fetches",
            if spread {
                "240 addresses"
            } else {
                "one address"
            },
            took.as_millis()
        );
        assert!(
            genuine.is_ok(),
            "attempt {attempt}: the genuine first request failed after {took:?}: {genuine:?}"
        );
        assert!(fetched > 2, "the flood did make the origin work");
    }
}

/// The endpoint shares chain fetch turns by the address a request came
/// from: five unsigned requests at once, three from one address and two
/// from another, each naming its own made-up chain URL, start four fetches
/// (two per address; the third of the first address is refused at once).
#[tokio::test]
async fn the_endpoint_counts_chain_fetches_per_client_address() {
    use std::sync::atomic::Ordering;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let dir = tempfile::tempdir().unwrap();
    let ca = skill_ca();
    let files = ca.write(dir.path());
    let origin = ca.chain_origin(&files).await;
    let verifier = SkillVerifier::new(Trust::Testing {
        roots_pem: ca.roots_pem.clone().into_bytes(),
        chains: ChainSource::Origin(origin.origin.clone()),
    })
    .unwrap();
    let s = TestServer::start_with_app(|_| {}, |app| app.with_skill_verifier(verifier)).await;
    let body = skill_body(
        "IntentRequest",
        &alexa_timestamp(SystemTime::now()),
        SKILL_ID,
    );
    let mut posts = Vec::new();
    for (i, from) in [2u8, 2, 2, 3, 3].into_iter().enumerate() {
        let (addr, body) = (s.addr, body.clone());
        posts.push(tokio::spawn(async move {
            let sock = tokio::net::TcpSocket::new_v4().unwrap();
            sock.bind((std::net::Ipv4Addr::new(127, 0, 0, from), 0).into())
                .unwrap();
            let mut c = sock.connect(addr).await.unwrap();
            let head = format!(
                "POST /alexa/skill HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                 SignatureCertChainUrl: {}\r\nSignature-256: AAAA\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                chain_url(&format!("slow404-http-{i}")),
                body.len()
            );
            c.write_all(head.as_bytes()).await.unwrap();
            c.write_all(&body).await.unwrap();
            let mut out = Vec::new();
            let _ = c.read_to_end(&mut out).await;
            String::from_utf8_lossy(&out).into_owned()
        }));
    }
    for p in posts {
        let answer = p.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    assert_eq!(
        origin.requests.load(Ordering::SeqCst),
        4,
        "two fetches per address, the fifth request refused without one"
    );
    s.stop().await;
}

#[test]
fn testing_roots_must_be_readable_certificates() {
    for pem in [
        &b""[..],
        b"garbage",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        let r = SkillVerifier::new(Trust::Testing {
            roots_pem: pem.to_vec(),
            chains: ChainSource::Dir("/nonexistent".into()),
        });
        assert!(r.is_err());
    }
    let r = SkillVerifier::new(Trust::Testing {
        roots_pem: skill_ca().roots_pem.clone().into_bytes(),
        chains: ChainSource::Origin("http://127.0.0.1:1".into()),
    });
    assert!(r.is_err(), "a plain-http test origin is refused");
}

#[tokio::test]
async fn the_app_answers_registered_and_configured_skill_ids_and_sees_changes_at_once() {
    use ma_alexa_oauth::{app::App, config::Config, store};
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Config::new("https://auth.example.com"), dir.path())
        .unwrap()
        .with_skill_ids(vec![OTHER_SKILL_ID.to_owned()]);
    assert!(!app.skill_verifier().is_testing());
    assert_eq!(
        app.skill_ids().await.unwrap(),
        vec![OTHER_SKILL_ID.to_owned()]
    );
    // Registered by another process (the CLI) while serving: seen by the next request.
    let cli = ma_alexa_oauth::startup::open_store(dir.path()).unwrap();
    cli.with(|c| store::add_skill_id(c, SKILL_ID, 1).map(|_| ()))
        .unwrap();
    let ids = app.skill_ids().await.unwrap();
    assert!(ids.contains(&SKILL_ID.to_owned()) && ids.contains(&OTHER_SKILL_ID.to_owned()));
    cli.with(|c| store::remove_skill_id(c, SKILL_ID).map(|_| ()))
        .unwrap();
    assert_eq!(
        app.skill_ids().await.unwrap(),
        vec![OTHER_SKILL_ID.to_owned()]
    );
}

#[test]
fn the_production_roots_do_not_trust_the_test_ca() {
    use ma_alexa_oauth::skill::chain::{anchors_from_pem, check_chain, parse_pem_chain};
    let certs = parse_pem_chain(skill_ca().chain(chains::GOOD)).unwrap();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let r = check_chain(&certs, webpki_roots::TLS_SERVER_ROOTS, now);
    assert!(matches!(r, Err(VerifyError::ChainUntrusted(_))), "{r:?}");
    // The same chain under the test root passes: the refusal is the root's.
    let test_roots = anchors_from_pem(skill_ca().roots_pem.as_bytes()).unwrap();
    check_chain(&certs, &test_roots, now).unwrap();
    // The production verifier refuses a bad URL before any fetch (no network here).
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let prod = SkillVerifier::amazon();
    assert!(!prod.is_testing());
    let body = skill_body(
        "LaunchRequest",
        &alexa_timestamp(SystemTime::now()),
        SKILL_ID,
    );
    let r = rt.block_on(prod.verify(
        Some("https://s3.amazonaws.com/EcHo.aPi/x.pem"),
        Some("AAAA"),
        &body,
        SystemTime::now(),
        &[SKILL_ID.to_owned()],
    ));
    assert_eq!(r, Err(VerifyError::CertUrl(UrlRule::Path)));
}

#[tokio::test]
async fn headers_are_read_by_name_whatever_their_case() {
    use ma_alexa_oauth::skill::verify::{CERT_CHAIN_URL_HEADER, SIGNATURE_256_HEADER};
    let f = fixture();
    let body = f.body("IntentRequest");
    let mut h = hyper::HeaderMap::new();
    h.insert(
        hyper::header::HeaderName::from_bytes(b"SignatureCertChainUrl").unwrap(),
        chain_url(chains::GOOD).parse().unwrap(),
    );
    let ids = [SKILL_ID.to_owned()];
    assert_eq!(
        f.verifier.verify_request(&h, &body, f.now, &ids).await,
        Err(VerifyError::MissingSignature)
    );
    // The deprecated SHA-1 header is not read.
    h.insert("signature", skill_ca().sign(&body).parse().unwrap());
    assert_eq!(
        f.verifier.verify_request(&h, &body, f.now, &ids).await,
        Err(VerifyError::MissingSignature)
    );
    h.insert(
        hyper::header::HeaderName::from_bytes(b"Signature-256").unwrap(),
        skill_ca().sign(&body).parse().unwrap(),
    );
    assert!(
        f.verifier
            .verify_request(&h, &body, f.now, &ids)
            .await
            .is_ok()
    );
    assert!(h.contains_key(CERT_CHAIN_URL_HEADER) && h.contains_key(SIGNATURE_256_HEADER));
    // A value that is not visible ASCII counts as missing.
    h.insert(
        CERT_CHAIN_URL_HEADER,
        hyper::header::HeaderValue::from_bytes(b"https://s3.amazonaws.com/echo.api/\xff.pem")
            .unwrap(),
    );
    assert_eq!(
        f.verifier.verify_request(&h, &body, f.now, &ids).await,
        Err(VerifyError::MissingCertUrl)
    );
}
