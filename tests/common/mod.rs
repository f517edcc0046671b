//! Test harness shared by the integration tests: an in-process server on an
//! ephemeral loopback port with a fresh data directory, a minimal HTTP/1.1
//! client, a cookie-keeping "browser", and the Alexa linking steps.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use ma_alexa_oauth::app::App;
use ma_alexa_oauth::audit::{Audit, AuditEvent};
use ma_alexa_oauth::config::Config;
use ma_alexa_oauth::oauth::client_auth;
use ma_alexa_oauth::store::{self, Client, ClientKind};
use ma_alexa_oauth::{identity, util};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const VENDOR: &str = "M2TESTVENDOR1";
pub const PITANGUI: &str = "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1";
pub const LAYLA: &str = "https://layla.amazon.com/api/skill/link/M2TESTVENDOR1";
pub const JP: &str = "https://alexa.amazon.co.jp/api/skill/link/M2TESTVENDOR1";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse battery";

/// A running server. Dropping it stops the server (without waiting).
pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    pub dir: PathBuf,
    pub app: Arc<App>,
    pub audit: Audit,
    _tmp: Option<tempfile::TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// A fresh server with an Alexa client? No: an empty store; add what you need.
    pub async fn start() -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = TestServer::start_in(&dir, |_| {}).await;
        s._tmp = Some(tmp);
        s
    }

    /// A fresh server whose configuration `tweak` may change before start.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = TestServer::start_in(&dir, tweak).await;
        s._tmp = Some(tmp);
        s
    }

    /// A server on an existing data directory (restart tests). The caller owns the directory.
    pub async fn start_in(dir: &Path, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let mut config = Config::new(base.clone());
        tweak(&mut config);
        let audit = Audit::recording();
        let app = Arc::new(App::open(config, dir).unwrap().with_audit(audit.clone()));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(ma_alexa_oauth::server::run(
            listener,
            Arc::clone(&app),
            async move {
                let _ = rx.await;
            },
        ));
        TestServer {
            addr,
            base,
            dir: dir.to_owned(),
            app,
            audit,
            _tmp: None,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    /// Keeps the temporary directory alive beyond this server (for restarts).
    pub fn take_tmp(&mut self) -> Option<tempfile::TempDir> {
        self._tmp.take()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Registers the Alexa client for [`VENDOR`] with both scopes; returns (client_id, secret).
    pub fn add_alexa_client(&self) -> (String, String) {
        self.add_client_full(
            "Alexa",
            ClientKind::Alexa,
            vec![PITANGUI.into(), LAYLA.into(), JP.into()],
            vec!["music:read".into(), "music:control".into()],
            None,
        )
    }

    /// Registers the Alexa client for [`VENDOR`] with both scopes and PKCE
    /// required (`client add alexa --require-pkce`); returns (client_id, secret).
    pub fn add_alexa_client_requiring_pkce(&self) -> (String, String) {
        let (id, secret) = self.add_alexa_client();
        self.set_require_pkce(&id, true);
        (id, secret)
    }

    /// Changes a client's PKCE requirement (`client set ID --require-pkce on|off`).
    pub fn set_require_pkce(&self, client_id: &str, require: bool) {
        assert!(
            self.app
                .store()
                .with(|conn| store::set_client_require_pkce(conn, client_id, require))
                .unwrap(),
            "no client {client_id}"
        );
    }

    /// Registers a generic client; returns (client_id, secret).
    pub fn add_client(&self, redirect_uris: &[&str], scopes: &[&str]) -> (String, String) {
        self.add_client_full(
            "Test client",
            ClientKind::Generic,
            redirect_uris.iter().map(|s| s.to_string()).collect(),
            scopes.iter().map(|s| s.to_string()).collect(),
            None,
        )
    }

    /// Registers a client with a chosen secret (e.g. one containing `:` `%` `+` and spaces).
    pub fn add_client_full(
        &self,
        name: &str,
        kind: ClientKind,
        redirect_uris: Vec<String>,
        scopes: Vec<String>,
        secret: Option<&str>,
    ) -> (String, String) {
        let secret = secret
            .map(str::to_owned)
            .unwrap_or_else(client_auth::new_secret);
        let c = Client {
            id: format!("client-{}", util::random_token(9)),
            name: name.into(),
            kind,
            vendor_id: None,
            secret_hash: client_auth::secret_hash(&secret),
            redirect_uris,
            scopes,
            created_at: util::now(),
            require_pkce: false,
        };
        self.app
            .store()
            .with(|conn| store::insert_client(conn, &c))
            .unwrap();
        (c.id, secret)
    }

    /// Adds a local user with an Argon2id hash.
    pub fn add_user(&self, name: &str, password: &str) {
        let h = identity::password::hash(password).unwrap();
        assert!(
            self.app
                .store()
                .with(|c| store::insert_user(c, name, &h, util::now()))
                .unwrap()
        );
    }

    pub fn events(&self) -> Vec<AuditEvent> {
        self.audit.events()
    }

    pub async fn get(&self, path: &str) -> Resp {
        send(self.addr, "GET", path, &[], None).await
    }

    /// POST a form body with extra headers.
    pub async fn post_form(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        form: &[(&str, &str)],
    ) -> Resp {
        let mut h: Vec<(&str, &str)> = vec![("content-type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        send(
            self.addr,
            "POST",
            path,
            &h,
            Some(encode_form(form).into_bytes()),
        )
        .await
    }

    /// Token endpoint with HTTP Basic client authentication (RFC 6749 2.3.1 encoding).
    pub async fn token_basic(&self, id: &str, secret: &str, form: &[(&str, &str)]) -> Resp {
        let auth = basic_header(id, secret);
        self.post_form("/alexa/token", &[("authorization", &auth)], form)
            .await
    }

    /// Redeems an authorization code issued for the Alexa redirect URI
    /// (PITANGUI), with HTTP Basic client authentication.
    pub async fn redeem_code(&self, id: &str, secret: &str, code: &str) -> Resp {
        self.token_basic(
            id,
            secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", PITANGUI),
            ],
        )
        .await
    }

    /// Token endpoint with credentials in the body.
    pub async fn token_post(&self, id: &str, secret: &str, form: &[(&str, &str)]) -> Resp {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("client_id", id));
        f.push(("client_secret", secret));
        self.post_form("/alexa/token", &[], &f).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`.
pub fn basic_header(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

pub fn encode_form(form: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A response, fully read.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
    /// The `error` member of a JSON error body.
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
    /// The Location header parsed into its query parameters (first value of each).
    pub fn location_params(&self) -> BTreeMap<String, String> {
        let loc = self.header("location").expect("a Location header");
        query_params(&loc)
    }
}

/// Query parameters of a URL, decoded.
pub fn query_params(url: &str) -> BTreeMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// Sends one HTTP/1.1 request on a new connection and reads the whole response.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Resp {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Resp {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// Writes raw bytes and reads until the server closes or `timeout` passes.
pub async fn raw(addr: SocketAddr, bytes: &[u8], timeout: std::time::Duration) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(timeout, s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Extracts `<input type="hidden" name=... value=...>` fields from a page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<input type=\"hidden\" ").skip(1) {
        let name = between(part, "name=\"", "\"");
        let value = between(part, "value=\"", "\"");
        out.push((unescape(&name), unescape(&value)));
    }
    out
}

fn between(s: &str, a: &str, b: &str) -> String {
    let start = s.find(a).map(|i| i + a.len()).unwrap_or(0);
    let end = s[start..].find(b).map(|i| start + i).unwrap_or(s.len());
    s[start..end].to_owned()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Parameters of an authorization request.
#[derive(Debug, Clone)]
pub struct AuthParams {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

impl AuthParams {
    pub fn new(client_id: &str, redirect_uri: &str) -> Self {
        AuthParams {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scope: Some("music:read music:control".into()),
            state: Some("AmaseyXXXXXXXX=".into()),
            code_challenge: None,
            code_challenge_method: None,
        }
    }

    pub fn pkce(mut self, verifier: &str) -> Self {
        self.code_challenge = Some(ma_alexa_oauth::oauth::pkce::s256(verifier));
        self.code_challenge_method = Some("S256".into());
        self
    }

    pub fn query(&self) -> String {
        let mut f: Vec<(&str, &str)> =
            vec![("client_id", &self.client_id), ("response_type", "code")];
        if let Some(s) = &self.scope {
            f.push(("scope", s));
        }
        f.push(("redirect_uri", &self.redirect_uri));
        if let Some(s) = &self.state {
            f.push(("state", s));
        }
        if let Some(c) = &self.code_challenge {
            f.push(("code_challenge", c));
        }
        if let Some(m) = &self.code_challenge_method {
            f.push(("code_challenge_method", m));
        }
        encode_form(&f)
    }
}

/// A user agent that keeps the login cookie between the GET and the POST.
#[derive(Debug, Default, Clone)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    /// Applies a response's `Set-Cookie` headers to the jar.
    pub fn remember(&mut self, r: &Resp) {
        for v in r.headers.get_all("set-cookie") {
            let s = v.to_str().unwrap();
            let first = s.split(';').next().unwrap();
            let (k, val) = first.split_once('=').unwrap();
            if s.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
    }

    /// The `Cookie` header value for the jar (empty if no cookies).
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, server: &TestServer, path_and_query: &str) -> Resp {
        let c = self.cookie_header();
        let h: Vec<(&str, &str)> = if c.is_empty() {
            vec![]
        } else {
            vec![("cookie", &c)]
        };
        let r = send(server.addr, "GET", path_and_query, &h, None).await;
        self.remember(&r);
        r
    }

    /// Posts a form the way a browser does from our own page.
    pub async fn post_form(
        &mut self,
        server: &TestServer,
        path: &str,
        form: &[(&str, &str)],
    ) -> Resp {
        let c = self.cookie_header();
        let mut h: Vec<(&str, &str)> = vec![("origin", "null"), ("sec-fetch-site", "same-origin")];
        if !c.is_empty() {
            h.push(("cookie", &c));
        }
        let r = server.post_form(path, &h, form).await;
        self.remember(&r);
        r
    }

    /// Opens the login page and submits it with `username`/`password` and
    /// `action=approve`, keeping every hidden field as the page set it.
    pub async fn login(
        &mut self,
        server: &TestServer,
        p: &AuthParams,
        username: &str,
        password: &str,
    ) -> Resp {
        let page = self
            .get(server, &format!("/alexa/authorize?{}", p.query()))
            .await;
        assert_eq!(page.status, StatusCode::OK, "login page: {}", page.text());
        self.submit(server, &page, username, password, "approve")
            .await
    }

    /// Submits a login page already fetched.
    pub async fn submit(
        &mut self,
        server: &TestServer,
        page: &Resp,
        username: &str,
        password: &str,
        action: &str,
    ) -> Resp {
        let fields = hidden_fields(&page.text());
        let mut form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        form.push(("username", username));
        form.push(("password", password));
        form.push(("action", action));
        self.post_form(server, "/alexa/authorize", &form).await
    }
}

/// Runs authorize + login and returns the code from the 303 redirect.
pub async fn obtain_code(server: &TestServer, p: &AuthParams) -> String {
    let mut b = Browser::default();
    let r = b.login(server, p, USER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.text());
    let loc = r.header("location").unwrap();
    assert!(loc.starts_with(&p.redirect_uri), "{loc}");
    r.location_params().get("code").cloned().expect("a code")
}

/// Full link: a server with the Alexa client and user; returns (client_id, secret, token JSON).
pub async fn linked(server: &TestServer) -> (String, String, serde_json::Value) {
    let (id, secret) = server.add_alexa_client();
    server.add_user(USER, PASSWORD);
    let code = obtain_code(server, &AuthParams::new(&id, PITANGUI)).await;
    let r = server.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (id, secret, r.json())
}

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// RFC 7662 introspection with HTTP Basic; asserts 200 and returns the JSON.
pub async fn introspect_json(
    s: &TestServer,
    id: &str,
    secret: &str,
    token: &str,
) -> serde_json::Value {
    let r = s
        .post_form(
            "/alexa/introspect",
            &[("authorization", &basic_header(id, secret))],
            &[("token", token)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}
