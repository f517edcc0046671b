//! SQLite persistence.
//!
//! All SQL lives in this module. Functions are synchronous and take a
//! `&Connection` (or `&mut` for transactions) so the CLI can call them
//! directly; the server calls them through [`Store::call`], which runs them on
//! tokio's blocking pool.
//!
//! Invariant: every state change that matters is one transaction. Secrets
//! (client secrets, codes, refresh tokens) are stored only as SHA-256 digests;
//! passwords only as Argon2id PHC strings.
//!
//! Each file owns the queries of what it keeps; everything public is
//! re-exported here, so callers write `store::X`:
//!
//! - `conn.rs`: [`Store`] (the read-write connection behind [`Store::call`]
//!   and [`Store::with`], the pool of read-only connections behind
//!   [`Store::read`]), opening connections (pragmas, migrations),
//!   [`in_transaction`], [`StoreError`].
//! - `schema.rs`: the versioned migrations.
//! - `meta.rs`: the `meta` table; [`counts`] and [`integrity_problems`].
//! - `clients.rs`: registered clients.
//! - `users.rs`: local accounts; [`delete_user`] also revokes their links.
//! - `codes.rs`: authorization codes and [`redeem_code`], the one transaction
//!   that consumes a code and creates its link and refresh token.
//! - `links.rs`: links, their refresh tokens and Music Assistant tokens, and
//!   link revocation.
//! - `revoked.rs`: revoked access tokens and [`access_token_active`].
//! - `uses.rs`: the in-memory recorder of link use ([`Store::record_use`])
//!   and [`record_link_uses`], the transaction that writes it.
//! - `skill_ids.rs`: the Alexa skill ids this server answers.
//! - `echo_players.rs`: which Echo is which Music Assistant player.
//! - `purge.rs`: expired codes (and their Music Assistant tokens) and expired
//!   revoked-token entries.

mod clients;
mod codes;
mod conn;
mod echo_players;
mod links;
mod meta;
mod purge;
mod revoked;
mod schema;
mod skill_ids;
mod users;
mod uses;

pub use clients::{
    Client, ClientKind, client_secret_hash, delete_client, get_client, insert_client, list_clients,
    set_client_require_pkce, set_client_secret_hash, set_client_vendor_id,
};
pub use codes::{CodeGrant, Redeemed, insert_code, redeem_code, redeem_code_in};
pub use conn::{Result, Store, StoreError, in_transaction, open_connection};
pub use echo_players::{
    EchoHow, EchoPlayer, echo_player, forget_echo_player, list_echo_players, set_echo_player,
};
pub use links::{
    Link, LinkUpstream, MaToken, MaTokenState, RefreshLookup, Refused, clear_link_ma_token,
    client_and_refresh, get_link, link_is_active, link_upstream, list_links, lookup_refresh,
    ma_token_problems, refuse_link_ma_token, replace_link_ma_token, revoke_link, set_link_ma_state,
};
pub use meta::{counts, get_meta, integrity_problems, set_meta};
pub use purge::{clear_expired_code_ma_tokens, expired_code_ma_tokens, purge_expired};
pub use revoked::{access_token_active, revoke_access_token};
pub use skill_ids::{add_skill_id, list_skill_ids, remove_skill_id, skill_ids};
pub use users::{User, delete_user, get_user, insert_user, list_users, set_user_password};
pub use uses::{USES_CAP, USES_FLUSH_INTERVAL, record_link_uses};

#[cfg(test)]
mod test_support {
    use std::path::Path;

    use super::conn::{Classify, Store};

    /// A store with one client and one link `l1` (last used at `used`).
    pub(super) fn store_with_link(dir: &Path, used: i64) -> Store {
        let st = Store::open(&dir.join("db.sqlite3")).unwrap();
        st.with(|c| {
            c.execute_batch(&format!(
                "INSERT INTO clients (id, name, kind, secret_hash, redirect_uris, scopes, created_at) \
                 VALUES ('c1', 'c', 'alexa', zeroblob(32), '[]', 'music:read', 0); \
                 INSERT INTO links (id, client_id, subject, username, scope, created_at, last_used_at) \
                 VALUES ('l1', 'c1', 'local:a', 'a', 'music:read', 0, {used});"
            ))
            .db()
        })
        .unwrap();
        st
    }
}
