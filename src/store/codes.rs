//! The `codes` table: authorization codes, and their redemption
//! ([`redeem_code`]), the one transaction that consumes a code and creates
//! its link and refresh token (or, on a replay, revokes them).

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::conn::{Classify, Result};
use super::links::{
    Link, Links, MaToken, MaTokenState, insert_link, insert_refresh_token, ma_token_from,
    revoke_links_where,
};

#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub subject: String,
    pub username: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
    /// The encrypted Music Assistant token obtained at login, if any.
    pub ma_token: Option<MaToken>,
}

pub fn insert_code(conn: &Connection, hash: &[u8; 32], g: &CodeGrant) -> Result<()> {
    let ma = g.ma_token.as_ref();
    conn.execute(
        "INSERT INTO codes (hash, client_id, subject, username, redirect_uri, scope, code_challenge, expires_at, \
         ma_token_ciphertext, ma_token_name, ma_token_created_at, ma_token_expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            &hash[..],
            g.client_id,
            g.subject,
            g.username,
            g.redirect_uri,
            g.scope,
            g.code_challenge,
            g.expires_at,
            ma.map(|t| &t.ciphertext),
            ma.map(|t| &t.name),
            ma.map(|t| t.created_at),
            ma.map(|t| t.expires_at)
        ],
    )
    .db()?;
    Ok(())
}

/// What happened to a code redemption.
#[derive(Debug)]
pub enum Redeemed<E> {
    /// The code was valid and is now consumed; a link and refresh token were created.
    Issued(Link),
    /// No such code.
    Unknown,
    /// The code belongs to another client; it was left untouched.
    OtherClient,
    /// The code had been redeemed before. The link it produced (if any) is now revoked.
    Replayed { revoked_link: Option<String> },
    /// The code is consumed, but the request failed the caller's checks.
    Rejected(E),
}

/// Redeems a code atomically: in one IMMEDIATE transaction it finds the code,
/// consumes it, runs `check` (expiry, redirect URI, PKCE), and on success
/// creates the link and its refresh token. Of N concurrent redemptions exactly
/// one can see `consumed_at IS NULL`. A replay revokes what the first
/// redemption produced.
pub fn redeem_code<E>(
    conn: &mut Connection,
    code_hash: &[u8; 32],
    client_id: &str,
    now: i64,
    new_link_id: &str,
    refresh_hash: &[u8; 32],
    check: impl FnOnce(&CodeGrant) -> std::result::Result<(), E>,
) -> Result<Redeemed<E>> {
    // One transaction: only one redemption can find the code unconsumed, and
    // consuming it commits together with the link and refresh token it creates
    // (or the revocation a replay makes).
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let out = redeem_code_in(
        &tx,
        code_hash,
        client_id,
        now,
        new_link_id,
        refresh_hash,
        check,
    )?;
    // Unknown and OtherClient wrote nothing: committing them is a no-op.
    tx.commit().db()?;
    Ok(out)
}

/// [`redeem_code`]'s work inside a transaction the caller holds (and commits):
/// for bulk work, e.g. many links made in one
/// [`in_transaction`](super::in_transaction) when preparing a benchmark.
/// Atomic only as part of that transaction.
pub fn redeem_code_in<E>(
    tx: &Connection,
    code_hash: &[u8; 32],
    client_id: &str,
    now: i64,
    new_link_id: &str,
    refresh_hash: &[u8; 32],
    check: impl FnOnce(&CodeGrant) -> std::result::Result<(), E>,
) -> Result<Redeemed<E>> {
    let Some(code) = find_code(tx, code_hash)? else {
        return Ok(Redeemed::Unknown);
    };
    if code.grant.client_id != client_id {
        return Ok(Redeemed::OtherClient);
    }
    if code.consumed_at.is_some() {
        if let Some(id) = &code.link_id {
            revoke_links_where(tx, Links::Id(id), now)?;
        }
        return Ok(Redeemed::Replayed {
            revoked_link: code.link_id,
        });
    }
    consume_code(tx, code_hash, now)?;
    if let Err(e) = check(&code.grant) {
        return Ok(Redeemed::Rejected(e));
    }
    let (link, ma) = link_for_grant(code.grant, new_link_id, now);
    insert_link(tx, &link, ma.as_ref())?;
    // The token now lives with the link only.
    clear_code_ma_token(tx, code_hash)?;
    insert_refresh_token(tx, refresh_hash, &link.id, now)?;
    set_code_link(tx, code_hash, &link.id)?;
    Ok(Redeemed::Issued(link))
}

