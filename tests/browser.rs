//! End-to-end account linking in a real browser: Debian's headless Chromium,
//! driven through chromedriver's W3C WebDriver HTTP API (plain JSON over
//! loopback HTTP), on a phone-sized viewport.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`
//! (`apt-get install chromium chromium-driver`); other paths can be given in
//! `MA_ALEXA_CHROMIUM` and `MA_ALEXA_CHROMEDRIVER`. Without them the test
//! fails, unless `MA_ALEXA_SKIP_BROWSER=1` is set, which skips it.
//!
//! Screenshots go to `target/browser/` (login.png, login-error.png, linked.png),
//! with chromedriver's log beside them.

mod common;
use common::*;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const WIDTH: u64 = 390;
const HEIGHT: u64 = 844;
/// A state that a careless encoder would break.
const STATE: &str = "Amzn+st/ate==&x%2F y";

fn tool(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_an_account_in_headless_chromium_on_a_phone() {
    if std::env::var("MA_ALEXA_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped: MA_ALEXA_SKIP_BROWSER=1");
        return;
    }
    let chromium = tool("MA_ALEXA_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = tool("MA_ALEXA_CHROMEDRIVER", "/usr/bin/chromedriver");
    for (what, path) in [("chromium", &chromium), ("chromedriver", &chromedriver)] {
        assert!(
            path.exists(),
            "{what} not found at {}: the browser test needs Debian's Chromium and ChromeDriver.\n\
             Install them with `apt-get install chromium chromium-driver` (as root, after `apt-get update`),\n\
             or run `scripts/test`, which does that; or set MA_ALEXA_SKIP_BROWSER=1 to skip this test.",
            path.display()
        );
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&out).unwrap();
    for f in ["login.png", "login-error.png", "linked.png"] {
        let _ = std::fs::remove_file(out.join(f));
    }

    let driver = Driver::start(&chromedriver, &out.join("chromedriver.log"));
    let result =
        tokio::time::timeout(Duration::from_secs(180), scenario(&driver, &chromium, &out)).await;
    driver.kill();
    result.expect("the browser test took longer than 180 s");
}

async fn scenario(driver: &Driver, chromium: &Path, out: &Path) {
    let server = TestServer::start().await;
    let callback = CallbackServer::start().await;
    let redirect_uri = format!("http://{}/callback", callback.addr);
    let (client_id, secret) = server.add_client(&[&redirect_uri], &["music:read", "music:control"]);
    server.add_user(USER, PASSWORD);

    driver.wait_ready().await;
    let wd = WebDriver::new(driver.addr, chromium, &driver.profile).await;

    let mut p = AuthParams::new(&client_id, &redirect_uri);
    p.state = Some(STATE.into());
    let authorize = server.url(&format!("/alexa/authorize?{}", p.query()));

    // The login page.
    wd.goto(&authorize).await;
    assert_eq!(wd.title().await, "Link your account");
    let h1 = wd.find("h1").await;
    assert!(wd.displayed(&h1).await);
    assert_eq!(wd.text(&h1).await, "Link your account");
    let card = wd.text(&wd.find(".card").await).await;
    assert!(
        card.contains("Test client"),
        "client name not shown: {card}"
    );
    let items = wd.find_all("li").await;
    assert_eq!(items.len(), 2, "one line per scope: {card}");
    for (item, scope) in items.iter().zip(["music:read", "music:control"]) {
        assert!(wd.displayed(item).await, "{scope} is hidden");
        let text = wd.text(item).await;
        let want = ma_alexa_oauth::oauth::describe_scope(scope);
        assert!(
            text.contains(want) && text.contains(scope),
            "scope line {text:?}"
        );
    }
    assert!(wd.find_all("#error").await.is_empty(), "no error at first");
    check_fits_phone(&wd).await;
    wd.screenshot(&out.join("login.png")).await;

    // A wrong password: the page comes back with the inline error.
    wd.type_into("input[name=username]", USER).await;
    wd.type_into("input[name=password]", "not the password")
        .await;
    wd.click("#submit").await;
    let error = wd.wait_for("#error").await;
    assert!(wd.displayed(&error).await);
    let msg = wd.text(&error).await;
    assert!(msg.contains("Wrong username or password"), "{msg:?}");
    let url = wd.url().await;
    assert!(
        url.starts_with(&server.url("/alexa/authorize")),
        "left the server: {url}"
    );
    assert!(callback.queries().is_empty(), "callback reached too early");
    check_fits_phone(&wd).await;
    wd.screenshot(&out.join("login-error.png")).await;

    // The right password: the browser lands on the client's callback.
    wd.type_into("input[name=username]", USER).await;
    wd.type_into("input[name=password]", PASSWORD).await;
    wd.click("#submit").await;
    let prefix = format!("{redirect_uri}?");
    let url = wd
        .wait_until("the callback URL", async || {
            let u = wd.url().await;
            u.starts_with(&prefix).then_some(u)
        })
        .await;
    let h1 = wd.text(&wd.wait_for("h1").await).await;
    assert_eq!(h1, "linked");
    let queries = callback.queries();
    assert_eq!(queries.len(), 1, "callback requests: {queries:?}");
    let q = query_params(&format!("?{}", queries[0]));
    assert_eq!(
        q.get("state").map(String::as_str),
        Some(STATE),
        "{queries:?}"
    );
    assert_eq!(q.get("iss"), Some(&server.base), "{queries:?}");
    assert!(!q.contains_key("error"), "{queries:?}");
    let code = q.get("code").expect("a code").clone();
    assert_eq!(query_params(&url), q, "the browser's URL is the callback's");
    wd.screenshot(&out.join("linked.png")).await;
    wd.quit().await;

    // The code is a real one.
    let r = server
        .token_basic(
            &client_id,
            &secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &redirect_uri),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let tok = r.json();
    assert_eq!(tok["token_type"], "Bearer");
    assert!(tok["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(tok["scope"], "music:read music:control");
}

/// The page is usable at 390 CSS pixels: no sideways scrolling, and the
/// fields and buttons lie inside the viewport's width.
async fn check_fits_phone(wd: &WebDriver) {
    // WebDriver scripts run outside the page's CSP (which forbids page scripts).
    let v = wd
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth, \
             document.documentElement.scrollWidth <= window.innerWidth];",
        )
        .await;
    assert_eq!(v[0], json!(WIDTH), "viewport width: {v}");
    assert_eq!(v[2], json!(true), "the page scrolls sideways: {v}");
    for sel in ["#username", "#password", "#submit", "button[value=deny]"] {
        let el = wd.find(sel).await;
        assert!(wd.displayed(&el).await, "{sel} is hidden");
        let r = wd.rect(&el).await;
        let (x, w, h) = (
            r["x"].as_f64().unwrap(),
            r["width"].as_f64().unwrap(),
            r["height"].as_f64().unwrap(),
        );
        assert!(
            x >= 0.0 && x + w <= WIDTH as f64,
            "{sel} sticks out of the {WIDTH} px viewport: {r}"
        );
        assert!(h >= 40.0, "{sel} is too small to tap: {r}");
    }
}

/// chromedriver (and the Chromium it starts) in a process group of its own,
/// killed as a whole when this is dropped, even when the test panics.
struct Driver {
    child: Mutex<Option<Child>>,
    addr: SocketAddr,
    profile: tempfile::TempDir,
}

impl Driver {
    fn start(bin: &Path, log: &Path) -> Driver {
        use std::os::unix::process::CommandExt as _;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        Driver {
            child: Mutex::new(Some(child)),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            profile: tempfile::tempdir().unwrap(),
        }
    }

    /// Waits until chromedriver answers `/status` with `ready: true`.
    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(child) = self.child.lock().unwrap().as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "chromedriver exited at start ({status}); see target/browser/chromedriver.log"
                );
            }
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                let r = send(self.addr, "GET", "/status", &[], None).await;
                if r.status == StatusCode::OK && r.json()["value"]["ready"] == json!(true) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn kill(&self) {
        let Some(mut child) = self.child.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        // The group id is chromedriver's pid (process_group(0)); Chromium is in it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A W3C WebDriver session.
struct WebDriver {
    addr: SocketAddr,
    session: String,
}

impl WebDriver {
    async fn new(addr: SocketAddr, chromium: &Path, profile: &tempfile::TempDir) -> WebDriver {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"implicit": 0, "pageLoad": 30000, "script": 10000},
            "goog:chromeOptions": {
                "binary": chromium.to_str().unwrap(),
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--no-default-browser-check",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={WIDTH},{HEIGHT}"),
                ],
                "mobileEmulation": {"deviceMetrics": {"width": WIDTH, "height": HEIGHT, "pixelRatio": 3.0}},
                // No password-manager prompts or leak checks (which would call out).
                "prefs": {
                    "credentials_enable_service": false,
                    "profile.password_manager_enabled": false,
                    "profile.password_manager_leak_detection": false,
                },
            },
        }}});
        let v = request(
            addr,
            "POST",
            "/session",
            Some(caps),
            Duration::from_secs(90),
        )
        .await;
        let session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        WebDriver { addr, session }
    }

    async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        request(self.addr, method, &path, body, Duration::from_secs(45)).await
    }

    async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).await;
    }

    async fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn title(&self) -> String {
        self.cmd("GET", "/title", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn find_all(&self, css: &str) -> Vec<String> {
        let v = self
            .cmd(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e[ELEMENT].as_str().unwrap().to_owned())
            .collect()
    }

    async fn find(&self, css: &str) -> String {
        let all = self.find_all(css).await;
        assert_eq!(all.len(), 1, "want one {css:?}, found {}", all.len());
        all.into_iter().next().unwrap()
    }

    async fn wait_until<T>(&self, what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(t) = f().await {
                return t;
            }
            assert!(
                Instant::now() < deadline,
                "waited 30 s for {what}; the browser is at {}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for(&self, css: &str) -> String {
        self.wait_until(css, async || self.find_all(css).await.into_iter().next())
            .await
    }

    async fn text(&self, el: &str) -> String {
        let v = self.cmd("GET", &format!("/element/{el}/text"), None).await;
        v.as_str().unwrap().to_owned()
    }

    async fn displayed(&self, el: &str) -> bool {
        let v = self
            .cmd("GET", &format!("/element/{el}/displayed"), None)
            .await;
        v.as_bool().unwrap()
    }

    async fn rect(&self, el: &str) -> Value {
        self.cmd("GET", &format!("/element/{el}/rect"), None).await
    }

    /// Clears the field and types `text` into it.
    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.cmd("POST", &format!("/element/{el}/clear"), Some(json!({})))
            .await;
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})))
            .await;
    }

    async fn execute(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    // A screenshot is no secret: the 0600 write_private rule does not apply.
    #[allow(clippy::disallowed_methods)]
    async fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let v = self.cmd("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }

    async fn quit(&self) {
        self.cmd("DELETE", "", None).await;
    }
}

/// One WebDriver call; panics on a WebDriver error. Returns the `value` member.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
    limit: Duration,
) -> Value {
    let body = body.map(|b| serde_json::to_vec(&b).unwrap());
    let headers = [("content-type", "application/json; charset=utf-8")];
    let r = tokio::time::timeout(limit, send(addr, method, path, &headers, body))
        .await
        .unwrap_or_else(|_| panic!("WebDriver {method} {path}: no answer in {limit:?}"));
    let v = r.json();
    assert_eq!(
        r.status,
        StatusCode::OK,
        "WebDriver {method} {path}: {}",
        v["value"]
    );
    v["value"].clone()
}

