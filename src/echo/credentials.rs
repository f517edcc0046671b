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
/// at once (a running server checks the stored form again for every
/// request that matches its kept password: [`PasswordCache`]).
pub fn rotate(st: &Store, sealer: &Sealer) -> Result<Secret, CredentialError> {
    let password = Secret::new(util::random_token(32));
    let sealed = sealer.seal(&password)?;
    st.with(|c| store::set_meta(c, PASSWORD_META, &sealed))?;
    Ok(password)
}

/// The password kept in memory, so a request with wrong or missing
/// credentials costs no store read and no decryption. A rotation
/// (`provider rotate-password`, another process) applies at once all the
/// same: a request whose credentials match the kept password has the
/// stored value checked again (one `meta` read; decrypted only if it
/// changed), and a request that matches nothing may re-read the store at
/// most once per [`MISS_REFRESH`] (so the new password is taken too).
#[derive(Debug, Default)]
pub struct PasswordCache {
    inner: std::sync::Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    /// The stored (sealed) form and its password.
    kept: Option<(String, Secret)>,
    /// When a mismatch last re-read the store.
    last_miss_refresh: Option<std::time::Instant>,
}

/// The least time between two store re-reads caused by credentials that
/// matched nothing.
pub const MISS_REFRESH: std::time::Duration = std::time::Duration::from_secs(1);

impl PasswordCache {
    fn state(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept password, if any.
    pub fn kept(&self) -> Option<Secret> {
        self.state().kept.as_ref().map(|(_, p)| p.clone())
    }

    /// Keeps the password of the stored form `sealed` (unsealed only if it
    /// is not the form kept already).
    pub fn update(&self, sealer: &Sealer, sealed: &str) -> Result<Secret, CredentialError> {
        if let Some((s, p)) = &self.state().kept
            && s == sealed
        {
            return Ok(p.clone());
        }
        let password = sealer.unseal(sealed)?;
        self.state().kept = Some((sealed.to_owned(), password.clone()));
        Ok(password)
    }

    /// True (and the time noted) if a mismatch may re-read the store now.
    pub fn may_refresh_on_miss(&self, now: std::time::Instant) -> bool {
        let mut st = self.state();
        let due = st
            .last_miss_refresh
            .is_none_or(|t| now.duration_since(t) >= MISS_REFRESH);
        if due {
            st.last_miss_refresh = Some(now);
        }
        due
    }
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
    fn the_kept_password_follows_the_stored_form_and_misses_reread_at_most_once_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let st = crate::store::Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let sealer = Sealer::open(dir.path()).unwrap();
        let p = ensure(&st, &sealer).unwrap();
        let stored = || {
            st.with(|c| crate::store::get_meta(c, PASSWORD_META))
                .unwrap()
                .unwrap()
        };
        let cache = PasswordCache::default();
        assert!(cache.kept().is_none());
        assert_eq!(cache.update(&sealer, &stored()).unwrap(), p);
        assert_eq!(cache.kept(), Some(p.clone()));
        let q = rotate(&st, &sealer).unwrap();
        assert_eq!(
            cache.update(&sealer, &stored()).unwrap(),
            q,
            "a new stored form"
        );
        assert_eq!(cache.kept(), Some(q));
        let t0 = std::time::Instant::now();
        assert!(cache.may_refresh_on_miss(t0));
        assert!(!cache.may_refresh_on_miss(t0 + MISS_REFRESH / 2));
        assert!(cache.may_refresh_on_miss(t0 + MISS_REFRESH));
    }

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
