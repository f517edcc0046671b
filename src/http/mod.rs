//! HTTP plumbing independent of OAuth: input parsers (each with a fuzz-friendly
//! pure function), body limits and response builders.

pub mod basic;
mod body;
pub mod cookie;
pub mod params;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Limited};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;

pub use body::{Body, StreamError};

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the request body could not be read")]
    Read,
    #[error("the request body was not sent in time")]
    TimedOut,
}

impl BodyError {
    /// The HTTP status that answers it: 413, 408, or 400.
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BodyError::Read => StatusCode::BAD_REQUEST,
        }
    }
}

/// Reads a whole body, refusing more than `limit` bytes or taking longer
/// than `deadline` (a body trickled byte by byte must not hold a connection).
/// A declared length (`Content-Length`, hyper's size hint) over `limit` is
/// refused before anything is read: no `100 Continue`, no wait for the deadline.
pub async fn read_body<B>(
    body: B,
    limit: usize,
    deadline: std::time::Duration,
) -> Result<Bytes, BodyError>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if body.size_hint().lower() > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(BodyError::TooLarge(limit));
    }
    match tokio::time::timeout(deadline, Limited::new(body, limit).collect()).await {
        Err(_) => Err(BodyError::TimedOut),
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge(limit)),
        Ok(Err(_)) => Err(BodyError::Read),
    }
}

/// True if the request's Content-Type is `application/x-www-form-urlencoded`
/// (parameters such as `charset` allowed).
pub fn is_form(headers: &hyper::HeaderMap) -> bool {
    let mut it = headers.get_all(header::CONTENT_TYPE).iter();
    match (it.next(), it.next()) {
        (Some(v), None) => v
            .to_str()
            .ok()
            .and_then(|s| s.split(';').next())
            .is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            }),
        _ => false,
    }
}

fn base(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Body::full(body.into()));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// The HSTS value sent when the issuer is https: one year, without
/// `includeSubDomains` (the name is the node's or the user's own host, not a
/// parent domain this server speaks for) and without `preload`.
pub const HSTS: &str = "max-age=31536000";

/// Adds `Strict-Transport-Security` ([`HSTS`]). For https issuers only: the
/// caller decides (TLS ends in this process in tailnet mode, or at the
/// user's proxy; either way the public URL is https).
pub fn add_hsts<B>(r: &mut Response<B>) {
    r.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
}

/// A JSON response with `Cache-Control: no-store`. Never inlined: its own
/// frame is a row of `scripts/bench-profile`.
#[inline(never)]
pub fn json(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    // Room for a token response (about 730 bytes) without regrowing.
    let mut body = Vec::with_capacity(1024);
    if serde_json::to_writer(&mut body, value).is_err() {
        body = b"{}".to_vec();
    }
    base(status, "application/json", body)
}

/// A JSON response from pre-serialised bytes.
pub fn json_raw(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    base(status, "application/json", body)
}

pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    base(status, "text/plain; charset=utf-8", body)
}

/// An HTML page with the security headers every page carries. `csp` is the
/// Content-Security-Policy, which must include `frame-ancestors 'none'`.
pub fn html(status: StatusCode, body: String, csp: &str) -> Response<Body> {
    let mut r = base(status, "text/html; charset=utf-8", body);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// 303 See Other to `location` (used after a POST, never 307).
pub fn see_other(location: &str) -> Response<Body> {
    let Ok(loc) = HeaderValue::from_str(location) else {
        return text(
            StatusCode::BAD_REQUEST,
            "the redirect target is not a valid header value\n",
        );
    };
    let mut r = base(
        StatusCode::SEE_OTHER,
        "text/plain; charset=utf-8",
        Bytes::new(),
    );
    let h = r.headers_mut();
    h.insert(header::LOCATION, loc);
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// Appends query parameters to a URI that may already have a query.
pub fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let q = ser.finish();
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{q}")
}
