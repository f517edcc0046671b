//! `ma-alexa-oauth addon`, the Home Assistant add-on's entrypoint, with a
//! fake `options.json` in a temporary data directory: first start, second
//! start, changed options, a new secret asked for, bad options.
//!
//! Network safety: every run has `MA_ALEXA_LISTEN=127.0.0.1:0` (the
//! entrypoint's testing-only way to serve plain HTTP on loopback instead of
//! joining a tailnet) and, should that ever be ignored, a dead loopback
//! control URL and Tailscale's own test knobs that forbid its real servers.
//!
//! When the tests run as root (as here and in CI), the entrypoint also hands
//! the data directory to uid 65532 and re-executes itself as that user: the
//! tests check the ownership and the serving process's ids.
//!
//! `addon/hardening.rs`: a hostile data directory and hostile options.

use std::io::{BufRead as _, BufReader, Read as _};
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use ma_alexa_oauth::cli::{ADDON_UID, alexa_redirect_uris};
use ma_alexa_oauth::oauth::client_auth;
use ma_alexa_oauth::store::{self, Client, Store};
use serde_json::{Value, json};

#[path = "addon/hardening.rs"]
mod hardening;

const BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-oauth");
/// The ingress proxy's stand-in address (bound as the source address).
const INGRESS_PROXY: &str = "127.0.0.2";
/// How long a start may take before the test gives up (a hang guard, not a
/// speed assertion).
const START_LIMIT: Duration = Duration::from_secs(120);
/// The ready hook's last line in each case.
const READY_MARKERS: [&str; 3] = [
    "The secret is shown only this once",
    "console values shown on an earlier start",
    "No Alexa skill registered yet",
];

fn addon_command(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(dir)
        .arg("addon")
        .env_remove("MA_ALEXA_DATA_DIR")
        .env_remove("MA_ALEXA_LOG")
        .env_remove("MA_URL")
        .env_remove("TS_AUTHKEY")
        .env_remove("MA_ALEXA_HOSTNAME")
        .env_remove("MA_ALEXA_PUBLIC_URL")
        // Testing only: plain HTTP on loopback, never a tailnet.
        .env("MA_ALEXA_LISTEN", "127.0.0.1:0")
        // The add-on's page on loopback (not 0.0.0.0:8099), for a stand-in
        // of Home Assistant's ingress proxy at 127.0.0.2.
        .env("MA_ALEXA_INGRESS_LISTEN", "127.0.0.1:0")
        .env("MA_ALEXA_INGRESS_PROXY", INGRESS_PROXY)
        // Belt and braces, should MA_ALEXA_LISTEN ever be ignored.
        .env("TS_CONTROL_URL", "http://127.0.0.1:9")
        .env("TS_PANIC_IF_HIT_MAIN_CONTROL", "1")
        .env("TS_NO_LOGS_NO_SUPPORT", "true")
        .env("TS_DISABLE_PORTMAPPER", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn write_options(dir: &Path, opts: &Value) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(dir.join("options.json"))
        .unwrap();
    f.write_all(opts.to_string().as_bytes()).unwrap();
}

/// The Supervisor's options for this add-on (config.yaml's defaults), with `over` applied.
fn options(over: Value) -> Value {
    let mut o = json!({
        "tailscale_auth_key": "", "device_name": "ma-alexa", "alexa_vendor_id": "",
        "require_pkce": false, "log_level": "info", "new_client_secret": false,
        "music_assistant_url": "http://127.0.0.1:9",
    });
    for (k, v) in over.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1)
        == 0
}

/// What one start printed, and the serving process's uid and gid.
struct Run {
    stdout: String,
    stderr: String,
    ids: Option<(u32, u32)>,
}

/// Starts the entrypoint, waits until the ready hook has printed, reads the
/// serving process's ids, then stops it with SIGTERM.
fn start(dir: &Path, opts: &Value) -> Run {
    write_options(dir, opts);
    let mut child = addon_command(dir).spawn().expect("addon starts");
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            let ready = READY_MARKERS.iter().any(|m| line.contains(m));
            all.push_str(&line);
            all.push('\n');
            if ready {
                let _ = tx.send(());
            }
        }
        all
    });
    let ready = rx.recv_timeout(START_LIMIT).is_ok();
    let ids = ready.then(|| process_ids(child.id())).flatten();
    stop(&mut child);
    let stdout = reader.join().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        ready,
        "the entrypoint never got ready\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    Run {
        stdout,
        stderr,
        ids,
    }
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Effective uid and gid of a process, from /proc.
fn process_ids(pid: u32) -> Option<(u32, u32)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u32> {
        s.lines()
            .find_map(|l| l.strip_prefix(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("Uid:")?, field("Gid:")?))
}

