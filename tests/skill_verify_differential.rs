//! Differential test of the skill endpoint's request verification: one
//! corpus of good and bad requests (each rule broken once, tampered bodies,
//! skewed clocks, the URL variants of the facts file), signed by the test
//! CA, through our `SkillVerifier` and two independent verifiers from npm,
//! pinned in tests/peers: `alexa-verifier` 4.0.0 and
//! `ask-sdk-express-adapter` 2.14.0 (`SkillRequestSignatureVerifier` then
//! `TimestampVerifier`, Amazon's own SDK). `tests/peers/skill_verify.mjs`
//! runs them with the test root added to their roots and the chain fetch
//! answered from the same files ours reads (no network).
//!
//! The peers read the real clock, so the timestamp cases keep 30 s from the
//! 150-s edge (the edges themselves are in tests/skill_verify.rs), and ours
//! runs first, right after the corpus is made.
//!
//! Every case states the three verdicts; the test fails if any verifier
//! decides otherwise. Where the peers differ from us, the case says why
//! (`DIFFERS`); all of those are peers accepting what Amazon's rules refuse,
//! except the skill id (not a signature verifier's job in either peer):
//!
//! - alexa-verifier never checks the chain to a trusted root: any
//!   self-made certificate with SAN `echo-api.amazon.com` passes.
//! - Both check the path prefix on the URL as written, then fetch the URL
//!   normalised (`https.get` parses it with WHATWG URL): `/echo.api/../x.pem`
//!   passes their check and fetches `/x.pem`, outside `/echo.api/` (on S3,
//!   another bucket). The facts (and we) normalise first, then check.
//! - Both accept timestamps from the future (the window is one-sided), and
//!   an unparseable timestamp (`new Date("yesterday")` is NaN, and NaN
//!   compares false).
//! - alexa-verifier has no one-hour window for `AlexaSkillEvent.*`.
//! - Neither caps the chain's size (we refuse over 64 KiB).
//!
//! Needs `node` and `cd tests/peers && npm ci`; it never skips.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{
    OTHER_SKILL_ID, SKILL_ID, alexa_timestamp, chain_url, chains, shifted, skill_body, skill_ca,
    write_file,
};
use ma_alexa_oauth::skill::{ChainSource, SkillVerifier, Trust};
use tokio::io::AsyncWriteExt as _;

/// Accepted (`true`) or refused.
type Verdict = bool;

struct Case {
    name: &'static str,
    url: Option<String>,
    signature: Option<String>,
    /// `Signature-256`, or the deprecated `Signature`.
    signature_header: &'static str,
    body: Vec<u8>,
    ours: Verdict,
    alexa_verifier: Verdict,
    ask_sdk: Verdict,
    /// Why a peer's verdict differs from ours (empty when all agree).
    differs: &'static str,
}

const OK: bool = true;
const NO: bool = false;

fn case(name: &'static str, url: &str, body: Vec<u8>, verdicts: [Verdict; 3]) -> Case {
    let signature = Some(skill_ca().sign(&body));
    Case {
        name,
        url: Some(url.to_owned()),
        signature,
        signature_header: "Signature-256",
        body,
        ours: verdicts[0],
        alexa_verifier: verdicts[1],
        ask_sdk: verdicts[2],
        differs: "",
    }
}

impl Case {
    fn differs(mut self, why: &'static str) -> Case {
        self.differs = why;
        self
    }
}

