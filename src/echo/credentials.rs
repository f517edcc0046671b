//! The HTTP Basic credentials Music Assistant's Alexa provider sends to
//! this server ("API Basic Auth Username/Password" in its settings).
//!
//! The user name is fixed ([`USERNAME`]); the password is 256 random bits
//! (43 characters, base64url) made by this server, kept in the `meta` table
//! sealed with the data directory's token key (AES-256-GCM, the same key
//! and scheme as Music Assistant tokens, bound to its own associated data),
//! so the values to paste can be shown again (`provider show`, the add-on's
//! page) and a copy of the database alone does not reveal it. Checked in
//! constant time (SHA-256 of both sides compared with `ct_eq`).

use std::path::Path;

use crate::ma::cipher::{self, TokenCipher};
use crate::store::{self, Store, StoreError};
use crate::util::{self, Secret};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The user name Music Assistant sends.
pub const USERNAME: &str = "music-assistant";
/// The `meta` key holding the sealed password (base64).
pub const PASSWORD_META: &str = "provider_api_password";
/// The associated data the password is sealed for.
const SUBJECT: &str = "provider-api:password";

/// The key that seals the password: the data directory's token key.
pub struct Sealer(TokenCipher);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

/// What went wrong with the stored password.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the provider API password cannot be read with this data directory's key")]
    Unreadable,
    #[error("cannot seal the provider API password")]
    Seal,
    #[error("cannot read or create the data directory's key: {0}")]
    Key(String),
}

impl Sealer {
    /// The data directory's token key (created on first use).
    pub fn open(data_dir: &Path) -> Result<Sealer, CredentialError> {
        let key = crate::files::load_or_create_secret(&data_dir.join(cipher::KEY_FILE))
            .map_err(|e| CredentialError::Key(e.to_string()))?;
        TokenCipher::new(&key)
            .map(Sealer)
            .map_err(|e| CredentialError::Key(e.to_string()))
    }

    fn seal(&self, password: &Secret) -> Result<String, CredentialError> {
        let blob = self
            .0
            .seal(SUBJECT, password)
            .map_err(|_| CredentialError::Seal)?;
        Ok(STANDARD.encode(blob))
    }

    /// The password from its stored form.
    pub fn unseal(&self, stored: &str) -> Result<Secret, CredentialError> {
        let blob = STANDARD
            .decode(stored.trim())
            .map_err(|_| CredentialError::Unreadable)?;
        self.0
            .open(SUBJECT, &blob)
            .ok_or(CredentialError::Unreadable)
    }
}

/// The stored password, made (and stored) if there is none yet, in one
/// step on the store's connection (blocking: the CLI, or a blocking task).
pub fn ensure(st: &Store, sealer: &Sealer) -> Result<Secret, CredentialError> {
    let fresh = Secret::new(util::random_token(32));
    let sealed = sealer.seal(&fresh)?;
    let stored = st.with(|c| match store::get_meta(c, PASSWORD_META)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => store::set_meta(c, PASSWORD_META, &sealed).map(|()| sealed.clone()),
    })?;
    sealer.unseal(&stored)
}

/// A new password, replacing the stored one; the old one stops working
/// at once (a running server reads it on every request).
pub fn rotate(st: &Store, sealer: &Sealer) -> Result<Secret, CredentialError> {
    let password = Secret::new(util::random_token(32));
    let sealed = sealer.seal(&password)?;
    st.with(|c| store::set_meta(c, PASSWORD_META, &sealed))?;
    Ok(password)
}

/// True if `user`/`password` are the provider's credentials, in constant
/// time (both sides hashed first, so not even their lengths are compared).
pub fn matches(expected: &Secret, user: &str, password: &str) -> bool {
    let want = util::sha256(format!("{USERNAME}:{}", expected.expose()).as_bytes());
    let got = util::sha256(format!("{user}:{password}").as_bytes());
    util::ct_eq(&want, &got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_sealed_and_rotated() {
        let dir = tempfile::tempdir().unwrap();
        let st = crate::store::Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let sealer = Sealer::open(dir.path()).unwrap();
        let p = ensure(&st, &sealer).unwrap();
        assert_eq!(p.expose().len(), 43);
        let again = ensure(&st, &sealer).unwrap();
        assert_eq!(p, again, "made once");
        let stored = st
            .with(|c| crate::store::get_meta(c, PASSWORD_META))
            .unwrap()
            .unwrap();
        assert!(!stored.contains(p.expose()), "never stored in clear");
        assert!(matches(&p, USERNAME, p.expose()));
        assert!(!matches(&p, "someone", p.expose()));
        assert!(!matches(&p, USERNAME, "guess"));
        let q = rotate(&st, &sealer).unwrap();
        assert_ne!(p, q);
        let other_key = tempfile::tempdir().unwrap();
        let other = Sealer::open(other_key.path()).unwrap();
        assert!(other.unseal(&stored).is_err(), "another key cannot read it");
    }
}
