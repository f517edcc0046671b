//! The `revoked_access_tokens` table: `jti`s of access tokens revoked before
//! they expire, and the check an access token must pass against the store.

use rusqlite::{Connection, params};

use super::conn::{Classify, Result};

pub fn revoke_access_token(conn: &Connection, jti: &str, expires_at: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?1, ?2) ON CONFLICT(jti) DO NOTHING",
        params![jti, expires_at],
    )
    .db()?;
    Ok(())
}

/// True if an access token is still valid as far as the store knows: its link
/// is active and its `jti` was not revoked.
pub fn access_token_active(conn: &Connection, link_id: &str, jti: &str) -> Result<bool> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT (SELECT revoked_at IS NULL FROM links WHERE id = ?1) AND \
             NOT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?2)",
        )
        .db()?;
    Ok(stmt
        .query_row(params![link_id, jti], |r| r.get::<_, Option<bool>>(0))
        .db()?
        .unwrap_or(false))
}