/// The client's redirect target: records each `/callback` query and answers
/// a small page.
struct CallbackServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl CallbackServer {
    async fn start() -> CallbackServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let log = Arc::clone(&log);
                let svc = hyper::service::service_fn(move |req: hyper::Request<_>| {
                    let log = Arc::clone(&log);
                    async move {
                        let found = req.uri().path() == "/callback";
                        if found {
                            let q = req.uri().query().unwrap_or("").to_owned();
                            log.lock().unwrap().push(q);
                        }
                        let (status, page) = if found {
                            (
                                StatusCode::OK,
                                "<!doctype html><html><head><meta charset=\"utf-8\">\
                                 <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
                                 <title>Linked</title></head><body><h1>linked</h1>\
                                 <p>The account is linked. You can close this page.</p></body></html>",
                            )
                        } else {
                            (StatusCode::NOT_FOUND, "not found")
                        };
                        let mut resp =
                            hyper::Response::new(Full::new(Bytes::from_static(page.as_bytes())));
                        *resp.status_mut() = status;
                        resp.headers_mut().insert(
                            hyper::header::CONTENT_TYPE,
                            hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
                        );
                        Ok::<_, Infallible>(resp)
                    }
                });
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        CallbackServer { addr, seen, task }
    }

    fn queries(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
