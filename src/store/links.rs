//! The `links` table (one row per successful authorization: a grant of scope
//! to a client), the `refresh_tokens` that belong to links, each link's Music
//! Assistant token, and link revocation.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::conn::{Classify, Result};

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    pub client_id: String,
    pub subject: String,
    pub username: String,
    pub scope: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub revoked_at: Option<i64>,
    /// State of the link's Music Assistant token (see [`MaTokenState`]); None
    /// for links without one (local accounts).
    pub ma_token_state: Option<String>,
    pub ma_token_created_at: Option<i64>,
    pub ma_token_expires_at: Option<i64>,
}

/// The columns [`link_from_row`] reads, in its order (a macro so that
/// statements are string literals: no SQL is formatted per call).
macro_rules! link_columns {
    () => {
        "l.id, l.client_id, l.subject, l.username, l.scope, l.created_at, l.last_used_at, \
         l.revoked_at, l.ma_token_state, l.ma_token_created_at, l.ma_token_expires_at"
    };
}

/// Number of columns in `link_columns!()`.
const LINK_NCOLS: usize = 11;

fn link_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Link> {
    link_at(r, 0)
}

/// The link whose columns start at column `at`.
fn link_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Link> {
    Ok(Link {
        id: r.get(at)?,
        client_id: r.get(at + 1)?,
        subject: r.get(at + 2)?,
        username: r.get(at + 3)?,
        scope: r.get(at + 4)?,
        created_at: r.get(at + 5)?,
        last_used_at: r.get(at + 6)?,
        revoked_at: r.get(at + 7)?,
        ma_token_state: r.get(at + 8)?,
        ma_token_created_at: r.get(at + 9)?,
        ma_token_expires_at: r.get(at + 10)?,
    })
}

pub fn list_links(conn: &Connection) -> Result<Vec<Link>> {
    let mut stmt = conn
        .prepare(concat!(
            "SELECT ",
            link_columns!(),
            " FROM links l ORDER BY l.created_at, l.id"
        ))
        .db()?;
    let rows = stmt.query_map([], link_from_row).db()?;
    rows.map(|r| r.db()).collect()
}

pub fn get_link(conn: &Connection, id: &str) -> Result<Option<Link>> {
    let mut stmt = conn
        .prepare_cached(concat!(
            "SELECT ",
            link_columns!(),
            " FROM links l WHERE l.id = ?1"
        ))
        .db()?;
    stmt.query_row([id], link_from_row).optional().db()
}

/// True if the link exists and is not revoked.
pub fn link_is_active(conn: &Connection, id: &str) -> Result<bool> {
    let mut stmt = conn
        .prepare_cached("SELECT revoked_at IS NULL FROM links WHERE id = ?1")
        .db()?;
    Ok(stmt
        .query_row([id], |r| r.get::<_, bool>(0))
        .optional()
        .db()?
        .unwrap_or(false))
}

/// Revokes a link and its refresh tokens. Returns false if it was unknown or already revoked.
pub fn revoke_link(conn: &mut Connection, id: &str, now: i64) -> Result<bool> {
    // One transaction: the link and its refresh tokens are revoked together.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let n = revoke_links_where(&tx, Links::Id(id), now)?;
    tx.commit().db()?;
    Ok(n > 0)
}

/// Inserts `link` (last used at its creation) with `ma`, its Music Assistant
/// token, whose state and dates `link` carries (part of
/// [`redeem_code_in`](super::redeem_code_in)).
pub(super) fn insert_link(conn: &Connection, link: &Link, ma: Option<&MaToken>) -> Result<()> {
    conn.execute(
        "INSERT INTO links (id, client_id, subject, username, scope, created_at, last_used_at, \
         ma_token_ciphertext, ma_token_name, ma_token_created_at, ma_token_expires_at, ma_token_state) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            link.id,
            link.client_id,
            link.subject,
            link.username,
            link.scope,
            link.created_at,
            ma.map(|t| &t.ciphertext),
            ma.map(|t| &t.name),
            link.ma_token_created_at,
            link.ma_token_expires_at,
            link.ma_token_state
        ],
    )
    .db()?;
    Ok(())
}

