//! A test CA for the skill endpoint's request verification, standing in for
//! Amazon's signing chain. TEST-ONLY keys, generated once per test binary
//! (RSA key generation is slow): a root, an intermediate, the signing leaf
//! (SAN `echo-api.amazon.com`) and its broken variants, an untrusted root,
//! and a TLS server certificate for 127.0.0.1 (the https chain origin).
//!
//! Chains are named; [`SkillCa::write`] puts `roots.pem` and `chains/NAME.pem`
//! in a directory (the files `serve --skill-test-trust-roots FILE
//! --skill-test-chain-dir DIR` reads); [`chain_url`] is the
//! `SignatureCertChainUrl` of a chain; [`SkillCa::sign`] makes the
//! `Signature-256` of a body.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ma_alexa_oauth::skill::{ChainSource, Trust};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256, SanType, SigningKey as _,
};

/// The skill id test requests carry (register it, or pass it to `verify`).
pub const SKILL_ID: &str = "amzn1.ask.skill.5e1f0c1a-7d3b-4c2e-9a8f-0123456789ab";
/// Another well-formed skill id, registered nowhere.
pub const OTHER_SKILL_ID: &str = "amzn1.ask.skill.00000000-1111-2222-3333-444444444444";

/// The chains [`SkillCa`] writes, by name.
pub mod chains {
    /// Leaf (SAN echo-api.amazon.com, valid now) + intermediate, under the test root.
    pub const GOOD: &str = "good";
    /// As good, the leaf expired yesterday.
    pub const EXPIRED: &str = "expired";
    /// As good, the leaf valid from tomorrow.
    pub const NOT_YET_VALID: &str = "not-yet-valid";
    /// As good, the leaf's SAN is `echo-api.amazon.com.example.net`.
    pub const WRONG_SAN: &str = "wrong-san";
    /// As good, the leaf has no SAN extension at all.
    pub const NO_SAN: &str = "no-san";
    /// Leaf + intermediate under a root nobody trusts.
    pub const UNTRUSTED: &str = "untrusted";
    /// The good leaf alone (the intermediate missing).
    pub const LEAF_ONLY: &str = "leaf-only";
    /// Not PEM at all.
    pub const GARBAGE: &str = "garbage";
    /// The good chain cut in the middle of the leaf.
    pub const TRUNCATED: &str = "truncated";
    /// The good chain after 72 KB of explanatory text (over the 64 KiB cap).
    pub const OVERSIZED: &str = "oversized";
}

fn key() -> KeyPair {
    KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap()
}

fn name(params: &mut CertificateParams, cn: &str) {
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "ma-alexa-oauth tests");
    params.distinguished_name.push(DnType::CommonName, cn);
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    name(&mut p, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = days_from_now(-3650);
    p.not_after = days_from_now(3650);
    p
}

fn days_from_now(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(days)
}

fn leaf_params(sans: &[&str], from_days: i64, to_days: i64) -> CertificateParams {
    let mut p =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    name(&mut p, "echo-api.amazon.com");
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.not_before = days_from_now(from_days);
    p.not_after = days_from_now(to_days);
    p
}

/// The test CA and everything it signed; see the module documentation.
pub struct SkillCa {
    /// The trusted root (PEM).
    pub roots_pem: String,
    /// The chains by name (PEM bytes).
    chains: Vec<(&'static str, Vec<u8>)>,
    leaf_key: KeyPair,
    other_key: KeyPair,
    /// A TLS server certificate for 127.0.0.1 and localhost (leaf + intermediate, PEM) and its key.
    pub tls_chain_pem: String,
    pub tls_key_pem: String,
}

/// The test CA, built once per test binary.
pub fn skill_ca() -> &'static SkillCa {
    static CA: OnceLock<SkillCa> = OnceLock::new();
    CA.get_or_init(SkillCa::generate)
}

