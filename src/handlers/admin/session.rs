//! Sessions of `serve --admin-listen`'s login: random tokens in an
//! HttpOnly, SameSite=Strict cookie, kept in memory (a restart signs
//! everyone out) by their SHA-256, each bound to the admin password it was
//! opened with (changing or removing the password ends them), 12 hours at
//! most, 32 at once (the oldest goes first).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::util;

pub const COOKIE: &str = "ma_admin_session";
/// A session's lifetime (seconds).
pub const LIFETIME: i64 = 12 * 3600;
const MAX_SESSIONS: usize = 32;

#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<[u8; 32], Session>>,
}

#[derive(Debug, Clone, Copy)]
struct Session {
    expires: i64,
    /// SHA-256 of the password hash the session was opened with.
    password: [u8; 32],
}

/// The fingerprint of a stored password hash (PHC string).
pub fn password_fingerprint(phc: &str) -> [u8; 32] {
    util::sha256(phc.as_bytes())
}

impl Sessions {
    /// Opens a session for the password `fingerprint`; returns its token.
    pub fn open(&self, fingerprint: [u8; 32], now: i64) -> String {
        let token = util::random_token(32);
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|_, s| s.expires > now);
        while map.len() >= MAX_SESSIONS {
            let Some(oldest) = map.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| *k) else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(
            util::sha256(token.as_bytes()),
            Session {
                expires: now + LIFETIME,
                password: fingerprint,
            },
        );
        token
    }

    /// Whether `token` is a live session opened with the current password.
    pub fn valid(&self, token: &str, fingerprint: Option<[u8; 32]>, now: i64) -> bool {
        let Some(fp) = fingerprint else {
            return false;
        };
        let key = util::sha256(token.as_bytes());
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&key)
            .is_some_and(|s| s.expires > now && util::ct_eq(&s.password, &fp))
    }

    /// Ends a session.
    pub fn close(&self, token: &str) {
        let key = util::sha256(token.as_bytes());
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_with_time_logout_and_a_new_password() {
        let s = Sessions::default();
        let fp = password_fingerprint("$argon2id$one");
        let t = s.open(fp, 100);
        assert!(s.valid(&t, Some(fp), 101));
        assert!(!s.valid(&t, Some(password_fingerprint("$argon2id$two")), 101));
        assert!(!s.valid(&t, None, 101));
        assert!(!s.valid(&t, Some(fp), 100 + LIFETIME));
        assert!(!s.valid("made-up", Some(fp), 101));
        s.close(&t);
        assert!(!s.valid(&t, Some(fp), 101));
        let first = s.open(fp, 200);
        for i in 0..MAX_SESSIONS {
            s.open(fp, 201 + i as i64);
        }
        assert!(!s.valid(&first, Some(fp), 300), "the oldest made room");
    }
}