// Long function: the corpus, one case per line group.
fn corpus(now: SystemTime) -> Vec<Case> {
    let ts = |secs: i64| alexa_timestamp(shifted(now, secs));
    let body = |t: &str, secs: i64| skill_body(t, &ts(secs), SKILL_ID);
    let good = chain_url(chains::GOOD);
    let intent = || body("IntentRequest", 0);
    let mut v = vec![
        case("good", &good, intent(), [OK, OK, OK]),
        case("launch", &good, body("LaunchRequest", -3), [OK, OK, OK]),
        case("url dot-dot normalised", "https://s3.amazonaws.com/echo.api/../echo.api/good.pem", intent(), [OK, OK, OK]),
        case("url scheme and host in capitals", "HTTPS://S3.AMAZONAWS.COM/echo.api/good.pem", intent(), [OK, OK, OK]),
        case("url port 443", "https://s3.amazonaws.com:443/echo.api/good.pem", intent(), [OK, OK, OK]),
        case("url path in capitals", "https://s3.amazonaws.com/EcHo.aPi/good.pem", intent(), [NO, NO, NO]),
        case("url http", "http://s3.amazonaws.com/echo.api/good.pem", intent(), [NO, NO, NO]),
        case("url other host", "https://notamazon.com/echo.api/good.pem", intent(), [NO, NO, NO]),
        case("url host suffix", "https://s3.amazonaws.com.evil.example/echo.api/good.pem", intent(), [NO, NO, NO]),
        case("url port 563", "https://s3.amazonaws.com:563/echo.api/good.pem", intent(), [NO, NO, NO]),
        case("url path without echo.api", "https://s3.amazonaws.com/invalid/good.pem", intent(), [NO, NO, NO]),
        case("url dot-dot out of echo.api", "https://s3.amazonaws.com/echo.api/../good.pem", intent(), [NO, OK, OK])
            .differs("both check /echo.api/ on the URL as written, then fetch the normalised /good.pem (outside /echo.api/)"),
        case("url encoded dot-dot out of echo.api", "https://s3.amazonaws.com/echo.api/%2e%2e/good.pem", intent(), [NO, OK, OK])
            .differs("the same with %2e%2e, which WHATWG URL parsing (their fetch) resolves as .."),
        case("chain untrusted root", &chain_url(chains::UNTRUSTED), intent(), [NO, OK, NO])
            .differs("alexa-verifier does not check the chain to a trusted root"),
        case("chain leaf only", &chain_url(chains::LEAF_ONLY), intent(), [NO, OK, NO])
            .differs("alexa-verifier does not check the chain to a trusted root"),
        case("leaf expired", &chain_url(chains::EXPIRED), intent(), [NO, NO, NO]),
        case("leaf not yet valid", &chain_url(chains::NOT_YET_VALID), intent(), [NO, NO, NO]),
        case("leaf SAN wrong", &chain_url(chains::WRONG_SAN), intent(), [NO, NO, NO]),
        case("leaf SAN absent", &chain_url(chains::NO_SAN), intent(), [NO, NO, NO]),
        case("chain garbage", &chain_url(chains::GARBAGE), intent(), [NO, NO, NO]),
        case("chain truncated", &chain_url(chains::TRUNCATED), intent(), [NO, NO, NO]),
        case("chain oversized", &chain_url(chains::OVERSIZED), intent(), [NO, OK, OK])
            .differs("neither caps the chain's size; ours refuses over 64 KiB"),
        case("chain missing", &chain_url("no-such-chain"), intent(), [NO, NO, NO]),
        case("timestamp 120 s old", &good, body("IntentRequest", -120), [OK, OK, OK]),
        case("timestamp 120 s ahead", &good, body("IntentRequest", 120), [OK, OK, OK]),
        case("timestamp 180 s old", &good, body("IntentRequest", -180), [NO, NO, NO]),
        case("timestamp 180 s ahead", &good, body("IntentRequest", 180), [NO, OK, OK])
            .differs("both accept any timestamp in the future (one-sided window)"),
        case("timestamp unparseable", &good, skill_body("IntentRequest", "yesterday", SKILL_ID), [NO, OK, OK])
            .differs("both compare new Date(\"yesterday\") (NaN), which never fails"),
        case("timestamp missing", &good, skill_body("IntentRequest", "", SKILL_ID), [NO, NO, NO]),
        case("skill event 30 min old", &good, body("AlexaSkillEvent.SkillEnabled", -1800), [OK, NO, OK])
            .differs("alexa-verifier has no one-hour window for skill events"),
        case("skill event 61 min old", &good, body("AlexaSkillEvent.SkillEnabled", -3660), [NO, NO, NO]),
        case("skill id other", &good, skill_body("IntentRequest", &ts(0), OTHER_SKILL_ID), [NO, OK, OK])
            .differs("neither peer checks the skill id (ask-sdk-core's skill builder does, not the verifiers)"),
        case("body not JSON", &good, b"not json".to_vec(), [NO, NO, NO]),
    ];
    // Signature variants over a good body.
    let b = intent();
    let mut tampered = b.clone();
    let i = tampered.iter().position(|&c| c == b'I').unwrap();
    tampered[i] = b'J';
    let mut t = case("body tampered", &good, tampered, [NO, NO, NO]);
    t.signature = Some(skill_ca().sign(&b));
    v.push(t);
    let mut t = case("signature other key", &good, b.clone(), [NO, NO, NO]);
    t.signature = Some(skill_ca().sign_with_other_key(&b));
    v.push(t);
    let mut t = case("signature not base64", &good, b.clone(), [NO, NO, NO]);
    t.signature = Some("not base64!".into());
    v.push(t);
    let mut t = case("signature missing", &good, b.clone(), [NO, NO, NO]);
    t.signature = None;
    v.push(t);
    let mut t = case(
        "signature only in the SHA-1 header",
        &good,
        b.clone(),
        [NO, NO, NO],
    );
    t.signature_header = "Signature";
    v.push(t);
    let mut t = case("cert url missing", &good, b, [NO, NO, NO]);
    t.url = None;
    v.push(t);
    v
}

