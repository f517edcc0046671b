//! Discovery: `/health`, the RFC 8414 metadata document and the JWKS.

use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::gateway;
use crate::app::App;
use crate::http::{self, Body};
use crate::oauth::metadata::*;

/// `GET /.well-known/oauth-authorization-server`.
pub fn metadata(app: &App) -> Response<Body> {
    http::json_raw(StatusCode::OK, app.metadata_json().clone())
}

/// `GET /.well-known/jwks.json`, cacheable for five minutes.
pub fn jwks(app: &App) -> Response<Body> {
    let mut r = http::json_raw(StatusCode::OK, app.jwks_json().clone());
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

/// `GET /health`: served to the internet, so it says only that the server
/// is up, its version and the public endpoints (the gateway's when Music
/// Assistant is configured). Local details (Music Assistant's LAN address,
/// the identity source, the tailnet node) are for `status` and the logs.
pub fn health(app: &App) -> Response<Body> {
    let c = app.config();
    let mut endpoints = serde_json::json!({
        "authorization": c.url(AUTHORIZE_PATH),
        "token": c.url(TOKEN_PATH),
        "revocation": c.url(REVOKE_PATH),
        "introspection": c.url(INTROSPECT_PATH),
        "metadata": c.url(METADATA_PATH),
        "jwks": c.url(JWKS_PATH),
    });
    if let (Some(obj), Some(_)) = (endpoints.as_object_mut(), app.ma()) {
        obj.insert("gateway".into(), c.url(gateway::PATH).into());
    }
    let v = serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "endpoints": endpoints,
    });
    http::json(StatusCode::OK, &v)
}
