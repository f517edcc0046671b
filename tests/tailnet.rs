#![cfg(feature = "tailnet")]
//! End-to-end tests of tailnet mode against the offline tailnet lab
//! (scripts/tailnet-lab: Tailscale's test control server, DERP/STUN, pebble
//! and a Funnel relay, all on loopback).
//!
//! Network safety: a tailnet node must never reach anything but the lab.
//! Every test here runs inside a network namespace with only loopback up:
//! if the test process is not in one, it re-runs itself (this one test) under
//! `unshare -n` (`unshare -rn` when not root). If that is impossible the test
//! FAILS, unless MA_ALEXA_SKIP_TAILNET_TESTS=1 says to skip it. Every node
//! runs with the lab's environment (TS_NO_LOGS_NO_SUPPORT, ... see the lab's
//! `env`) and a loopback control URL.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{
    AuthParams, Browser, PASSWORD, PITANGUI, Resp, USER, VENDOR, code_grant, login_form,
    refresh_grant,
};
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-oauth");
const INNER: &str = "MA_ALEXA_TAILNET_INNER";
const SKIP: &str = "MA_ALEXA_SKIP_TAILNET_TESTS";
/// Guards against hangs only (a failing step reports the logs); never a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(180);
const SAFETY_ENV: [&str; 5] = [
    "TS_NO_LOGS_NO_SUPPORT",
    "TS_DISABLE_PORTMAPPER",
    "TS_ASSUME_NETWORK_UP_FOR_TEST",
    "TS_PANIC_IF_HIT_MAIN_CONTROL",
    "TS_NETCHECK_GENERATE_204_URL",
];

// ---------------------------------------------------------------------------
// Isolation

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Only `lo` exists, and it is the only interface: nothing but loopback is reachable.
fn in_loopback_only_netns() -> bool {
    // /proc/self/net/dev lists the interfaces of this process's namespace
    // (unlike /sys/class/net, which shows the namespace sysfs was mounted in).
    let Ok(text) = std::fs::read_to_string("/proc/self/net/dev") else {
        return false;
    };
    let names: Vec<&str> = text
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .map(str::trim)
        .collect();
    names == ["lo"]
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// The lab binary, built with the warm Go caches (outside the namespace when possible).
fn lab_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TAILNET_LAB_BIN") {
        return PathBuf::from(p);
    }
    let out = Command::new(root().join("scripts/tailnet-lab"))
        .arg("--build-only")
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/tailnet-lab --build-only");
    assert!(out.status.success(), "building the tailnet lab failed");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Returns true when the caller should run the test body here; false when
/// the test ran (and passed) in a child process in its own namespace, or
/// was skipped on request.
fn isolated(test: &str) -> bool {
    if std::env::var_os(INNER).is_some() {
        assert!(
            in_loopback_only_netns(),
            "{INNER} is set but this process is not in a loopback-only network namespace"
        );
        return true;
    }
    if in_loopback_only_netns() {
        return true;
    }
    if std::env::var(SKIP).is_ok_and(|v| v == "1") {
        eprintln!(
            "SKIPPED {test}: {SKIP}=1 (tailnet tests need a loopback-only network namespace)"
        );
        return false;
    }
    let unshare_ok = Command::new("unshare")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        unshare_ok,
        "tailnet tests must run in a loopback-only network namespace (a tailnet node would otherwise \
         reach the host network), and unshare(1) is not available to create one. Install util-linux \
         and iproute2, run as root, or set {SKIP}=1 to skip them."
    );
    let lab = lab_binary();
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new("unshare");
    if !is_root() {
        cmd.arg("-r");
    }
    let status = cmd
        .args(["-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"])
        .arg(&exe)
        // --include-ignored: an ignored test (the container's) runs here
        // only because it was asked for by name with --ignored.
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .args(ignored_flag())
        .env(INNER, "1")
        .env("TAILNET_LAB_BIN", &lab)
        .status()
        .expect("run the test under unshare");
    assert!(
        status.success(),
        "{test} failed inside its network namespace ({status}); see its output above. \
         (If unshare itself failed: tailnet tests need root or user namespaces; {SKIP}=1 skips them.)"
    );
    false
}

/// `--include-ignored` when this run was asked for ignored tests.
fn ignored_flag() -> Vec<&'static str> {
    let asked = std::env::args().any(|a| a == "--ignored" || a == "--include-ignored");
    if asked {
        vec!["--include-ignored"]
    } else {
        vec![]
    }
}

/// Polling interval of the synchronous waits (no runtime involved there).
#[allow(clippy::disallowed_methods)]
fn pause() {
    std::thread::sleep(Duration::from_millis(50));
}

// ---------------------------------------------------------------------------
// The lab

struct Lab {
    child: Child,
    info: Value,
    _tmp: tempfile::TempDir,
}

