//! Crash safety and load (issue 5): kill -9 in a loop while an Alexa-like
//! client links and refreshes; slow clients above the connection cap; the
//! database locked by another process; a full disk; a read-only data directory
//! at start, and a file system that turns read-only under the running server.
//!
//! N parallel refreshes of one token: see tests/concurrency.rs and
//! checklist.rs `concurrent_refreshes_all_answer` (not duplicated here).
mod common;
use common::*;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hyper::StatusCode;
use ma_alexa_oauth::store;

/// Liveness bound: a generous limit for things that must happen at all.
const LIVENESS: Duration = Duration::from_secs(20);

/// Client and user written straight into the store before the server starts.
fn provision(dir: &Path) -> (String, String) {
    let st = ma_alexa_oauth::startup::open_store(dir).unwrap();
    let client = insert_alexa_client(&st);
    insert_user(&st, USER, PASSWORD);
    client
}

fn integrity(dir: &Path) -> Vec<String> {
    let conn = store::open_connection(&dir.join(ma_alexa_oauth::startup::DB_FILE)).unwrap();
    store::integrity_problems(&conn).unwrap()
}

async fn token(addr: SocketAddr, id: &str, secret: &str, form: &[(&str, &str)]) -> Option<Resp> {
    let auth = basic_header(id, secret);
    send_within(
        LIVENESS,
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

/// Refresh tokens rotate? If the server rotates, the client keeps the newest
/// token it was told about; otherwise the same token keeps working. Either
/// way "every token the client was told about" is the latest per link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loop_keeps_every_told_token() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (id, secret) = provision(&dir);
    let started = Instant::now();
    let mut told: Vec<String> = Vec::new(); // latest refresh token per link
    let mut kills = 0;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id());
    let mut rnd = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    while kills < 15 && started.elapsed() < Duration::from_secs(45) {
        let served = spawn_serve(&dir, &[], LIVENESS).expect("restart on the same data dir");
        let addr = served.addr;
        // Every token the client was told about still works.
        for rt in told.iter_mut() {
            let r = token(addr, &id, &secret, &refresh_grant(rt))
                .await
                .expect("the restarted server answers");
            assert_eq!(
                r.status,
                StatusCode::OK,
                "after {kills} kills: {}",
                r.text()
            );
            if let Some(n) = r.json()["refresh_token"].as_str() {
                *rt = n.to_owned();
            }
        }
        // Concurrent traffic: one linker, two refreshers; killed at a random point.
        let told_snapshot = told.clone();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, String)>();
        let mut tasks = tokio::task::JoinSet::new();
        {
            let (id, secret, tx) = (id.clone(), secret.clone(), tx.clone());
            tasks.spawn(async move {
                while let Some(rt) = link_at(addr, &id, &secret, LIVENESS).await {
                    let _ = tx.send((usize::MAX, rt));
                }
            });
        }
        for (i, rt) in told_snapshot.into_iter().enumerate().take(4) {
            let (id, secret, tx) = (id.clone(), secret.clone(), tx.clone());
            tasks.spawn(async move {
                let mut rt = rt;
                loop {
                    let Some(r) = token(addr, &id, &secret, &refresh_grant(&rt)).await else {
                        break;
                    };
                    assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
                    assert_eq!(r.status, StatusCode::OK, "live refresh: {}", r.text());
                    if let Some(n) = r.json()["refresh_token"].as_str() {
                        rt = n.to_owned();
                        let _ = tx.send((i, rt.clone()));
                    }
                }
            });
        }
        drop(tx);
        tokio::time::sleep(Duration::from_millis(100 + rnd(1200))).await;
        let mut served = served;
        served.kill(); // SIGKILL
        kills += 1;
        while let Some(j) = tasks.join_next().await {
            j.unwrap(); // a panic in a task (500, invalid_grant) fails the test
        }
        while let Ok((i, rt)) = rx.try_recv() {
            if i == usize::MAX {
                told.push(rt);
            } else {
                told[i] = rt;
            }
        }
        let problems = integrity(&dir);
        assert!(problems.is_empty(), "after kill {kills}: {problems:?}");
    }
    // A last restart proves every token once more.
    let served = spawn_serve(&dir, &[], LIVENESS).unwrap();
    for rt in &told {
        let r = token(served.addr, &id, &secret, &refresh_grant(rt))
            .await
            .unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    drop(served);
    assert!(integrity(&dir).is_empty());
    println!(
        "kill -9 loop: {kills} kills survived, {} links held, {:?}",
        told.len(),
        started.elapsed()
    );
    assert!(kills >= 5 && !told.is_empty());
}