impl SkillCa {
    fn generate() -> SkillCa {
        let root = CertifiedIssuer::self_signed(ca_params("Test Skill Root"), key()).unwrap();
        let inter =
            CertifiedIssuer::signed_by(ca_params("Test Skill Intermediate"), key(), &root).unwrap();
        let other_root = CertifiedIssuer::self_signed(ca_params("Untrusted Root"), key()).unwrap();
        let other_inter =
            CertifiedIssuer::signed_by(ca_params("Untrusted Intermediate"), key(), &other_root)
                .unwrap();
        let leaf_key = key();
        let san = ["echo-api.amazon.com"];
        let leaf = |params: CertificateParams, issuer: &CertifiedIssuer<'_, KeyPair>| {
            let cert = params.signed_by(&leaf_key, issuer).unwrap();
            format!("{}{}", cert.pem(), issuer.pem()).into_bytes()
        };
        let good = leaf(leaf_params(&san, -30, 365), &inter);
        let good_leaf = params_pem(&leaf_params(&san, -30, 365), &leaf_key, &inter);
        // Explanatory text before the first block is allowed in PEM (RFC 7468).
        let line: &[u8] =
            b"padding padding padding padding padding padding padding padding padding\n";
        let mut oversized = line.repeat(1000);
        oversized.extend_from_slice(&good);
        let truncated = good.get(..good.len() / 4).unwrap().to_vec();
        let chains = vec![
            (chains::GOOD, good),
            (chains::EXPIRED, leaf(leaf_params(&san, -400, -1), &inter)),
            (
                chains::NOT_YET_VALID,
                leaf(leaf_params(&san, 1, 400), &inter),
            ),
            (
                chains::WRONG_SAN,
                leaf(
                    leaf_params(&["echo-api.amazon.com.example.net"], -30, 365),
                    &inter,
                ),
            ),
            (chains::NO_SAN, leaf(leaf_params(&[], -30, 365), &inter)),
            (
                chains::UNTRUSTED,
                leaf(leaf_params(&san, -30, 365), &other_inter),
            ),
            (chains::LEAF_ONLY, good_leaf.into_bytes()),
            (chains::GARBAGE, b"this is not a certificate\n".to_vec()),
            (chains::TRUNCATED, truncated),
            (chains::OVERSIZED, oversized),
        ];
        let tls_key = key();
        let mut tls = leaf_params(&["localhost"], -30, 365);
        tls.subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
        let tls_cert = tls.signed_by(&tls_key, &inter).unwrap();
        SkillCa {
            roots_pem: root.pem(),
            chains,
            leaf_key,
            other_key: key(),
            tls_chain_pem: format!("{}{}", tls_cert.pem(), inter.pem()),
            tls_key_pem: tls_key.serialize_pem(),
        }
    }

    /// The PEM of chain `name` (see [`chains`]).
    pub fn chain(&self, name: &str) -> &[u8] {
        &self
            .chains
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no test chain {name}"))
            .1
    }

    /// Writes `roots.pem` and `chains/NAME.pem` for every chain into `dir`.
    pub fn write(&self, dir: &Path) -> SkillFiles {
        let chains_dir = dir.join("chains");
        std::fs::create_dir_all(&chains_dir).unwrap();
        for (n, pem) in &self.chains {
            write_file(&chains_dir.join(format!("{n}.pem")), pem);
        }
        let roots = dir.join("roots.pem");
        write_file(&roots, self.roots_pem.as_bytes());
        SkillFiles {
            roots,
            chains: chains_dir,
        }
    }

    /// The testing trust over the files [`SkillCa::write`] put in `dir`.
    pub fn trust(&self, dir: &Path) -> Trust {
        let files = self.write(dir);
        Trust::Testing {
            roots_pem: self.roots_pem.as_bytes().to_vec(),
            chains: ChainSource::Dir(files.chains),
        }
    }

    /// `Signature-256` of `body`: base64 of the leaf key's RSA PKCS#1 v1.5 SHA-256 signature.
    pub fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.leaf_key.sign(body).unwrap())
    }

    /// The same with a key no certificate belongs to.
    pub fn sign_with_other_key(&self, body: &[u8]) -> String {
        STANDARD.encode(self.other_key.sign(body).unwrap())
    }
}

fn params_pem(
    params: &CertificateParams,
    key: &KeyPair,
    issuer: &CertifiedIssuer<'_, KeyPair>,
) -> String {
    params.signed_by(key, issuer).unwrap().pem()
}

