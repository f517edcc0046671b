//! The `clients` table: registered OAuth clients, their exact redirect URIs,
//! allowed scopes and secret digests.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::conn::{Classify, Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    Alexa,
    Generic,
}

impl ClientKind {
    fn as_str(self) -> &'static str {
        match self {
            ClientKind::Alexa => "alexa",
            ClientKind::Generic => "generic",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "alexa" => Ok(ClientKind::Alexa),
            "generic" => Ok(ClientKind::Generic),
            other => Err(StoreError::Corrupt(format!(
                "unknown client kind {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub kind: ClientKind,
    pub vendor_id: Option<String>,
    #[serde(skip)]
    pub secret_hash: [u8; 32],
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub created_at: i64,
    /// Authorization requests without an S256 `code_challenge` are refused.
    pub require_pkce: bool,
}

impl Client {
    /// Exact, byte-for-byte match against the registered list.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|r| r.as_bytes() == uri.as_bytes())
    }
}

/// The columns [`client_from_row`] reads, in its order (a macro so that
/// statements are string literals: no SQL is formatted per call).
macro_rules! client_columns {
    () => {
        "id, name, kind, vendor_id, secret_hash, redirect_uris, scopes, created_at, require_pkce"
    };
}
const CLIENT_COLUMNS: &str = client_columns!();

/// A stored secret digest as read: 32 bytes, or (a corrupt row) all zeros,
/// which no SHA-256 of a presented secret matches.
pub(super) fn digest_of(hash: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    if hash.len() == 32 {
        out.copy_from_slice(hash);
    }
    out
}

fn client_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Client, String, String)> {
    let secret_hash = digest_of(r.get_ref(4)?.as_blob()?);
    let kind: String = r.get(2)?;
    Ok((
        Client {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: ClientKind::parse(&kind).unwrap_or(ClientKind::Generic),
            vendor_id: r.get(3)?,
            secret_hash,
            redirect_uris: Vec::new(),
            scopes: Vec::new(),
            created_at: r.get(7)?,
            require_pkce: r.get(8)?,
        },
        r.get(5)?,
        r.get(6)?,
    ))
}

fn finish_client((mut c, uris, scopes): (Client, String, String)) -> Result<Client> {
    c.redirect_uris = serde_json::from_str(&uris)
        .map_err(|e| StoreError::Corrupt(format!("client {}: redirect_uris: {e}", c.id)))?;
    c.scopes = scopes
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(c)
}

pub fn insert_client(conn: &Connection, c: &Client) -> Result<()> {
    let uris =
        serde_json::to_string(&c.redirect_uris).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.execute(
        &format!(
            "INSERT INTO clients ({CLIENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        params![
            c.id,
            c.name,
            c.kind.as_str(),
            c.vendor_id,
            &c.secret_hash[..],
            uris,
            c.scopes.join(" "),
            c.created_at,
            c.require_pkce
        ],
    )
    .db()?;
    Ok(())
}

pub fn get_client(conn: &Connection, id: &str) -> Result<Option<Client>> {
    let mut stmt = conn
        .prepare_cached(concat!(
            "SELECT ",
            client_columns!(),
            " FROM clients WHERE id = ?1"
        ))
        .db()?;
    let row = stmt.query_row([id], client_from_row).optional().db()?;
    row.map(finish_client).transpose()
}

/// The secret digest of client `id` (None: no such client): what client
/// authentication compares, without reading and decoding the rest of the row.
pub fn client_secret_hash(conn: &Connection, id: &str) -> Result<Option<[u8; 32]>> {
    let mut stmt = conn
        .prepare_cached("SELECT secret_hash FROM clients WHERE id = ?1")
        .db()?;
    stmt.query_row([id], |r| Ok(digest_of(r.get_ref(0)?.as_blob()?)))
        .optional()
        .db()
}

pub fn list_clients(conn: &Connection) -> Result<Vec<Client>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {CLIENT_COLUMNS} FROM clients ORDER BY created_at, id"
        ))
        .db()?;
    let rows = stmt.query_map([], client_from_row).db()?;
    rows.map(|r| r.db().and_then(finish_client)).collect()
}

/// Deletes a client and, by cascade, its codes, links and tokens. Returns false if unknown.
pub fn delete_client(conn: &mut Connection, id: &str) -> Result<bool> {
    // One transaction: the client row and everything that cascades from it go together.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let n = tx.execute("DELETE FROM clients WHERE id = ?1", [id]).db()?;
    tx.commit().db()?;
    Ok(n == 1)
}

pub fn set_client_secret_hash(conn: &Connection, id: &str, hash: &[u8; 32]) -> Result<bool> {
    let n = conn
        .execute(
            "UPDATE clients SET secret_hash = ?2 WHERE id = ?1",
            params![id, &hash[..]],
        )
        .db()?;
    Ok(n == 1)
}

/// Sets whether a client requires PKCE. Returns false if the client is unknown.
pub fn set_client_require_pkce(conn: &Connection, id: &str, require: bool) -> Result<bool> {
    let n = conn
        .execute(
            "UPDATE clients SET require_pkce = ?2 WHERE id = ?1",
            params![id, require],
        )
        .db()?;
    Ok(n == 1)
}

/// Sets an Alexa client's vendor id and its redirect URIs (the add-on keeps
/// them in step with its option). Returns false if the client is unknown.
pub fn set_client_vendor_id(
    conn: &Connection,
    id: &str,
    vendor_id: &str,
    redirect_uris: &[String],
) -> Result<bool> {
    let uris =
        serde_json::to_string(redirect_uris).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let n = conn
        .execute(
            "UPDATE clients SET vendor_id = ?2, redirect_uris = ?3 WHERE id = ?1",
            params![id, vendor_id, uris],
        )
        .db()?;
    Ok(n == 1)
}
