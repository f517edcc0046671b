//! RFC 6749 section 5.2 error responses for the token, revocation and
//! introspection endpoints.

use std::borrow::Cow;

use hyper::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};
use serde::Serialize;

use crate::http::{self, Body};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: Cow<'static, str>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

impl OAuthError {
    fn new(status: StatusCode, code: &'static str, d: impl Into<Cow<'static, str>>) -> Self {
        OAuthError {
            status,
            code,
            description: d.into(),
        }
    }
    pub fn invalid_request(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }
    pub fn invalid_client(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", d)
    }
    pub fn invalid_grant(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", d)
    }
    pub fn unauthorized_client(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", d)
    }
    pub fn unsupported_grant_type(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", d)
    }
    pub fn invalid_scope(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", d)
    }
    /// A passing failure (database busy, disk full): 503, so Alexa retries
    /// instead of deleting the link.
    pub fn temporarily_unavailable(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            d,
        )
    }

    pub fn into_response(self) -> Response<Body> {
        let mut r = http::json(
            self.status,
            &ErrorBody {
                error: self.code,
                error_description: &rfc6749_text(&self.description),
            },
        );
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="ma-alexa-oauth", charset="UTF-8""#),
            );
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("5"));
        }
        r
    }
}

/// RFC 6749 sections 4.1.2.1 and 5.2 limit `error_description` to
/// %x20-21 / %x23-5B / %x5D-7E: `"` becomes `'`, `\` becomes `/`, anything
/// else outside the set becomes `?`.
pub fn rfc6749_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::warn!(error = %e, "storage failure while serving an OAuth request");
        OAuthError::temporarily_unavailable(
            "the server cannot reach its database right now; try again shortly",
        )
    }
}