/// A console value printed as `  Label:   value`.
fn console_value(stdout: &str, label: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .map(|v| v.trim().to_owned())
}

fn clients(dir: &Path) -> Vec<Client> {
    let store = Store::open(&dir.join("ma-alexa-oauth.sqlite3")).unwrap();
    store.with(|c| store::list_clients(c)).unwrap()
}

fn only_client(dir: &Path) -> Client {
    let mut all = clients(dir);
    assert_eq!(all.len(), 1, "one client");
    all.remove(0)
}

#[test]
fn first_start_registers_the_client_and_prints_the_console_values_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let run = start(dir, &options(json!({ "alexa_vendor_id": "M2ABCDEF" })));
    let out = &run.stdout;
    let secret = console_value(out, "Your Secret:").expect("the secret is printed");
    let id = console_value(out, "Your Client ID:").expect("the client id is printed");
    let authorize = console_value(out, "Your Web Authorization URI:").unwrap();
    assert!(
        authorize.starts_with("http://127.0.0.1:") && authorize.ends_with("/alexa/authorize"),
        "{authorize}"
    );
    assert_eq!(out.matches("Your Secret:").count(), 1, "once");
    assert!(
        !run.stderr.contains(&secret),
        "the secret goes to the console values only"
    );
    let c = only_client(dir);
    assert_eq!(c.id, id);
    assert_eq!(c.vendor_id.as_deref(), Some("M2ABCDEF"));
    assert_eq!(c.redirect_uris, alexa_redirect_uris("M2ABCDEF"));
    assert!(!c.require_pkce);
    assert_eq!(
        c.secret_hash,
        client_auth::secret_hash(&secret),
        "the printed secret is the client's"
    );
    if running_as_root() {
        assert_eq!(
            run.ids,
            Some((ADDON_UID, ADDON_UID)),
            "serving as the unprivileged user"
        );
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let md = std::fs::symlink_metadata(e.path()).unwrap();
            let want = if e.file_name() == "options.json" {
                0
            } else {
                ADDON_UID
            };
            assert_eq!(md.uid(), want, "{:?}", e.file_name());
        }
        assert_eq!(
            std::fs::metadata(dir).unwrap().uid(),
            ADDON_UID,
            "the data directory"
        );
    } else {
        eprintln!("not root: the hand-over to uid {ADDON_UID} is not exercised");
    }
}

#[test]
fn second_start_with_the_same_options_changes_nothing_and_prints_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let opts = options(json!({ "alexa_vendor_id": "M2ABCDEF", "require_pkce": true }));
    let first = start(dir, &opts);
    assert!(first.stdout.contains("Your Secret:"));
    let before = only_client(dir);
    let second = start(dir, &opts);
    assert!(!second.stdout.contains("Your Secret:"), "{}", second.stdout);
    assert!(
        second
            .stdout
            .contains("console values shown on an earlier start")
    );
    let secret = console_value(&first.stdout, "Your Secret:").unwrap();
    assert!(!second.stdout.contains(&secret) && !second.stderr.contains(&secret));
    let after = only_client(dir);
    assert_eq!(
        (
            &after.id,
            &after.redirect_uris,
            after.require_pkce,
            after.secret_hash,
            &after.vendor_id
        ),
        (
            &before.id,
            &before.redirect_uris,
            before.require_pkce,
            before.secret_hash,
            &before.vendor_id
        )
    );
    assert!(after.require_pkce);
}

#[test]
fn changed_options_update_the_client_and_keep_its_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    start(dir, &options(json!({ "alexa_vendor_id": "M2ABCDEF" })));
    let before = only_client(dir);
    let run = start(
        dir,
        &options(json!({ "alexa_vendor_id": "M3XYZ", "require_pkce": true })),
    );
    assert!(!run.stdout.contains("Your Secret:"));
    let after = only_client(dir);
    assert_eq!(after.id, before.id, "the same client");
    assert_eq!(after.secret_hash, before.secret_hash, "the same secret");
    assert_eq!(after.vendor_id.as_deref(), Some("M3XYZ"));
    assert_eq!(after.redirect_uris, alexa_redirect_uris("M3XYZ"));
    assert!(after.require_pkce);
    assert!(
        run.stderr.contains("vendor id now M3XYZ") && run.stderr.contains("require PKCE on"),
        "{}",
        run.stderr
    );
    // PKCE back off; an emptied vendor id leaves the client as it is.
    start(
        dir,
        &options(json!({ "alexa_vendor_id": "", "require_pkce": false })),
    );
    let last = only_client(dir);
    assert!(!last.require_pkce);
    assert_eq!(last.redirect_uris, alexa_redirect_uris("M3XYZ"));
}

