//! The `meta` table (key → value), and whole-database reports for the CLI:
//! row counts for `status` and the integrity check.

use rusqlite::{Connection, OptionalExtension, params};

use super::conn::{Classify, Result};

pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .db()
}

pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .db()?;
    Ok(())
}

/// Counts for `status`.
pub fn counts(conn: &Connection) -> Result<(i64, i64, i64)> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM users), \
         (SELECT count(*) FROM links WHERE revoked_at IS NULL)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .db()
}

/// Runs `PRAGMA integrity_check` and foreign key checks; returns the problems found.
pub fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check").db()?;
    for row in stmt.query_map([], |r| r.get::<_, String>(0)).db()? {
        let row = row.db()?;
        if row != "ok" {
            out.push(row);
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check").db()?;
    for row in stmt.query_map([], |r| r.get::<_, String>(0)).db()? {
        out.push(format!("foreign key violation in {}", row.db()?));
    }
    Ok(out)
}
