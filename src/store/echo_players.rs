//! The `echo_players` table: which Echo (the SHA-256 of its Alexa
//! `deviceId`, never the id itself) is which Music Assistant player, and
//! how that was learned.

use rusqlite::{Connection, OptionalExtension, params};

use super::conn::{Classify, Result};

/// How an Echo's player became known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoHow {
    /// A push for the player was followed by the provider's utterance from the Echo.
    Learned,
    /// Said by voice ("this is the Echo Kitchen").
    Voice,
    /// Set on the add-on's page.
    Page,
}

impl EchoHow {
    pub fn as_str(self) -> &'static str {
        match self {
            EchoHow::Learned => "learned",
            EchoHow::Voice => "voice",
            EchoHow::Page => "page",
        }
    }

    fn parse(s: &str) -> EchoHow {
        match s {
            "voice" => EchoHow::Voice,
            "page" => EchoHow::Page,
            _ => EchoHow::Learned,
        }
    }
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoPlayer {
    pub device_hash: [u8; 32],
    pub player_id: String,
    pub how: EchoHow,
    pub updated_at: i64,
}

/// The player of the Echo whose deviceId hashes to `device_hash`.
pub fn echo_player(conn: &Connection, device_hash: &[u8; 32]) -> Result<Option<EchoPlayer>> {
    conn.query_row(
        "SELECT player_id, how, updated_at FROM echo_players WHERE device_hash = ?1",
        [&device_hash[..]],
        |r| {
            Ok(EchoPlayer {
                device_hash: *device_hash,
                player_id: r.get(0)?,
                how: EchoHow::parse(&r.get::<_, String>(1)?),
                updated_at: r.get(2)?,
            })
        },
    )
    .optional()
    .db()
}

/// Records that the Echo `device_hash` is `player_id`; any other Echo
/// recorded as that player is forgotten (one Echo per player), in one
/// transaction. A mapping set on the page is the person's word: only the
/// page changes it. A voice or learned mapping that would replace this
/// Echo's page mapping, or take a player another Echo has from the page,
/// changes nothing and gives false.
pub fn set_echo_player(
    conn: &mut Connection,
    device_hash: &[u8; 32],
    player_id: &str,
    how: EchoHow,
    now: i64,
) -> Result<bool> {
    let tx = conn.transaction().db()?;
    if how != EchoHow::Page {
        let pinned: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM echo_players WHERE how = 'page' \
                 AND (device_hash = ?1 OR player_id = ?2))",
                params![&device_hash[..], player_id],
                |r| r.get(0),
            )
            .db()?;
        if pinned {
            return Ok(false);
        }
    }
    tx.execute(
        "DELETE FROM echo_players WHERE player_id = ?1 AND device_hash != ?2",
        params![player_id, &device_hash[..]],
    )
    .db()?;
    tx.execute(
        "INSERT INTO echo_players (device_hash, player_id, how, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(device_hash) DO UPDATE SET player_id = excluded.player_id, how = excluded.how, \
         updated_at = excluded.updated_at",
        params![&device_hash[..], player_id, how.as_str(), now],
    )
    .db()?;
    tx.commit().db()?;
    Ok(true)
}

/// Forgets the Echo of `player_id`; false if none was recorded.
pub fn forget_echo_player(conn: &Connection, player_id: &str) -> Result<bool> {
    let n = conn
        .execute("DELETE FROM echo_players WHERE player_id = ?1", [player_id])
        .db()?;
    Ok(n > 0)
}

/// Every row, by player.
pub fn list_echo_players(conn: &Connection) -> Result<Vec<EchoPlayer>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT device_hash, player_id, how, updated_at FROM echo_players ORDER BY player_id",
        )
        .db()?;
    let rows = stmt
        .query_map([], |r| {
            let h: Vec<u8> = r.get(0)?;
            Ok((h, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })
        .db()?
        .collect::<std::result::Result<Vec<_>, _>>()
        .db()?;
    Ok(rows
        .into_iter()
        .filter_map(|(h, player_id, how, updated_at)| {
            Some(EchoPlayer {
                device_hash: h.try_into().ok()?,
                player_id,
                how: EchoHow::parse(&how),
                updated_at,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_echo_per_player_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let st = crate::store::Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let (a, b) = ([1u8; 32], [2u8; 32]);
        st.with(|c| set_echo_player(c, &a, "Echo Kitchen", EchoHow::Learned, 10))
            .unwrap();
        let row = st.with(|c| echo_player(c, &a)).unwrap().unwrap();
        assert_eq!(
            (row.player_id.as_str(), row.how),
            ("Echo Kitchen", EchoHow::Learned)
        );
        // Another Echo said to be the Echo Kitchen takes its place.
        st.with(|c| set_echo_player(c, &b, "Echo Kitchen", EchoHow::Voice, 11))
            .unwrap();
        assert_eq!(st.with(|c| echo_player(c, &a)).unwrap(), None);
        st.with(|c| set_echo_player(c, &b, "Echo Office", EchoHow::Page, 12))
            .unwrap();
        let all = st.with(|c| list_echo_players(c)).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].player_id.as_str(), all[0].how),
            ("Echo Office", EchoHow::Page)
        );
        assert!(st.with(|c| forget_echo_player(c, "Echo Office")).unwrap());
        assert!(!st.with(|c| forget_echo_player(c, "Echo Office")).unwrap());
    }

    #[test]
    fn a_mapping_set_on_the_page_is_not_overridden_by_voice_or_learning() {
        let dir = tempfile::tempdir().unwrap();
        let st = crate::store::Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let (a, b) = ([1u8; 32], [2u8; 32]);
        assert!(
            st.with(|c| set_echo_player(c, &a, "Echo Kitchen", EchoHow::Page, 10))
                .unwrap()
        );
        // This Echo said or learned to be another player: kept as set.
        for how in [EchoHow::Voice, EchoHow::Learned] {
            assert!(
                !st.with(|c| set_echo_player(c, &a, "Echo Office", how, 11))
                    .unwrap()
            );
        }
        // Another Echo claiming the page's player: refused too.
        for how in [EchoHow::Voice, EchoHow::Learned] {
            assert!(
                !st.with(|c| set_echo_player(c, &b, "Echo Kitchen", how, 12))
                    .unwrap()
            );
        }
        let all = st.with(|c| list_echo_players(c)).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].device_hash, all[0].player_id.as_str(), all[0].how),
            (a, "Echo Kitchen", EchoHow::Page)
        );
        // The page itself changes it.
        assert!(
            st.with(|c| set_echo_player(c, &b, "Echo Kitchen", EchoHow::Page, 13))
                .unwrap()
        );
        assert_eq!(st.with(|c| echo_player(c, &a)).unwrap(), None);
        // Voice still replaces what was only learned or said.
        assert!(
            st.with(|c| set_echo_player(c, &a, "Echo Office", EchoHow::Learned, 14))
                .unwrap()
        );
        assert!(
            st.with(|c| set_echo_player(c, &a, "Echo Den", EchoHow::Voice, 15))
                .unwrap()
        );
    }
}
