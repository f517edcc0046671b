//! Encryption at rest of Music Assistant tokens: AES-256-GCM with a random
//! 96-bit nonce per encryption. The key is 32 random bytes in
//! `ma-token.key` (0600) in the data directory. The associated data binds a
//! ciphertext to the subject (`ma:<user_id>`) it was issued for, so a
//! ciphertext moved to another user's row does not decrypt.
//!
//! Stored form: `0x01 || nonce (12) || ciphertext || tag (16)`.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::util::{self, Secret};

pub const KEY_FILE: &str = "ma-token.key";
const VERSION: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("the Music Assistant token key is invalid")]
    Key,
    #[error("encryption failed")]
    Seal,
}

pub struct TokenCipher {
    key: LessSafeKey,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher")
    }
}

fn aad(subject: &str) -> Vec<u8> {
    let mut v = b"ma-alexa-oauth/ma-token/v1\0".to_vec();
    v.extend_from_slice(subject.as_bytes());
    v
}

impl TokenCipher {
    pub fn new(key: &[u8; 32]) -> Result<TokenCipher, CipherError> {
        let k = UnboundKey::new(&AES_256_GCM, key).map_err(|_| CipherError::Key)?;
        Ok(TokenCipher {
            key: LessSafeKey::new(k),
        })
    }

    pub fn seal(&self, subject: &str, token: &Secret) -> Result<Vec<u8>, CipherError> {
        let mut nonce = [0u8; NONCE_LEN];
        util::fill_random(&mut nonce);
        let mut buf = token.expose().as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(subject)),
                &mut buf,
            )
            .map_err(|_| CipherError::Seal)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + buf.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        Ok(out)
    }

    /// None if the blob is malformed, was made with another key, or for another subject.
    pub fn open(&self, subject: &str, blob: &[u8]) -> Option<Secret> {
        let (&version, rest) = blob.split_first()?;
        if version != VERSION {
            return None;
        }
        let (nonce, ct) = rest.split_at_checked(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = ct.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(aad(subject)), &mut buf)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok().map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_binds_subject_and_key() {
        let c = TokenCipher::new(&[7u8; 32]).unwrap();
        let t = Secret::new("eyJ.secret.token");
        let a = c.seal("ma:u1", &t).unwrap();
        let b = c.seal("ma:u1", &t).unwrap();
        assert_ne!(a, b, "fresh nonce per encryption");
        assert!(!a.windows(6).any(|w| w == b"secret"));
        assert_eq!(c.open("ma:u1", &a).unwrap(), t);
        assert!(c.open("ma:u2", &a).is_none());
        let other = TokenCipher::new(&[8u8; 32]).unwrap();
        assert!(other.open("ma:u1", &a).is_none());
        assert!(c.open("ma:u1", &a[..10]).is_none());
        assert!(c.open("ma:u1", &[]).is_none());
    }
}
