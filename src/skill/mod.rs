//! The Alexa custom skill served at `POST /alexa/skill`: Alexa's requests
//! and answers, what people can say (one phrase table per language), the
//! players and the library they name, and the interaction model.
//!
//! - [`request`], [`response`]: the envelope read, the answer written (SSML).
//! - [`intents`]: the intent table and each intent's [`intents::Action`].
//! - [`phrases`]: one table per language (samples, slot values, speech).
//! - [`perform`]: an action carried out against Music Assistant.
//! - [`backend`]: the only way the skill calls Music Assistant (allowlisted).
//! - [`rooms`], [`matching`], [`library`]: players, fuzzy names, the cached library.
//! - [`model`]: the interaction model per locale.

pub mod backend;
pub mod intents;
pub mod library;
pub mod matching;
pub mod model;
pub mod perform;
pub mod phrases;
pub mod request;
pub mod response;
pub mod rooms;

/// What the skill remembers between requests: each Echo's player and the
/// library's names. One per server (held by the app state).
#[derive(Debug, Default)]
pub struct Memory {
    pub rooms: rooms::DeviceRooms,
    pub library: library::LibraryCache,
}
