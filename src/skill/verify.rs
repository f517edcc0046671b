//! [`SkillVerifier`]: every request to the skill endpoint is checked the way
//! Amazon requires, before anything else looks at it:
//!
//! 1. both headers present (`SignatureCertChainUrl`, `Signature-256`);
//! 2. the URL rules (`cert_url.rs`), before any fetch;
//! 3. the chain (cached by URL, `chain.rs`): a path to a trusted root, every
//!    certificate on it within its dates, SAN `echo-api.amazon.com`;
//! 4. `Signature-256`: base64 of the leaf key's RSA PKCS#1 v1.5 SHA-256
//!    signature over the raw body bytes;
//! 5. only then the body is parsed, and only for `request.timestamp` (within
//!    150 s of now; `AlexaSkillEvent.*`: one hour) and the skill id
//!    (`context.System.application.applicationId`, else
//!    `session.application.applicationId`), which must be registered here.
//!
//! Any failure is a [`VerifyError`]; the endpoint answers 400 and does nothing.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::cert_url::CertUrl;
use super::chain::{Chain, ChainSource, Chains, Source, anchors_from_pem, check_chain};
use super::error::VerifyError;
use super::timestamp::parse_rfc3339_millis;

/// How far `request.timestamp` may be from now.
pub const TIMESTAMP_TOLERANCE_MS: i64 = 150_000;
/// The same for skill events (`AlexaSkillEvent.*`), which Alexa may deliver late.
pub const SKILL_EVENT_TOLERANCE_MS: i64 = 3_600_000;
/// The request header naming the certificate chain's URL (HTTP header names
/// are case-insensitive; `HeaderMap` keeps them lower-case).
pub const CERT_CHAIN_URL_HEADER: &str = "signaturecertchainurl";
/// The request header carrying the body's RSA-SHA256 signature.
pub const SIGNATURE_256_HEADER: &str = "signature-256";
/// Signatures longer than this (base64) are refused unread (RSA-8192 is 1368).
const MAX_SIGNATURE_B64: usize = 2048;

/// Which roots chains must lead to, and where chains come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Production: Mozilla's root store (webpki-roots); chains fetched over
    /// https from the URL in the request (which must be on s3.amazonaws.com).
    Amazon,
    /// FOR TESTING ONLY, an explicit operator setting (`serve
    /// --skill-test-trust-roots`): chains must lead to these roots (PEM) and
    /// come from `chains` instead of s3.amazonaws.com.
    Testing {
        roots_pem: Vec<u8>,
        chains: ChainSource,
    },
}

/// What a verified request carried, for the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The skill id, one of those registered.
    pub application_id: String,
    /// `request.type`, e.g. `IntentRequest`.
    pub request_type: String,
    /// `request.timestamp` in Unix milliseconds.
    pub timestamp_ms: i64,
}

/// Verifies skill requests; cheap to clone (one shared chain cache).
#[derive(Clone)]
pub struct SkillVerifier {
    chains: Arc<Chains>,
}

impl std::fmt::Debug for SkillVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkillVerifier")
            .field("testing", &self.is_testing())
            .finish()
    }
}

impl Default for SkillVerifier {
    fn default() -> Self {
        SkillVerifier::amazon()
    }
}

impl SkillVerifier {
    /// A verifier for `trust`; fails only if testing roots are unreadable.
    pub fn new(trust: Trust) -> Result<SkillVerifier, String> {
        match trust {
            Trust::Amazon => Ok(SkillVerifier::amazon()),
            Trust::Testing { roots_pem, chains } => {
                let anchors = anchors_from_pem(&roots_pem)?;
                let source = match chains {
                    ChainSource::Dir(d) => Source::Dir(d),
                    ChainSource::Origin(o) => {
                        let u =
                            url::Url::parse(&o).map_err(|e| format!("test origin {o:?}: {e}"))?;
                        if u.scheme() != "https" || u.host().is_none() {
                            return Err(format!("test origin {o:?} must be an https:// URL"));
                        }
                        Source::Origin(u)
                    }
                };
                Ok(SkillVerifier {
                    chains: Arc::new(Chains::new(source, anchors)),
                })
            }
        }
    }

    /// The production verifier: Mozilla's roots, chains from s3.amazonaws.com.
    pub fn amazon() -> SkillVerifier {
        SkillVerifier {
            chains: Arc::new(Chains::new(
                Source::Amazon,
                webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            )),
        }
    }

    /// True under [`Trust::Testing`].
    pub fn is_testing(&self) -> bool {
        self.chains.is_testing()
    }

    /// Number of verified chains in the cache.
    pub fn cached_chains(&self) -> usize {
        self.chains.cached()
    }

    /// [`SkillVerifier::verify`] with the two headers taken from `headers`
    /// (a header whose value is not visible ASCII counts as missing).
    pub async fn verify_request(
        &self,
        headers: &hyper::HeaderMap,
        body: &[u8],
        now: SystemTime,
        skill_ids: &[String],
    ) -> Result<Verified, VerifyError> {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        self.verify(
            get(CERT_CHAIN_URL_HEADER),
            get(SIGNATURE_256_HEADER),
            body,
            now,
            skill_ids,
        )
        .await
    }

    /// Verifies one request: its two headers, the raw body, at `now`, against
    /// the registered skill ids. See the module documentation for the order.
    pub async fn verify(
        &self,
        cert_chain_url: Option<&str>,
        signature_256: Option<&str>,
        body: &[u8],
        now: SystemTime,
        skill_ids: &[String],
    ) -> Result<Verified, VerifyError> {
        self.verify_from(None, cert_chain_url, signature_256, body, now, skill_ids)
            .await
    }

