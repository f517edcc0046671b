//! Getting a certificate chain's bytes: an https GET (tokio-rustls under
//! hyper's HTTP/1 client connection: one connection per fetch, fetches are
//! rare), or, for testing, a file. Both are capped in size; the GET has one
//! deadline for everything (connect, TLS, answer, body).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::header::{HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::io::AsyncReadExt as _;
use url::Url;

/// The largest chain accepted (Amazon's is about 6 KB).
pub const MAX_CHAIN_BYTES: usize = 64 * 1024;
/// Time allowed for a whole fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_millis(2500);

/// GETs `url` over https with `tls`; the answer must be 200 and at most `limit` bytes.
pub(super) async fn https_get(
    url: &Url,
    tls: Arc<rustls::ClientConfig>,
    limit: usize,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    match tokio::time::timeout(timeout, get(url, tls, limit)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

async fn get(url: &Url, tls: Arc<rustls::ClientConfig>, limit: usize) -> Result<Vec<u8>, String> {
    let host = url.host_str().ok_or("no host")?;
    let port = url.port_or_known_default().unwrap_or(443);
    // `host_str` keeps an IPv6 address's brackets; the server name has none.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(bare.to_owned()).map_err(|e| format!("server name: {e}"))?;
    let tcp = tokio::net::TcpStream::connect((bare, port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    let conn = AbortOnDrop(tokio::spawn(conn));
    let host_header = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let req = hyper::Request::get(target)
        .header(HOST, host_header)
        .header(
            USER_AGENT,
            concat!("ma-alexa-oauth/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::<Bytes>::new())
        .map_err(|e| format!("request: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    if resp.status() != hyper::StatusCode::OK {
        return Err(format!("answered {}", resp.status().as_u16()));
    }
    let body = Limited::new(resp.into_body(), limit)
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    drop(conn);
    Ok(body.to_vec())
}

/// Ends the connection task when the fetch ends (or is cancelled by its deadline).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reads a test chain: `dir/object`, where `object` is the URL's path after
/// `/echo.api/` (letters, digits, `.`, `-`, `_` and `/` only; no `..`).
pub(super) async fn read_file(dir: &Path, object: &str, limit: usize) -> Result<Vec<u8>, String> {
    let safe = !object.is_empty()
        && object
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'/'))
        && object
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    if !safe {
        return Err(format!("no test chain may be named {object:?}"));
    }
    let path = dir.join(object);
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| format!("test chain {}: {e}", path.display()))?;
    let mut out = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut out)
        .await
        .map_err(|e| format!("test chain {}: {e}", path.display()))?;
    if out.len() > limit {
        return Err(format!("longer than {limit} bytes"));
    }
    Ok(out)
}
