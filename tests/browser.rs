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
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

const WIDTH: u64 = 390;
const HEIGHT: u64 = 844;
/// A state that a careless encoder would break.
const STATE: &str = "Amzn+st/ate==&x%2F y";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_an_account_in_headless_chromium_on_a_phone() {
    let Some((chromium, chromedriver)) = browser_tools() else {
        return;
    };
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
    let phone = Viewport {
        width: WIDTH,
        height: HEIGHT,
        mobile: true,
        pixel_ratio: 3.0,
    };
    let wd = WebDriver::new(driver.addr, chromium, &driver.profile, phone).await;

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

// ---------------------------------------------------------------------------
// The add-on's page, in Home Assistant's ingress (a stand-in of its proxy)

#[path = "browser/ingress.rs"]
mod ingress;
mod ma_standin;

/// The public URL the page's values are for (a Funnel name).
const FUNNEL_URL: &str = "https://ma-alexa.tail1234.ts.net";
/// The proxy stand-in's source address, the only one the page accepts.
const PROXY: &str = "127.0.0.2";

/// `serve` as the add-on runs it, on loopback: the public listener and the
/// page for the ingress proxy, each address read from what serve printed.
struct PageServe {
    child: std::process::Child,
    public: SocketAddr,
    page: SocketAddr,
}

impl Drop for PageServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_page_serve(dir: &Path, ma_url: &str, trust: &SkillFiles) -> PageServe {
    use std::io::BufRead as _;
    let mut c = command(&[
        "--data-dir",
        dir.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--public-url",
        FUNNEL_URL,
        "--ingress-listen",
        "127.0.0.1:0",
        "--ingress-proxy",
        PROXY,
        "--music-assistant-url",
        ma_url,
        "--skill-test-trust-roots",
        trust.roots.to_str().unwrap(),
        "--skill-test-chain-dir",
        trust.chains.to_str().unwrap(),
    ]);
    c.stderr(std::process::Stdio::null());
    let mut child = c.spawn().expect("serve starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            let _ = tx.send(line);
        }
    });
    let (mut public, mut page) = (None, None);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while public.is_none() || page.is_none() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = rx.recv_timeout(left).expect("serve printed its addresses");
        let addr_after = |marker: &str| {
            line.split_once(marker)
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .and_then(|a| a.parse::<SocketAddr>().ok())
        };
        if line.contains("listening on http://") && !line.starts_with("admin page") {
            public = addr_after("listening on http://");
        } else if line.contains("for Home Assistant's ingress") {
            page = addr_after("admin page listening on http://");
        }
    }
    PageServe {
        child,
        public: public.unwrap(),
        page: page.unwrap(),
    }
}

/// What a tailnet-mode `serve` leaves for `status` and the page (the node's
/// state, its status snapshot, its certificate), as the add-on's data
/// directory holds them: the page then shows the node, Funnel and the
/// certificate's expiry as in Home Assistant.
fn tailnet_snapshot(dir: &Path, host: &str) {
    let tn = dir.join("tailnet");
    std::fs::create_dir_all(tn.join("certs")).unwrap();
    write_file(&tn.join("tailscaled.state"), b"{}");
    let snap = json!({"updated_at": ma_alexa_oauth::util::now(), "pid": std::process::id(),
        "tailnet": {"state": "Running", "dns_name": format!("{host}."),
            "tailscale_ips": ["100.64.0.7"], "https_enabled": true,
            "funnel": {"port": 443, "permitted": true, "reason": "", "listening": true}}});
    write_file(
        &tn.join("ma-alexa-status.json"),
        snap.to_string().as_bytes(),
    );
    let mut params = rcgen::CertificateParams::new(vec![host.to_owned()]).unwrap();
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(80);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    write_file(
        &tn.join("certs").join(format!("{host}.crt")),
        cert.pem().as_bytes(),
    );
}

