//! Housekeeping of expired rows: the Music Assistant tokens still held by
//! expired codes (revoked upstream by the caller, then cleared here), and the
//! deletion of expired codes and revoked access token entries.

use rusqlite::Connection;

use super::conn::{Classify, Result};
use super::links::{MaToken, ma_token_from};

/// Codes that expired (unredeemed, or rejected at redemption) while holding a Music Assistant token: the
/// caller revokes those upstream before [`purge_expired`] forgets them.
pub fn expired_code_ma_tokens(conn: &Connection, now: i64) -> Result<Vec<(String, MaToken)>> {
    let mut stmt = conn
        .prepare(
            "SELECT subject, ma_token_ciphertext, ma_token_name, ma_token_created_at, ma_token_expires_at \
             FROM codes WHERE expires_at < ?1 AND ma_token_ciphertext IS NOT NULL",
        )
        .db()?;
    let rows = stmt
        .query_map([now], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ma_token_from(r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
            ))
        })
        .db()?;
    let mut out = Vec::new();
    for row in rows {
        if let (s, Some(t)) = row.db()? {
            out.push((s, t));
        }
    }
    Ok(out)
}

/// Forgets the token of expired, unredeemed codes (after the upstream revoke).
pub fn clear_expired_code_ma_tokens(conn: &Connection, now: i64) -> Result<usize> {
    conn.execute(
        "UPDATE codes SET ma_token_ciphertext = NULL WHERE expires_at < ?1 AND ma_token_ciphertext IS NOT NULL",
        [now],
    )
    .db()
}

/// Deletes codes that expired more than a day ago (consumed codes are kept a
/// day so replays are still recognised and punished).
pub fn purge_expired(conn: &Connection, now: i64) -> Result<usize> {
    let a = conn
        .execute("DELETE FROM codes WHERE expires_at < ?1", [now - 86_400])
        .db()?;
    let b = conn
        .execute(
            "DELETE FROM revoked_access_tokens WHERE expires_at < ?1",
            [now],
        )
        .db()?;
    Ok(a + b)
}
