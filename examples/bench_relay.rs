//! The stream relay's figures for `scripts/bench --only relay`: time to
//! first byte through the relay beside direct from the source, and the
//! relay's throughput, CPU and memory with 1, 8 and 32 concurrent
//! 320 kbit/s streams.
//!
//! Three processes, so that the server's own CPU time and memory can be
//! read from /proc: this driver (the readers, the figures), a source (the
//! stream server of `tests/ma_standin/stream.rs`: valid MP3 frames at
//! 320 kbit/s, a 5 s burst then real time, as Music Assistant sends its
//! flow) and our server (the app and `server::run` in process, Music
//! Assistant's URL pointing at the source's host, the source's port an
//! accepted stream host). The server child pushes a stream per player and
//! mints a relay URL on its stdin's `mint PLAYER`, as the skill would.
//!
//! ```sh
//! cargo run --release --example bench_relay -- [--json] [--streams 1,8,32] [--seconds 20]
//! ```
//! Everything on loopback; it stops by itself.

#[path = "../tests/ma_standin/stream.rs"]
mod stream;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::rt::TokioIo;
use serde_json::json;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.first().map(String::as_str) {
        Some("source") => rt.block_on(source()),
        Some("serve") => rt.block_on(serve(args.get(1).ok_or("serve SOURCE_ADDR")?)),
        _ => rt.block_on(drive(&args)),
    }
}

/// The source: prints `LISTENING addr`, serves until stdin closes.
async fn source() -> Res<()> {
    let s = stream::StreamServer::start().await;
    s.set_knobs(|k| {
        k.any_queue = true;
        k.length = 3600.0;
    });
    println!("LISTENING {}", s.addr);
    std::io::stdout().flush()?;
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        while std::io::stdin()
            .read_line(&mut line)
            .map(|n| n > 0)
            .unwrap_or(false)
        {
            line.clear();
        }
    })
    .await?;
    Ok(())
}

/// Our server: prints `READY base`; on `mint PLAYER` pushes a flow stream
/// of the source for PLAYER and prints the relay path.
async fn serve(source: &str) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let src: SocketAddr = source.parse()?;
    let mut config = ma_alexa_oauth::config::Config::new(base.clone());
    config.music_assistant_url = Some(format!("http://127.0.0.1:{}", src.port() + 1));
    config.echo.stream_hosts = vec![source.to_owned()];
    config.echo.max_streams = 64;
    let app = Arc::new(ma_alexa_oauth::app::App::open(config, dir.path())?);
    let server = tokio::spawn(ma_alexa_oauth::server::run(
        listener,
        Arc::clone(&app),
        std::future::pending::<()>(),
    ));
    println!("READY {base}");
    std::io::stdout().flush()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(8);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if tx.blocking_send(line).is_err() {
                return;
            }
        }
    });
    while let Some(line) = rx.recv().await {
        let Some(player) = line.strip_prefix("mint ") else {
            continue;
        };
        let url = format!("http://{source}/flow/Sess0001/{player}/0123456789abcdef/{player}.flac");
        let body = json!({"streamUrl": url}).to_string();
        let echo = app.echo();
        let push = echo
            .parse_push(body.as_bytes())
            .map_err(|e| e.to_string())?;
        echo.accept(push);
        let minted = echo.mint(player).ok_or("no push")?;
        println!("{}", minted.stream_path);
        std::io::stdout().flush()?;
    }
    server.abort();
    Ok(())
}

struct Kid {
    child: Child,
    stdin: ChildStdin,
    out: BufReader<ChildStdout>,
}

impl Kid {
    fn spawn(args: &[&str]) -> Res<Kid> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().ok_or("stdin")?;
        let out = BufReader::new(child.stdout.take().ok_or("stdout")?);
        Ok(Kid { child, stdin, out })
    }
    fn line(&mut self) -> Res<String> {
        let mut s = String::new();
        self.out.read_line(&mut s)?;
        Ok(s.trim().to_owned())
    }
    fn ask(&mut self, cmd: &str) -> Res<String> {
        writeln!(self.stdin, "{cmd}")?;
        self.stdin.flush()?;
        self.line()
    }
}