/// A CLI command's stdout (it must succeed).
fn cli_out(dir: &Path, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["--data-dir", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = command(&all).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A LaunchRequest of our test skill, signed by the test CA, to the skill endpoint.
async fn signed_launch(public: SocketAddr) -> Resp {
    let now = std::time::SystemTime::now();
    let body = skill_body("LaunchRequest", &alexa_timestamp(now), SKILL_ID);
    let sig = skill_ca().sign(&body);
    let url = chain_url(chains::GOOD);
    send(
        public,
        "POST",
        "/alexa/skill",
        &[
            ("content-type", "application/json"),
            ("signaturecertchainurl", &url),
            ("signature-256", &sig),
        ],
        Some(body),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_add_on_page_through_home_assistants_ingress_in_headless_chromium() {
    let Some((chromium, chromedriver)) = browser_tools() else {
        return;
    };
    // Screenshots go under target/ (a test run never changes the tree);
    // `MA_ALEXA_SCREENSHOTS=docs/screenshots` regenerates the committed ones.
    let shots = match std::env::var_os("MA_ALEXA_SCREENSHOTS") {
        Some(dir) => Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser/screenshots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&logs).unwrap();
    let driver = Driver::start(&chromedriver, &logs.join("chromedriver-admin.log"));
    let result = tokio::time::timeout(
        Duration::from_secs(300),
        admin_scenario(&driver, &chromium, &shots),
    )
    .await;
    driver.kill();
    result.expect("the admin page test took longer than 300 s");
}

async fn admin_scenario(driver: &Driver, chromium: &Path, shots: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let trust = skill_ca().write(&tmp.path().join("trust"));
    let ma = ma_standin::Standin::start(&[(USER, PASSWORD, "user")]).await;

    // The console values as `client add --json` reports them.
    let reported: Value = serde_json::from_slice(&cli_out(
        &dir,
        &[
            "client",
            "add",
            "alexa",
            "--vendor-id",
            VENDOR,
            "--public-url",
            FUNNEL_URL,
            "--json",
        ],
    ))
    .unwrap();
    let (client_id, secret) = (
        reported["client_id"].as_str().unwrap().to_owned(),
        reported["client_secret"].as_str().unwrap().to_owned(),
    );
    tailnet_snapshot(&dir, FUNNEL_URL.trim_start_matches("https://"));
    let sv = spawn_page_serve(&dir, &ma.url, &trust);
    let ha = ingress::Ingress::start(sv.page, PROXY.parse().unwrap()).await;
    // An account linked through the Alexa flow (Music Assistant's alice).
    let refresh = link_at(sv.public, &client_id, &secret, Duration::from_secs(30))
        .await
        .expect("a link");
    let refreshed = send(
        sv.public,
        "POST",
        "/alexa/token",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("authorization", &basic_header(&client_id, &secret)),
        ],
        Some(encode_form(&refresh_grant(&refresh)).into_bytes()),
    )
    .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    // Before the skill id is registered, the skill refuses its requests.
    let refused = signed_launch(sv.public).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{}",
        refused.text()
    );

    driver.wait_ready().await;
    let desktop = Viewport {
        width: 1280,
        height: 900,
        mobile: false,
        pixel_ratio: 1.0,
    };
    let wd = WebDriver::new(driver.addr, chromium, &driver.profile, desktop).await;

    // Home Assistant's panel frames the page (same origin: allowed).
    wd.goto(&ha.url(ingress::PANEL)).await;
    wd.wait_until("the page inside Home Assistant's iframe", async || {
        let t = wd
            .execute(
                "var f=document.getElementById('addon');\
                 return f&&f.contentDocument?f.contentDocument.title:'';",
            )
            .await;
        (t == json!("Alexa for Music Assistant")).then_some(())
    })
    .await;

    // The page itself, at its ingress URL.
    wd.goto(&ha.page_url()).await;
    assert_eq!(wd.title().await, "Alexa for Music Assistant");
    let header = wd.text(&wd.find("header").await).await;
    assert!(
        header.contains("Signed in to Home Assistant as Alice"),
        "{header}"
    );
    // The values match `client add --json`, each on its own row.
    for (id, want) in [
        (
            "v-your-web-authorization-uri",
            &reported["authorization_uri"],
        ),
        ("v-access-token-uri", &reported["token_uri"]),
        ("v-your-client-id", &reported["client_id"]),
        ("v-endpoint", &reported["skill_endpoint"]),
        ("v-certificate", &reported["certificate_option"]),
        ("v-scope-1", &reported["scopes"][0]),
        ("v-scope-2", &reported["scopes"][1]),
    ] {
        let got = wd.text(&wd.find(&format!("#{id}")).await).await;
        assert_eq!(json!(got), *want, "#{id}");
    }
    let scheme = wd
        .text(&wd.find("#v-your-authentication-scheme").await)
        .await;
    assert!(
        scheme.starts_with(reported["authentication_scheme"].as_str().unwrap()),
        "{scheme}"
    );
    let status = wd.text(&wd.find("#status").await).await;
    assert!(
        status.contains("reachable, version 2.7.0-standin"),
        "{status}"
    );
    assert!(
        status.contains("ma-alexa.tail1234.ts.net: Funnel on"),
        "{status}"
    );
    assert!(
        status.contains("valid until"),
        "the certificate's expiry: {status}"
    );
    assert!(
        status.contains(USER),
        "the linked Music Assistant account: {status}"
    );
    // A copy button works under the page's CSP (the script runs).
    wd.click("button[data-copy='v-your-client-id']").await;
    wd.wait_until("the copy button to say Copied", async || {
        let t = wd
            .text(&wd.find("button[data-copy='v-your-client-id']").await)
            .await;
        (t == "Copied").then_some(())
    })
    .await;

    // The models: each locale's download is byte for byte `skill model`.
    check_models(&wd, &ha, &dir, None).await;
    wd.type_into("input[name=invocation]", "kitchen music")
        .await;
    wd.click("#model form button").await;
    wd.wait_until("the page with the new invocation name", async || {
        wd.url()
            .await
            .contains("invocation=kitchen+music")
            .then_some(())
    })
    .await;
    check_models(&wd, &ha, &dir, Some("kitchen music")).await;
    wd.type_into("input[name=invocation]", "alexa music").await;
    wd.click("#model form button").await;
    let err = wd.wait_for("#model-error").await;
    assert!(wd.text(&err).await.contains("invocation name"));

    // Registering the skill id: the next signed request verifies.
    wd.goto(&ha.page_url()).await;
    wd.type_into("input[name=skill_id]", SKILL_ID).await;
    wd.click("#endpoint form button[type=submit]").await;
    let notice = wd.wait_for("#notice").await;
    assert!(wd.text(&notice).await.contains("Registered the skill id"));
    let verified = signed_launch(sv.public).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
    wd.goto(&ha.page_url()).await;
    let status = wd.text(&wd.find("#status").await).await;
    assert!(status.contains("last one verified"), "{status}");

    // Screenshots: desktop, light and dark.
    // (with the link still active, a "Revoke" button on its row).
    wd.goto(&ha.page_url()).await;
    for dark in [false, true] {
        wd.color_scheme(dark).await;
        let name = if dark {
            "admin-desktop-dark.png"
        } else {
            "admin-desktop-light.png"
        };
        wd.full_page_screenshot(&shots.join(name)).await;
    }

    wd.color_scheme(false).await;
    // Revoking the link ends it: the refresh token no longer works.
    let revoke = "#accounts form button";
    wd.click(revoke).await;
    let notice = wd.wait_for("#notice").await;
    assert!(wd.text(&notice).await.contains("Revoked the link"));
    let after = send(
        sv.public,
        "POST",
        "/alexa/token",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("authorization", &basic_header(&client_id, &secret)),
        ],
        Some(encode_form(&refresh_grant(&refresh)).into_bytes()),
    )
    .await;
    assert_eq!(after.status, StatusCode::BAD_REQUEST, "{}", after.text());
    assert_eq!(after.json()["error"], "invalid_grant");

    // A new secret, shown once: it authenticates; the old one no longer does.
    wd.color_scheme(false).await;
    wd.click("#linking form button").await;
    let new_secret = wd.text(&wd.wait_for("#v-your-secret").await).await;
    assert_ne!(new_secret, secret);
    for (s, want) in [(&new_secret, "invalid_grant"), (&secret, "invalid_client")] {
        let r = send(
            sv.public,
            "POST",
            "/alexa/token",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("authorization", &basic_header(&client_id, s)),
            ],
            Some(encode_form(&code_grant("made-up", PITANGUI, None)).into_bytes()),
        )
        .await;
        assert_eq!(r.json()["error"], want, "{}", r.text());
    }
    wd.quit().await;

    // On a phone: nothing scrolls sideways; light and dark.
    let phone = Viewport {
        width: WIDTH,
        height: HEIGHT,
        mobile: true,
        pixel_ratio: 1.0,
    };
    let wd = WebDriver::new(driver.addr, chromium, &driver.profile, phone).await;
    wd.goto(&ha.page_url()).await;
    let v = wd
        .execute("return [window.innerWidth, document.documentElement.scrollWidth];")
        .await;
    assert_eq!(v[0], json!(WIDTH), "{v}");
    assert!(
        v[1].as_u64().unwrap() <= WIDTH,
        "the page scrolls sideways at {WIDTH} px: {v}"
    );
    for dark in [false, true] {
        wd.color_scheme(dark).await;
        let name = if dark {
            "admin-phone-dark.png"
        } else {
            "admin-phone-light.png"
        };
        wd.full_page_screenshot(&shots.join(name)).await;
    }
    wd.quit().await;
}

/// Each locale's download link on the page gives `skill model`'s bytes.
async fn check_models(wd: &WebDriver, ha: &ingress::Ingress, dir: &Path, invocation: Option<&str>) {
    for (locale, _) in ma_alexa_oauth::skill::phrases::LOCALES {
        let link = wd
            .find(&format!("a[download='interaction-model-{locale}.json']"))
            .await;
        let href = wd
            .cmd("GET", &format!("/element/{link}/attribute/href"), None)
            .await;
        let href = href.as_str().unwrap().to_owned();
        let path = href.strip_prefix(&ha.url("")).unwrap_or(&href).to_owned();
        let r = send(ha.addr, "GET", &path, &[], None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        let mut args = vec!["skill", "model", "--locale", locale];
        if let Some(name) = invocation {
            args.extend(["--invocation-name", name]);
        }
        let printed = cli_out(dir, &args);
        assert_eq!(
            r.body.as_ref(),
            printed.as_slice(),
            "{locale}: the download is `skill model`'s output"
        );
        assert!(
            r.header("content-disposition")
                .is_some_and(|d| d.contains(&format!("interaction-model-{locale}.json"))),
            "{locale}"
        );
    }
}