/// Where [`SkillCa::write`] put the files.
pub struct SkillFiles {
    /// `roots.pem`: for `--skill-test-trust-roots`.
    pub roots: PathBuf,
    /// `chains/`: for `--skill-test-chain-dir`.
    pub chains: PathBuf,
}

/// Writes a (public, test) file.
pub fn write_file(path: &Path, bytes: &[u8]) {
    std::fs::File::create(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The `SignatureCertChainUrl` of chain `name`.
pub fn chain_url(name: &str) -> String {
    format!("https://s3.amazonaws.com/echo.api/{name}.pem")
}

/// `t` as Alexa writes `request.timestamp` (`2026-11-30T18:47:51Z`).
pub fn alexa_timestamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    ma_alexa_oauth::util::fmt_time(secs).replace(' ', "T")
}

/// `now` moved by `secs` (negative: earlier).
pub fn shifted(now: SystemTime, secs: i64) -> SystemTime {
    if secs >= 0 {
        now + Duration::from_secs(secs as u64)
    } else {
        now - Duration::from_secs(secs.unsigned_abs())
    }
}

/// A request envelope as Alexa sends it: `request_type` at `timestamp`, for
/// skill `skill_id` (in `context.System.application` and `session.application`).
pub fn skill_body(request_type: &str, timestamp: &str, skill_id: &str) -> Vec<u8> {
    let app = serde_json::json!({ "applicationId": skill_id });
    let user = serde_json::json!({ "userId": "amzn1.ask.account.TESTUSER" });
    serde_json::json!({
        "version": "1.0",
        "session": {
            "new": true,
            "sessionId": "amzn1.echo-api.session.0000",
            "application": app,
            "attributes": {},
            "user": user,
        },
        "context": {
            "System": {
                "application": app,
                "user": user,
                "device": { "deviceId": "amzn1.ask.device.TESTDEVICE", "supportedInterfaces": {} },
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.0000",
            "timestamp": timestamp,
            "locale": "en-US",
        }
    })
    .to_string()
    .into_bytes()
}

/// An https server on 127.0.0.1 serving `chains/NAME.pem` at
/// `/echo.api/NAME.pem` with the test CA's TLS certificate: the chain origin
/// of `--skill-test-chain-origin`. `/echo.api/silent*.pem` never answers;
/// `/echo.api/slow404*.pem` answers 404 after 250 ms.
pub struct ChainOrigin {
    /// `https://127.0.0.1:PORT`
    pub origin: String,
    /// Requests received.
    pub requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ChainOrigin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SkillCa {
    /// Starts a [`ChainOrigin`] for the chains written under `files`.
    pub async fn chain_origin(&self, files: &SkillFiles) -> ChainOrigin {
        use rustls_pki_types::pem::PemObject as _;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let certs = rustls_pki_types::CertificateDer::pem_slice_iter(self.tls_chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key =
            rustls_pki_types::PrivateKeyDer::from_pem_slice(self.tls_key_pem.as_bytes()).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("https://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let (count, dir) = (Arc::clone(&requests), files.chains.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let _ = tcp.set_nodelay(true);
                let (acceptor, count, dir) = (acceptor.clone(), Arc::clone(&count), dir.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            count.fetch_add(1, Ordering::SeqCst);
                            let dir = dir.clone();
                            async move {
                                let name =
                                    req.uri().path().strip_prefix("/echo.api/").unwrap_or("");
                                if name.starts_with("silent") {
                                    tokio::time::sleep(Duration::from_secs(60)).await;
                                }
                                if name.starts_with("slow404") {
                                    tokio::time::sleep(Duration::from_millis(250)).await;
                                }
                                let (status, body) = match std::fs::read(dir.join(name)) {
                                    Ok(b) if !name.is_empty() && !name.contains("..") => (200, b),
                                    _ => (404, b"not found".to_vec()),
                                };
                                hyper::Response::builder()
                                    .status(status)
                                    .body(http_body_util::Full::new(bytes::Bytes::from(body)))
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        ChainOrigin {
            origin,
            requests,
            task,
        }
    }
}