/// Runs the corpus through `tests/peers/skill_verify.mjs`.
async fn run_peers(cases: &[Case], roots: &Path, files: &Path) -> serde_json::Value {
    let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers");
    for pkg in ["alexa-verifier", "ask-sdk-express-adapter"] {
        let p = peers.join("node_modules").join(pkg).join("package.json");
        assert!(
            p.exists(),
            "{} is missing: install the pinned peers first with `cd tests/peers && npm ci` (scripts/test does that)",
            p.display()
        );
    }
    let input: Vec<_> = cases
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name, "url": c.url, "signature": c.signature,
                "signature_header": c.signature_header, "body_b64": STANDARD.encode(&c.body),
            })
        })
        .collect();
    let mut child = tokio::process::Command::new("node")
        .arg("skill_verify.mjs")
        .env("SKILL_TEST_ROOTS", roots)
        .env("SKILL_TEST_FILES", files)
        .current_dir(&peers)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node` ({e}): install Node.js 20 or newer"));
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .await
        .unwrap();
    drop(stdin);
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        child.wait_with_output(),
    )
    .await
    .expect("skill_verify.mjs did not finish within 120 s")
    .unwrap();
    assert!(
        out.status.success(),
        "skill_verify.mjs failed: {:?}",
        out.status
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn our_verdicts_match_alexa_verifier_and_ask_sdk_or_differ_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let ca = skill_ca();
    let files = ca.write(dir.path());
    // The peers fetch by URL path: <node>/echo.api/NAME.pem are our chain
    // files; <node>/good.pem is what a path escaping /echo.api/ reaches.
    let node = dir.path().join("node");
    std::fs::create_dir_all(&node).unwrap();
    std::os::unix::fs::symlink(&files.chains, node.join("echo.api")).unwrap();
    write_file(&node.join("good.pem"), ca.chain(chains::GOOD));

    let now = SystemTime::now();
    let cases = corpus(now);

    let ours = SkillVerifier::new(Trust::Testing {
        roots_pem: ca.roots_pem.clone().into_bytes(),
        chains: ChainSource::Dir(files.chains.clone()),
    })
    .unwrap();
    let ids = [SKILL_ID.to_owned()];
    let mut verdicts = Vec::new();
    for c in &cases {
        let sig = (c.signature_header == "Signature-256")
            .then_some(c.signature.as_deref())
            .flatten();
        verdicts.push(
            ours.verify(c.url.as_deref(), sig, &c.body, SystemTime::now(), &ids)
                .await,
        );
    }
    let peers = run_peers(&cases, &files.roots, &node).await;
    let mut failures = Vec::new();
    let mut report = String::new();
    for (c, r) in cases.iter().zip(verdicts) {
        let p = &peers[c.name];
        let av = p["alexa_verifier"].is_null();
        let sdk = p["ask_sdk"].is_null();
        let show = |ok: bool, why: &serde_json::Value| {
            if ok {
                "accept".to_owned()
            } else {
                format!("refuse ({})", why.as_str().unwrap_or("?"))
            }
        };
        report.push_str(&format!(
            "{:<40} ours: {:<50} alexa-verifier: {:<30} ask-sdk: {}\n",
            c.name,
            match &r {
                Ok(_) => "accept".to_owned(),
                Err(e) => format!("refuse ({e})"),
            },
            show(av, &p["alexa_verifier"]),
            show(sdk, &p["ask_sdk"]),
        ));
        if r.is_ok() != c.ours || av != c.alexa_verifier || sdk != c.ask_sdk {
            failures.push(format!(
                "{}: expected ours/alexa-verifier/ask-sdk {}/{}/{}, got {}/{}/{} ({r:?}, {p})",
                c.name,
                c.ours,
                c.alexa_verifier,
                c.ask_sdk,
                r.is_ok(),
                av,
                sdk
            ));
        }
        let agree = c.ours == c.alexa_verifier && c.ours == c.ask_sdk;
        assert_eq!(
            agree,
            c.differs.is_empty(),
            "{}: a difference must say why",
            c.name
        );
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "verdicts differ:\n{}",
        failures.join("\n")
    );
    // Enough of the corpus is agreed on by all three to make the comparison mean something.
    let agreed = cases.iter().filter(|c| c.differs.is_empty()).count();
    assert!(agreed >= 25, "{agreed}");
}
