//! The Alexa custom skill served at `POST /alexa/skill`: Alexa's requests
//! and answers, what people can say (one phrase table per language), the
//! players and the library they name, and the interaction model.
//!
//! - [`request`], [`response`]: the envelope read, the answer written (SSML).
//! - [`audio`]: playing on the Echo (AudioPlayer directives, playback requests);
//!   [`echo`]: what the skill does with Music Assistant's Alexa provider;
//!   [`provider_words`]: what that provider has an Echo say, per language.
//! - [`intents`]: the intent table and each intent's [`intents::Action`].
//! - [`phrases`]: one table per language (samples, slot values, speech).
//! - [`perform`]: an action carried out against Music Assistant; [`play`]:
//!   playing (what, where, everywhere); [`resolve`]: what a spoken name
//!   means; [`dialog`]: the skill's own questions (slot elicitation).
//! - [`backend`]: the only way the skill calls Music Assistant (allowlisted).
//! - [`rooms`], [`matching`], [`library`]: players, fuzzy names, the cached library.
//! - [`model`]: the interaction model per locale.
//! - [`timing`]: a request's own time against the time spent waiting on Music Assistant.
//!
//! Request verification:
//! - `verify.rs`: [`SkillVerifier`], the checks Amazon requires of every
//!   request (headers, certificate chain, signature, timestamp, skill id),
//!   [`Trust`] (production or, for testing only, operator-supplied roots
//!   and chains), [`Verified`].
//! - `error.rs`: [`VerifyError`], one variant per rule.
//! - `cert_url.rs`: the `SignatureCertChainUrl` rules and normalisation.
//! - `chain.rs`: chain sources, PEM reading, the webpki chain check,
//!   fetching into the cache; `chain_cache.rs`: the bounded cache by URL,
//!   one fetch per URL, failed URLs remembered briefly, fetch turns shared
//!   fairly between clients.
//! - `fetch.rs`: the chain's https fetch (deadline, size cap) or test file.
//! - certificate dates: `crate::der` (shared with `status`).
//! - `timestamp.rs`: `request.timestamp` (RFC 3339).
//! - `skill_id.rs`: the skill id's format (`amzn1.ask.skill.<uuid>`).

pub mod audio;
pub mod backend;
pub mod cert_url;
pub mod chain;
pub mod chain_cache;
pub mod dialog;
pub mod echo;
pub mod error;
pub mod fetch;
pub mod intents;
pub mod library;
pub mod matching;
pub mod model;
pub mod perform;
pub mod phrases;
pub mod play;
pub mod provider_words;
pub mod request;
pub mod resolve;
pub mod response;
pub mod rooms;
pub mod skill_id;
pub mod timestamp;
pub mod timing;
pub mod verify;

pub use cert_url::{CertUrl, UrlRule};
pub use chain::ChainSource;
pub use error::VerifyError;
pub use skill_id::parse_skill_id;
pub use verify::{SkillVerifier, Trust, Verified};

/// What the skill remembers between requests: each Echo's player and the
/// library's names. One per server (held by the app state).
#[derive(Debug, Default)]
pub struct Memory {
    pub rooms: rooms::DeviceRooms,
    pub library: library::LibraryCache,
}