impl Lab {
    fn start(flags: &[&str]) -> Lab {
        let tmp = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(tmp.path().join("lab.log")).unwrap();
        let mut child = Command::new(lab_binary())
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start the tailnet lab");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            let log = std::fs::read_to_string(tmp.path().join("lab.log")).unwrap_or_default();
            panic!("lab printed no JSON ({e}): {line:?}\n{log}")
        });
        let lab = Lab {
            child,
            info,
            _tmp: tmp,
        };
        lab.check_env();
        lab
    }

    fn s(&self, k: &str) -> String {
        self.info[k]
            .as_str()
            .unwrap_or_else(|| panic!("lab JSON has no {k}"))
            .to_owned()
    }

    /// The environment every node runs with.
    fn env(&self) -> BTreeMap<String, String> {
        self.info["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    }

    fn check_env(&self) {
        let env = self.env();
        let control = self.s("control_url");
        assert!(control.starts_with("http://127.0.0.1:"), "{control}");
        for k in SAFETY_ENV {
            assert!(env.contains_key(k), "the lab's env lacks {k}: {env:?}");
        }
        assert!(env["TS_NETCHECK_GENERATE_204_URL"].starts_with(&control));
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// The `serve` process

struct Serve {
    child: Child,
    out: PathBuf,
    err: PathBuf,
}

/// `status --json` of a data directory (run while serve runs, or after).
fn status_json(data: &Path, lab: &Lab) -> Value {
    let out = cli(data, lab, &["status", "--json"], None);
    assert!(out.status.success(), "status: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cli(data: &Path, lab: &Lab, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut c = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .envs(lab.env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = c.stdin.take().unwrap();
    if let Some(s) = stdin {
        std::io::Write::write_all(&mut input, s.as_bytes()).unwrap();
    }
    drop(input);
    c.wait_with_output().unwrap()
}

impl Serve {
    fn start(data: &Path, lab: &Lab, with_authkey: bool, tag: &str) -> Serve {
        Serve::start_with(data, lab, with_authkey, tag, &[])
    }

    /// `start` with more `serve` arguments.
    fn start_with(data: &Path, lab: &Lab, with_authkey: bool, tag: &str, extra: &[&str]) -> Serve {
        let out = data.with_file_name(format!("serve-{tag}.out"));
        let err = data.with_file_name(format!("serve-{tag}.err"));
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir")
            .arg(data)
            .args([
                "--log",
                "info,ma_alexa_oauth::server=debug",
                "--log-format",
                "json",
                "serve",
                "--control-url",
            ])
            .arg(lab.s("control_url"))
            .args(extra)
            .env_remove("TS_AUTHKEY")
            .envs(lab.env())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap());
        if with_authkey {
            cmd.env("TS_AUTHKEY", lab.s("authkey"));
        }
        let child = cmd.spawn().expect("start serve");
        Serve { child, out, err }
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }
    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Waits for the "funnel ready" line; panics with the logs if serve exits first.
    fn wait_ready(&mut self) -> String {
        let t0 = Instant::now();
        loop {
            if let Some(l) = self
                .stdout()
                .lines()
                .find(|l| l.starts_with("funnel ready"))
            {
                return l.to_owned();
            }
            if let Some(st) = self.child.try_wait().unwrap() {
                panic!(
                    "serve exited ({st}) before Funnel was ready\nstdout:\n{}\nstderr:\n{}",
                    self.stdout(),
                    self.stderr()
                );
            }
            assert!(
                t0.elapsed() < HANG_GUARD,
                "serve hangs\nstdout:\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            );
            pause();
        }
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The JSON log lines of stderr.
    fn log_lines(&self) -> Vec<Value> {
        self.stderr()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------
// A public HTTPS client going through the lab's Funnel relay

struct Public {
    funnel: SocketAddr,
    host: String,
    tls: tokio_rustls::TlsConnector,
}

struct Answer {
    resp: Resp,
    local: SocketAddr,
    leaf: Vec<u8>,
}

impl Public {
    fn new(lab: &Lab) -> Public {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(lab.s("ca_cert_file")).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Public {
            funnel: lab.s("funnel_addr").parse().unwrap(),
            host: format!("ma-alexa.{}", lab.s("magic_dns_suffix")),
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        }
    }

    fn origin(&self) -> String {
        format!("https://{}", self.host)
    }

    /// One request on a new TLS connection (SNI and verification for `host`).
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        let tcp = tokio::net::TcpStream::connect(self.funnel).await.unwrap();
        let local = tcp.local_addr().unwrap();
        let name = ServerName::try_from(self.host.clone()).unwrap();
        let tls = tokio::time::timeout(HANG_GUARD, self.tls.connect(name, tcp))
            .await
            .expect("TLS handshake hangs")
            .expect(
                "TLS handshake through Funnel (chain verified against the lab CA and the name)",
            );
        let leaf = tls
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.to_vec())
            .expect("a server certificate");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .unwrap();
        tokio::spawn(conn);
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .unwrap();
        let resp = tokio::time::timeout(HANG_GUARD, sender.send_request(req))
            .await
            .expect("request hangs")
            .unwrap();
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        Answer {
            resp: Resp {
                status: parts.status,
                headers: parts.headers,
                body,
            },
            local,
            leaf,
        }
    }

    /// The TLS handshake only: Ok once the relay reaches the node.
    async fn handshake(&self) -> std::io::Result<()> {
        let tcp = tokio::net::TcpStream::connect(self.funnel).await?;
        let name = ServerName::try_from(self.host.clone()).unwrap();
        let mut tls = self.tls.connect(name, tcp).await?;
        tls.shutdown().await
    }

    /// Waits until the relay reaches the node again (after a restart the
    /// relay's tailnet path to the node takes a moment to re-establish:
    /// its first dial can time out).
    async fn wait_reachable(&self) {
        let t0 = Instant::now();
        let mut n = 0;
        while let Err(e) = self.handshake().await {
            n += 1;
            eprintln!("Funnel not reachable yet (attempt {n}): {e}");
            assert!(
                t0.elapsed() < HANG_GUARD,
                "Funnel never became reachable: {e}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.send("GET", path, headers, None).await
    }

    async fn post_form(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        form: &[(&str, &str)],
    ) -> Answer {
        let mut h = vec![("content-type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        self.send(
            "POST",
            path,
            &h,
            Some(common::encode_form(form).into_bytes()),
        )
        .await
    }
}

// ---------------------------------------------------------------------------
// /proc inspection

/// Socket inodes of `pid`'s open descriptors.
fn socket_inodes(pid: u32) -> BTreeSet<u64> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap() {
        let Ok(target) = std::fs::read_link(e.unwrap().path()) else {
            continue;
        };
        let t = target.to_string_lossy();
        if let Some(n) = t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')) {
            out.insert(n.parse().unwrap());
        }
    }
    out
}

/// Inodes of TCP sockets in LISTEN state in `pid`'s network namespace.
fn listening_tcp_inodes(pid: u32) -> BTreeSet<u64> {
    let mut out = BTreeSet::new();
    for f in ["tcp", "tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{f}")) else {
            continue;
        };
        for l in text.lines().skip(1) {
            let cols: Vec<&str> = l.split_whitespace().collect();
            if cols.get(3) == Some(&"0A") {
                out.insert(cols[9].parse().unwrap());
            }
        }
    }
    out
}

fn listening_tcp_of(pid: u32) -> BTreeSet<u64> {
    let mine = socket_inodes(pid);
    listening_tcp_inodes(pid)
        .intersection(&mine)
        .copied()
        .collect()
}

fn environ(pid: u32) -> BTreeMap<String, String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    raw.split(|b| *b == 0)
        .filter_map(|kv| {
            let s = String::from_utf8_lossy(kv);
            s.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The Alexa linking flow, through Funnel

async fn link_through_funnel(p: &Public, client_id: &str, secret: &str) -> SocketAddr {
    let params = AuthParams::new(client_id, PITANGUI);
    let page = p.get(&params.path(), &[]).await;
    assert_eq!(
        page.resp.status,
        StatusCode::OK,
        "login page: {}",
        page.resp.text()
    );
    let mut jar = Browser::default();
    jar.remember(&page.resp);
    let cookie = jar.cookie_header();
    let fields = common::hidden_fields(&page.resp.text());
    let form = login_form(&fields, USER, PASSWORD, "approve");
    let origin = p.origin();
    let login = p
        .post_form(
            "/alexa/authorize",
            &[
                ("cookie", &cookie),
                ("origin", &origin),
                ("sec-fetch-site", "same-origin"),
            ],
            &form,
        )
        .await;
    assert_eq!(
        login.resp.status,
        StatusCode::SEE_OTHER,
        "login: {}",
        login.resp.text()
    );
    let loc = login.resp.header("location").unwrap();
    assert!(loc.starts_with(PITANGUI), "{loc}");
    let q = login.resp.location_params();
    assert_eq!(q.get("state").map(String::as_str), params.state.as_deref());
    let code = q.get("code").expect("a code").clone();

    let auth = common::basic_header(client_id, secret);
    let tok = p
        .post_form(
            "/alexa/token",
            &[("authorization", &auth)],
            &code_grant(&code, PITANGUI, None),
        )
        .await;
    assert_eq!(
        tok.resp.status,
        StatusCode::OK,
        "token: {}",
        tok.resp.text()
    );
    let t = tok.resp.json();
    assert_eq!(t["token_type"], "Bearer");
    let refresh = t["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    assert!(t["access_token"].as_str().is_some_and(|a| !a.is_empty()));

    let again = p
        .post_form(
            "/alexa/token",
            &[("authorization", &auth)],
            &refresh_grant(&refresh),
        )
        .await;
    assert_eq!(
        again.resp.status,
        StatusCode::OK,
        "refresh: {}",
        again.resp.text()
    );
    login.local
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn tailnet_funnel_end_to_end() {
    if !isolated("tailnet_funnel_end_to_end") {
        return;
    }
    let lab = Lab::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");

    // Register the Alexa skill and a user (no node involved).
    let out = cli(
        &data,
        &lab,
        &["client", "add", "alexa", "--vendor-id", VENDOR, "--json"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (client_id, secret) = (
        reg["client_id"].as_str().unwrap().to_owned(),
        reg["client_secret"].as_str().unwrap().to_owned(),
    );
    let out = cli(
        &data,
        &lab,
        &["user", "add", USER],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The admin page on the node's tailnet address (never Funnel).
    let out = cli(
        &data,
        &lab,
        &["admin", "password"],
        Some("the admin password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let started = Instant::now();
    let mut serve = Serve::start_with(&data, &lab, true, "1", &["--admin-listen", "tailnet:8081"]);
    let ready = serve.wait_ready();
    eprintln!(
        "MEASURE start to Funnel-ready (cold: join + ACME): {} ms (serve says: {ready})",
        started.elapsed().as_millis()
    );
    let p = Public::new(&lab);
    assert!(ready.ends_with(&p.origin()), "{ready}");
    assert!(serve.stdout().contains(&format!(
        "Web Authorization URI: {}/alexa/authorize",
        p.origin()
    )));
    assert!(
        serve.stdout().contains(&format!(
            "admin page listening on your tailnet at http://{}:8081",
            p.host
        )),
        "{}",
        serve.stdout()
    );

    // The node runs with the network-safety environment.
    let env = environ(serve.pid());
    for k in SAFETY_ENV {
        assert_eq!(env.get(k), lab.env().get(k), "{k} in serve's environment");
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // /health through Funnel, TLS verified against the lab's CA and the name.
        let h = p.get("/health", &[]).await;
        assert_eq!(h.resp.status, StatusCode::OK);
        // /health is public: the endpoints, nothing about the node; TLS ends
        // here, so HSTS is on.
        let health = h.resp.json();
        assert_eq!(
            health["endpoints"]["token"],
            format!("{}/alexa/token", p.origin())
        );
        assert!(health.get("tailnet").is_none(), "{health}");
        assert_eq!(
            h.resp.header("strict-transport-security").as_deref(),
            Some("max-age=31536000")
        );
        // The node's state is for `status` (the snapshot serve keeps).
        let node = status_json(&data, &lab)["tailnet"].clone();
        assert_eq!(node["serve_running"], true, "{node}");
        assert_eq!(node["state"], "Running", "{node}");
        assert_eq!(node["funnel"]["listening"], true, "{node}");
        let ips: Vec<String> = node["tailscale_ips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert!(!ips.is_empty());
        let leaf = h.leaf.clone();

        // The server saw the public client's own address (ours), not the relay's.
        let seen: Vec<String> = serve
            .log_lines()
            .iter()
            .filter(|l| l["fields"]["message"] == "connection accepted")
            .map(|l| l["fields"]["peer"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            seen.contains(&h.local.to_string()),
            "serve saw peers {seen:?}; this client is {}",
            h.local
        );

        // The full Alexa linking flow through Funnel; the audit log has our address.
        let login_from = link_through_funnel(&p, &client_id, &secret).await;
        let audit: Vec<Value> = serve
            .log_lines()
            .iter()
            .filter(|l| l["target"] == "audit")
            .filter_map(|l| serde_json::from_str(l["fields"]["message"].as_str()?).ok())
            .collect();
        let login = audit
            .iter()
            .find(|e| e["event"] == "login_succeeded")
            .unwrap_or_else(|| panic!("no login_succeeded in {audit:?}"));
        assert_eq!(login["addr"], login_from.ip().to_string());

        // No listening TCP socket of its own on the host (the check does see the lab's).
        assert!(
            !listening_tcp_of(lab.pid()).is_empty(),
            "the /proc check finds nothing at all"
        );
        assert_eq!(
            listening_tcp_of(serve.pid()),
            BTreeSet::new(),
            "serve has listening TCP sockets"
        );

        // Nothing of the admin page is served through Funnel.
        for path in ["/", "/login", "/model/en-US.json"] {
            let a = p.get(path, &[]).await;
            assert_eq!(
                a.resp.status,
                StatusCode::NOT_FOUND,
                "{path} through Funnel"
            );
        }
        // A second node, from the Rust API in this process, reaches the
        // admin page over the tailnet, but not the Funnel-only listener.
        peer_reaches_the_admin_page_but_not_the_funnel_listener(&lab, &ips[0], tmp.path()).await;
        let still = p.get("/health", &[]).await;
        assert_eq!(still.resp.status, StatusCode::OK);

        // Restart: same identity, name and cached certificate. (The lab's
        // control server wants the auth key on every registration, even of a
        // known node, so it is passed again; a new registration would get new IPs.)
        let cert_file = data.join("tailnet/certs").join(format!("{}.crt", p.host));
        let cert_before = std::fs::read(&cert_file).expect("the cached certificate");
        let st = serve.stop();
        assert!(st.success(), "serve exit status after SIGTERM: {st}");
        let mut serve2 = Serve::start(&data, &lab, true, "2");
        let t1 = Instant::now();
        serve2.wait_ready();
        eprintln!(
            "MEASURE restart to Funnel-ready (cached state and certificate): {} ms",
            t1.elapsed().as_millis()
        );
        p.wait_reachable().await;
        let h2 = p.get("/health", &[]).await;
        assert_eq!(h2.resp.status, StatusCode::OK);
        let node2 = status_json(&data, &lab)["tailnet"].clone();
        assert_eq!(
            node2["serve_running"], true,
            "the restarted serve's snapshot: {node2}"
        );
        assert_eq!(node2["dns_name"], node["dns_name"]);
        assert_eq!(node2["tailscale_ips"], node["tailscale_ips"]);
        assert_eq!(
            h2.leaf, leaf,
            "the restarted node presents a different certificate"
        );
        assert_eq!(std::fs::read(&cert_file).unwrap(), cert_before);

        // `status` reports the tailnet.
        let out = cli(&data, &lab, &["status", "--json"], None);
        assert!(out.status.success());
        let s: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(s["public_url"], p.origin());
        assert_eq!(s["tailnet"]["configured"], true, "{s}");
        assert_eq!(s["tailnet"]["dns_name"], node["dns_name"], "{s}");
        let expires = s["tailnet"]["cert_expires_at"].as_i64();
        assert!(
            expires.is_some_and(|t| t > ma_alexa_oauth::util::now()),
            "{s}"
        );

        if let Ok(rss) = std::fs::read_to_string(format!("/proc/{}/status", serve2.pid())) {
            let rss = rss
                .lines()
                .find(|l| l.starts_with("VmRSS"))
                .unwrap_or("")
                .to_owned();
            eprintln!("MEASURE serve (debug build) after the test traffic: {rss}");
        }
        // `status --check` (the image's HEALTHCHECK): healthy while serving,
        // not once stopped.
        let check = cli(&data, &lab, &["status", "--check"], None);
        let line = String::from_utf8_lossy(&check.stdout).into_owned();
        assert!(check.status.success(), "status --check: {check:?}");
        let name = node["dns_name"].as_str().unwrap().trim_end_matches('.');
        assert!(
            line.starts_with(&format!("healthy: {name} serving through Funnel")),
            "{line}"
        );

        let err_path = serve2.err.clone();
        let st = serve2.stop();
        assert!(st.success(), "serve exit status after SIGTERM: {st}");
        let err = std::fs::read_to_string(err_path).unwrap();
        assert!(!err.contains("panic"), "{err}");
        let check = cli(&data, &lab, &["status", "--check"], None);
        assert_eq!(check.status.code(), Some(1), "{check:?}");
        let why = String::from_utf8_lossy(&check.stderr).into_owned();
        assert!(why.contains("unhealthy: serve is not running"), "{why}");
    });
}

/// A tailnet peer dials the server's tailnet address: on 8081 it gets the
/// admin page's sign-in (`--admin-listen tailnet:8081`); on 443 nothing,
/// the Funnel-only listener is not reachable from the tailnet.
async fn peer_reaches_the_admin_page_but_not_the_funnel_listener(
    lab: &Lab,
    server_ip: &str,
    tmp: &Path,
) {
    use ma_alexa_oauth::tailnet;
    for (k, v) in lab.env() {
        tailnet::setenv(&k, &v).unwrap();
    }
    let node = tailnet::NodeBuilder::new(tmp.join("peer"))
        .hostname("peer")
        .authkey(Some(lab.s("authkey")))
        .control_url(Some(lab.s("control_url")))
        .ephemeral(true)
        .build()
        .unwrap();
    tokio::time::timeout(HANG_GUARD, node.up(|u| panic!("login URL {u}")))
        .await
        .expect("peer up hangs")
        .unwrap();
    let st = node.status().await.unwrap();
    assert_eq!(st.backend_state, "Running");
    assert!(!st.funnel.permitted || st.funnel.listeners == 0);

    let at = |port: u16| {
        if server_ip.contains(':') {
            format!("[{server_ip}]:{port}")
        } else {
            format!("{server_ip}:{port}")
        }
    };
    let mut page = node
        .dial("tcp", &at(8081), Duration::from_secs(30))
        .await
        .expect("the admin page on the tailnet");
    page.write_all(b"GET /login HTTP/1.1\r\nhost: ma-alexa:8081\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(HANG_GUARD, page.read_to_end(&mut buf))
        .await
        .expect("the admin page answers")
        .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.starts_with("HTTP/1.1 200") && text.contains("Sign in"),
        "{text}"
    );
    let target = at(443);
    match node.dial("tcp", &target, Duration::from_secs(30)).await {
        Err(e) => {
            let msg = e.to_string();
            eprintln!("peer dial {target}: {msg}");
            assert!(
                msg.contains("refused") || msg.contains("reset"),
                "the peer should be refused by the server's node, got: {msg}"
            );
        }
        Ok(mut s) => {
            // Connected at the netstack level: it must not be the HTTP app.
            let _ = s
                .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .await;
            let mut buf = Vec::new();
            let r = tokio::time::timeout(HANG_GUARD, s.read_to_end(&mut buf)).await;
            let text = String::from_utf8_lossy(&buf);
            assert!(
                !text.contains("HTTP/1.1"),
                "a tailnet peer reached the Funnel-only listener: {r:?} {text}"
            );
        }
    }
    node.close().await;
}

#[test]
fn tailnet_funnel_denied_exits_with_the_reason() {
    if !isolated("tailnet_funnel_denied_exits_with_the_reason") {
        return;
    }
    // (lab flag, what the reason must say)
    for (flag, reason) in [
        ("-deny-funnel", "\"funnel\" node attribute not set"),
        ("-no-https", "HTTPS"),
    ] {
        let lab = Lab::start(&[flag]);
        assert_eq!(lab.info["funnel_permitted"], false, "{flag}");
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let mut serve = Serve::start(&data, &lab, true, "deny");
        let t0 = Instant::now();
        let status = loop {
            if let Some(st) = serve.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                t0.elapsed() < HANG_GUARD,
                "serve did not exit:\n{}",
                serve.stderr()
            );
            pause();
        };
        let err = serve.stderr();
        assert_eq!(status.code(), Some(1), "{flag}: {err}");
        let line = err
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("{flag}: no error line:\n{err}"));
        eprintln!("{flag}: {line}");
        assert!(
            line.starts_with("error: Funnel is not permitted for this node: ")
                && line.contains(reason),
            "{flag}: {err}"
        );
        assert!(!err.contains("panic"), "{flag}: {err}");
        assert!(!serve.stdout().contains("funnel ready"));
    }
}

#[test]
fn tailnet_interactive_login_reports_the_url_and_stops_cleanly() {
    if !isolated("tailnet_interactive_login_reports_the_url_and_stops_cleanly") {
        return;
    }
    let lab = Lab::start(&["-interactive-login"]);
    let tmp = tempfile::tempdir().unwrap();
    const PROMPT: &str = "To add this server to your tailnet, open this URL and log in: ";
    let wait_url = |s: &mut Serve| -> String {
        let t0 = Instant::now();
        loop {
            if let Some(l) = s.stderr().lines().find(|l| l.starts_with(PROMPT)) {
                return l.trim_start_matches(PROMPT).trim().to_owned();
            }
            if let Some(st) = s.child.try_wait().unwrap() {
                panic!("serve exited ({st}) without a login URL:\n{}", s.stderr());
            }
            assert!(t0.elapsed() < HANG_GUARD, "no login URL:\n{}", s.stderr());
            pause();
        }
    };

    // 1. Stopped while waiting for the login: a clean, prompt exit.
    let mut waiting = Serve::start(&tmp.path().join("a"), &lab, false, "login-a");
    let url = wait_url(&mut waiting);
    assert!(url.starts_with(&lab.s("control_url")), "{url}");
    let err_path = waiting.err.clone();
    let st = waiting.stop();
    let err = std::fs::read_to_string(err_path).unwrap();
    assert_eq!(st.code(), Some(1), "{err}");
    assert!(
        err.contains("error: stopped while joining the tailnet"),
        "{err}"
    );
    assert!(!err.contains("panic"), "{err}");

    // 2. Visiting the URL completes the login; serve goes on to Funnel.
    let mut serve = Serve::start(&tmp.path().join("b"), &lab, false, "login-b");
    let url = wait_url(&mut serve);
    let rest = url.strip_prefix("http://").unwrap();
    let (hostport, path) = rest.split_at(rest.find('/').unwrap());
    let addr: SocketAddr = hostport.parse().unwrap();
    assert!(addr.ip().is_loopback());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = rt.block_on(common::send(addr, "GET", path, &[], None));
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    serve.wait_ready();
    let st = serve.stop();
    assert!(st.success(), "{st}");
}

/// `tailnet::deny_host_listeners` (used by `serve` in tailnet mode) makes
/// listen(2) fail in every thread, including threads that existed before,
/// while UDP sockets and outgoing connections keep working. Irreversible, so
/// it runs in a child process (this test binary, re-executed).
#[test]
fn deny_host_listeners_forbids_listening_in_every_thread() {
    const CHILD: &str = "MA_ALEXA_DENY_LISTEN_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "deny_host_listeners_forbids_listening_in_every_thread",
                "--exact",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("child: listen denied in both threads"),
            "{text}"
        );
        return;
    }
    // Before: listening works.
    let before = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let other = std::thread::spawn(move || {
        rx.recv().unwrap();
        done_tx
            .send(std::net::TcpListener::bind("127.0.0.1:0").map(|_| ()))
            .unwrap();
    });
    ma_alexa_oauth::tailnet::deny_host_listeners().unwrap();
    let here = std::net::TcpListener::bind("127.0.0.1:0");
    tx.send(()).unwrap();
    let there = done_rx.recv().unwrap();
    other.join().unwrap();
    assert_eq!(
        here.unwrap_err().kind(),
        std::io::ErrorKind::PermissionDenied
    );
    assert_eq!(
        there.unwrap_err().kind(),
        std::io::ErrorKind::PermissionDenied
    );
    // What a node needs still works: UDP, and connecting out (to the
    // listener made before the filter).
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    std::net::TcpStream::connect(before.local_addr().unwrap()).unwrap();
    println!("child: listen denied in both threads");
}

/// Where the seccomp filter cannot be installed, tailnet mode's sweep
/// (`tailnet::shut_host_tcp_listeners`) shuts every host TCP listener but
/// the admin page's, named by inode. Process-wide, so it runs in a child
/// process (this test binary, re-executed).
#[test]
fn the_host_listener_sweep_spares_the_admin_pages_socket() {
    use std::os::fd::AsRawFd as _;
    use std::os::unix::fs::MetadataExt as _;
    const CHILD: &str = "MA_ALEXA_SWEEP_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "the_host_listener_sweep_spares_the_admin_pages_socket",
                "--exact",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("child: the page's socket was spared"),
            "{text}"
        );
        return;
    }
    let page = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let ino = std::fs::metadata(format!("/proc/self/fd/{}", page.as_raw_fd()))
        .unwrap()
        .ino();
    let shut = ma_alexa_oauth::tailnet::shut_host_tcp_listeners(&[ino]);
    assert_eq!(
        shut,
        [other.local_addr().unwrap().port()],
        "only the other one"
    );
    let _c = std::net::TcpStream::connect(page.local_addr().unwrap()).unwrap();
    page.accept().expect("the page still accepts");
    assert!(
        std::net::TcpStream::connect(other.local_addr().unwrap()).is_err(),
        "the other listener was shut"
    );
    println!("child: the page's socket was spared");
}

// ---------------------------------------------------------------------------
// The container image (scripts/package), run with podman in the lab

/// Names the image under test, loaded into podman's storage (scripts/test
/// loads dist/ma-alexa-oauth-<version>-image-amd64.docker.tar and sets it).
const IMAGE_ENV: &str = "MA_ALEXA_IMAGE";
/// The image's user and group.
const IMAGE_UID: u32 = 65532;

/// A container of the image, removed when dropped.
struct Container {
    image: String,
    name: String,
    data: PathBuf,
    trust: String,
}

impl Container {
    fn new(image: &str, data: &Path, lab: &Lab) -> Container {
        Container {
            image: image.to_owned(),
            name: format!("ma-alexa-test-{}", std::process::id()),
            data: data.to_owned(),
            trust: lab.env()["SSL_CERT_DIR"].clone(),
        }
    }

    /// `podman run` with the hardening the image is made for: host network
    /// (this loopback-only namespace), read-only root, no capabilities,
    /// no-new-privileges, /data from the host.
    fn run_cmd(&self, lab: &Lab, name: Option<&str>) -> Command {
        let mut c = Command::new("podman");
        // The hardened standalone run (README): the image's user for Home
        // Assistant is root (see Containerfile), everywhere else this one.
        c.args(["run", "--rm", "--network", "host", "--read-only"])
            .args(["--user", "65532:65532"])
            .args(["--cap-drop", "ALL", "--security-opt", "no-new-privileges"])
            .arg("-v")
            .arg(format!("{}:/data", self.data.display()))
            .arg("-v")
            .arg(format!("{0}:{0}:ro", self.trust));
        if let Some(n) = name {
            c.args(["--name", n]);
        }
        for (k, v) in lab.env() {
            c.arg("-e").arg(format!("{k}={v}"));
        }
        c
    }

    /// A one-off command of the image's CLI on the same /data.
    fn cli(&self, lab: &Lab, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut c = self.run_cmd(lab, None);
        c.arg("-i").arg(&self.image).args(args);
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("podman runs");
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            std::io::Write::write_all(&mut input, s.as_bytes()).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "podman run {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `serve` in the container, in the foreground of a `podman run` whose
    /// output goes to files (a [`Serve`]: SIGTERM to it reaches the server).
    fn serve(&self, lab: &Lab, tag: &str) -> Serve {
        let out = self.data.with_file_name(format!("container-{tag}.out"));
        let err = self.data.with_file_name(format!("container-{tag}.err"));
        let mut c = self.run_cmd(lab, Some(&self.name));
        c.arg("-e")
            .arg(format!("TS_AUTHKEY={}", lab.s("authkey")))
            .arg(&self.image)
            .args(["--log-format", "json", "serve", "--control-url"])
            .arg(lab.s("control_url"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap());
        let child = c.spawn().expect("podman runs");
        Serve { child, out, err }
    }

    fn podman(&self, args: &[&str]) -> std::process::Output {
        Command::new("podman").args(args).output().unwrap()
    }

    /// The host pid of the container's main process.
    fn pid(&self) -> u32 {
        let out = self.podman(&["inspect", "--format", "{{.State.Pid}}", &self.name]);
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// The node's snapshot in /data (read from the host).
    fn snapshot(&self) -> Value {
        let raw = std::fs::read(self.data.join("tailnet/ma-alexa-status.json")).unwrap();
        serde_json::from_slice(&raw).unwrap()
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = self.podman(&["rm", "--force", "--time", "5", &self.name]);
    }
}

/// The fields of a /proc/PID/status line, e.g. "Uid:".
fn proc_status(pid: u32, key: &str) -> Vec<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"))
        .split_whitespace()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

/// The image from scripts/package, run with podman inside this loopback-only
/// namespace: joins the lab tailnet, gets its certificate, serves /health and
/// the Alexa link through Funnel, reports healthy to its HEALTHCHECK, runs
/// as the image's user without capabilities, stops cleanly on SIGTERM, and
/// keeps everything in /data across a restart (same node, same client).
#[test]
#[ignore = "needs podman and the image from scripts/package: scripts/test runs it"]
fn container_image_in_the_lab() {
    if !isolated("container_image_in_the_lab") {
        return;
    }
    let image = std::env::var(IMAGE_ENV)
        .unwrap_or_else(|_| panic!("{IMAGE_ENV} names the image to test (scripts/test sets it)"));
    let lab = Lab::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::os::unix::fs::chown(&data, Some(IMAGE_UID), Some(IMAGE_UID)).unwrap();
    let ctr = Container::new(&image, &data, &lab);

    // Register the skill and a user with the image's own CLI.
    let out = ctr.cli(
        &lab,
        &["client", "add", "alexa", "--vendor-id", VENDOR, "--json"],
        None,
    );
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (client_id, secret) = (
        reg["client_id"].as_str().unwrap().to_owned(),
        reg["client_secret"].as_str().unwrap().to_owned(),
    );
    ctr.cli(&lab, &["user", "add", USER], Some(&format!("{PASSWORD}\n")));

    let started = Instant::now();
    let mut serve = ctr.serve(&lab, "1");
    let ready = serve.wait_ready();
    eprintln!(
        "MEASURE container start to Funnel-ready (cold: join + ACME): {} ms (serve says: {ready})",
        started.elapsed().as_millis()
    );
    let p = Public::new(&lab);
    assert!(ready.ends_with(&p.origin()), "{ready}");
    check_container_process(&ctr, &lab);
    let node = ctr.snapshot()["tailnet"].clone();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        p.wait_reachable().await;
        let h = p.get("/health", &[]).await;
        assert_eq!(h.resp.status, StatusCode::OK, "{}", h.resp.text());
        link_through_funnel(&p, &client_id, &secret).await;
    });

    // The image's HEALTHCHECK, as podman runs it, and its line.
    let hc = ctr.podman(&["healthcheck", "run", &ctr.name]);
    assert!(hc.status.success(), "podman healthcheck run: {hc:?}");
    let check = ctr.podman(&[
        "exec",
        &ctr.name,
        "/usr/bin/ma-alexa-oauth",
        "status",
        "--check",
    ]);
    let line = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(check.status.success(), "status --check: {check:?}");
    assert!(line.starts_with("healthy: "), "{line}");

    // SIGTERM (to podman run, which passes it on): a clean stop.
    let err_path = serve.err.clone();
    let st = serve.stop();
    assert!(
        st.success(),
        "the container's exit status after SIGTERM: {st}"
    );
    let err = std::fs::read_to_string(err_path).unwrap();
    assert!(err.contains("stopping the tailnet node"), "{err}");
    assert!(!err.contains("panic"), "{err}");

    // Everything is in /data: the restarted container is the same node and
    // the same client links again.
    let t1 = Instant::now();
    let mut serve2 = ctr.serve(&lab, "2");
    serve2.wait_ready();
    eprintln!(
        "MEASURE container restart to Funnel-ready (state and certificate in /data): {} ms",
        t1.elapsed().as_millis()
    );
    let node2 = ctr.snapshot()["tailnet"].clone();
    assert_eq!(node2["dns_name"], node["dns_name"], "{node2}");
    assert_eq!(node2["tailscale_ips"], node["tailscale_ips"], "{node2}");
    rt.block_on(async {
        p.wait_reachable().await;
        link_through_funnel(&p, &client_id, &secret).await;
    });
    let st = serve2.stop();
    assert!(st.success(), "exit status after the second SIGTERM: {st}");
}

/// Nothing in the container runs as root or holds a capability, and its
/// root file system is read-only.
fn check_container_process(ctr: &Container, lab: &Lab) {
    let pid = ctr.pid();
    let uid = IMAGE_UID.to_string();
    assert_eq!(proc_status(pid, "Uid:"), [uid.as_str(); 4]);
    assert_eq!(proc_status(pid, "Gid:"), [uid.as_str(); 4]);
    assert_eq!(proc_status(pid, "CapEff:"), ["0000000000000000"]);
    assert_eq!(proc_status(pid, "CapBnd:"), ["0000000000000000"]);
    assert_eq!(proc_status(pid, "NoNewPrivs:"), ["1"]);
    // Every process of the container (host pids, as podman lists them).
    let top = ctr.podman(&["top", &ctr.name, "hpid"]);
    let text = String::from_utf8_lossy(&top.stdout).into_owned();
    let pids: Vec<u32> = text
        .lines()
        .skip(1)
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert!(pids.contains(&pid), "podman top: {top:?}");
    for p in pids {
        assert_eq!(proc_status(p, "Uid:"), [uid.as_str(); 4], "process {p}");
    }
    let ro = ctr.podman(&[
        "inspect",
        "--format",
        "{{.HostConfig.ReadonlyRootfs}}",
        &ctr.name,
    ]);
    assert_eq!(String::from_utf8_lossy(&ro.stdout).trim(), "true");
    // The node runs with the network-safety environment.
    let env = environ(pid);
    for k in SAFETY_ENV {
        assert_eq!(
            env.get(k),
            lab.env().get(k),
            "{k} in the container's environment"
        );
    }
}

/// The add-on's page under the seccomp filter: the ingress proxy (from
/// 127.0.0.2) gets it; Funnel serves none of it.
fn rt_page_check(page: SocketAddr, p: &Public) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = common::send_from(
            "127.0.0.2".parse().unwrap(),
            page,
            "GET",
            "/",
            &[
                ("x-ingress-path", "/api/hassio_ingress/abc"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "ha.example"),
            ],
            None,
        )
        .await
        .expect("the page answers the ingress proxy");
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            r.text().contains(&p.origin()),
            "the page shows the Funnel URL"
        );
        let funnel = p
            .get("/", &[("x-ingress-path", "/api/hassio_ingress/abc")])
            .await;
        assert_eq!(
            funnel.resp.status,
            StatusCode::NOT_FOUND,
            "no page through Funnel"
        );
    });
}

/// The Home Assistant add-on's entrypoint in the lab: the auth key comes
/// from options.json; as root it hands the data directory to uid 65532 and
/// runs as that user; the console values are printed once Funnel is ready,
/// with the Funnel URL, and their secret authenticates the client through
/// Funnel; SIGTERM stops it cleanly; a restart prints no secret.
#[test]
fn tailnet_addon_prints_the_console_values_once_funnel_is_ready() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    if !isolated("tailnet_addon_prints_the_console_values_once_funnel_is_ready") {
        return;
    }
    let lab = Lab::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    // The unprivileged user must reach the data directory inside it.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let options = serde_json::json!({
        "tailscale_auth_key": lab.s("authkey"), "device_name": "ma-alexa",
        "alexa_vendor_id": VENDOR, "require_pkce": false, "log_level": "info",
        "new_client_secret": false, "music_assistant_url": "http://127.0.0.1:9",
    });
    ma_alexa_oauth::files::write_private(
        &data.join("options.json"),
        options.to_string().as_bytes(),
    )
    .unwrap();
    // The lab's trust directory (its ACME server's CA) lives in its own
    // private directory; the unprivileged user gets a readable copy.
    let trust = tmp.path().join("trust");
    std::fs::create_dir(&trust).unwrap();
    for e in std::fs::read_dir(&lab.env()["SSL_CERT_DIR"]).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), trust.join(e.file_name())).unwrap();
        std::fs::set_permissions(
            trust.join(e.file_name()),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    std::fs::set_permissions(&trust, std::fs::Permissions::from_mode(0o755)).unwrap();
    let start = |tag: &str| {
        let out = tmp.path().join(format!("addon-{tag}.out"));
        let err = tmp.path().join(format!("addon-{tag}.err"));
        let child = Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .arg("addon")
            .env_remove("TS_AUTHKEY")
            .env_remove("MA_ALEXA_LISTEN")
            .envs(lab.env())
            .env("TS_CONTROL_URL", lab.s("control_url"))
            .env("SSL_CERT_DIR", &trust)
            // The add-on's page for Home Assistant's ingress, as the
            // Supervisor would reach it (its stand-in at 127.0.0.2).
            .env("MA_ALEXA_INGRESS_LISTEN", "127.0.0.1:0")
            .env("MA_ALEXA_INGRESS_PROXY", "127.0.0.2")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .expect("start addon");
        Serve { child, out, err }
    };
    let wait_for = |s: &mut Serve, what: &str| {
        let t0 = Instant::now();
        while !s.stdout().contains(what) {
            if let Some(st) = s.child.try_wait().unwrap() {
                panic!(
                    "addon exited ({st})\nstdout:\n{}\nstderr:\n{}",
                    s.stdout(),
                    s.stderr()
                );
            }
            assert!(
                t0.elapsed() < HANG_GUARD,
                "addon hangs\nstdout:\n{}\nstderr:\n{}",
                s.stdout(),
                s.stderr()
            );
            pause();
        }
    };
    let mut addon = start("1");
    wait_for(&mut addon, "The secret is shown only this once");
    let out = addon.stdout();
    let p = Public::new(&lab);
    let ready_at = out.find("funnel ready").expect("funnel ready line");
    let values_at = out
        .find("Paste these into the Alexa developer console")
        .unwrap();
    assert!(
        ready_at < values_at,
        "console values after Funnel is ready:\n{out}"
    );
    assert!(
        !out.contains("client add alexa"),
        "no CLI advice in the add-on's log:\n{out}"
    );
    assert!(
        out.contains(&format!(
            "Your Web Authorization URI:           {}/alexa/authorize",
            p.origin()
        )),
        "{out}"
    );
    let value = |label: &str| {
        out.lines()
            .find_map(|l| l.trim_start().strip_prefix(label))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {label} in {out}"))
    };
    let (client_id, secret) = (value("Your Client ID:"), value("Your Secret:"));
    let key = lab.s("authkey");
    assert!(
        !out.contains(&key) && !addon.stderr().contains(&key),
        "the auth key is never printed"
    );
    if is_root() {
        let st = std::fs::read_to_string(format!("/proc/{}/status", addon.pid())).unwrap();
        let uid = st.lines().find_map(|l| l.strip_prefix("Uid:")).unwrap();
        assert!(
            uid.split_whitespace().all(|u| u == "65532"),
            "runs as 65532: Uid:{uid}"
        );
        assert_eq!(
            std::fs::metadata(data.join("tailnet")).unwrap().uid(),
            65532
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The page, bound before tailnet mode forbade listen(2): the only
    // listening socket on the host, answering the ingress proxy.
    let page: SocketAddr = out
        .lines()
        .find_map(|l| l.strip_prefix("admin page listening on http://"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no page address in:\n{out}"));
    assert_eq!(
        listening_tcp_of(addon.pid()).len(),
        1,
        "the add-on's only host listener is its page"
    );
    rt_page_check(page, &p);
    rt.block_on(async {
        assert_eq!(p.get("/health", &[]).await.resp.status, StatusCode::OK);
        // The printed secret authenticates the client: a made-up code is
        // then the grant's fault (invalid_grant), not the client's.
        use base64::Engine as _;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", "made-up")
            .append_pair("redirect_uri", PITANGUI)
            .finish();
        let auth = format!("Basic {basic}");
        let a = p
            .send(
                "POST",
                "/alexa/token",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                Some(body.into_bytes()),
            )
            .await;
        assert_eq!(a.resp.status, StatusCode::BAD_REQUEST, "{:?}", a.resp);
        assert_eq!(a.resp.json()["error"], "invalid_grant");
    });
    assert!(addon.stop().success(), "SIGTERM stops it cleanly");
    let mut again = start("2");
    wait_for(&mut again, "console values shown on an earlier start");
    assert!(
        !again.stdout().contains("Your Secret:"),
        "{}",
        again.stdout()
    );
    assert!(again.stop().success());
}
