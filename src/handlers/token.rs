//! `POST /alexa/token`: the `authorization_code` and `refresh_token` grants.

use std::net::IpAddr;

use hyper::{HeaderMap, Response, StatusCode};
use serde::Serialize;

use super::form;
use crate::app::App;
use crate::audit::AuditEvent;
use crate::http::{self, Body, params::Params};
use crate::keys::AccessClaims;
use crate::oauth::client_auth::{self, Authenticated};
use crate::oauth::error::OAuthError;
use crate::oauth::{parse_scope, pkce};
use crate::store::{self, Link, MaTokenState, Redeemed, RefreshLookup};
use crate::util;

/// Longest code or refresh token we bother to look up (ours are 43 characters).
const MAX_TOKEN_LEN: usize = 512;

#[derive(Serialize)]
struct TokenResponse<'a> {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: &'a str,
    scope: &'a str,
}

/// Handles a token request whose body has been read.
pub async fn handle(app: &App, headers: &HeaderMap, body: &[u8], addr: IpAddr) -> Response<Body> {
    match grant(app, headers, body, addr).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn grant(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
    addr: IpAddr,
) -> Result<Response<Body>, OAuthError> {
    let params = form::params(headers, body)?;
    // A refresh grant's token row is read with the client's digest, in one
    // statement (the refresh path's only read); nothing is decided on it
    // before the client has authenticated.
    let token_hash = match (params.get("grant_type"), params.get("refresh_token")) {
        (Some("refresh_token"), Some(t)) if t.len() <= MAX_TOKEN_LEN => {
            Some(util::sha256(t.as_bytes()))
        }
        _ => None,
    };
    let (store, audit) = (app.store(), app.audit());
    let (client, found) = match token_hash {
        Some(hash) => {
            let read = |id: String| {
                store.read(move |c| {
                    Ok(store::client_and_refresh(c, &id, &hash)?.map(|(h, f)| (h, Some(f))))
                })
            };
            client_auth::authenticate_with(store, audit, headers, &params, addr, read).await?
        }
        None => (
            client_auth::authenticate(store, audit, headers, &params, addr).await?,
            None,
        ),
    };
    match params.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is missing")),
        Some("authorization_code") => authorization_code(app, &client, &params, addr).await,
        Some("refresh_token") => refresh(app, &client, &params, found, addr).await,
        Some(_) => Err(OAuthError::unsupported_grant_type(
            "only authorization_code and refresh_token are supported",
        )),
    }
}

async fn authorization_code(
    app: &App,
    client: &Authenticated,
    params: &Params,
    addr: IpAddr,
) -> Result<Response<Body>, OAuthError> {
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is missing"))?
        .to_owned();
    let verifier = params.get("code_verifier").map(str::to_owned);
    if let Some(v) = &verifier
        && !pkce::valid_verifier(v)
    {
        return Err(OAuthError::invalid_request(
            "code_verifier must be 43-128 characters of [A-Za-z0-9-._~]",
        ));
    }
    if code.len() > MAX_TOKEN_LEN {
        return Err(OAuthError::invalid_grant(
            "the authorization code is invalid, expired or already used",
        ));
    }
    let code_hash = util::sha256(code.as_bytes());
    let refresh = util::random_token(32);
    let refresh_hash = util::sha256(refresh.as_bytes());
    let link_id = util::random_token(12);
    let now = util::now();
    let client_id = client.id.clone();
    let outcome = app
        .store()
        .call(move |c| {
            store::redeem_code(c, &code_hash, &client_id, now, &link_id, &refresh_hash, |g| {
                if now >= g.expires_at {
                    return Err("the authorization code has expired");
                }
                if g.redirect_uri.as_bytes() != redirect_uri.as_bytes() {
                    return Err("redirect_uri differs from the one the code was issued for");
                }
                match (&g.code_challenge, &verifier) {
                    (Some(_), None) => Err("code_verifier is required: the authorization request used PKCE"),
                    (None, Some(_)) => Err("code_verifier sent, but the authorization request had no code_challenge"),
                    (Some(ch), Some(v)) if !pkce::verify(v, ch) => Err("code_verifier does not match the code_challenge"),
                    _ => Ok(()),
                }
            })
        })
        .await?;
    redeemed(app, client, outcome, &refresh, addr)
}