/// Which links a revocation applies to.
#[derive(Clone, Copy)]
pub(super) enum Links<'a> {
    Id(&'a str),
    Subject(&'a str),
}

/// Revokes the selected active links and their refresh tokens (caller's transaction).
pub(super) fn revoke_links_where(conn: &Connection, which: Links<'_>, now: i64) -> Result<usize> {
    let (tokens_sql, links_sql, key) = match which {
        Links::Id(id) => (
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE revoked_at IS NULL AND link_id IN \
             (SELECT id FROM links WHERE revoked_at IS NULL AND id = ?1)",
            "UPDATE links SET revoked_at = ?2 WHERE revoked_at IS NULL AND id = ?1",
            id,
        ),
        Links::Subject(subject) => (
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE revoked_at IS NULL AND link_id IN \
             (SELECT id FROM links WHERE revoked_at IS NULL AND subject = ?1)",
            "UPDATE links SET revoked_at = ?2 WHERE revoked_at IS NULL AND subject = ?1",
            subject,
        ),
    };
    conn.execute(tokens_sql, params![key, now]).db()?;
    conn.execute(links_sql, params![key, now]).db()
}

// ---------------------------------------------------------------------------
// refresh tokens

/// The link behind a refresh token, with the token's own revocation state.
#[derive(Debug, Clone)]
pub struct RefreshLookup {
    pub link: Link,
    pub token_revoked: bool,
}

pub fn lookup_refresh(conn: &Connection, hash: &[u8; 32]) -> Result<Option<RefreshLookup>> {
    let mut stmt = conn
        .prepare_cached(concat!(
            "SELECT ",
            link_columns!(),
            ", r.revoked_at IS NOT NULL FROM refresh_tokens r JOIN links l ON l.id = r.link_id \
             WHERE r.hash = ?1"
        ))
        .db()?;
    stmt.query_row([&hash[..]], |r| {
        Ok(RefreshLookup {
            link: link_from_row(r)?,
            token_revoked: r.get(LINK_NCOLS)?,
        })
    })
    .optional()
    .db()
}

const CLIENT_AND_REFRESH: &str = concat!(
    "SELECT c.secret_hash, ",
    link_columns!(),
    ", r.revoked_at IS NOT NULL FROM clients c INDEXED BY clients_auth \
     LEFT JOIN refresh_tokens r INDEXED BY refresh_tokens_lookup ON r.hash = ?2 \
     LEFT JOIN links l INDEXED BY links_refresh ON l.id = r.link_id \
     WHERE c.id = ?1"
);

/// A refresh grant's two reads in one statement (one read transaction, one
/// indexed lookup each): the secret digest of client `client_id` (what client
/// authentication compares) and what [`lookup_refresh`] answers for `hash`.
/// None if there is no such client; the token's lookup is None if it is
/// unknown (whoever it belongs to: the caller compares the client).
pub fn client_and_refresh(
    conn: &Connection,
    client_id: &str,
    hash: &[u8; 32],
) -> Result<Option<([u8; 32], Option<RefreshLookup>)>> {
    let mut stmt = conn.prepare_cached(CLIENT_AND_REFRESH).db()?;
    stmt.query_row(params![client_id, &hash[..]], |r| {
        let digest = super::clients::digest_of(r.get_ref(0)?.as_blob()?);
        // No token (or, against the schema, no link): the link's id is NULL.
        let found = match r.get_ref(1)? {
            rusqlite::types::ValueRef::Null => None,
            _ => Some(RefreshLookup {
                link: link_at(r, 1)?,
                token_revoked: r.get(1 + LINK_NCOLS)?,
            }),
        };
        Ok((digest, found))
    })
    .optional()
    .db()
}

/// Inserts the refresh token with digest `hash` for link `link_id` (part of
/// [`redeem_code_in`](super::redeem_code_in)).
pub(super) fn insert_refresh_token(
    conn: &Connection,
    hash: &[u8; 32],
    link_id: &str,
    now: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO refresh_tokens (hash, link_id, created_at) VALUES (?1, ?2, ?3)",
        params![&hash[..], link_id, now],
    )
    .db()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Music Assistant tokens (AES-256-GCM ciphertext only; see src/ma/cipher.rs)

/// States of a link's Music Assistant token.
pub struct MaTokenState;

impl MaTokenState {
    /// Usable.
    pub const OK: &'static str = "ok";
    /// Renewal was attempted and failed; the old token is kept until it expires.
    pub const RENEWAL_FAILED: &'static str = "renewal_failed";
    /// The link was revoked but Music Assistant could not be told; the
    /// ciphertext is kept so a later `links revoke` can retry.
    pub const REVOKE_FAILED: &'static str = "revoke_failed";
    /// Revoked upstream (or found already gone there); the ciphertext is gone.
    pub const REVOKED: &'static str = "revoked";
    /// Music Assistant refused the token twice in a row (deleted in its
    /// settings, or its user removed): the link ended then (revoked here
    /// too, so its refresh token answers `invalid_grant` and Alexa asks the
    /// user to link again). The ciphertext is kept until `links revoke`.
    pub const REFUSED: &'static str = "refused";
}

/// A Music Assistant token as stored: never the token itself.
#[derive(Clone, PartialEq, Eq)]
pub struct MaToken {
    pub ciphertext: Vec<u8>,
    /// The name it carries in Music Assistant (shown in its settings).
    pub name: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for MaToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaToken")
            .field("name", &self.name)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

pub(super) fn ma_token_from(
    ciphertext: Option<Vec<u8>>,
    name: Option<String>,
    created_at: Option<i64>,
    expires_at: Option<i64>,
) -> Option<MaToken> {
    Some(MaToken {
        ciphertext: ciphertext?,
        name: name?,
        created_at: created_at?,
        expires_at: expires_at?,
    })
}

/// What the gateway and revocation need to know about a link's upstream token.
#[derive(Debug, Clone)]
pub struct LinkUpstream {
    pub link_id: String,
    pub subject: String,
    pub active: bool,
    pub state: Option<String>,
    pub token: Option<MaToken>,
}

pub fn link_upstream(conn: &Connection, link_id: &str) -> Result<Option<LinkUpstream>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, subject, revoked_at IS NULL, ma_token_state, ma_token_ciphertext, ma_token_name, \
             ma_token_created_at, ma_token_expires_at FROM links WHERE id = ?1",
        )
        .db()?;
    stmt.query_row([link_id], |r| {
        Ok(LinkUpstream {
            link_id: r.get(0)?,
            subject: r.get(1)?,
            active: r.get(2)?,
            state: r.get(3)?,
            token: ma_token_from(r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
        })
    })
    .optional()
    .db()
}

/// Replaces a link's token after renewal, only if it still holds `old`
/// (a concurrent renewal or revocation wins). One statement, so atomic.
pub fn replace_link_ma_token(
    conn: &Connection,
    link_id: &str,
    old: &[u8],
    new: &MaToken,
) -> Result<bool> {
    let n = conn
        .execute(
            "UPDATE links SET ma_token_ciphertext = ?3, ma_token_name = ?4, ma_token_created_at = ?5, \
             ma_token_expires_at = ?6, ma_token_state = 'ok' \
             WHERE id = ?1 AND revoked_at IS NULL AND ma_token_ciphertext = ?2",
            params![link_id, old, new.ciphertext, new.name, new.created_at, new.expires_at],
        )
        .db()?;
    Ok(n == 1)
}

/// Records a token state (e.g. renewal failed) without touching the token.
pub fn set_link_ma_state(conn: &Connection, link_id: &str, state: &str) -> Result<()> {
    conn.execute(
        "UPDATE links SET ma_token_state = ?2 WHERE id = ?1 AND ma_token_name IS NOT NULL",
        params![link_id, state],
    )
    .db()?;
    Ok(())
}

/// What [`refuse_link_ma_token`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The link ended now: state `refused`, link and refresh tokens revoked.
    Ended,
    /// The link had already ended (revoked, or refused before).
    AlreadyEnded,
    /// The link holds another token now (renewed meanwhile): nothing changed.
    Replaced,
}

