//! The binary as shipped, from the outside: `--version`, registering the
//! skill and a user with its CLI, `serve --listen` on loopback, `/health`
//! and one whole Alexa link. Runs against cargo's binary in every `cargo
//! test`, and against the packaged aarch64 binary under qemu-user in
//! scripts/test (`MA_ALEXA_TEST_BIN`, `MA_ALEXA_TEST_RUNNER`, see
//! tests/common/process.rs).
mod common;
use common::*;

use std::io::Write as _;
use std::process::Stdio;
use std::time::Duration;

use hyper::StatusCode;

/// Liveness bound (under emulation everything is several times slower).
const LIVENESS: Duration = Duration::from_secs(120);

fn run(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut c = command(args);
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("the binary starts");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_and_links_an_account() {
    eprintln!("binary under test: {}", bin().display());
    let out = run(&["--version"], None);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("ma-alexa-oauth {}", env!("CARGO_PKG_VERSION"))
    );

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let out = run(
        &[
            "--data-dir",
            d,
            "client",
            "add",
            "alexa",
            "--vendor-id",
            VENDOR,
            "--json",
        ],
        None,
    );
    let reg: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = reg["client_id"].as_str().unwrap().to_owned();
    let secret = reg["client_secret"].as_str().unwrap().to_owned();
    run(
        &["--data-dir", d, "user", "add", USER],
        Some(&format!("{PASSWORD}\n")),
    );

    let mut sv = spawn_serve(&dir, &[], LIVENESS).unwrap_or_else(|e| panic!("{e}"));
    let h = send_within(LIVENESS, sv.addr, "GET", "/health", &[], None)
        .await
        .expect("/health answers");
    assert_eq!(h.status, StatusCode::OK, "{}", h.text());
    assert_eq!(
        h.json()["endpoints"]["token"],
        format!("http://{}/alexa/token", sv.addr)
    );
    let refresh = link_at(sv.addr, &id, &secret, LIVENESS)
        .await
        .expect("a whole link: login page, login, code, token");
    assert!(!refresh.is_empty());
    // The link is in the store the CLI reads.
    sv.kill();
    let out = run(&["--data-dir", d, "links", "list", "--json"], None);
    let links: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(links.as_array().map(Vec::len), Some(1), "{links}");
    assert_eq!(links[0]["username"], USER);
}
