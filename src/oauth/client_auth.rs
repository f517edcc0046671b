//! Client authentication for the token, revocation and introspection
//! endpoints: `client_secret_basic` or `client_secret_post`, never both.
//! Failures are audited; an id that names no registered client is logged
//! only as [`Audit::unverified`] (it may be a secret in the wrong field).

use std::net::IpAddr;

use hyper::HeaderMap;
use hyper::header::AUTHORIZATION;

use super::error::OAuthError;
use crate::audit::{Audit, AuditEvent};
use crate::http::{basic, params::Params};
use crate::store::{self, Store};
use crate::util;

/// Longest client id or secret considered at all.
const MAX_CREDENTIAL: usize = 256;

/// Hash of a client secret as stored. Secrets carry 256 random bits, so a
/// plain SHA-256 is safe (a slow hash would cap token throughput).
pub fn secret_hash(secret: &str) -> [u8; 32] {
    util::sha256(secret.as_bytes())
}

/// Generates a new client secret: 256 bits, URL-safe.
pub fn new_secret() -> String {
    util::random_token(32)
}

/// A client that proved its identity: its registered id. All the token,
/// revocation and introspection endpoints need of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub id: String,
}

/// Authenticates the client of a token, revocation or introspection
/// request; every failure is an audit event.
pub async fn authenticate(
    store: &Store,
    audit: &Audit,
    headers: &HeaderMap,
    params: &Params,
    addr: IpAddr,
) -> Result<Authenticated, OAuthError> {
    // One indexed read, inline (Store::read): no blocking-pool hand-off.
    let read =
        |id: String| store.read(move |c| Ok(store::client_secret_hash(c, &id)?.map(|h| (h, ()))));
    let (client, ()) = authenticate_with(store, audit, headers, params, addr, read).await?;
    Ok(client)
}

/// As [`authenticate`], with the client's stored digest read by `read`
/// (given the presented client id; None: no such client), which may read
/// more in the same statement: the refresh grant reads its token's row with
/// it ([`store::client_and_refresh`]). What else it read is returned with the
/// client, and only when the client authenticated.
pub async fn authenticate_with<T, F, Fut>(
    store: &Store,
    audit: &Audit,
    headers: &HeaderMap,
    params: &Params,
    addr: IpAddr,
    read: F,
) -> Result<(Authenticated, T), OAuthError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = store::Result<Option<([u8; 32], T)>>>,
{
    let (id, secret) = credentials(store, audit, headers, params, addr).await?;
    let found = read(id.clone()).await?;
    let presented = secret_hash(&secret);
    // Compare against a fixed value for unknown clients so both paths do the same work.
    let expected = found.as_ref().map(|(h, _)| *h).unwrap_or([0u8; 32]);
    let ok = util::ct_eq(&presented, &expected);
    match found {
        Some((_, more)) if ok => Ok((Authenticated { id }, more)),
        Some(_) => {
            fail(audit, &id, "wrong secret", addr);
            Err(OAuthError::invalid_client("unknown client or wrong secret"))
        }
        None => {
            fail(audit, &audit.unverified(&id), "unknown client", addr);
            Err(OAuthError::invalid_client("unknown client or wrong secret"))
        }
    }
}

/// The client id and secret the request presents (HTTP Basic or the body,
/// never both), of possible lengths; every refusal is audited.
async fn credentials(
    store: &Store,
    audit: &Audit,
    headers: &HeaderMap,
    params: &Params,
    addr: IpAddr,
) -> Result<(String, String), OAuthError> {
    let mut auth = headers.get_all(AUTHORIZATION).iter();
    let header = auth.next();
    if auth.next().is_some() {
        return Err(OAuthError::invalid_request(
            "more than one Authorization header",
        ));
    }
    let (id, secret) = match header {
        Some(h) => {
            if params.contains("client_secret") {
                return Err(OAuthError::invalid_request(
                    "the client authenticated with both HTTP Basic and client_secret in the body; use one method",
                ));
            }
            let (id, secret) = basic::parse(h.as_bytes()).map_err(|e| {
                fail(audit, "", &e.to_string(), addr);
                OAuthError::invalid_client(e.to_string())
            })?;
            if let Some(body_id) = params.get("client_id")
                && body_id != id
            {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the HTTP Basic client id",
                ));
            }
            (id, secret)
        }
        None => match (params.get("client_id"), params.get("client_secret")) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
            (Some(id), None) => {
                let shown = shown_id(store, audit, id).await;
                fail(audit, &shown, "no client secret", addr);
                return Err(OAuthError::invalid_client(
                    "client authentication is required (no client_secret)",
                ));
            }
            _ => {
                fail(audit, "", "no client credentials", addr);
                return Err(OAuthError::invalid_client(
                    "client authentication is required",
                ));
            }
        },
    };
    if id.is_empty() || id.len() > MAX_CREDENTIAL || secret.len() > MAX_CREDENTIAL {
        fail(audit, "", "credentials of impossible length", addr);
        return Err(OAuthError::invalid_client("unknown client or wrong secret"));
    }
    Ok((id, secret))
}

/// A client id as the audit log shows it: as sent when it names a
/// registered client, otherwise [`Audit::unverified`] (it may be a secret
/// pasted into the id field).
async fn shown_id(store: &Store, audit: &Audit, id: &str) -> String {
    let lookup = id.to_owned();
    let known = id.len() <= MAX_CREDENTIAL
        && matches!(
            store
                .read(move |c| store::client_secret_hash(c, &lookup))
                .await,
            Ok(Some(_))
        );
    if known {
        id.to_owned()
    } else {
        audit.unverified(id)
    }
}

/// `client_id`: a registered client's id or what [`shown_id`] makes of one.
fn fail(audit: &Audit, client_id: &str, reason: &str, addr: IpAddr) {
    let client_id: String = client_id.chars().take(64).collect();
    audit.emit(AuditEvent::ClientAuthFailed {
        client_id,
        reason: reason.to_owned(),
        addr,
    });
}