/// Music Assistant refused the link's token `ciphertext`: ends the link
/// (state `refused`, link and refresh tokens revoked) if it is active and
/// still holds that token. One transaction.
pub fn refuse_link_ma_token(
    conn: &mut Connection,
    link_id: &str,
    ciphertext: &[u8],
    now: i64,
) -> Result<Refused> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let n = tx
        .execute(
            "UPDATE links SET ma_token_state = 'refused' \
             WHERE id = ?1 AND revoked_at IS NULL AND ma_token_ciphertext = ?2",
            params![link_id, ciphertext],
        )
        .db()?;
    let outcome = if n == 1 {
        revoke_links_where(&tx, Links::Id(link_id), now)?;
        Refused::Ended
    } else {
        let active: Option<bool> = tx
            .query_row(
                "SELECT revoked_at IS NULL FROM links WHERE id = ?1",
                [link_id],
                |r| r.get(0),
            )
            .optional()
            .db()?;
        match active {
            Some(true) => Refused::Replaced,
            _ => Refused::AlreadyEnded,
        }
    };
    tx.commit().db()?;
    Ok(outcome)
}

/// After the token was revoked upstream: forget the ciphertext.
pub fn clear_link_ma_token(conn: &Connection, link_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE links SET ma_token_ciphertext = NULL, ma_token_state = 'revoked' WHERE id = ?1",
        [link_id],
    )
    .db()?;
    Ok(())
}

