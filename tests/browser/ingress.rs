//! A stand-in of Home Assistant's ingress, as the browser and the add-on
//! see it: "Home Assistant" on 127.0.0.1 serves a panel page that frames
//! `/api/hassio_ingress/TOKEN/` (as its frontend does), and forwards that
//! path to the add-on's page the way Core's ingress view and the
//! Supervisor do (supervisor `api/ingress.py`, core `hassio/ingress.py`):
//! the prefix stripped, `X-Ingress-Path`, `X-Hass-Source`,
//! `X-Forwarded-For/-Host/-Proto` and `X-Remote-User-*` added (any the
//! browser sent dropped), from the proxy's own address (127.0.0.2 here,
//! bound as the source address), every response header passed back.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

pub const TOKEN: &str = "k1nGSv9xQ-ingress_Token";
pub const PANEL: &str = "/hassio/ingress/ma_alexa_oauth";

pub struct Ingress {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Ingress {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Ingress {
    /// "Home Assistant" on 127.0.0.1, forwarding to the page at `page`
    /// from `proxy`.
    pub async fn start(page: SocketAddr, proxy: IpAddr) -> Ingress {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    return;
                };
                let svc = hyper::service::service_fn(move |req| async move {
                    Ok::<_, Infallible>(handle(req, peer, page, proxy).await)
                });
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ingress { addr, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn page_url(&self) -> String {
        self.url(&format!("/api/hassio_ingress/{TOKEN}/"))
    }
}

fn reply(status: StatusCode, ctype: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(hyper::header::CONTENT_TYPE, ctype.parse().unwrap());
    r
}

async fn handle(
    req: Request<hyper::body::Incoming>,
    peer: SocketAddr,
    page: SocketAddr,
    proxy: IpAddr,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    if path == PANEL {
        // Home Assistant's frontend: the add-on's page in an iframe.
        let html = format!(
            "<!doctype html><html><head><title>Home Assistant</title></head><body>\
             <iframe id=\"addon\" title=\"add-on\" src=\"/api/hassio_ingress/{TOKEN}/\" \
             style=\"width:100%;height:90vh;border:0\"></iframe></body></html>"
        );
        return reply(StatusCode::OK, "text/html; charset=utf-8", html);
    }
    let prefix = format!("/api/hassio_ingress/{TOKEN}");
    let Some(rest) = path.strip_prefix(&prefix) else {
        return reply(StatusCode::NOT_FOUND, "text/plain", "404: Not Found".into());
    };
    let rest = if rest.is_empty() { "/" } else { rest };
    let target = match req.uri().query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    };
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut fwd = Request::builder().method(parts.method.clone()).uri(&target);
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
    for (k, v) in &parts.headers {
        let n = k.as_str();
        if n.starts_with("x-remote-user-")
            || matches!(n, "content-length" | "transfer-encoding" | "x-ingress-path")
        {
            continue;
        }
        fwd = fwd.header(k, v);
    }
    fwd = fwd
        .header("x-ingress-path", &prefix)
        .header("x-hass-source", "core.ingress")
        .header("x-forwarded-for", format!("{}, 172.30.32.1", peer.ip()))
        .header("x-forwarded-host", &host)
        .header("x-forwarded-proto", "http")
        .header("x-remote-user-id", "8f1c0e0b0a5e4b5e9d0b1c2d3e4f5a6b")
        .header("x-remote-user-name", "alice")
        .header("x-remote-user-display-name", "Alice");
    let fwd = fwd.body(Full::new(body)).unwrap();
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind(SocketAddr::new(proxy, 0)).unwrap();
    let Ok(stream) = sock.connect(page).await else {
        return reply(
            StatusCode::BAD_GATEWAY,
            "text/plain",
            "502: Bad Gateway".into(),
        );
    };
    let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        return reply(
            StatusCode::BAD_GATEWAY,
            "text/plain",
            "502: Bad Gateway".into(),
        );
    };
    tokio::spawn(conn);
    let Ok(resp) = sender.send_request(fwd).await else {
        return reply(
            StatusCode::BAD_GATEWAY,
            "text/plain",
            "502: Bad Gateway".into(),
        );
    };
    let (rparts, rbody) = resp.into_parts();
    let rbody = rbody
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut out = Response::new(Full::new(rbody));
    *out.status_mut() = rparts.status;
    for (k, v) in &rparts.headers {
        if !matches!(k.as_str(), "transfer-encoding" | "content-length") {
            out.headers_mut().append(k, v.clone());
        }
    }
    out
}