#[test]
fn a_new_secret_is_made_once_per_request() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let first = start(dir, &options(json!({ "alexa_vendor_id": "M2ABCDEF" })));
    let old = console_value(&first.stdout, "Your Secret:").unwrap();
    let asked = options(json!({ "alexa_vendor_id": "M2ABCDEF", "new_client_secret": true }));
    let run = start(dir, &asked);
    let new = console_value(&run.stdout, "Your Secret:").expect("a new secret");
    assert_ne!(new, old);
    assert_eq!(only_client(dir).secret_hash, client_auth::secret_hash(&new));
    let again = start(dir, &asked);
    assert!(
        !again.stdout.contains("Your Secret:"),
        "still on: no further secret"
    );
    start(dir, &options(json!({ "alexa_vendor_id": "M2ABCDEF" })));
    let third = start(dir, &asked);
    let newer = console_value(&third.stdout, "Your Secret:").expect("on again: another secret");
    assert_ne!(newer, new);
}

#[test]
fn without_a_vendor_id_nothing_is_registered() {
    let tmp = tempfile::tempdir().unwrap();
    let run = start(tmp.path(), &options(json!({})));
    assert!(run.stdout.contains("No Alexa skill registered yet"));
    assert!(clients(tmp.path()).is_empty());
}

/// Runs the entrypoint to its exit (bad options never serve; a hang guard
/// kills it).
fn run_to_exit(dir: &Path) -> (Option<i32>, String, String) {
    let mut child = addon_command(dir).spawn().unwrap();
    let mut out = String::new();
    let mut err = String::new();
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let _ = so.read_to_string(&mut out);
    let status = child.wait().unwrap();
    err.push_str(&t.join().unwrap());
    (status.code(), out, err)
}

fn snapshot(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let md = std::fs::symlink_metadata(e.path()).unwrap();
            let bytes = if md.is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (
                e.file_name().to_string_lossy().into_owned(),
                md.uid(),
                bytes,
            )
        })
        .filter(|(n, _, _)| n != "options.json")
        .collect();
    v.sort();
    v
}

#[test]
fn bad_options_are_one_line_and_exit_2_with_nothing_started_or_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A data directory already in use: a bad start must not touch it.
    start(dir, &options(json!({ "alexa_vendor_id": "M2ABCDEF" })));
    let fresh = tempfile::tempdir().unwrap();
    let cases = [
        (json!({ "alexa_vendor_id": "M2-ABC" }), "alexa_vendor_id"),
        (json!({ "device_name": "not a name" }), "device_name"),
        (json!({ "require_pkce": "yes" }), "require_pkce"),
        (json!({ "log_level": "chatty" }), "log_level"),
        (
            json!({ "music_assistant_url": "https://ma.example" }),
            "music_assistant_url",
        ),
        (
            json!({ "tailscale_auth_key": "tskey-auth-k3y with-a-space" }),
            "tailscale_auth_key",
        ),
        (json!({ "surprise": true }), "surprise"),
    ];
    for d in [dir, fresh.path()] {
        let before = snapshot(d);
        let owner = std::fs::metadata(d).unwrap().uid();
        for (over, name) in &cases {
            write_options(d, &options(over.clone()));
            let (code, out, err) = run_to_exit(d);
            let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
            assert_eq!(code, Some(2), "{over}: exit 2; stderr {err}");
            assert_eq!(lines.len(), 1, "{over}: one line: {err:?}");
            assert!(
                lines[0].starts_with("error: add-on options: ") && lines[0].contains(name),
                "{over}: {err}"
            );
            assert!(!err.contains("k3y"), "the auth key never appears: {err}");
            assert!(out.is_empty(), "{over}: nothing started: {out}");
            assert_eq!(
                snapshot(d),
                before,
                "{over}: nothing changed in the data directory"
            );
            assert_eq!(
                std::fs::metadata(d).unwrap().uid(),
                owner,
                "{over}: ownership unchanged"
            );
        }
    }
    assert!(
        !fresh.path().join("ma-alexa-oauth.sqlite3").exists(),
        "no database made"
    );
    // Not JSON, and no options file at all.
    std::fs::File::create(fresh.path().join("options.json")).unwrap();
    let (code, _, err) = run_to_exit(fresh.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("not valid JSON") && err.lines().count() == 1,
        "{err}"
    );
    std::fs::remove_file(fresh.path().join("options.json")).unwrap();
    let (code, _, err) = run_to_exit(fresh.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("cannot read the add-on options") && err.lines().count() == 1,
        "{err}"
    );
}