/// What a redemption came to: tokens for a new link, or `invalid_grant`
/// (a replay also ends the link the code made, here and upstream).
fn redeemed(
    app: &App,
    client: &Authenticated,
    outcome: Redeemed<&'static str>,
    refresh: &str,
    addr: IpAddr,
) -> Result<Response<Body>, OAuthError> {
    let audit = app.audit();
    match outcome {
        Redeemed::Issued(link) => {
            audit.emit(AuditEvent::CodeRedeemed {
                client_id: client.id.clone(),
                link_id: link.id.clone(),
                addr,
            });
            issue(app, &link, &link.scope, refresh)
        }
        Redeemed::Unknown | Redeemed::OtherClient => {
            audit.emit(AuditEvent::CodeRejected {
                client_id: client.id.clone(),
                reason: "unknown code".into(),
                addr,
            });
            Err(OAuthError::invalid_grant(
                "the authorization code is invalid, expired or already used",
            ))
        }
        Redeemed::Replayed { revoked_link } => {
            if let Some(id) = &revoked_link {
                super::revoke::spawn_upstream_revoke(app, id);
            }
            audit.emit(AuditEvent::CodeReplayed {
                client_id: client.id.clone(),
                revoked_link,
                addr,
            });
            Err(OAuthError::invalid_grant(
                "the authorization code is invalid, expired or already used",
            ))
        }
        Redeemed::Rejected(reason) => {
            audit.emit(AuditEvent::CodeRejected {
                client_id: client.id.clone(),
                reason: reason.into(),
                addr,
            });
            Err(OAuthError::invalid_grant(reason))
        }
    }
}

/// The refresh grant. `prefetched`: the token's lookup, when it was read
/// with the client's digest (`grant`); otherwise it is read here.
async fn refresh(
    app: &App,
    client: &Authenticated,
    params: &Params,
    prefetched: Option<Option<RefreshLookup>>,
    addr: IpAddr,
) -> Result<Response<Body>, OAuthError> {
    let token = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    let requested = match params.get("scope") {
        Some(s) => {
            Some(parse_scope(s).ok_or_else(|| OAuthError::invalid_scope("scope is malformed"))?)
        }
        None => None,
    };
    let reject = |reason: &str| {
        app.audit().emit(AuditEvent::RefreshRejected {
            client_id: client.id.clone(),
            reason: reason.into(),
            addr,
        });
        OAuthError::invalid_grant("the refresh token is invalid or was revoked")
    };
    if token.len() > MAX_TOKEN_LEN {
        return Err(reject("token too long"));
    }
    let now = util::now();
    // Read-only on the request path: one indexed read, inline (Store::read).
    let found = match prefetched {
        Some(found) => found,
        None => {
            let hash = util::sha256(token.as_bytes());
            app.store()
                .read(move |c| store::lookup_refresh(c, &hash))
                .await?
        }
    };
    let Some(found) = found else {
        return Err(reject("unknown refresh token"));
    };
    if found.link.client_id != client.id {
        return Err(reject("refresh token of another client"));
    }
    if found.link.ma_token_state.as_deref() == Some(MaTokenState::REFUSED) {
        // The link ended when Music Assistant refused its token: Alexa asks
        // the user to link again on invalid_grant.
        return Err(reject("Music Assistant refused the link's token"));
    }
    if found.token_revoked || found.link.revoked_at.is_some() {
        return Err(reject("revoked refresh token"));
    }
    if found.link.last_used_at < now - 60 {
        // Bookkeeping, in memory; written in a batch off the request path.
        app.store().record_use(&found.link.id, now);
    }
    let scope = narrowed(&found.link.scope, requested)?;
    if let Some(ma) = app.ma()
        && ma.renewal_due(found.link.ma_token_created_at, now)
    {
        // Off the refresh's path: the refresh never waits for or fails on renewal.
        ma.spawn_renewal(app.store().clone(), found.link.id.clone());
    }
    app.audit().emit(AuditEvent::TokenRefreshed {
        client_id: client.id.clone(),
        link_id: found.link.id.clone(),
        addr,
    });
    issue(app, &found.link, &scope, token)
}

/// The scope of a refreshed token: the link's, or the `requested` part of it
/// (a refresh cannot widen scope).
fn narrowed(granted: &str, requested: Option<Vec<&str>>) -> Result<String, OAuthError> {
    let Some(req) = requested else {
        return Ok(granted.to_owned());
    };
    let granted: Vec<&str> = granted.split(' ').collect();
    if let Some(extra) = req.iter().find(|s| !granted.contains(s)) {
        return Err(OAuthError::invalid_scope(format!(
            "scope {extra:?} was not granted to this refresh token; a refresh cannot widen scope"
        )));
    }
    Ok(req.join(" "))
}

/// Signs an access token for `link` and builds the token response.
fn issue(
    app: &App,
    link: &Link,
    scope: &str,
    refresh_token: &str,
) -> Result<Response<Body>, OAuthError> {
    let now = util::now();
    let ttl = app.config().access_token_ttl;
    let claims = AccessClaims {
        iss: app.config().issuer.clone(),
        sub: link.subject.clone(),
        aud: app.config().audience().to_owned(),
        exp: now + ttl,
        iat: now,
        jti: util::random_token(16),
        client_id: link.client_id.clone(),
        scope: scope.to_owned(),
        sid: link.id.clone(),
        preferred_username: link.username.clone(),
    };
    let access_token = app.keys().sign(&claims).map_err(|e| {
        tracing::error!(error = %e, "signing an access token failed");
        OAuthError::temporarily_unavailable("the server could not sign a token; try again")
    })?;
    Ok(http::json(
        StatusCode::OK,
        &TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: ttl,
            refresh_token,
            scope,
        },
    ))
}
