//! Typed audit events. Each is logged under the `audit` tracing target as
//! structured fields. No secret, code or token is ever part of an event: at
//! most a short fingerprint (see [`crate::util::fingerprint`]).
//!
//! Identifiers a person or client typed are logged as typed only once they
//! are known to name something (a registered client, an existing account):
//! a client secret pasted into the client id field, or a password typed into
//! the username box, would otherwise land in the log. Anything else appears
//! as [`Audit::unverified`]: a keyed fingerprint and the length.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use aws_lc_rs::hmac;
use serde::Serialize;

use crate::util;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuditEvent {
    LoginSucceeded {
        username: String,
        client_id: String,
        addr: IpAddr,
    },
    LoginFailed {
        username: String,
        client_id: String,
        addr: IpAddr,
    },
    LoginThrottled {
        username: String,
        client_id: String,
        addr: IpAddr,
        retry_after_secs: u64,
    },
    /// The identity source (Music Assistant) refuses logins for this
    /// account for a while, whatever the password. `asked`: it said so just
    /// now; false: its earlier answer was remembered and it was not asked.
    LoginPaused {
        username: String,
        client_id: String,
        addr: IpAddr,
        retry_after_secs: u64,
        asked: bool,
    },
    LoginUnavailable {
        client_id: String,
        addr: IpAddr,
        reason: String,
    },
    ConsentDenied {
        username: String,
        client_id: String,
        addr: IpAddr,
    },
    CodeIssued {
        client_id: String,
        username: String,
        code_fp: String,
        addr: IpAddr,
    },
    CodeRedeemed {
        client_id: String,
        link_id: String,
        addr: IpAddr,
    },
    CodeRejected {
        client_id: String,
        reason: String,
        addr: IpAddr,
    },
    CodeReplayed {
        client_id: String,
        revoked_link: Option<String>,
        addr: IpAddr,
    },
    TokenRefreshed {
        client_id: String,
        link_id: String,
        addr: IpAddr,
    },
    RefreshRejected {
        client_id: String,
        reason: String,
        addr: IpAddr,
    },
    Revoked {
        client_id: String,
        what: String,
        addr: IpAddr,
    },
    /// Music Assistant refused a link's own token twice in a row (deleted in
    /// its settings, or its user removed): the link ended; the user must
    /// link the skill again.
    MaTokenRefused { client_id: String, link_id: String },
    ClientAuthFailed {
        client_id: String,
        reason: String,
        addr: IpAddr,
    },
}

impl AuditEvent {
    /// The routine successes of every link and refresh: their lines may be
    /// batched (written within a few milliseconds, `logsink`). Every other
    /// event (a failure, a refusal, a replay, a revocation) is written
    /// before `Audit::emit` returns, so a crash right after cannot take it
    /// along.
    pub fn routine(&self) -> bool {
        matches!(
            self,
            AuditEvent::TokenRefreshed { .. }
                | AuditEvent::CodeRedeemed { .. }
                | AuditEvent::CodeIssued { .. }
                | AuditEvent::LoginSucceeded { .. }
        )
    }
}

/// The audit log. Optionally keeps a copy of every event for tests and
/// for the embedding program.
#[derive(Debug, Clone)]
pub struct Audit {
    recorder: Option<Arc<Mutex<Vec<AuditEvent>>>>,
    /// Random per process: the fingerprints of [`Audit::unverified`].
    fingerprint_key: hmac::Key,
}

impl Default for Audit {
    fn default() -> Self {
        let mut key = [0u8; 32];
        util::fill_random(&mut key);
        Audit {
            recorder: None,
            fingerprint_key: hmac::Key::new(hmac::HMAC_SHA256, &key),
        }
    }
}

impl Audit {
    /// An audit log that also keeps every event in memory (tests).
    pub fn recording() -> Self {
        Audit {
            recorder: Some(Arc::default()),
            ..Audit::default()
        }
    }

    /// How an identifier not known to name anything is logged (it may be a
    /// secret typed into the wrong field): `<unknown 1a2b3c4d, 12 chars>`.
    /// The same text gives the same fingerprint, so repeats can be told
    /// apart from one another, but the fingerprint is an HMAC under a random
    /// per-process key: unlike a plain hash, nobody holding only the log can
    /// check guesses (a weak password) against it. Fingerprints change when
    /// the process restarts.
    pub fn unverified(&self, typed: &str) -> String {
        let tag = hmac::sign(&self.fingerprint_key, typed.as_bytes());
        let fp: String = tag
            .as_ref()
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("<unknown {fp}, {} chars>", typed.chars().count())
    }

    pub fn emit(&self, event: AuditEvent) {
        let json = serde_json::to_string(&event).unwrap_or_default();
        // serde_json escapes line breaks and C0 controls; logsink escapes the
        // rest as tracing does. Routine successes are batched; every other
        // event is written before this returns.
        let urgent = !event.routine();
        if !crate::logsink::audit_line(&json, urgent) {
            tracing::info!(target: "audit", "{json}");
            if urgent {
                crate::logsink::flush();
            }
        }
        if let Some(r) = &self.recorder {
            r.lock().unwrap_or_else(|p| p.into_inner()).push(event);
        }
    }

    /// Events recorded so far (empty unless built with [`Audit::recording`]).
    pub fn events(&self) -> Vec<AuditEvent> {
        self.recorder
            .as_ref()
            .map(|r| r.lock().unwrap_or_else(|p| p.into_inner()).clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_replays_and_revocations_are_never_batched() {
        let addr: IpAddr = [127, 0, 0, 1].into();
        let s = |x: &str| x.to_owned();
        let urgent = [
            AuditEvent::ClientAuthFailed {
                client_id: s("c"),
                reason: s("r"),
                addr,
            },
            AuditEvent::CodeReplayed {
                client_id: s("c"),
                revoked_link: None,
                addr,
            },
            AuditEvent::RefreshRejected {
                client_id: s("c"),
                reason: s("r"),
                addr,
            },
            AuditEvent::Revoked {
                client_id: s("c"),
                what: s("w"),
                addr,
            },
            AuditEvent::LoginFailed {
                username: s("u"),
                client_id: s("c"),
                addr,
            },
        ];
        for e in &urgent {
            assert!(!e.routine(), "{e:?}");
        }
        let refreshed = AuditEvent::TokenRefreshed {
            client_id: s("c"),
            link_id: s("l"),
            addr,
        };
        assert!(refreshed.routine());
    }

    #[test]
    fn unverified_identifiers_show_a_keyed_fingerprint_and_the_length_only() {
        let audit = Audit::default();
        let a = audit.unverified("hunter2 hunter2");
        assert_eq!(a, audit.unverified("hunter2 hunter2"), "stable");
        assert_ne!(a, audit.unverified("hunter2 hunter3"));
        assert!(!a.contains("hunter"), "{a}");
        assert!(
            a.starts_with("<unknown ") && a.ends_with(", 15 chars>"),
            "{a}"
        );
        assert!(
            !a.contains(&util::fingerprint("hunter2 hunter2")),
            "not the plain hash a dictionary could be checked against"
        );
        assert_ne!(
            a,
            Audit::default().unverified("hunter2 hunter2"),
            "keyed per process"
        );
        assert_eq!(audit.clone().unverified("x"), audit.unverified("x"));
    }
}
