//! What the add-on's page tells of the skill endpoint: when the last
//! request verified, and when one was last refused and why. Kept in memory
//! only (a restart forgets it); the skill's handler records each request.

use std::sync::{Mutex, PoisonError};

/// The last verified and the last refused request to `/alexa/skill`.
#[derive(Debug, Default)]
pub struct SkillSeen {
    inner: Mutex<Seen>,
}

/// A snapshot of [`SkillSeen`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// When a request last verified (unix seconds).
    pub verified_at: Option<i64>,
    /// When a request was last refused, and the refusal's short reason.
    pub refused: Option<(i64, String)>,
}

impl SkillSeen {
    /// Records a request verified at `now`.
    pub fn verified(&self, now: i64) {
        self.lock().verified_at = Some(now);
    }

    /// Records a request refused at `now` for `reason` (kept to 200 bytes).
    pub fn refused(&self, now: i64, reason: &str) {
        let mut r = reason.to_owned();
        if r.len() > 200 {
            let mut cut = 200;
            while !r.is_char_boundary(cut) {
                cut -= 1;
            }
            r.truncate(cut);
        }
        self.lock().refused = Some((now, r));
    }

    pub fn get(&self) -> Seen {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