/// A code as stored: its grant, when it was redeemed, and the link that
/// redemption made (if it succeeded).
struct StoredCode {
    grant: CodeGrant,
    consumed_at: Option<i64>,
    link_id: Option<String>,
}

/// Reads the code with digest `code_hash` (part of [`redeem_code_in`]).
fn find_code(tx: &Connection, code_hash: &[u8; 32]) -> Result<Option<StoredCode>> {
    tx.query_row(
        "SELECT client_id, subject, username, redirect_uri, scope, code_challenge, expires_at, consumed_at, link_id, \
         ma_token_ciphertext, ma_token_name, ma_token_created_at, ma_token_expires_at \
         FROM codes WHERE hash = ?1",
        [&code_hash[..]],
        |r| {
            Ok(StoredCode {
                grant: CodeGrant {
                    client_id: r.get(0)?,
                    subject: r.get(1)?,
                    username: r.get(2)?,
                    redirect_uri: r.get(3)?,
                    scope: r.get(4)?,
                    code_challenge: r.get(5)?,
                    expires_at: r.get(6)?,
                    ma_token: ma_token_from(r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?),
                },
                consumed_at: r.get::<_, Option<i64>>(7)?,
                link_id: r.get::<_, Option<String>>(8)?,
            })
        },
    )
    .optional()
    .db()
}

/// Marks the code consumed at `now` (part of [`redeem_code_in`]).
fn consume_code(tx: &Connection, code_hash: &[u8; 32], now: i64) -> Result<()> {
    tx.execute(
        "UPDATE codes SET consumed_at = ?2 WHERE hash = ?1",
        params![&code_hash[..], now],
    )
    .db()?;
    Ok(())
}

/// The link a successful redemption of `grant` creates, and the Music
/// Assistant token that moves from the code to it.
fn link_for_grant(grant: CodeGrant, id: &str, now: i64) -> (Link, Option<MaToken>) {
    let ma = grant.ma_token;
    let link = Link {
        id: id.to_owned(),
        client_id: grant.client_id,
        subject: grant.subject,
        username: grant.username,
        scope: grant.scope,
        created_at: now,
        last_used_at: now,
        revoked_at: None,
        ma_token_state: ma.as_ref().map(|_| MaTokenState::OK.to_owned()),
        ma_token_created_at: ma.as_ref().map(|t| t.created_at),
        ma_token_expires_at: ma.as_ref().map(|t| t.expires_at),
    };
    (link, ma)
}

/// Forgets the code's copy of the Music Assistant token once the link holds
/// it (part of [`redeem_code_in`]).
fn clear_code_ma_token(tx: &Connection, code_hash: &[u8; 32]) -> Result<()> {
    tx.execute(
        "UPDATE codes SET ma_token_ciphertext = NULL WHERE hash = ?1",
        [&code_hash[..]],
    )
    .db()?;
    Ok(())
}

/// Records which link the code produced, so a replay can revoke it (part of
/// [`redeem_code_in`]).
fn set_code_link(tx: &Connection, code_hash: &[u8; 32], link_id: &str) -> Result<()> {
    tx.execute(
        "UPDATE codes SET link_id = ?2 WHERE hash = ?1",
        params![&code_hash[..], link_id],
    )
    .db()?;
    Ok(())
}
