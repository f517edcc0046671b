//! `POST /alexa/introspect` (RFC 7662): authenticates the client and only
//! describes that client's tokens.

use std::net::IpAddr;

use hyper::{HeaderMap, Response, StatusCode};
use serde_json::json;

use super::revoke::authenticated;
use crate::app::App;
use crate::http::{self, Body};
use crate::keys::VerifyError;
use crate::oauth::error::OAuthError;
use crate::store;
use crate::util;

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
