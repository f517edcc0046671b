//! The admin password of `serve --admin-listen` (set with `admin password`,
//! stored as an Argon2id PHC string in the meta table, like local users'
//! passwords) and its check: the login slow-down (per address, and for the
//! admin account), the bounded hashing service.

use std::net::IpAddr;

use crate::app::App;
use crate::store::{self, StoreError};
use crate::throttle::Blocked;

use super::session::password_fingerprint;

/// Meta key of the admin password's hash.
pub const PASSWORD_META: &str = "admin_password_hash";
/// The throttle's account name for the admin login (no Music Assistant or
/// local user name can hold a NUL).
const THROTTLE_ACCOUNT: &str = "\u{0}admin page";

/// Why a sign-in failed.
#[derive(Debug)]
pub enum LoginError {
    /// No admin password is set (`admin password` sets one).
    NoPassword,
    Wrong,
    /// Too many failures: wait.
    Throttled(Blocked),
    Store(StoreError),
}

/// The stored admin password's fingerprint (sessions are bound to it), if
/// one is set.
pub async fn current_fingerprint(app: &App) -> Result<Option<[u8; 32]>, StoreError> {
    let phc = app
        .store()
        .read(|c| store::get_meta(c, PASSWORD_META))
        .await?;
    Ok(phc
        .filter(|p| !p.is_empty())
        .map(|p| password_fingerprint(&p)))
}

/// Checks `password` against the admin password; on success returns the
/// password's fingerprint.
pub async fn check(app: &App, password: &str, addr: IpAddr) -> Result<[u8; 32], LoginError> {
    let now = std::time::Instant::now();
    if let Err(b) = app.throttle().check(THROTTLE_ACCOUNT, addr, now) {
        return Err(LoginError::Throttled(b));
    }
    let phc = app
        .store()
        .read(|c| store::get_meta(c, PASSWORD_META))
        .await
        .map_err(LoginError::Store)?
        .filter(|p| !p.is_empty());
    let Some(phc) = phc else {
        return Err(LoginError::NoPassword);
    };
    if password.is_empty() || password.len() > 1024 {
        app.throttle().record_failure(THROTTLE_ACCOUNT, addr, now);
        return Err(LoginError::Wrong);
    }
    if app.hasher().verify(password, Some(&phc)).await {
        app.throttle().record_success(THROTTLE_ACCOUNT);
        Ok(password_fingerprint(&phc))
    } else {
        app.throttle().record_failure(THROTTLE_ACCOUNT, addr, now);
        Err(LoginError::Wrong)
    }
}
