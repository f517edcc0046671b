//! `POST /alexa/revoke` (RFC 7009) and `POST /alexa/introspect` (RFC 7662).
//! Both authenticate the client and only act on that client's tokens.

use std::net::IpAddr;

use hyper::{HeaderMap, Response, StatusCode};
use serde_json::json;

use super::client_auth;
use super::error::OAuthError;
use crate::app::App;
use crate::audit::AuditEvent;
use crate::http::{self, Body, params::Params};
use crate::keys::VerifyError;
use crate::store;
use crate::util;

async fn authenticated(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
    addr: IpAddr,
) -> Result<(crate::store::Client, Params), OAuthError> {
    if !http::is_form(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let params = Params::parse(body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    let client = client_auth::authenticate(app, headers, &params, addr).await?;
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

pub async fn introspect(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
    addr: IpAddr,
) -> Response<Body> {
    let (client, params) = match authenticated(app, headers, body, addr).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let token = params.get("token").unwrap_or_default().to_owned();
    let inactive = || http::json(StatusCode::OK, &json!({ "active": false }));
    match app.keys().verify(&token) {
        Ok(c) => {
            if c.client_id != client.id {
                return inactive();
            }
            let (sid, jti) = (c.sid.clone(), c.jti.clone());
            return match app
                .store()
                .call(move |s| store::access_token_active(s, &sid, &jti))
                .await
            {
                Ok(true) => http::json(
                    StatusCode::OK,
                    &json!({
                        "active": true, "token_type": "Bearer", "scope": c.scope, "client_id": c.client_id,
                        "username": c.preferred_username, "sub": c.sub, "aud": c.aud, "iss": c.iss,
                        "exp": c.exp, "iat": c.iat, "jti": c.jti,
                    }),
                ),
                Ok(false) => inactive(),
                Err(e) => OAuthError::from(e).into_response(),
            };
        }
        Err(VerifyError::Expired) => return inactive(),
        Err(VerifyError::Invalid) => {}
    }
    if token.len() > 512 {
        return inactive();
    }
    let hash = util::sha256(token.as_bytes());
    match app
        .store()
        .call(move |c| store::lookup_refresh(c, &hash))
        .await
    {
        Ok(Some(f))
            if f.link.client_id == client.id && !f.token_revoked && f.link.revoked_at.is_none() =>
        {
            // No `token_type`: RFC 7662 defines it as an RFC 6749 section 5.1
            // access token type (`Bearer`), which a refresh token does not have.
            http::json(
                StatusCode::OK,
                &json!({
                    "active": true, "scope": f.link.scope, "client_id": f.link.client_id,
                    "username": f.link.username, "sub": f.link.subject, "iss": app.config().issuer, "iat": f.link.created_at,
                }),
            )
        }
        Ok(_) => inactive(),
        Err(e) => OAuthError::from(e).into_response(),
    }
}