/// An image that starts as root for the add-on sets `MA_ALEXA_RUN_AS`:
/// every other command started as root then runs as that user (`serve`, the
/// health check, commands run with `exec`), so none leaves root's files in
/// the data directory.
#[test]
fn with_ma_alexa_run_as_other_commands_started_as_root_run_as_that_user() {
    if !running_as_root() {
        eprintln!("not root: nothing to hand over");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::os::unix::fs::chown(dir, Some(ADDON_UID), Some(ADDON_UID)).unwrap();
    let run = |env: Option<&str>, args: &[&str]| {
        let mut c = Command::new(BIN);
        c.arg("--data-dir")
            .arg(dir)
            .args(args)
            .env_remove("MA_ALEXA_RUN_AS");
        if let Some(v) = env {
            c.env("MA_ALEXA_RUN_AS", v);
        }
        c.stdin(Stdio::null()).output().unwrap()
    };
    let out = run(
        Some("65532"),
        &["client", "add", "alexa", "--vendor-id", "M2ABC", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let md = std::fs::symlink_metadata(e.path()).unwrap();
        assert_eq!(
            (md.uid(), md.gid()),
            (ADDON_UID, ADDON_UID),
            "{:?}",
            e.file_name()
        );
    }
    let out = run(Some("65532:65532"), &["status", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clients"], 1);
    let out = run(Some("nobody"), &["status"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("MA_ALEXA_RUN_AS must be UID or UID:GID") && err.lines().count() == 1,
        "{err}"
    );
}

/// The add-on serves its page for Home Assistant's ingress: to the proxy's
/// address only, with the console values of its client, and its log points
/// there (no shell commands).
#[test]
fn the_add_on_serves_its_page_to_the_ingress_proxy_and_its_log_points_there() {
    use std::net::SocketAddr;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_options(dir, &options(json!({ "alexa_vendor_id": "M2ABCDEF" })));
    let mut child = addon_command(dir).spawn().expect("addon starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut out = String::new();
    let mut page: Option<SocketAddr> = None;
    while !out.contains(READY_MARKERS[0]) {
        let line = rx.recv_timeout(START_LIMIT).unwrap_or_else(|_| {
            stop(&mut child);
            panic!("the add-on never got ready:\n{out}")
        });
        if let Some(rest) = line.strip_prefix("admin page listening on http://") {
            page = rest.split_whitespace().next().and_then(|a| a.parse().ok());
            assert!(line.contains(INGRESS_PROXY), "{line}");
        }
        out.push_str(&line);
        out.push('\n');
    }
    let page = page.unwrap_or_else(|| panic!("no page address in:\n{out}"));
    let id = console_value(&out, "Your Client ID:").unwrap();
    assert!(
        out.contains("the add-on's page"),
        "the log points at the page:\n{out}"
    );
    assert!(
        !out.contains("skill id add"),
        "no shell commands in the add-on's log:\n{out}"
    );
    // One GET of the page from the local address `from`; None when the
    // connection is closed without an answer.
    let get = |from: &str, headers: &[(&str, &str)]| -> Option<(u16, String)> {
        use std::io::Write as _;
        let mut s = connect_from(from, page)?;
        let mut req = format!("GET / HTTP/1.1\r\nHost: {page}\r\nConnection: close\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).ok()?;
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        let code = resp.split_whitespace().nth(1)?.parse().ok()?;
        Some((code, resp))
    };
    let ingress = [
        ("X-Ingress-Path", "/api/hassio_ingress/abc123"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "ha.example"),
    ];
    let (code, body) = get(INGRESS_PROXY, &ingress).expect("the page answers the proxy");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains(&id), "the page shows the add-on's client");
    assert!(
        body.contains("alexa_vendor_id")
            || body.contains("alexa_skill_id")
            || body.contains("require_pkce"),
        "the add-on's options, not shell commands"
    );
    let (code, _) = get(INGRESS_PROXY, &[]).expect("an answer");
    assert_eq!(code, 400, "without the ingress headers");
    assert!(
        get("127.0.0.1", &ingress).is_none(),
        "another address gets no answer"
    );
    stop(&mut child);
}

/// A TCP connection to `to` from the local address `from`.
fn connect_from(from: &str, to: std::net::SocketAddr) -> Option<std::net::TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().ok()?;
        sock.bind(std::net::SocketAddr::new(from.parse().ok()?, 0))
            .ok()?;
        let s = sock.connect(to).await.ok()?;
        s.into_std()
            .ok()
            .and_then(|s| s.set_nonblocking(false).ok().map(|()| s))
    })
}