impl Drop for Kid {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time (user + system) of `pid` in seconds, and its resident memory in KiB.
fn proc_stats(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields after the command: state is 0; utime 11, stime 12.
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (cpu, rss)
}

/// GET `path` on `addr`: the time to the first body byte; then, if
/// `seconds` > 0, reads on and returns the bytes received after `paced_from`.
async fn get(addr: SocketAddr, path: &str, seconds: f64, paced_from: f64) -> Res<(f64, u64, u64)> {
    let t0 = Instant::now();
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header("host", addr.to_string())
        .body(Empty::<Bytes>::new())?;
    let resp = sender.send_request(req).await?;
    if resp.status() != 200 {
        return Err(format!("{path}: {}", resp.status()).into());
    }
    let mut body = resp.into_body();
    let (mut ttfb, mut total, mut paced) = (None, 0u64, 0u64);
    let end = t0 + Duration::from_secs_f64(seconds);
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let frame =
            match tokio::time::timeout(left.max(Duration::from_millis(1)), body.frame()).await {
                Err(_) => break,
                Ok(f) => f,
            };
        let Some(Ok(f)) = frame else { break };
        let Ok(d) = f.into_data() else { continue };
        let now = t0.elapsed().as_secs_f64();
        ttfb.get_or_insert(now);
        total += d.len() as u64;
        if now >= paced_from {
            paced += d.len() as u64;
        }
        if seconds == 0.0 || Instant::now() >= end {
            break;
        }
    }
    Ok((ttfb.ok_or("no byte")?, total, paced))
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or(0.0)
}

// Long function: the driver's steps in order (start, first byte, each
// concurrency), each short.
async fn drive(args: &[String]) -> Res<()> {
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let json_out = args.iter().any(|a| a == "--json");
    let seconds: f64 = opt("--seconds").map_or(Ok(20.0), |s| s.parse())?;
    let samples: usize = opt("--ttfb-samples").map_or(Ok(20), |s| s.parse())?;
    let counts: Vec<usize> = opt("--streams")
        .unwrap_or_else(|| "1,8,32".into())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let mut src = Kid::spawn(&["source"])?;
    let src_addr: SocketAddr = src.line()?.trim_start_matches("LISTENING ").parse()?;
    let mut ours = Kid::spawn(&["serve", &src_addr.to_string()])?;
    let base = ours.line()?;
    let addr: SocketAddr = base.trim_start_matches("READY http://").parse()?;
    let pid = ours.child.id();
    // Time to first byte: direct from the source, then through the relay, alternating.
    let (mut direct, mut relayed) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let player = format!("ttfb{i}");
        let path = ours.ask(&format!("mint {player}"))?;
        let d = format!("/flow/Sess0001/{player}/0123456789abcdef/{player}.mp3");
        direct.push(get(src_addr, &d, 0.0, 0.0).await?.0 * 1000.0);
        relayed.push(get(addr, &path, 0.0, 0.0).await?.0 * 1000.0);
    }
    let (d50, r50) = (pct(&mut direct, 0.5), pct(&mut relayed, 0.5));
    let (d90, r90) = (pct(&mut direct, 0.9), pct(&mut relayed, 0.9));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut rows = Vec::new();
    for &n in &counts {
        let paths: Vec<String> = (0..n)
            .map(|i| ours.ask(&format!("mint echo{n}x{i}")))
            .collect::<Res<_>>()?;
        let (cpu0, rss0) = proc_stats(pid);
        let t0 = Instant::now();
        let paced_from = 6.0;
        let tasks: Vec<_> = paths
            .into_iter()
            .map(|p| tokio::spawn(async move { get(addr, &p, seconds, paced_from).await }))
            .collect();
        tokio::time::sleep(Duration::from_secs_f64(seconds * 0.75)).await;
        let (_, rss_mid) = proc_stats(pid);
        let mut paced_kbps = Vec::new();
        let mut ttfbs = Vec::new();
        for t in tasks {
            let (ttfb, _total, paced) = t.await??;
            ttfbs.push(ttfb * 1000.0);
            paced_kbps.push(paced as f64 * 8.0 / 1000.0 / (seconds - paced_from));
        }
        let wall = t0.elapsed().as_secs_f64();
        let (cpu1, _) = proc_stats(pid);
        let cpu_pct = (cpu1 - cpu0) / wall * 100.0;
        let min_kbps = paced_kbps.iter().copied().fold(f64::INFINITY, f64::min);
        let per_stream_kib = rss_mid.saturating_sub(rss0) as f64 / n as f64;
        rows.push(json!({"streams": n, "cpu_pct_of_one_core": cpu_pct,
            "rss_before_kib": rss0, "rss_during_kib": rss_mid, "kib_per_stream": per_stream_kib,
            "paced_kbps_min": min_kbps, "paced_kbps_median": pct(&mut paced_kbps, 0.5),
            "ttfb_ms_median": pct(&mut ttfbs, 0.5), "seconds": seconds}));
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let out = json!({"ttfb": {"samples": samples, "direct_ms_p50": d50, "relay_ms_p50": r50,
        "direct_ms_p90": d90, "relay_ms_p90": r90, "added_ms_p50": r50 - d50},
        "concurrent": rows});
    if json_out {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    drop(ours);
    drop(src);
    Ok(())
}
