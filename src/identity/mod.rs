//! Who may log in. The login page talks to an [`IdentityProvider`]; this issue
//! has local accounts ([`LocalAccounts`]) and Music Assistant accounts
//! ([`music_assistant::MusicAssistantAccounts`]); a server uses exactly one.

pub mod music_assistant;
pub mod password;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::ma::UpstreamToken;
use crate::store::Store;

/// A verified identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Stable subject for tokens, e.g. `local:alice`.
    pub subject: String,
    /// The name shown to people.
    pub username: String,
    /// A long-lived token the identity source issued for this login (Music
    /// Assistant); the caller stores it encrypted with the authorization code.
    pub upstream: Option<UpstreamToken>,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The identity source could not answer (database busy, upstream down).
    /// Never counted as a failed login.
    #[error("the account service is temporarily unavailable: {0}")]
    Unavailable(String),
    /// The identity source refuses logins for a reason the person can act on
    /// (Music Assistant not onboarded yet, an account that may not create
    /// tokens). The message is shown on the page. Not a failed login.
    #[error("{0}")]
    Refused(String),
    /// The identity source refuses every login for this username for a
    /// while (Music Assistant, after failed attempts), whatever the
    /// password. Not a failed login; the caller remembers the pause.
    #[error("sign-ins for this account are paused for {} s", retry_after.as_secs())]
    Paused { retry_after: Duration },
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait IdentityProvider: Send + Sync + 'static {
    /// Checks a username and password. `Ok(None)` means wrong credentials.
    fn verify<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<Identity>, IdentityError>>;

    /// Whether `username` is known to name an account, for the audit log: a
    /// failed login's username is logged as typed only then (otherwise it
    /// may be a password typed into the username box). A source that cannot
    /// tell without a password (Music Assistant) answers false.
    fn knows<'a>(&'a self, username: &'a str) -> BoxFuture<'a, bool>;

    /// A short name for `status` and logs, e.g. `local`.
    fn name(&self) -> &'static str;

    /// How the login page names the account after "your", e.g.
    /// "Music Assistant account".
    fn display_name(&self) -> &'static str;
}

/// Subject prefix for local accounts.
pub fn local_subject(username: &str) -> String {
    format!("local:{username}")
}

/// Usernames: 1-64 characters, no control characters, no leading/trailing space.
pub fn validate_username(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.chars().count() > 64 {
        return Err("a username has 1 to 64 characters");
    }
    if name.chars().any(char::is_control) {
        return Err("a username may not contain control characters");
    }
    if name.trim() != name {
        return Err("a username may not start or end with a space");
    }
    if name.starts_with('-') {
        return Err("a username may not start with '-' (it would read as an option)");
    }
    Ok(())
}

/// Passwords: 8-1024 bytes.
pub fn validate_password(pw: &str) -> Result<(), &'static str> {
    if pw.len() < 8 {
        return Err("a password needs at least 8 characters");
    }
    if pw.len() > 1024 {
        return Err("a password may have at most 1024 bytes");
    }
    Ok(())
}

/// Local accounts stored in SQLite with Argon2id hashes.
#[derive(Debug, Clone)]
pub struct LocalAccounts {
    store: Store,
    hasher: password::Hasher,
}

impl LocalAccounts {
    pub fn new(store: Store, hasher: password::Hasher) -> Self {
        LocalAccounts { store, hasher }
    }
}

impl IdentityProvider for LocalAccounts {
    fn verify<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<Identity>, IdentityError>> {
        Box::pin(async move {
            let name = username.to_owned();
            let user = self
                .store
                .call(move |c| crate::store::get_user(c, &name))
                .await
                .map_err(|e| IdentityError::Unavailable(e.to_string()))?;
            // Unknown users cost one hash too.
            let ok = self
                .hasher
                .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
                .await;
            Ok(match user {
                Some(u) if ok => Some(Identity {
                    subject: local_subject(&u.username),
                    username: u.username,
                    upstream: None,
                }),
                _ => None,
            })
        })
    }

    fn knows<'a>(&'a self, username: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let name = username.to_owned();
            // One indexed read, inline (Store::read).
            matches!(
                self.store
                    .read(move |c| crate::store::get_user(c, &name))
                    .await,
                Ok(Some(_))
            )
        })
    }

    fn name(&self) -> &'static str {
        "local"
    }

    fn display_name(&self) -> &'static str {
        "account on this server"
    }
}
