//! The `users` table: local accounts (Argon2id PHC strings only), and user
//! removal with the revocation of the account's links.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::conn::{Classify, Result};
use super::links::{Links, revoke_links_where};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: i64,
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        password_hash: r.get(2)?,
        created_at: r.get(3)?,
    })
}

/// Inserts a user; returns false if the name is taken.
pub fn insert_user(
    conn: &Connection,
    username: &str,
    password_hash: &str,
    now: i64,
) -> Result<bool> {
    let n = conn
        .execute(
            "INSERT INTO users (username, password_hash, created_at) VALUES (?1, ?2, ?3) ON CONFLICT(username) DO NOTHING",
            params![username, password_hash, now],
        )
        .db()?;
    Ok(n == 1)
}

pub fn get_user(conn: &Connection, username: &str) -> Result<Option<User>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, username, password_hash, created_at FROM users WHERE username = ?1",
        )
        .db()?;
    stmt.query_row([username], user_from_row).optional().db()
}

pub fn list_users(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn
        .prepare("SELECT id, username, password_hash, created_at FROM users ORDER BY username")
        .db()?;
    let rows = stmt.query_map([], user_from_row).db()?;
    rows.map(|r| r.db()).collect()
}

pub fn set_user_password(conn: &Connection, username: &str, password_hash: &str) -> Result<bool> {
    let n = conn
        .execute(
            "UPDATE users SET password_hash = ?2 WHERE username = ?1",
            params![username, password_hash],
        )
        .db()?;
    Ok(n == 1)
}

/// Removes a user and revokes every link made with the account, in one transaction.
/// Returns the number of links revoked, or None if the user does not exist.
pub fn delete_user(
    conn: &mut Connection,
    username: &str,
    subject: &str,
    now: i64,
) -> Result<Option<usize>> {
    // One transaction: the account is removed and its links and their refresh
    // tokens revoked together.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let n = tx
        .execute("DELETE FROM users WHERE username = ?1", [username])
        .db()?;
    if n == 0 {
        return Ok(None);
    }
    let revoked = revoke_links_where(&tx, Links::Subject(subject), now)?;
    tx.commit().db()?;
    Ok(Some(revoked))
}
