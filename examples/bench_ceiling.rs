//! The benchmark's ceiling: the fastest a token endpoint could answer on this
//! machine with the same HTTP stack. A minimal hyper server that reads each
//! request body and answers every request with one fixed JSON body of a given
//! size (token-like: the size of our own token response) and the same
//! headers our responses carry, over HTTP/1.1 keep-alive, on a multi-thread
//! tokio runtime like `serve`. No database, no signing, no parsing.
//!
//! ```sh
//! cargo run --release --example bench_ceiling -- 127.0.0.1:0 [BODY_BYTES]
//! ```
//!
//! Prints `bench_ceiling listening on http://ADDR` once it accepts
//! connections. Used by `scripts/bench`; see bench/README.md.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;

/// A token-like JSON body of exactly `len` bytes (at least the fixed part).
fn body_of(len: usize) -> Bytes {
    let head = r#"{"access_token":""#;
    let tail = r#"","token_type":"Bearer","expires_in":3600,"scope":"music:read music:control"}"#;
    let fill = len.saturating_sub(head.len() + tail.len());
    let mut s = String::with_capacity(len);
    s.push_str(head);
    s.extend(std::iter::repeat_n('x', fill));
    s.push_str(tail);
    Bytes::from(s)
}

async fn answer(
    req: Request<hyper::body::Incoming>,
    body: Bytes,
) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read the form like a real endpoint would (and drain the connection).
    let _ = req.into_body().collect().await;
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:0").parse()?;
    let len: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 1000,
    };
    let body = body_of(len);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!(
            "bench_ceiling listening on http://{} (body {} bytes)",
            listener.local_addr()?,
            body.len()
        );
        std::io::stdout().flush()?;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder.http1().timer(TokioTimer::new()).keep_alive(true);
        let builder = std::sync::Arc::new(builder);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let body = body.clone();
            let builder = std::sync::Arc::clone(&builder);
            tokio::spawn(async move {
                let svc = service_fn(move |req| answer(req, body.clone()));
                let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
            });
        }
    })
}