// ---------------------------------------------------------------------------
// Slow clients

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_trickling_connections_above_the_cap_do_not_stop_service() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let s = TestServer::start_with(|c| {
        c.limits.max_connections = 8;
        c.limits.header_timeout = Duration::from_millis(300);
    })
    .await;
    let addr = s.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tricklers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let stop = stop.clone();
        tricklers.spawn(async move {
            // Reconnect whenever cut off, and keep trickling one byte every 50 ms.
            // From their own address (127.0.0.5): a client's connections
            // beyond its share replace one another, so a well-behaved client
            // on the same address would compete with them (robustness.rs
            // tests the share itself).
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok(sock) = tokio::net::TcpSocket::new_v4() else {
                    continue;
                };
                if sock.bind("127.0.0.5:0".parse().unwrap()).is_err() {
                    continue;
                }
                let Ok(c) = sock.connect(addr).await else {
                    continue;
                };
                let (mut r, mut w) = c.into_split();
                let mut head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_vec();
                head.extend(std::iter::repeat_n(b'z', 1000));
                let mut buf = [0u8; 256];
                for b in head {
                    if stop.load(std::sync::atomic::Ordering::Relaxed)
                        || w.write_all(&[b]).await.is_err()
                    {
                        break;
                    }
                    // A closed connection reads 0 (or an error) at once.
                    if tokio::time::timeout(Duration::from_millis(50), r.read(&mut buf))
                        .await
                        .is_ok()
                    {
                        break;
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A well-behaved client: every request completes within the liveness bound.
    let started = Instant::now();
    for i in 0..5 {
        let r = tokio::time::timeout(LIVENESS, send(addr, "GET", "/health", &[], None))
            .await
            .unwrap_or_else(|_| panic!("request {i} starved by trickling connections"));
        assert_eq!(r.status, StatusCode::OK);
    }
    let took = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    while tricklers.join_next().await.is_some() {}
    println!("5 requests among 50 trickling connections (cap 8): {took:?}");
    s.stop().await;
}

// ---------------------------------------------------------------------------
// Database locked by another process at start

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_locked_by_another_process_at_start() {
    for mode in ["write transaction", "exclusive locking mode"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let (id, secret) = provision(&dir);
        let path = dir.join(ma_alexa_oauth::startup::DB_FILE);
        let other = rusqlite::Connection::open(&path).unwrap();
        if mode == "exclusive locking mode" {
            other
                .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE users SET created_at = created_at; COMMIT;")
                .unwrap();
        } else {
            other
                .execute_batch("BEGIN EXCLUSIVE; UPDATE users SET created_at = created_at;")
                .unwrap();
        }
        match spawn_serve(&dir, &[], LIVENESS) {
            Err(msg) => {
                // A clear error at start.
                assert!(
                    msg.contains("exit Some(1)")
                        && (msg.contains("busy") || msg.contains("locked")),
                    "{mode}: {msg}"
                );
                println!("{mode}: refused at start: {msg}");
            }
            Ok(served) => {
                // Running: a request that must write says 503 temporarily_unavailable.
                let r = token(
                    served.addr,
                    &id,
                    &secret,
                    &code_grant("no-such-code", PITANGUI, None),
                )
                .await
                .expect("an answer");
                assert!(
                    r.status == StatusCode::SERVICE_UNAVAILABLE
                        && r.error() == "temporarily_unavailable"
                        || r.status == StatusCode::BAD_REQUEST && r.error() == "invalid_grant",
                    "{mode}: {} {}",
                    r.status,
                    r.text()
                );
                let h = send_within(LIVENESS, served.addr, "GET", "/health", &[], None).await;
                assert!(h.is_some(), "{mode}: health answers");
                println!("{mode}: started; unknown-code redemption said {}", r.status);
                drop(served);
            }
        }
        drop(other); // releases the lock (rolls back the open transaction)
        let served = spawn_serve(&dir, &[], LIVENESS).expect("starts once the lock is gone");
        let rt = link_at(served.addr, &id, &secret, LIVENESS).await;
        assert!(rt.is_some(), "{mode}: linking works after the lock is gone");
        drop(served);
        assert!(integrity(&dir).is_empty(), "{mode}");
    }
}

// ---------------------------------------------------------------------------
// Disk full and read-only data directory (a small tmpfs; needs root + mount)

struct Mount(std::path::PathBuf);

impl Mount {
    /// Mounts a tmpfs of `size`, or says why not.
    fn tmpfs(at: &Path, size: &str) -> Result<Mount, String> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Mount(at.to_owned()))
    }

    fn remount(&self, opt: &str) {
        let st = Command::new("mount")
            .args(["-o", &format!("remount,{opt}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(st.success(), "remount {opt}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system holding `dir` until writes fail.
fn fill(dir: &Path) -> std::path::PathBuf {
    use std::io::Write as _;
    let p = dir.join("filler");
    let mut f = std::fs::File::create(&p).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let small = [0u8; 512];
    while f.write_all(&small).is_ok() {}
    let _ = f.sync_all();
    p
}

fn unavailable_or(r: &Resp, ok: StatusCode) -> bool {
    r.status == ok
        || (r.status == StatusCode::SERVICE_UNAVAILABLE && r.error() == "temporarily_unavailable")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_full_is_503_and_service_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = match Mount::tmpfs(&tmp.path().join("mnt"), "3m") {
        Ok(m) => m,
        Err(why) => {
            println!("SKIPPED disk_full_is_503_and_service_recovers: {why}");
            return;
        }
    };
    let dir = mnt.0.join("data");
    let s = TestServer::start_in(&dir, |_| {}).await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let filler = fill(&mnt.0);
    // Requests that must write: links (a code, then a link with tokens). Keep
    // linking until the full disk bites; every answer is a success or a 503
    // temporarily_unavailable, never a 500 nor invalid_grant.
    let mut refused = 0;
    for _ in 0..40 {
        let p = AuthParams::new(&id, PITANGUI);
        let mut b = Browser::default();
        let r = b.login(&s, &p, USER, PASSWORD).await;
        assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
        if r.status != StatusCode::SEE_OTHER {
            assert_eq!(
                r.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "login: {}",
                r.text()
            );
            refused += 1;
            continue;
        }
        let code = r.location_params().get("code").cloned().unwrap();
        let r = s.redeem_code(&id, &secret, &code).await;
        assert!(
            unavailable_or(&r, StatusCode::OK),
            "{} {}",
            r.status,
            r.text()
        );
        if r.status != StatusCode::OK {
            refused += 1;
        }
        let r = s.refresh(&id, &secret, &rt).await;
        assert!(
            unavailable_or(&r, StatusCode::OK),
            "refresh: {} {}",
            r.status,
            r.text()
        );
    }
    assert!(refused > 0, "the full disk never refused a write");
    // Space freed: service recovers, nothing corrupted.
    std::fs::remove_file(&filler).unwrap();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = s.refresh(&id, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    s.stop().await;
    assert!(integrity(&dir).is_empty());
    println!("disk full: {refused} writes refused with 503, then recovered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_data_directory_is_a_clear_error_or_503() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = match Mount::tmpfs(&tmp.path().join("mnt"), "8m") {
        Ok(m) => m,
        Err(why) => {
            println!("SKIPPED read_only_data_directory_is_a_clear_error_or_503: {why}");
            return;
        }
    };
    let dir = mnt.0.join("data");
    // Set up on a writable file system. (Remounting read-only under a running
    // server is refused by the kernel while the database is open for writing;
    // the run-time case is the ext4 test below.)
    let s = TestServer::start_in(&dir, |_| {}).await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    s.stop().await;
    mnt.remount("ro");
    // Even root cannot write now.
    assert!(std::fs::File::create(dir.join("probe")).is_err());
    // At start: the real binary on the read-only directory.
    let started = spawn_serve(&dir, &[], LIVENESS);
    let outcome;
    match &started {
        Err(msg) => {
            assert!(
                msg.contains("exit Some(1)") && msg.contains("error:"),
                "{msg}"
            );
            outcome = format!("refused: {}", msg.lines().last().unwrap_or_default());
        }
        Ok(served) => {
            let r = token(served.addr, &id, &secret, &refresh_grant(&rt))
                .await
                .expect("an answer");
            assert!(
                unavailable_or(&r, StatusCode::OK),
                "{} {}",
                r.status,
                r.text()
            );
            outcome = format!("started; refresh said {}", r.status);
        }
    }
    drop(started);
    mnt.remount("rw");
    let served = spawn_serve(&dir, &[], LIVENESS).expect("starts once writable");
    let r = token(served.addr, &id, &secret, &refresh_grant(&rt))
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    drop(served);
    assert!(integrity(&dir).is_empty());
    println!("read-only: at start: {outcome}");
}

// ---------------------------------------------------------------------------
// A file system that turns read-only under the running server (ext4 on a loop
// device, forced into its errors=remount-ro state: what a failing SD card or
// disk does to Home Assistant hosts). Needs root, loop devices and mkfs.ext4.

struct Ext4Loop {
    mnt: std::path::PathBuf,
    img: std::path::PathBuf,
    dev: String,
}

impl Ext4Loop {
    fn run(cmd: &str, args: &[&str]) -> Result<String, String> {
        let out = Command::new(cmd)
            .args(args)
            .output()
            .map_err(|e| format!("{cmd}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{cmd} {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// A fresh 32 MiB ext4 image mounted at `mnt` with errors=remount-ro.
    fn new(img: &Path, mnt: &Path) -> Result<Ext4Loop, String> {
        std::fs::File::create(img)
            .and_then(|f| f.set_len(32 << 20))
            .map_err(|e| format!("image: {e}"))?;
        Self::run("mkfs.ext4", &["-q", "-F", img.to_str().unwrap()])?;
        std::fs::create_dir_all(mnt).unwrap();
        let dev = Self::run("losetup", &["-f", "--show", img.to_str().unwrap()])?;
        let m = Ext4Loop {
            mnt: mnt.to_owned(),
            img: img.to_owned(),
            dev,
        };
        m.mount()?;
        Ok(m)
    }

    fn mount(&self) -> Result<(), String> {
        Self::run(
            "mount",
            &[
                "-t",
                "ext4",
                "-o",
                "errors=remount-ro",
                &self.dev,
                self.mnt.to_str().unwrap(),
            ],
        )
        .map(drop)
    }

    /// Makes ext4 record an error, which (errors=remount-ro) turns the mounted
    /// file system read-only at once, open files and all.
    fn fail(&self) {
        let name = self.dev.trim_start_matches("/dev/");
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/sys/fs/ext4/{name}/trigger_fs_error"))
            .and_then(|mut f| f.write_all(b"crash_safety test: simulated disk failure"))
            .expect("ext4 trigger_fs_error");
    }

    /// Unmounts, repairs with e2fsck as an operator would, mounts again.
    fn repair(&self) {
        Self::run("umount", &[self.mnt.to_str().unwrap()]).unwrap();
        // e2fsck exits 1 when it fixed something (the recorded error): fine.
        let st = Command::new("e2fsck")
            .args(["-f", "-y", self.img.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.code().is_some_and(|c| c <= 1), "e2fsck: {st:?}");
        self.mount().unwrap();
    }
}

impl Drop for Ext4Loop {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mnt).status();
        let _ = Command::new("losetup").args(["-d", &self.dev]).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_system_turning_read_only_at_run_time_is_503_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let fs = match Ext4Loop::new(&tmp.path().join("disk.img"), &tmp.path().join("mnt")) {
        Ok(m) => m,
        Err(why) => {
            println!(
                "SKIPPED file_system_turning_read_only_at_run_time_is_503_and_loses_nothing: {why}"
            );
            return;
        }
    };
    let dir = fs.mnt.join("data");
    let s = TestServer::start_in(&dir, |_| {}).await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let at = tok["access_token"].as_str().unwrap().to_owned();
    // A code issued before the failure and redeemed after it.
    let pending = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;

    fs.fail();
    assert!(
        std::fs::File::create(dir.join("probe")).is_err(),
        "the file system did not turn read-only"
    );

    // Alexa's everyday call only reads: it keeps working.
    let refresh = refresh_grant(&rt);
    let r = s.token_basic(&id, &secret, &refresh).await;
    assert_eq!(r.status, StatusCode::OK, "refresh: {}", r.text());
    let r = introspect_json(&s, &id, &secret, &at).await;
    assert_eq!(r["active"], true, "{r}");
    // Anything that must write says 503 temporarily_unavailable: never a 500,
    // never invalid_grant (Alexa would unlink the user on invalid_grant).
    let r = s.redeem_code(&id, &secret, &pending).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.error(), "temporarily_unavailable");
    let mut b = Browser::default();
    let r = b
        .login(&s, &AuthParams::new(&id, PITANGUI), USER, PASSWORD)
        .await;
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "login: {}",
        r.text()
    );
    let r = s.revoke(&id, &secret, &[("token", rt.as_str())]).await;
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "revoke: {}",
        r.text()
    );
    let r = s.get("/health").await;
    assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    s.stop().await;

    // The operator repairs the disk and restarts: nothing was lost or
    // half-written, the refused revocation did not happen, and the code that
    // could not be redeemed still can be, once.
    fs.repair();
    assert!(integrity(&dir).is_empty());
    let s = TestServer::start_in(&dir, |_| {}).await;
    let r = s.token_basic(&id, &secret, &refresh).await;
    assert_eq!(r.status, StatusCode::OK, "after repair: {}", r.text());
    let r = s.redeem_code(&id, &secret, &pending).await;
    assert_eq!(r.status, StatusCode::OK, "pending code: {}", r.text());
    let r = s.redeem_code(&id, &secret, &pending).await;
    assert_eq!(r.error(), "invalid_grant", "a code is still single-use");
    s.stop().await;
    assert!(integrity(&dir).is_empty());
}
