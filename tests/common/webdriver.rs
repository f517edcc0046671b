//! Headless Chromium through chromedriver's W3C WebDriver HTTP API (plain
//! JSON over loopback HTTP): the driver process, a session with a viewport
//! (a phone's, with mobile emulation, or a desktop's), DevTools commands
//! (`goog/cdp/execute`: dark mode, full-page screenshots).
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`apt-get install
//! chromium chromium-driver`), or `MA_ALEXA_CHROMIUM`/`MA_ALEXA_CHROMEDRIVER`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use serde_json::{Value, json};

use super::send;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A tool's path: the environment variable, else Debian's default.
pub fn tool(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Chromium and chromedriver, or None when the browser tests are skipped
/// (`MA_ALEXA_SKIP_BROWSER=1`); panics with how to install them otherwise.
pub fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    if std::env::var("MA_ALEXA_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped: MA_ALEXA_SKIP_BROWSER=1");
        return None;
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
    Some((chromium, chromedriver))
}

/// A browser window's size; `mobile`: Chromium's phone emulation.
#[derive(Debug, Clone, Copy)]
pub struct Viewport {
    pub width: u64,
    pub height: u64,
    pub mobile: bool,
    pub pixel_ratio: f64,
}

/// chromedriver (and the Chromium it starts) in a process group of its own,
/// killed as a whole when this is dropped, even when the test panics.
pub struct Driver {
    child: Mutex<Option<Child>>,
    pub addr: SocketAddr,
    pub profile: tempfile::TempDir,
}

impl Driver {
    pub fn start(bin: &Path, log: &Path) -> Driver {
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
    pub async fn wait_ready(&self) {
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

    pub fn kill(&self) {
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
pub struct WebDriver {
    addr: SocketAddr,
    session: String,
}

impl WebDriver {
    pub async fn new(
        addr: SocketAddr,
        chromium: &Path,
        profile: &tempfile::TempDir,
        vp: Viewport,
    ) -> WebDriver {
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
                    format!("--window-size={},{}", vp.width, vp.height),
                ],
                // No password-manager prompts or leak checks (which would call out).
                "prefs": {
                    "credentials_enable_service": false,
                    "profile.password_manager_enabled": false,
                    "profile.password_manager_leak_detection": false,
                },
            },
        }}});
        let mut caps = caps;
        if vp.mobile {
            caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": {"width": vp.width, "height": vp.height, "pixelRatio": vp.pixel_ratio}
            });
        }
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

    pub async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        request(self.addr, method, &path, body, Duration::from_secs(45)).await
    }

    pub async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).await;
    }

    pub async fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn title(&self) -> String {
        self.cmd("GET", "/title", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn find_all(&self, css: &str) -> Vec<String> {
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

    pub async fn find(&self, css: &str) -> String {
        let all = self.find_all(css).await;
        assert_eq!(all.len(), 1, "want one {css:?}, found {}", all.len());
        all.into_iter().next().unwrap()
    }

    pub async fn wait_until<T>(&self, what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
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

    pub async fn wait_for(&self, css: &str) -> String {
        self.wait_until(css, async || self.find_all(css).await.into_iter().next())
            .await
    }

    pub async fn text(&self, el: &str) -> String {
        let v = self.cmd("GET", &format!("/element/{el}/text"), None).await;
        v.as_str().unwrap().to_owned()
    }

    pub async fn displayed(&self, el: &str) -> bool {
        let v = self
            .cmd("GET", &format!("/element/{el}/displayed"), None)
            .await;
        v.as_bool().unwrap()
    }

    pub async fn rect(&self, el: &str) -> Value {
        self.cmd("GET", &format!("/element/{el}/rect"), None).await
    }

    /// Clears the field and types `text` into it.
    pub async fn type_into(&self, css: &str, text: &str) {
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

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})))
            .await;
    }

    pub async fn execute(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    // A screenshot is no secret: the 0600 write_private rule does not apply.
    #[allow(clippy::disallowed_methods)]
    pub async fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let v = self.cmd("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }

    /// A Chrome DevTools command (`goog/cdp/execute`).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
        .await
    }

    /// `prefers-color-scheme` as the page sees it: dark or light.
    pub async fn color_scheme(&self, dark: bool) {
        let v = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": v}]}),
        )
        .await;
    }

    /// A screenshot of the whole page, not only the viewport.
    // A screenshot is no secret: the 0600 write_private rule does not apply.
    #[allow(clippy::disallowed_methods)]
    pub async fn full_page_screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let m = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let size = &m["cssContentSize"];
        let (w, h) = (
            size["width"].as_f64().unwrap_or(390.0),
            size["height"].as_f64().unwrap_or(800.0),
        );
        let v = self
            .cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true,
                       "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}}),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["data"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }

    pub async fn quit(&self) {
        self.cmd("DELETE", "", None).await;
    }
}

/// One WebDriver call; panics on a WebDriver error. Returns the `value` member.
pub async fn request(
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
