//! The `skill_ids` table: the Alexa skill ids whose requests this server
//! answers (`skill id add|list|remove`). The format is checked by the caller
//! (`skill::parse_skill_id`).

use rusqlite::{Connection, params};

use super::conn::{Classify, Result};

/// Registers `id`; false if it already was.
pub fn add_skill_id(conn: &Connection, id: &str, now: i64) -> Result<bool> {
    let n = conn
        .execute(
            "INSERT INTO skill_ids (id, added_at) VALUES (?1, ?2) ON CONFLICT(id) DO NOTHING",
            params![id, now],
        )
        .db()?;
    Ok(n == 1)
}

/// Removes `id`; false if it was not registered.
pub fn remove_skill_id(conn: &Connection, id: &str) -> Result<bool> {
    let n = conn
        .execute("DELETE FROM skill_ids WHERE id = ?1", [id])
        .db()?;
    Ok(n == 1)
}

/// The registered skill ids with when they were added, oldest first.
pub fn list_skill_ids(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, added_at FROM skill_ids ORDER BY added_at, id")
        .db()?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .db()?
        .collect::<std::result::Result<Vec<_>, _>>()
        .db()?;
    Ok(rows)
}

/// The registered skill ids only (what each skill request is checked against).
pub fn skill_ids(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM skill_ids").db()?;
    let rows = stmt
        .query_map([], |r| r.get(0))
        .db()?
        .collect::<std::result::Result<Vec<_>, _>>()
        .db()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn add_list_remove() {
        let dir = tempfile::tempdir().unwrap();
        let st = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        st.with(|c| {
            let a = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001";
            let b = "amzn1.ask.skill.00000000-0000-0000-0000-000000000002";
            assert!(add_skill_id(c, a, 10)?);
            assert!(!add_skill_id(c, a, 11)?);
            assert!(add_skill_id(c, b, 12)?);
            assert_eq!(
                list_skill_ids(c)?,
                vec![(a.to_owned(), 10), (b.to_owned(), 12)]
            );
            assert!(remove_skill_id(c, a)?);
            assert!(!remove_skill_id(c, a)?);
            assert_eq!(skill_ids(c)?, vec![b.to_owned()]);
            Ok(())
        })
        .unwrap();
    }
}
