//! Typed audit events. Each is logged under the `audit` tracing target as
//! structured fields. No secret, code or token is ever part of an event: at
//! most a short fingerprint (see [`crate::util::fingerprint`]).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use serde::Serialize;

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

/// The audit log. Optionally keeps a copy of every event for tests and
/// for the embedding program.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    recorder: Option<Arc<Mutex<Vec<AuditEvent>>>>,
}

impl Audit {
    /// An audit log that also keeps every event in memory (tests).
    pub fn recording() -> Self {
        Audit {
            recorder: Some(Arc::default()),
        }
    }

    pub fn emit(&self, event: AuditEvent) {
        let json = serde_json::to_string(&event).unwrap_or_default();
        tracing::info!(target: "audit", "{json}");
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
