//! Argon2id password hashing with bounded concurrency.
//!
//! At most `permits` hashes run at once (default: the core count), so a login
//! flood queues here instead of starving the token endpoint. Unknown users are
//! checked against a dummy hash so they cost the same time as known ones.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// OWASP's recommended Argon2id parameters: 19 MiB, 2 passes, 1 lane.
pub fn argon2() -> Argon2<'static> {
    #[allow(clippy::expect_used)]
    let params = Params::new(19 * 1024, 2, 1, None).expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (synchronous; CLI and blocking pool).
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    crate::util::fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Verifies a password against a PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// The bounded hashing service used by the server.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("available", &self.permits.available_permits())
            .finish()
    }
}

impl Hasher {
    pub fn new(permits: usize) -> Hasher {
        #[allow(clippy::expect_used)]
        let dummy = hash("not a real password: makes unknown users cost one hash")
            .expect("hashing a constant works");
        Hasher {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            dummy: dummy.into(),
        }
    }

    /// Verifies `password` against `phc`, or against the dummy hash when
    /// `phc` is None (then the answer is always false). Waits for a permit.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let known = phc.is_some();
        let phc: Arc<str> = phc
            .map(Arc::from)
            .unwrap_or_else(|| Arc::clone(&self.dummy));
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify(&password, &phc))
            .await
            .unwrap_or(false);
        ok && known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("Correct horse", &h));
        assert!(!verify("correct horse", "not a phc string"));
    }

    #[tokio::test]
    async fn unknown_user_never_verifies_even_with_dummy_password() {
        let h = Hasher::new(2);
        assert!(
            !h.verify(
                "not a real password: makes unknown users cost one hash",
                None
            )
            .await
        );
    }
}
