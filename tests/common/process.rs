//! The real binary as a child process: a command with a clean environment,
//! `serve --listen 127.0.0.1:0` with the address it reports, and a whole
//! Alexa link against such a process.
//!
//! `MA_ALEXA_TEST_BIN` replaces cargo's binary (e.g. the packaged aarch64
//! one, scripts/test), run through `MA_ALEXA_TEST_RUNNER` when set (e.g.
//! `qemu-aarch64-static`).

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::StatusCode;

use super::*;

pub const BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-oauth");

/// The binary under test: `MA_ALEXA_TEST_BIN`, else cargo's [`BIN`].
pub fn bin() -> PathBuf {
    std::env::var_os("MA_ALEXA_TEST_BIN")
        .filter(|b| !b.is_empty())
        .map_or_else(|| PathBuf::from(BIN), PathBuf::from)
}

/// A command running the binary with `args`, nothing inherited from the
/// environment's configuration, stdin closed, stdout and stderr piped.
pub fn command(args: &[&str]) -> Command {
    // Network safety: `serve` without `--listen` joins a tailnet, which these
    // tests must never do (tests/tailnet.rs runs that mode inside a
    // loopback-only namespace against the offline lab). Refuse to build such
    // a command rather than rely on every test remembering.
    if args.contains(&"serve") && !args.contains(&"--listen") && !args.contains(&"--help") {
        panic!("network safety: the tests may only run `serve --listen …`, got {args:?}");
    }
    let mut c = match std::env::var_os("MA_ALEXA_TEST_RUNNER").filter(|r| !r.is_empty()) {
        Some(runner) => {
            let mut c = Command::new(runner);
            c.arg(bin());
            c
        }
        None => Command::new(bin()),
    };
    c.args(args)
        .env_remove("MA_ALEXA_DATA_DIR")
        .env_remove("MA_ALEXA_LISTEN")
        .env_remove("MA_ALEXA_PUBLIC_URL")
        .env_remove("MA_ALEXA_TRUSTED_PROXIES")
        .env_remove("MA_ALEXA_LOG")
        .env_remove("MA_URL")
        .env_remove("MA_ALEXA_SKILL_ID")
        .env_remove("RUST_LOG")
        .env_remove("TS_CONTROL_URL")
        .env_remove("TS_AUTHKEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// A `serve` process and the address it listens on. Dropping it kills the
/// process (SIGKILL) unless [`Served::child`] was taken.
pub struct Served {
    pub child: Option<Child>,
    pub addr: SocketAddr,
    /// What serve printed first (`… listening on http://ADDR`).
    pub first_line: String,
    stderr: Option<JoinHandle<String>>,
}

impl Served {
    /// SIGKILL, and waits for the process to go.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Everything serve wrote to stderr; waits until the process has closed it
    /// (exited), so stop the process first.
    pub fn stderr(&mut self) -> String {
        self.stderr
            .take()
            .map(|t| t.join().unwrap())
            .unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `--data-dir DIR serve --listen 127.0.0.1:0 EXTRA…` (loopback
/// only) and reads the address from its first line of output, waiting up to
/// `limit`. Without one, the process is killed and the error gives what it
/// printed, its exit code and its stderr.
pub fn spawn_serve(dir: &Path, extra: &[&str], limit: Duration) -> Result<Served, String> {
    let mut c = command(&[
        "--data-dir",
        dir.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    c.args(extra);
    let mut child = c.spawn().expect("serve starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        let _ = r.read_line(&mut line);
        let _ = tx.send(line);
        // Keep draining so the server never blocks on a full pipe.
        let _ = std::io::copy(&mut r, &mut std::io::sink());
    });
    let first_line = rx.recv_timeout(limit).unwrap_or_default();
    let addr = first_line
        .trim()
        .rsplit_once("listening on http://")
        .and_then(|(_, a)| a.parse().ok());
    let Some(addr) = addr else {
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        return Err(format!(
            "no address in {first_line:?}; exit {:?}; stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    };
    let mut stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    Ok(Served {
        child: Some(child),
        addr,
        first_line,
        stderr: Some(stderr),
    })
}

/// A cookie-keeping login against a bare address (the server may be a child process).
pub async fn link_at(addr: SocketAddr, id: &str, secret: &str, limit: Duration) -> Option<String> {
    let p = AuthParams::new(id, PITANGUI);
    let page = send_within(limit, addr, "GET", &p.path(), &[], None).await?;
    if page.status != StatusCode::OK {
        return None;
    }
    let mut jar = Browser::default();
    jar.remember(&page);
    let cookie = jar.cookie_header();
    let fields = hidden_fields(&page.text());
    let form = login_form(&fields, USER, PASSWORD, "approve");
    let r = send_within(
        limit,
        addr,
        "POST",
        "/alexa/authorize",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", "null"),
            ("sec-fetch-site", "same-origin"),
            ("cookie", &cookie),
        ],
        Some(encode_form(&form).into_bytes()),
    )
    .await?;
    if r.status != StatusCode::SEE_OTHER {
        return None;
    }
    let code = r.location_params().get("code").cloned()?;
    let t = token_at(addr, id, secret, &code_grant(&code, PITANGUI, None), limit).await?;
    assert_ne!(t.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", t.text());
    (t.status == StatusCode::OK).then(|| t.json()["refresh_token"].as_str().unwrap().to_owned())
}

/// `POST /alexa/token` with `form`, the client authenticated by HTTP Basic,
/// against a bare address (the server may be a child process).
pub async fn token_at(
    addr: SocketAddr,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
    limit: Duration,
) -> Option<Resp> {
    let auth = basic_header(id, secret);
    send_within(
        limit,
        addr,
        "POST",
        "/alexa/token",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("authorization", &auth),
        ],
        Some(encode_form(form).into_bytes()),
    )
    .await
}
