//! The router: (method, path) to handler. The top of the HTTP edge: the
//! connection loop (`crate::server`) calls [`handle`] for every request.

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::app::App;
use crate::handlers::{authorize, discovery, gateway, introspect, revoke, skill, token};
use crate::http::{self, Body};
use crate::listener::ConnInfo;
use crate::oauth::error::OAuthError;
use crate::oauth::metadata::*;

/// Routes one request. Never panics on client input; never answers 500.
/// Every response leaves here, so headers that belong on all of them (HSTS
/// for an https issuer) are added here.
pub async fn handle<B>(app: &App, req: Request<B>, conn: ConnInfo) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = req.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path();
    let addr = app.client_ip(&parts.headers, &conn);
    let limit = app.config().limits.max_form_bytes;
    let mut resp = match (path, &method) {
        (HEALTH_PATH, &Method::GET | &Method::HEAD) => discovery::health(app),
        (METADATA_PATH, &Method::GET | &Method::HEAD) => discovery::metadata(app),
        (JWKS_PATH, &Method::GET | &Method::HEAD) => discovery::jwks(app),
        (AUTHORIZE_PATH, &Method::GET | &Method::HEAD) => {
            authorize::get(app, &parts.headers, parts.uri.query()).await
        }
        (AUTHORIZE_PATH, &Method::POST) => {
            match http::read_body(body, limit, app.config().limits.body_timeout).await {
                Ok(b) => authorize::post(app, &parts.headers, &b, addr).await,
                Err(e) => authorize::error_page(e.status(), "Request refused", &e.to_string()),
            }
        }
        (TOKEN_PATH | REVOKE_PATH | INTROSPECT_PATH, &Method::POST) => {
            match http::read_body(body, limit, app.config().limits.body_timeout).await {
                Ok(b) => match path {
                    TOKEN_PATH => token::handle(app, &parts.headers, &b, addr).await,
                    REVOKE_PATH => revoke::revoke(app, &parts.headers, &b, addr).await,
                    _ => introspect::introspect(app, &parts.headers, &b, addr).await,
                },
                Err(e) => OAuthError {
                    status: e.status(),
                    ..OAuthError::invalid_request(e.to_string())
                }
                .into_response(),
            }
        }
        (gateway::PATH, &Method::POST) => gateway::handle(app, &parts.headers, body).await,
        (gateway::PATH, _) => method_not_allowed("POST"),
        (skill::PATH, &Method::POST) => skill::handle(app, &parts.headers, body, addr).await,
        (skill::PATH, _) => method_not_allowed("POST"),
        (HEALTH_PATH | METADATA_PATH | JWKS_PATH, _) => method_not_allowed("GET, HEAD"),
        (AUTHORIZE_PATH, _) => method_not_allowed("GET, HEAD, POST"),
        (TOKEN_PATH | REVOKE_PATH | INTROSPECT_PATH, _) => method_not_allowed("POST"),
        _ => http::text(StatusCode::NOT_FOUND, "not found\n"),
    };
    if app.https() {
        http::add_hsts(&mut resp);
    }
    tracing::debug!(%method, path, status = resp.status().as_u16(), %addr, "request");
    resp
}

fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut r = http::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}