    /// [`SkillVerifier::verify`] of a request from `client` (the address
    /// the request came from: chain fetch turns are shared fairly between
    /// clients; `None`: one client for every such call).
    pub async fn verify_from(
        &self,
        client: Option<IpAddr>,
        cert_chain_url: Option<&str>,
        signature_256: Option<&str>,
        body: &[u8],
        now: SystemTime,
        skill_ids: &[String],
    ) -> Result<Verified, VerifyError> {
        self.verify_signed(client, cert_chain_url, signature_256, body, now)
            .await?;
        check_body(body, unix_millis(now), skill_ids)
    }

    /// The first half of [`SkillVerifier::verify`]: the two headers, the
    /// certificate URL rules, the chain and the signature over `body`;
    /// [`SkillVerifier::check_signed_body`] is the rest. A caller that reads
    /// the skill ids from storage reads them only after this holds.
    pub async fn verify_signed(
        &self,
        client: Option<IpAddr>,
        cert_chain_url: Option<&str>,
        signature_256: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), VerifyError> {
        let url = cert_chain_url.ok_or(VerifyError::MissingCertUrl)?;
        let sig = signature_256.ok_or(VerifyError::MissingSignature)?;
        let url = CertUrl::parse(url).map_err(VerifyError::CertUrl)?;
        let now_ms = unix_millis(now);
        let now_s = now_ms.div_euclid(1000);
        let chain = self.chains.get(&url, client, now_s).await?;
        if !chain.dates_hold(now_s) {
            check_chain(&chain.certs, self.chains.anchors(), now_s)?;
        }
        verify_signature(&chain, sig, body)
    }

    /// [`SkillVerifier::verify_signed`] with the headers from `headers`, of
    /// a request from `client`.
    pub async fn verify_signed_request(
        &self,
        headers: &hyper::HeaderMap,
        body: &[u8],
        now: SystemTime,
        client: IpAddr,
    ) -> Result<(), VerifyError> {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        self.verify_signed(
            Some(client),
            get(CERT_CHAIN_URL_HEADER),
            get(SIGNATURE_256_HEADER),
            body,
            now,
        )
        .await
    }

    /// The second half of [`SkillVerifier::verify`], on a body whose
    /// signature holds: timestamp window and registered skill id.
    pub fn check_signed_body(
        body: &[u8],
        now: SystemTime,
        skill_ids: &[String],
    ) -> Result<Verified, VerifyError> {
        check_body(body, unix_millis(now), skill_ids)
    }
}

fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// `sig` (base64) is the leaf key's RSA PKCS#1 v1.5 SHA-256 signature of `body`.
fn verify_signature(chain: &Chain, sig: &str, body: &[u8]) -> Result<(), VerifyError> {
    let sig = sig.trim();
    if sig.len() > MAX_SIGNATURE_B64 {
        return Err(VerifyError::SignatureEncoding);
    }
    let sig = STANDARD
        .decode(sig)
        .map_err(|_| VerifyError::SignatureEncoding)?;
    let key = chain
        .leaf_key
        .as_ref()
        .ok_or(VerifyError::SignatureMismatch)?;
    key.verify_sig(body, &sig)
        .map_err(|_| VerifyError::SignatureMismatch)
}

#[derive(Deserialize)]
struct Envelope {
    request: Option<RequestPart>,
    context: Option<ContextPart>,
    session: Option<SessionPart>,
}

#[derive(Deserialize)]
struct RequestPart {
    #[serde(rename = "type")]
    kind: Option<String>,
    timestamp: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ContextPart {
    #[serde(rename = "System")]
    system: Option<AppHolder>,
}

#[derive(Deserialize)]
struct SessionPart {
    application: Option<Application>,
}

#[derive(Deserialize)]
struct AppHolder {
    application: Option<Application>,
}

#[derive(Deserialize)]
struct Application {
    #[serde(rename = "applicationId")]
    application_id: Option<String>,
}

/// The checks on the signed body: timestamp window, registered skill id.
fn check_body(body: &[u8], now_ms: i64, skill_ids: &[String]) -> Result<Verified, VerifyError> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| {
        VerifyError::Body(format!(
            "line {} column {}: {}",
            e.line(),
            e.column(),
            e.classify_name()
        ))
    })?;
    let req = env
        .request
        .ok_or_else(|| VerifyError::Body("no request object".into()))?;
    let request_type = req
        .kind
        .ok_or_else(|| VerifyError::Body("no request.type".into()))?;
    let ts = req
        .timestamp
        .as_ref()
        .and_then(|v| v.as_str())
        .and_then(parse_rfc3339_millis)
        .ok_or(VerifyError::TimestampMalformed)?;
    let tolerance = if request_type.starts_with("AlexaSkillEvent.") {
        SKILL_EVENT_TOLERANCE_MS
    } else {
        TIMESTAMP_TOLERANCE_MS
    };
    let skew = now_ms.saturating_sub(ts);
    if skew.saturating_abs() > tolerance {
        return Err(VerifyError::TimestampSkew(skew));
    }
    let from_context = env
        .context
        .and_then(|c| c.system)
        .and_then(|s| s.application)
        .and_then(|a| a.application_id);
    let from_session = || {
        env.session
            .and_then(|s| s.application)
            .and_then(|a| a.application_id)
    };
    let application_id = from_context
        .or_else(from_session)
        .ok_or(VerifyError::SkillIdMissing)?;
    if skill_ids.is_empty() {
        return Err(VerifyError::NoSkillRegistered);
    }
    if !skill_ids.contains(&application_id) {
        return Err(VerifyError::SkillIdUnknown);
    }
    Ok(Verified {
        application_id,
        request_type,
        timestamp_ms: ts,
    })
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}
