//! The Alexa custom skill served from this binary (`POST /alexa/skill`).
//!
//! - `verify.rs`: [`SkillVerifier`], the checks Amazon requires of every
//!   request (headers, certificate chain, signature, timestamp, skill id),
//!   [`Trust`] (production or, for testing only, operator-supplied roots
//!   and chains), [`Verified`].
//! - `error.rs`: [`VerifyError`], one variant per rule.
//! - `cert_url.rs`: the `SignatureCertChainUrl` rules and normalisation.
//! - `chain.rs`: chain sources, PEM reading, the webpki chain check, the
//!   bounded cache by URL.
//! - `fetch.rs`: the chain's https fetch (deadline, size cap) or test file.
//! - `validity.rs`: a certificate's dates (DER walk), for the cache's life.
//! - `timestamp.rs`: `request.timestamp` and certificate times.
//! - `skill_id.rs`: the skill id's format (`amzn1.ask.skill.<uuid>`).

pub mod cert_url;
pub mod chain;
pub mod error;
pub mod fetch;
pub mod skill_id;
pub mod timestamp;
pub mod validity;
pub mod verify;

pub use cert_url::{CertUrl, UrlRule};
pub use chain::ChainSource;
pub use error::VerifyError;
pub use skill_id::parse_skill_id;
pub use verify::{SkillVerifier, Trust, Verified};
