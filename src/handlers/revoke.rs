//! `POST /alexa/revoke` (RFC 7009): authenticates the client and only acts
//! on that client's tokens.

use std::net::IpAddr;

use hyper::{HeaderMap, Response, StatusCode};

use super::form;
use crate::app::App;
use crate::audit::AuditEvent;
use crate::http::{self, Body, params::Params};
use crate::oauth::client_auth::Authenticated;
use crate::oauth::error::OAuthError;
use crate::store;
use crate::util;

/// The client's form request, which must name a `token`.
pub(super) async fn authenticated(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
    addr: IpAddr,
) -> Result<(Authenticated, Params), OAuthError> {
    let (client, params) = form::authenticated(app, headers, body, addr).await?;
    if params.get("token").is_none() {
        return Err(OAuthError::invalid_request("token is missing"));
    }
    Ok((client, params))
}

pub async fn revoke(app: &App, headers: &HeaderMap, body: &[u8], addr: IpAddr) -> Response<Body> {
    let (client, params) = match authenticated(app, headers, body, addr).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let token = params.get("token").unwrap_or_default().to_owned();
    let hint = params.get("token_type_hint").unwrap_or_default();
    let result = if hint == "access_token" {
        match revoke_access(app, &client.id, &token, addr).await {
            Ok(false) => revoke_refresh(app, &client.id, &token, addr)
                .await
                .map(|_| ()),
            other => other.map(|_| ()),
        }
    } else {
        match revoke_refresh(app, &client.id, &token, addr).await {
            Ok(false) => revoke_access(app, &client.id, &token, addr)
                .await
                .map(|_| ()),
            other => other.map(|_| ()),
        }
    };
    match result {
        // Unknown and foreign tokens also get 200 (RFC 7009 section 2.2).
        Ok(()) => http::text(StatusCode::OK, ""),
        Err(e) => OAuthError::from(e).into_response(),
    }
}

/// Revokes a (locally revoked) link's Music Assistant token in the
/// background: best effort, logged, and retried by `links revoke`.
pub fn spawn_upstream_revoke(app: &App, link_id: &str) {
    if let Some(ma) = app.ma() {
        let (ma, store, id) = (
            std::sync::Arc::clone(ma),
            app.store().clone(),
            link_id.to_owned(),
        );
        tokio::spawn(async move {
            let _ = ma.revoke_link_token(&store, &id).await;
        });
    }
}

/// Revokes the link behind a refresh token of this client. Ok(true) if the
/// token was one of this client's refresh tokens.
async fn revoke_refresh(
    app: &App,
    client_id: &str,
    token: &str,
    addr: IpAddr,
) -> Result<bool, store::StoreError> {
    if token.len() > 512 {
        return Ok(false);
    }
    let hash = util::sha256(token.as_bytes());
    let cid = client_id.to_owned();
    let now = util::now();
    let link = app
        .store()
        .call(move |c| {
            let Some(found) = store::lookup_refresh(c, &hash)? else {
                return Ok(None);
            };
            if found.link.client_id != cid {
                return Ok(None);
            }
            store::revoke_link(c, &found.link.id, now)?;
            Ok(Some(found.link.id))
        })
        .await?;
    if let Some(id) = &link {
        spawn_upstream_revoke(app, id);
        app.audit().emit(AuditEvent::Revoked {
            client_id: client_id.to_owned(),
            what: format!("link {id}"),
            addr,
        });
    }
    Ok(link.is_some())
}

async fn revoke_access(
    app: &App,
    client_id: &str,
    token: &str,
    addr: IpAddr,
) -> Result<bool, store::StoreError> {
    let claims = match app.keys().verify(token) {
        Ok(c) if c.client_id == client_id => c,
        _ => return Ok(false),
    };
    let (jti, exp) = (claims.jti.clone(), claims.exp);
    app.store()
        .call(move |c| store::revoke_access_token(c, &jti, exp))
        .await?;
    app.audit().emit(AuditEvent::Revoked {
        client_id: client_id.to_owned(),
        what: format!("access token {}", util::fingerprint(&claims.jti)),
        addr,
    });
    Ok(true)
}
