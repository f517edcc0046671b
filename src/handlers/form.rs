//! A client's form request to the token, revocation or introspection
//! endpoint: the content type, the parameters, then client authentication.

use std::net::IpAddr;

use hyper::HeaderMap;

use crate::app::App;
use crate::http::{self, params::Params};
use crate::oauth::client_auth::{self, Authenticated};
use crate::oauth::error::OAuthError;

/// Checks the body is a form and parses it.
pub fn params(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    if !http::is_form(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    Params::parse(body).map_err(|e| OAuthError::invalid_request(e.to_string()))
}

/// Checks the body is a form, parses it and authenticates the client.
pub async fn authenticated(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
    addr: IpAddr,
) -> Result<(Authenticated, Params), OAuthError> {
    let params = params(headers, body)?;
    let client =
        client_auth::authenticate(app.store(), app.audit(), headers, &params, addr).await?;
    Ok((client, params))
}