/// Links whose Music Assistant token needs a look (for `status`): active
/// links whose token is not `ok` (`renewal_failed`), and ended links that
/// still hold a token (`revoke_failed`: Music Assistant may still accept it;
/// `refused`: the user must link again) until `links revoke` clears them.
pub fn ma_token_problems(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn
        .prepare(
            "SELECT id, ma_token_state FROM links WHERE ma_token_state IS NOT NULL \
             AND ma_token_state NOT IN ('ok', 'revoked') \
             AND (revoked_at IS NULL OR ma_token_ciphertext IS NOT NULL) ORDER BY id",
        )
        .db()?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).db()?;
    rows.map(|r| r.db()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store_with_link;

    fn state(c: &Connection) -> (Option<String>, bool, bool) {
        c.query_row(
            "SELECT l.ma_token_state, l.revoked_at IS NOT NULL, r.revoked_at IS NOT NULL \
             FROM links l JOIN refresh_tokens r ON r.link_id = l.id WHERE l.id = 'l1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    }

    /// A refusal of a token the link no longer holds (a renewal replaced it)
    /// changes nothing; of the token it holds, ends the link once.
    #[test]
    fn a_refusal_ends_the_link_only_for_the_token_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let st = store_with_link(dir.path(), 0);
        st.with(|c| {
            c.execute_batch(
                "UPDATE links SET ma_token_ciphertext = x'0102', ma_token_name = 'n', \
                 ma_token_state = 'ok' WHERE id = 'l1'",
            )
            .db()?;
            insert_refresh_token(c, &[7; 32], "l1", 0)
        })
        .unwrap();
        let refuse = |ct: &[u8]| st.with(|c| refuse_link_ma_token(c, "l1", ct, 5)).unwrap();
        assert_eq!(refuse(b"\x09\x09"), Refused::Replaced);
        st.with(|c| {
            assert_eq!(state(c), (Some("ok".into()), false, false));
            Ok(())
        })
        .unwrap();
        assert_eq!(refuse(b"\x01\x02"), Refused::Ended);
        st.with(|c| {
            assert_eq!(state(c), (Some("refused".into()), true, true));
            assert_eq!(
                ma_token_problems(c)?,
                vec![("l1".to_owned(), "refused".to_owned())]
            );
            Ok(())
        })
        .unwrap();
        assert_eq!(refuse(b"\x01\x02"), Refused::AlreadyEnded);
        assert_eq!(
            st.with(|c| refuse_link_ma_token(c, "nope", b"\x01", 5))
                .unwrap(),
            Refused::AlreadyEnded
        );
    }

    /// The refresh grant's one read answers what client authentication's
    /// read and `lookup_refresh` answered: the client's digest (nothing for
    /// an unknown client) and the token's lookup, for the client's own token,
    /// another client's, a revoked one and an unknown one; by one indexed
    /// search per table, never a scan.
    #[test]
    fn client_and_refresh_is_the_client_digest_and_the_lookup_in_one_indexed_read() {
        let dir = tempfile::tempdir().unwrap();
        let st = store_with_link(dir.path(), 0);
        st.with(|c| {
            c.execute_batch(
                "INSERT INTO clients (id, name, kind, secret_hash, redirect_uris, scopes, created_at) \
                 VALUES ('c2', 'c', 'alexa', x'1111111111111111111111111111111111111111111111111111111111111111', \
                 '[]', 'music:read', 0); \
                 INSERT INTO links (id, client_id, subject, username, scope, created_at, last_used_at) \
                 VALUES ('l2', 'c2', 'local:b', 'b', 'music:read', 0, 0);",
            )
            .db()?;
            insert_refresh_token(c, &[1; 32], "l1", 0)?;
            insert_refresh_token(c, &[2; 32], "l2", 0)?;
            insert_refresh_token(c, &[3; 32], "l1", 0)?;
            c.execute(
                "UPDATE refresh_tokens SET revoked_at = 5 WHERE hash = ?1",
                [&[3u8; 32][..]],
            )
            .db()
        })
        .unwrap();
        let both =
            |client: &str, h: [u8; 32]| st.with(|c| client_and_refresh(c, client, &h)).unwrap();
        let digest = |client: &str| {
            st.with(|c| crate::store::client_secret_hash(c, client))
                .unwrap()
        };
        let alone = |h: [u8; 32]| st.with(|c| lookup_refresh(c, &h)).unwrap();
        assert!(both("nobody", [1; 32]).is_none(), "no client, no row");
        assert_eq!(digest("nobody"), None);
        for client in ["c1", "c2"] {
            for h in [[1; 32], [2; 32], [3; 32], [9; 32]] {
                let (d, found) = both(client, h).unwrap();
                assert_eq!(Some(d), digest(client), "{client}");
                assert_eq!(
                    format!("{found:?}"),
                    format!("{:?}", alone(h)),
                    "{client} {h:?}"
                );
            }
        }
        assert_eq!(both("c2", [1; 32]).unwrap().0, [0x11; 32]);
        assert!(both("c1", [3; 32]).unwrap().1.unwrap().token_revoked);
        assert_eq!(both("c1", [2; 32]).unwrap().1.unwrap().link.client_id, "c2");
        let plan: Vec<String> = st
            .with(|c| {
                let mut s = c
                    .prepare(&format!("EXPLAIN QUERY PLAN {CLIENT_AND_REFRESH}"))
                    .db()?;
                let rows = s
                    .query_map(params!["c1", &[1u8; 32][..]], |r| r.get(3))
                    .db()?;
                rows.map(|r| r.db()).collect()
            })
            .unwrap();
        assert_eq!(plan.len(), 3, "{plan:?}");
        assert!(
            plan.iter()
                .all(|d| d.starts_with("SEARCH") && d.contains("USING COVERING INDEX")),
            "{plan:?}"
        );
    }
}
