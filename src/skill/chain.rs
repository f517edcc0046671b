//! Certificate chains: where they come from ([`ChainSource`]), reading the
//! PEM, checking a chain (webpki: path to a trusted root, dates, the SAN
//! `echo-api.amazon.com`), and fetching them into the bounded cache by URL
//! (`chain_cache.rs`: one fetch per URL, failures remembered briefly, fetch
//! turns shared fairly between clients). A chain is cached once verified,
//! until the earliest `notAfter` in it.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};

use super::cert_url::CertUrl;
use super::chain_cache::{Client, Job, Lookup, Outcome, State, lock};
use super::error::VerifyError;
use super::fetch::{FETCH_TIMEOUT, MAX_CHAIN_BYTES, https_get, read_file};
use crate::der::validity;

/// The name Amazon's signing certificate must carry in its SAN.
pub const SIGNING_NAME: &str = "echo-api.amazon.com";
/// Chains kept at once (Amazon uses one URL at a time; rotation adds one).
pub const MAX_CACHED_CHAINS: usize = 16;
/// How much longer than a fetch's own deadline a request waits for its
/// outcome (the chain's parse and check).
const CHECK_MARGIN: Duration = Duration::from_secs(1);

/// Where chains come from under [`super::Trust::Testing`]. Never chosen by a
/// request: the operator sets it, for testing only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainSource {
    /// Each chain is the file `DIR/<path after /echo.api/>` of its URL.
    Dir(PathBuf),
    /// Fetched over https from this origin (e.g. `https://127.0.0.1:8443`)
    /// with the same path instead of from s3.amazonaws.com; the server's TLS
    /// certificate must chain to the testing roots.
    Origin(String),
}

/// Where chains come from, and which roots they (and, when fetched, the
/// TLS server) must chain to.
pub(super) enum Source {
    Amazon,
    Dir(PathBuf),
    Origin(url::Url),
}

/// A fetched chain that passed every check at some moment.
pub(super) struct Chain {
    /// Leaf first, then the intermediates, as served.
    pub(super) certs: Vec<CertificateDer<'static>>,
    /// The leaf's public key, parsed once for the requests' signatures
    /// (RSA PKCS#1 v1.5 SHA-256, 2048 to 8192 bits); `None` if it is not
    /// such a key (every signature then fails).
    pub(super) leaf_key: Option<ParsedPublicKey>,
    /// The latest `notBefore` and earliest `notAfter` of the chain (Unix
    /// seconds): inside it the dates need no new check; `None` if unreadable.
    pub(super) window: Option<(i64, i64)>,
}

pub(super) struct Chains {
    source: Source,
    anchors: Vec<TrustAnchor<'static>>,
    /// The TLS configuration for fetches, built at the first one.
    tls: OnceLock<Arc<rustls::ClientConfig>>,
    /// The verified chains by URL, the fetches and their turns.
    state: Arc<Mutex<State>>,
    fetch_timeout: Duration,
}

/// Reads every `CERTIFICATE` block of a PEM document (other blocks are skipped).
pub fn parse_pem_chain(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, VerifyError> {
    let mut out = Vec::new();
    for c in CertificateDer::pem_slice_iter(pem) {
        out.push(c.map_err(|e| VerifyError::ChainParse(pem_problem(&e).into()))?);
    }
    if out.is_empty() {
        return Err(VerifyError::ChainParse("no certificate in it".into()));
    }
    Ok(out)
}

fn pem_problem(e: &rustls_pki_types::pem::Error) -> &'static str {
    use rustls_pki_types::pem::Error;
    match e {
        Error::MissingSectionEnd { .. } => "PEM: a section has no end line",
        Error::IllegalSectionStart { .. } => "PEM: malformed section start",
        Error::Base64Decode(_) => "PEM: not base64",
        _ => "PEM: unreadable",
    }
}

/// Trust anchors from a PEM file of root certificates.
pub fn anchors_from_pem(pem: &[u8]) -> Result<Vec<TrustAnchor<'static>>, String> {
    let certs = parse_pem_chain(pem).map_err(|e| e.to_string())?;
    certs
        .iter()
        .map(|c| {
            webpki::anchor_from_trusted_cert(c)
                .map(|a| a.to_owned())
                .map_err(|e| format!("root certificate: {e}"))
        })
        .collect()
}

fn map_webpki(e: webpki::Error) -> VerifyError {
    match e {
        webpki::Error::CertExpired { .. } => VerifyError::CertExpired,
        webpki::Error::CertNotValidYet { .. } => VerifyError::CertNotYetValid,
        webpki::Error::CertNotValidForName(_) => VerifyError::SubjectName,
        other => VerifyError::ChainUntrusted(format!("{other:?}")),
    }
}

/// Checks `certs` (leaf first) at `now` (Unix seconds): a path to one of
/// `anchors` through the others, every certificate on it within its dates,
/// the leaf's SAN holding `echo-api.amazon.com`.
pub fn check_chain(
    certs: &[CertificateDer<'static>],
    anchors: &[TrustAnchor<'static>],
    now: i64,
) -> Result<(), VerifyError> {
    let (leaf, intermediates) = certs
        .split_first()
        .ok_or_else(|| VerifyError::ChainParse("no certificate in it".into()))?;
    let ee = EndEntityCert::try_from(leaf)
        .map_err(|e| VerifyError::ChainParse(format!("leaf certificate: {e}")))?;
    let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now).unwrap_or(0)));
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        anchors,
        intermediates,
        time,
        KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(map_webpki)?;
    let name = ServerName::try_from(SIGNING_NAME)
        .map_err(|e| VerifyError::ChainUntrusted(format!("{e}")))?;
    ee.verify_is_valid_for_subject_name(&name)
        .map_err(map_webpki)
}

