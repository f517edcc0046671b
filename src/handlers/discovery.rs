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

/// `GET /health`.
pub fn health(app: &App) -> Response<Body> {
    let mut v = serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "issuer": app.config().issuer,
        "identity": app.identity().name(),
        "endpoints": {
            "authorization": app.config().url(AUTHORIZE_PATH),
            "token": app.config().url(TOKEN_PATH),
            "revocation": app.config().url(REVOKE_PATH),
            "introspection": app.config().url(INTROSPECT_PATH),
            "metadata": app.config().url(METADATA_PATH),
            "jwks": app.config().url(JWKS_PATH),
        },
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(ma) = app.ma() {
            obj.insert(
                "music_assistant".into(),
                serde_json::json!({
                    "url": ma.client().base_url(),
                    "gateway": app.config().url(gateway::PATH),
                }),
            );
        }
        obj.extend(app.health_extra());
    }
    http::json(StatusCode::OK, &v)
}
