//! [`VerifyError`]: which of Amazon's rules a skill request broke. Every
//! variant is answered 400 (and nothing else happens); [`VerifyError::reason`]
//! is the short text for logs.

use super::cert_url::UrlRule;

/// Why a request to the skill endpoint was refused, one variant per rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `SignatureCertChainUrl` header.
    #[error("no SignatureCertChainUrl header")]
    MissingCertUrl,
    /// No `Signature-256` header (the SHA-1 `Signature` header alone is not accepted).
    #[error("no Signature-256 header")]
    MissingSignature,
    /// The certificate chain URL broke one of the URL rules.
    #[error("{}", .0.reason())]
    CertUrl(UrlRule),
    /// The chain could not be had: unreachable, slow, not 200, too large, no such test file.
    #[error("certificate chain could not be fetched: {0}")]
    ChainFetch(String),
    /// What was fetched is not a PEM certificate chain.
    #[error("certificate chain is unreadable: {0}")]
    ChainParse(String),
    /// The chain does not lead to a trusted root (or is otherwise invalid as a chain).
    #[error("certificate chain is not trusted: {0}")]
    ChainUntrusted(String),
    /// A certificate of the chain (normally the leaf) has expired.
    #[error("signing certificate has expired")]
    CertExpired,
    /// A certificate of the chain is not valid yet.
    #[error("signing certificate is not valid yet")]
    CertNotYetValid,
    /// The leaf's subject alternative names lack `echo-api.amazon.com`.
    #[error("signing certificate is not issued to echo-api.amazon.com")]
    SubjectName,
    /// `Signature-256` is not base64.
    #[error("Signature-256 is not base64")]
    SignatureEncoding,
    /// `Signature-256` is not the leaf key's RSA-SHA256 signature of the body.
    #[error("Signature-256 does not match the body")]
    SignatureMismatch,
    /// The (signed) body is not an Alexa request envelope.
    #[error("body is not an Alexa request: {0}")]
    Body(String),
    /// `request.timestamp` missing or not an ISO 8601 date and time.
    #[error("request timestamp is missing or malformed")]
    TimestampMalformed,
    /// `request.timestamp` too far from now (milliseconds; positive: in the past).
    #[error("request timestamp is {0} ms away from now")]
    TimestampSkew(i64),
    /// No `applicationId` in `context.System.application` or `session.application`.
    #[error("no skill id in the request")]
    SkillIdMissing,
    /// The skill id is not one registered here.
    #[error("skill id is not registered here")]
    SkillIdUnknown,
    /// No skill id is registered at all (`skill id add`).
    #[error("no skill id is registered (skill id add amzn1.ask.skill.…)")]
    NoSkillRegistered,
}

impl VerifyError {
    /// A short, fixed description for logs (no request data in it).
    pub fn reason(&self) -> &'static str {
        match self {
            VerifyError::MissingCertUrl => "missing SignatureCertChainUrl",
            VerifyError::MissingSignature => "missing Signature-256",
            VerifyError::CertUrl(rule) => rule.reason(),
            VerifyError::ChainFetch(_) => "certificate chain fetch failed",
            VerifyError::ChainParse(_) => "certificate chain unreadable",
            VerifyError::ChainUntrusted(_) => "certificate chain untrusted",
            VerifyError::CertExpired => "certificate expired",
            VerifyError::CertNotYetValid => "certificate not yet valid",
            VerifyError::SubjectName => "certificate not for echo-api.amazon.com",
            VerifyError::SignatureEncoding => "signature not base64",
            VerifyError::SignatureMismatch => "signature mismatch",
            VerifyError::Body(_) => "body not an Alexa request",
            VerifyError::TimestampMalformed => "timestamp malformed",
            VerifyError::TimestampSkew(_) => "timestamp too far from now",
            VerifyError::SkillIdMissing => "skill id missing",
            VerifyError::SkillIdUnknown => "skill id not registered",
            VerifyError::NoSkillRegistered => "no skill id registered",
        }
    }
}
