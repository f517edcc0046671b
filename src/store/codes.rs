//! The `codes` table: authorization codes, and their redemption
//! ([`redeem_code`]), the one transaction that consumes a code and creates
//! its link and refresh token (or, on a replay, revokes them).

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::conn::{Classify, Result};
use super::links::{Link, Links, MaToken, MaTokenState, ma_token_from, revoke_links_where};

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
/// for bulk work, e.g. many links made in one [`in_transaction`](super::in_transaction) when
/// preparing a benchmark. Atomic only as part of that transaction.
pub fn redeem_code_in<E>(
    tx: &Connection,
    code_hash: &[u8; 32],
    client_id: &str,
    now: i64,
    new_link_id: &str,
    refresh_hash: &[u8; 32],
    check: impl FnOnce(&CodeGrant) -> std::result::Result<(), E>,
) -> Result<Redeemed<E>> {
    let row = tx
        .query_row(
            "SELECT client_id, subject, username, redirect_uri, scope, code_challenge, expires_at, consumed_at, link_id, \
             ma_token_ciphertext, ma_token_name, ma_token_created_at, ma_token_expires_at \
             FROM codes WHERE hash = ?1",
            [&code_hash[..]],
            |r| {
                Ok((
                    CodeGrant {
                        client_id: r.get(0)?,
                        subject: r.get(1)?,
                        username: r.get(2)?,
                        redirect_uri: r.get(3)?,
                        scope: r.get(4)?,
                        code_challenge: r.get(5)?,
                        expires_at: r.get(6)?,
                        ma_token: ma_token_from(r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?),
                    },
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            },
        )
        .optional()
        .db()?;
    let Some((grant, consumed_at, link_id)) = row else {
        return Ok(Redeemed::Unknown);
    };
    if grant.client_id != client_id {
        return Ok(Redeemed::OtherClient);
    }
    if consumed_at.is_some() {
        if let Some(id) = &link_id {
            revoke_links_where(tx, Links::Id(id), now)?;
        }
        return Ok(Redeemed::Replayed {
            revoked_link: link_id,
        });
    }
    tx.execute(
        "UPDATE codes SET consumed_at = ?2 WHERE hash = ?1",
        params![&code_hash[..], now],
    )
    .db()?;
    if let Err(e) = check(&grant) {
        return Ok(Redeemed::Rejected(e));
    }
    let ma = grant.ma_token;
    let link = Link {
        id: new_link_id.to_owned(),
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
    tx.execute(
        "INSERT INTO links (id, client_id, subject, username, scope, created_at, last_used_at, \
         ma_token_ciphertext, ma_token_name, ma_token_created_at, ma_token_expires_at, ma_token_state) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            link.id,
            link.client_id,
            link.subject,
            link.username,
            link.scope,
            now,
            ma.as_ref().map(|t| &t.ciphertext),
            ma.as_ref().map(|t| &t.name),
            link.ma_token_created_at,
            link.ma_token_expires_at,
            link.ma_token_state
        ],
    )
    .db()?;
    // The token now lives with the link only.
    tx.execute(
        "UPDATE codes SET ma_token_ciphertext = NULL WHERE hash = ?1",
        [&code_hash[..]],
    )
    .db()?;
    tx.execute(
        "INSERT INTO refresh_tokens (hash, link_id, created_at) VALUES (?1, ?2, ?3)",
        params![&refresh_hash[..], link.id, now],
    )
    .db()?;
    tx.execute(
        "UPDATE codes SET link_id = ?2 WHERE hash = ?1",
        params![&code_hash[..], link.id],
    )
    .db()?;
    Ok(Redeemed::Issued(link))
}