/// The leaf's (first certificate's) public key, parsed for RSA PKCS#1 v1.5
/// SHA-256 signatures (2048 to 8192 bits); `None` for any other key.
pub fn leaf_key(certs: &[CertificateDer<'static>]) -> Option<ParsedPublicKey> {
    let ee = EndEntityCert::try_from(certs.first()?).ok()?;
    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, ee.subject_public_key_info()).ok()
}

/// The window in which every certificate of `certs` is within its dates.
fn window(certs: &[CertificateDer<'static>]) -> Option<(i64, i64)> {
    certs.iter().try_fold((i64::MIN, i64::MAX), |(nb, na), c| {
        let (b, a) = validity(c)?;
        Some((nb.max(b), na.min(a)))
    })
}

impl Chain {
    /// True if the dates were checked for a moment at which they still hold at `now`.
    pub(super) fn dates_hold(&self, now: i64) -> bool {
        self.window.is_some_and(|(b, a)| b <= now && now <= a)
    }
}

impl Chains {
    pub(super) fn new(source: Source, anchors: Vec<TrustAnchor<'static>>) -> Chains {
        Chains {
            source,
            anchors,
            tls: OnceLock::new(),
            state: Arc::new(Mutex::new(State::default())),
            fetch_timeout: FETCH_TIMEOUT,
        }
    }

    pub(super) fn anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }

    pub(super) fn is_testing(&self) -> bool {
        !matches!(self.source, Source::Amazon)
    }

    /// The verified chain of `url` for a request from `client` at `now`
    /// (Unix seconds): from the cache, or fetched (once per URL, when its
    /// turn comes), parsed, checked and cached. A request waits at most
    /// the fetch deadline for a turn, then for the fetch.
    pub(super) async fn get(
        self: &Arc<Self>,
        url: &CertUrl,
        client: Option<IpAddr>,
        now: i64,
    ) -> Result<Arc<Chain>, VerifyError> {
        let found = lock(&self.state).lookup(&self.state, url, Client::of(client), now)?;
        let mut ticket = match found {
            Lookup::Cached(chain) => return Ok(chain),
            Lookup::Wait(ticket, jobs) => {
                self.start(jobs);
                ticket
            }
        };
        ticket
            .outcome(self.fetch_timeout, self.fetch_timeout + CHECK_MARGIN)
            .await
    }

    /// Starts the fetches given a turn, each in its own task (a request that
    /// goes away does not stop a fetch others wait for).
    fn start(self: &Arc<Self>, jobs: Vec<Job>) {
        for job in jobs {
            let me = Arc::clone(self);
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    rt.spawn(async move { me.run(job).await });
                }
                Err(_) => me.end(
                    &job,
                    Err(VerifyError::ChainFetch("no runtime".into())),
                    false,
                ),
            }
        }
    }

    async fn run(self: Arc<Self>, job: Job) {
        let mut guard = Ending {
            chains: &self,
            job: &job,
            done: false,
        };
        let outcome = self.load(&job.url, job.now).await;
        guard.done = true;
        self.end(&job, outcome, true);
    }

    /// Records a fetch's outcome and starts the fetches that now get a turn.
    fn end(self: &Arc<Self>, job: &Job, outcome: Outcome, completed: bool) {
        let next = lock(&self.state).finish(&job.key, job.id, outcome, completed);
        self.start(next);
    }

    /// Number of chains cached (verified) now.
    pub(super) fn cached(&self) -> usize {
        lock(&self.state).cached()
    }

    async fn load(&self, url: &CertUrl, now: i64) -> Result<Arc<Chain>, VerifyError> {
        let pem = self.fetch(url).await.map_err(VerifyError::ChainFetch)?;
        let certs = parse_pem_chain(&pem)?;
        check_chain(&certs, &self.anchors, now)?;
        let window = window(&certs);
        let leaf_key = leaf_key(&certs);
        Ok(Arc::new(Chain {
            certs,
            leaf_key,
            window,
        }))
    }

    async fn fetch(&self, url: &CertUrl) -> Result<Vec<u8>, String> {
        match &self.source {
            Source::Dir(dir) => read_file(dir, url.object(), MAX_CHAIN_BYTES).await,
            Source::Amazon => {
                https_get(url.url(), self.tls()?, MAX_CHAIN_BYTES, self.fetch_timeout).await
            }
            Source::Origin(origin) => {
                let target = origin
                    .join(url.path())
                    .map_err(|e| format!("test origin: {e}"))?;
                https_get(&target, self.tls()?, MAX_CHAIN_BYTES, self.fetch_timeout).await
            }
        }
    }

    /// The TLS client configuration: Mozilla's roots for Amazon, the testing
    /// roots for a test origin.
    fn tls(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        if let Some(c) = self.tls.get() {
            return Ok(Arc::clone(c));
        }
        let mut roots = rustls::RootCertStore::empty();
        match self.source {
            Source::Amazon => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            _ => roots.extend(self.anchors.iter().cloned()),
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::clone(self.tls.get_or_init(|| Arc::new(config))))
    }
}

/// A fetch task that ends without an outcome (its runtime shutting down)
/// still frees its turn.
struct Ending<'a> {
    chains: &'a Arc<Chains>,
    job: &'a Job,
    done: bool,
}

impl Drop for Ending<'_> {
    fn drop(&mut self) {
        if !self.done {
            let stopped = VerifyError::ChainFetch("the fetch stopped".into());
            self.chains.end(self.job, Err(stopped), false);
        }
    }
}
