//! Nothing a token holder sends through `/ma/api` makes Music Assistant
//! fetch a URL or read a file outside its library (issue 17): every finding
//! of the attack run has its own test here, and each runs against the
//! stand-in (what reaches Music Assistant is recorded: nothing may) and
//! against the real Music Assistant (`real-music-assistant/run --library`),
//! where a TCP listener of the test's own on a loopback port inside the
//! namespace (the [`Tripwire`]) fails the test on ANY connection, and the
//! queue must show no file from outside the library afterwards.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::io::AsyncReadExt as _;

use super::*;

/// A listener of the test's own on `127.0.0.1`: any connection to it is a
/// fetch Music Assistant was made to do. It accepts, keeps the first bytes
/// (which payload it was: each URL carries its own path), and closes.
struct Tripwire {
    addr: SocketAddr,
    hits: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Tripwire {
    async fn start() -> Tripwire {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&hits);
        let task = tokio::spawn(async move {
            while let Ok((mut c, peer)) = l.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 256];
                    let n = tokio::time::timeout(Duration::from_millis(500), c.read(&mut buf))
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .unwrap_or(0);
                    let first = String::from_utf8_lossy(&buf[..n]);
                    let line = first.lines().next().unwrap_or("").to_owned();
                    seen.lock().unwrap().push(format!("from {peer}: {line:?}"));
                });
            }
        });
        Tripwire { addr, hits, task }
    }

    /// `scheme://127.0.0.1:PORT/tag` (the tag tells payloads apart).
    fn url(&self, scheme: &str, tag: &str) -> String {
        format!("{scheme}://{}/{tag}", self.addr)
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

/// One attack's bench: Music Assistant (either kind), our server, a user's
/// link with both scopes, the tripwire, and the player to aim at.
struct Bench {
    ma: Upstream,
    s: TestServer,
    l: Linked,
    wire: Tripwire,
    player: String,
    before: usize,
    /// Payloads that were not refused: (label, status, body).
    passed: Vec<(String, u16, String)>,
}

impl Bench {
    async fn start() -> Bench {
        let ma = Upstream::start().await;
        let s = server_for(&ma).await;
        let l = link(&s, &ma, "music:read music:control").await;
        let wire = Tripwire::start().await;
        let player = if ma.is_real() {
            std::env::var("MA_PLAYER_ID").unwrap_or_else(|_| "upkitchen".into())
        } else {
            "kitchen".into()
        };
        let before = ma.standin().map_or(0, |sd| sd.commands().len());
        Bench {
            ma,
            s,
            l,
            wire,
            player,
            before,
            passed: Vec::new(),
        }
    }

    async fn call(&self, command: &str, args: Value) -> Resp {
        let body = json!({"message_id": "attack", "command": command, "args": args});
        gateway(&self.s, Some(&self.l.access), &body).await
    }

    /// Sends one attack; it must be refused as `code` (403
    /// `forbidden_argument` unless said otherwise), never forwarded, and
    /// its answer must not echo the payload.
    async fn refused(&mut self, label: &str, command: &str, args: Value, code: &str) {
        let echo: Vec<String> = strings_in(&args)
            .into_iter()
            .filter(|s| s.len() > 40)
            .collect();
        let r = self.call(command, args).await;
        let want = if code == "invalid_request" {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::FORBIDDEN
        };
        if r.status != want || error_code(&r) != code {
            self.passed
                .push((label.to_owned(), r.status.as_u16(), r.text()));
            return;
        }
        let d = r.json()["error_description"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if d.len() > 300 || echo.iter().any(|e| r.text().contains(e.as_str())) {
            let what = format!("{label} (refused, but the answer echoes the value)");
            self.passed.push((what, r.status.as_u16(), r.text()));
        }
    }

    /// Every payload was refused, nothing reached Music Assistant, and
    /// (real server) nothing connected to the tripwire after a wait for
    /// playback Music Assistant may start late.
    async fn verdict(&self, what: &str) {
        if self.ma.is_real() {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        let hits = self.wire.hits();
        let forwarded: Vec<String> = self.ma.standin().map_or(Vec::new(), |sd| {
            sd.commands()
                .into_iter()
                .skip(self.before)
                .map(|(c, _)| c)
                .filter(|c| !BENCH_READS.contains(&c.as_str()))
                .collect()
        });
        let mut report = String::new();
        for (label, status, body) in &self.passed {
            let body: String = body.chars().take(160).collect();
            report.push_str(&format!("\n  not refused: {label}: {status} {body}"));
        }
        for h in &hits {
            report.push_str(&format!(
                "\n  Music Assistant connected to the tripwire {h}"
            ));
        }
        for c in &forwarded {
            report.push_str(&format!("\n  reached the stand-in: {c}"));
        }
        assert!(report.is_empty(), "{what}:{report}");
    }

    /// The local-filesystem provider's instance id (from the library), or a
    /// made-up one on the stand-in.
    async fn filesystem_instance(&self) -> String {
        let r = self
            .call("music/tracks/library_items", json!({"limit": 1}))
            .await;
        r.json()
            .pointer("/0/provider_mappings/0/provider_instance")
            .and_then(Value::as_str)
            .unwrap_or("filesystem_local--st4ndin0")
            .to_owned()
    }

    /// The queue's items and the player's current media, as text.
    async fn queue_text(&self) -> String {
        let q = self
            .call("player_queues/items", json!({"queue_id": self.player}))
            .await;
        let p = self
            .call("players/get", json!({"player_id": self.player}))
            .await;
        format!("{}\n{}", q.text(), p.text())
    }
}

/// What the bench itself reads (not attacks).
const BENCH_READS: &[&str] = &[
    "music/tracks/library_items",
    "player_queues/items",
    "players/get",
];

/// Every string in a JSON value, keys included.
fn strings_in(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strings_in).collect(),
        Value::Object(o) => o
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.clone()).chain(strings_in(v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A media item object as Music Assistant reads one (`media_from_dict`), of
/// `provider` with `item_id` (no `uri` member: Music Assistant does not need
/// it, and the old URL filter happened to catch `builtin://` there).
fn item_object(media_type: &str, provider: &str, item_id: &str) -> Value {
    let domain = provider.split("--").next().unwrap_or(provider);
    json!({"media_type": media_type, "provider": provider, "item_id": item_id,
        "name": "x",
        "provider_mappings": [{"item_id": item_id, "provider_domain": domain,
            "provider_instance": provider, "available": true}]})
}

/// URLs aimed at the tripwire in the forms ffmpeg (and the libraries Music
/// Assistant uses) open: each one connects out when opened.
fn fetch_targets(w: &Tripwire) -> Vec<(String, String)> {
    let a = w.addr;
    let mut v: Vec<(String, String)> = [
        "http",
        "https",
        "async:http",
        "cache:http",
        "tcp",
        "gopher",
        "httpproxy",
        "tls",
        "mmsh",
        "rtmpt",
        "rtsp",
        "ftp",
        "crypto+http",
        "hls+http",
    ]
    .iter()
    .map(|s| {
        (
            (*s).to_owned(),
            w.url(s, &format!("p-{}", s.replace([':', '+'], "-"))),
        )
    })
    .collect();
    v.push((
        "concat".into(),
        format!("concat:http://{a}/p-concat1|http://{a}/p-concat2"),
    ));
    v.push((
        "subfile".into(),
        format!("subfile,,start,0,end,100,,:http://{a}/p-subfile"),
    ));
    v
}

/// A file outside the library Music Assistant could play: a copy of one of
/// the library's MP3s (real server) under a unique name in a new directory.
struct Outside {
    _dir: tempfile::TempDir,
    path: PathBuf,
    name: String,
}

fn outside_file() -> Outside {
    let dir = tempfile::Builder::new()
        .prefix("ma-alexa-oauth-outside-")
        .tempdir_in("/tmp")
        .unwrap();
    let name = format!(
        "outside-{}.mp3",
        util::random_token(6).replace(['-', '_'], "x")
    );
    let path = dir.path().join(&name);
    let source = std::env::var("MA_LIBRARY_DIR")
        .ok()
        .and_then(|d| first_mp3(&d.into()));
    match source {
        Some(src) => {
            std::fs::copy(src, &path).unwrap();
        }
        None => std::fs::File::create(&path).map(|_| ()).unwrap(),
    }
    Outside {
        _dir: dir,
        path,
        name,
    }
}

fn first_mp3(dir: &PathBuf) -> Option<PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Some(f) = first_mp3(&p) {
                return Some(f);
            }
        } else if p.extension().is_some_and(|x| x == "mp3") {
            return Some(p);
        }
    }
    None
}

/// `../` enough times to climb from the library folder to `/`.
fn climb_to_root() -> String {
    let lib = std::env::var("MA_LIBRARY_DIR").unwrap_or_else(|_| "/media/music".into());
    let depth = std::path::Path::new(&lib).components().count();
    "../".repeat(depth + 2)
}

/// Finding 1: media item objects (and radio forms of them) whose item id
/// is a URL ffmpeg opens made the real Music Assistant connect out with
/// tcp, gopher, async:http, cache:http, httpproxy, mmsh, tls, rtmpt.
#[tokio::test]
async fn media_item_objects_never_make_music_assistant_connect_out() {
    let mut b = Bench::start().await;
    let q = b.player.clone();
    for (scheme, url) in fetch_targets(&b.wire) {
        for media_type in ["track", "radio"] {
            let obj = item_object(media_type, "builtin", &url);
            b.refused(
                &format!("play_media [{media_type} object, {scheme}]"),
                "player_queues/play_media",
                json!({"queue_id": q, "media": [obj], "option": "replace"}),
                "forbidden_argument",
            )
            .await;
        }
    }
    let url = b.wire.url("http", "p-single-object");
    for (label, args) in [
        (
            "one object, not a list",
            json!({"queue_id": q, "media": item_object("track", "builtin", &url)}),
        ),
        (
            "an item mapping (no provider mappings)",
            json!({"queue_id": q, "media": {"media_type": "radio", "provider": "builtin",
                "item_id": b.wire.url("async:http", "p-mapping"), "name": "x"}}),
        ),
        (
            "radio mode",
            json!({"queue_id": q, "media": [item_object("radio", "builtin", &b.wire.url("cache:http", "p-radio-mode"))],
                "radio_mode": true}),
        ),
        (
            "start_item object",
            json!({"queue_id": q, "media": "library://playlist/1",
                "start_item": item_object("track", "builtin", &b.wire.url("tcp", "p-start"))}),
        ),
        (
            "resume with a player media object",
            json!({"player_id": q, "media": {"uri": b.wire.url("async:http", "p-resume"),
                "media_type": "track", "title": "x"}}),
        ),
    ] {
        let command = if label.starts_with("resume") {
            "players/cmd/resume"
        } else {
            "player_queues/play_media"
        };
        b.refused(label, command, args, "forbidden_argument").await;
    }
    b.verdict("media item objects").await;
}

/// Finding 2: a URL as an object key passed (keys were not looked at) and
/// Music Assistant fetched it.
#[tokio::test]
async fn a_url_as_an_object_key_is_refused_and_never_fetched() {
    let mut b = Bench::start().await;
    let q = b.player.clone();
    let u1 = b.wire.url("http", "p-key");
    let u2 = b.wire.url("async:http", "p-key-list");
    let u3 = b.wire.url("http", "p-key-arg");
    for (label, args) in [
        (
            "media object keyed by a URL",
            json!({"queue_id": q, "media": {u1: "library://track/1"}}),
        ),
        (
            "list of objects keyed by a URL",
            json!({"queue_id": q, "media": [{u2: 1}]}),
        ),
        (
            "a URL as an argument name",
            json!({"queue_id": q, "media": "library://track/1", u3: "x"}),
        ),
    ] {
        b.refused(
            label,
            "player_queues/play_media",
            args,
            "forbidden_argument",
        )
        .await;
    }
    b.verdict("URL as an object key").await;
}

/// Finding 3: a plain absolute path as `media`, a builtin item whose id is
/// a path, and `filesystem_local--ID://track/../../...` each made Music
/// Assistant open and play a file outside the library.
#[tokio::test]
async fn files_outside_the_library_are_never_opened_or_played() {
    let mut b = Bench::start().await;
    let q = b.player.clone();
    let f = outside_file();
    let abs = f.path.to_str().unwrap().to_owned();
    let fs = b.filesystem_instance().await;
    let up = climb_to_root();
    let rel = abs.trim_start_matches('/');
    let mut payloads = vec![
        ("absolute path".to_owned(), json!(abs)),
        ("absolute path in a list".to_owned(), json!([abs])),
        ("file URL".to_owned(), json!(format!("file://{abs}"))),
        (
            "builtin track object with a path".to_owned(),
            json!([item_object("track", "builtin", &abs)]),
        ),
        (
            "builtin URI with a path".to_owned(),
            json!(format!("builtin://track/{abs}")),
        ),
    ];
    for (label, id) in [
        ("climbing", format!("{up}{rel}")),
        ("absolute", abs.clone()),
        (
            "climbing, backslashes",
            format!("{up}{rel}").replace('/', "\\"),
        ),
        ("climbing, dot segments", format!("./{up}./{rel}")),
        ("climbing after a folder", format!("Aurora Lane/{up}{rel}")),
    ] {
        payloads.push((
            format!("{fs} track, {label}"),
            json!(format!("{fs}://track/{id}")),
        ));
        payloads.push((
            format!("{fs} track object, {label}"),
            json!([item_object("track", &fs, &id)]),
        ));
    }
    for (label, media) in payloads {
        b.refused(
            &label,
            "player_queues/play_media",
            json!({"queue_id": q, "media": media, "option": "replace"}),
            "forbidden_argument",
        )
        .await;
    }
    let queue = b.queue_text().await;
    assert!(
        !queue.contains(&f.name),
        "the queue holds the file from outside the library: {queue}"
    );
    b.verdict("files outside the library").await;
}

/// Finding 4: `music/playlists/playlist_tracks` with provider `builtin`
/// and an absolute path read any file (lines that parse as URIs came back,
/// and a `builtin://track/<url>` line was fetched); the same holds for every
/// command taking a provider and an item id.
#[tokio::test]
async fn builtin_playlists_and_provider_item_ids_never_read_files() {
    let mut b = Bench::start().await;
    let f = outside_file();
    let list = f.path.with_extension("m3u");
    let lines = format!(
        "#EXTM3U\nlibrary://track/1\nbuiltin://track/{}\n{}\n{}\n",
        b.wire.url("http", "p-playlist-line"),
        b.wire.url("async:http", "p-playlist-line2"),
        f.path.display()
    );
    std::io::Write::write_all(&mut std::fs::File::create(&list).unwrap(), lines.as_bytes())
        .unwrap();
    let abs = list.to_str().unwrap().to_owned();
    let fs = b.filesystem_instance().await;
    let climbing = format!("{}{}", climb_to_root(), abs.trim_start_matches('/'));
    let ids: Vec<(&str, String, String)> = vec![
        ("builtin, absolute path", "builtin".into(), abs.clone()),
        (
            "builtin, a URL",
            "builtin".into(),
            b.wire.url("http", "p-id"),
        ),
        ("filesystem, climbing", fs.clone(), climbing.clone()),
        ("filesystem, absolute", fs.clone(), abs.clone()),
        ("library, a path", "library".into(), abs.clone()),
    ];
    for command in [
        "music/playlists/playlist_tracks",
        "music/playlists/get",
        "music/albums/album_tracks",
        "music/albums/get",
        "music/artists/artist_albums",
        "music/artists/artist_tracks",
        "music/artists/get",
    ] {
        for (label, provider, id) in &ids {
            b.refused(
                &format!("{command} ({label})"),
                command,
                json!({"item_id": id, "provider_instance_id_or_domain": provider}),
                "forbidden_argument",
            )
            .await;
        }
    }
    b.verdict("provider item ids").await;
}

/// Arguments a command does not take are refused, whatever they hold:
/// `username` (plays as another user), `media` on `players/cmd/resume`
/// (Music Assistant plays its `uri` directly), `userid` (another user's
/// history), and names no command has.
#[tokio::test]
async fn unknown_argument_names_are_refused() {
    let mut b = Bench::start().await;
    let q = b.player.clone();
    for (label, command, args) in [
        (
            "play_media username",
            "player_queues/play_media",
            json!({"queue_id": q, "media": "library://track/1", "username": "admin"}),
        ),
        (
            "play_media made-up name",
            "player_queues/play_media",
            json!({"queue_id": q, "media": "library://track/1", "x": 1}),
        ),
        (
            "resume source and media",
            "players/cmd/resume",
            json!({"player_id": q, "media": {"uri": "library://track/1"}}),
        ),
        (
            "recently played userid",
            "music/recently_played_items",
            json!({"userid": "someone else"}),
        ),
        (
            "players/all made-up name",
            "players/all",
            json!({"url": "library://track/1"}),
        ),
        (
            "volume made-up name",
            "players/cmd/volume_up",
            json!({"player_id": q, "step": 50}),
        ),
    ] {
        b.refused(label, command, args, "forbidden_argument").await;
    }
    b.verdict("unknown argument names").await;
}

/// What held and must keep holding: every textbook URL spelling as a
/// plain string, in every slot that names media, is refused.
#[tokio::test]
async fn textbook_url_spellings_are_refused_in_every_media_slot() {
    let mut b = Bench::start().await;
    let q = b.player.clone();
    let a = b.wire.addr;
    let spellings = [
        format!("http://{a}/t1"),
        format!("HTTP://{a}/t2"),
        format!("HtTpS://{a}/t3"),
        format!(" http://{a}/t4"),
        format!("\thttp://{a}/t5"),
        format!("\u{a0}http://{a}/t6"),
        format!("http://{a}/t7 "),
        format!("http:/{a}/t8"),
        format!("http:{a}/t9"),
        format!("//{a}/t10"),
        format!("\\\\{}\\share\\t11", a.ip()),
        format!("rtsp://{a}/t12"),
        format!("rtmp://{a}/t13"),
        format!("ftp://{a}/t14"),
        "file:///etc/passwd".to_owned(),
        "file:/etc/passwd".to_owned(),
        "/etc/passwd".to_owned(),
        "data:audio/mpeg;base64,AAAA".to_owned(),
        format!("builtin://track/http://{a}/t15"),
        format!("builtin://radio/{a}/t16"),
        format!("https://open.spotify.com/track/{a}"),
        format!("library://track/http://{a}/t17"),
        format!("library://track/1?u=http://{a}/t18"),
        "library://track/../../etc/passwd".to_owned(),
        "LIBRARY://track/1".to_owned(),
        "library://folder/1".to_owned(),
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC".to_owned(),
    ];
    for s in &spellings {
        let short: String = s.chars().take(48).collect();
        b.refused(
            &format!("media {short:?}"),
            "player_queues/play_media",
            json!({"queue_id": q, "media": s}),
            "forbidden_argument",
        )
        .await;
        b.refused(
            &format!("media list {short:?}"),
            "player_queues/play_media",
            json!({"queue_id": q, "media": ["library://track/1", s]}),
            "forbidden_argument",
        )
        .await;
        b.refused(
            &format!("start_item {short:?}"),
            "player_queues/play_media",
            json!({"queue_id": q, "media": "library://album/1", "start_item": s}),
            "forbidden_argument",
        )
        .await;
        b.refused(
            &format!("item_id {short:?}"),
            "music/albums/album_tracks",
            json!({"item_id": s, "provider_instance_id_or_domain": "library"}),
            "forbidden_argument",
        )
        .await;
        b.refused(
            &format!("provider {short:?}"),
            "music/albums/album_tracks",
            json!({"item_id": "1", "provider_instance_id_or_domain": s}),
            "forbidden_argument",
        )
        .await;
        // Search text may hold slashes and colons ("AC/DC"): only URIs are refused there.
        if s.contains("://") {
            b.refused(
                &format!("search {short:?}"),
                "music/search",
                json!({"search_query": s}),
                "forbidden_argument",
            )
            .await;
        }
    }
    b.verdict("textbook URL spellings").await;
}

/// What held and must keep holding: commands that fetch a URL they are
/// given are refused by name, whatever their arguments.
#[tokio::test]
async fn url_fetching_commands_are_refused_by_name_and_fetch_nothing() {
    let mut b = Bench::start().await;
    let q = b.player.clone();
    let url = b.wire.url("http", "p-by-name");
    for command in [
        "players/cmd/play_announcement",
        "music/item_by_uri",
        "music/item",
        "music/tracks/get",
        "music/radios/get",
        "music/favorites/add_item",
        "music/browse",
        "music/tracks/preview",
        "player_queues/save_as_playlist",
        "music/playlists/add_playlist_tracks",
        "config/providers/save",
    ] {
        b.refused(
            command,
            command,
            json!({"player_id": q, "url": url, "uri": url, "item": url, "path": url,
                "item_id": url, "provider_instance_id_or_domain": "builtin", "media_type": "track"}),
            "forbidden_command",
        )
        .await;
    }
    b.verdict("URL-fetching commands").await;
}

/// Refusals are clear: 403 `forbidden_argument` names the argument's path
/// and why, 400 `invalid_request` says what is malformed (missing, wrong
/// type, out of range); neither echoes a long value; never a 500.
#[tokio::test]
async fn refused_arguments_are_named_without_echoing_them() {
    let b = Bench::start().await;
    let q = b.player.clone();
    let long = format!("http://{}/{}", b.wire.addr, "x".repeat(2000));
    let r = b
        .call(
            "player_queues/play_media",
            json!({"queue_id": q, "media": ["library://track/1", long]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(r.error(), "forbidden_argument");
    let d = r.json()["error_description"].as_str().unwrap().to_owned();
    assert!(d.contains("media[1]"), "{d}");
    assert!(!d.contains("xxxxxxxx") && d.len() < 300, "{d}");
    for (args, path) in [
        (json!({"player_id": q}), "volume_level"),
        (
            json!({"player_id": q, "volume_level": "loud"}),
            "volume_level",
        ),
        (json!({"player_id": q, "volume_level": 101}), "volume_level"),
        (json!({"player_id": 7, "volume_level": 10}), "player_id"),
    ] {
        let r = b.call("players/cmd/volume_set", args.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{args}: {}", r.text());
        assert_eq!(r.error(), "invalid_request", "{args}");
        let d = r.json()["error_description"].as_str().unwrap().to_owned();
        assert!(d.contains(path), "{args}: {d}");
    }
    let r = b
        .call(
            "player_queues/repeat",
            json!({"queue_id": q, "repeat_mode": "sometimes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let d = r.json()["error_description"].as_str().unwrap().to_owned();
    assert!(d.contains("repeat_mode") && d.contains("all"), "{d}");
    // An unknown argument named by a long key: the key is not echoed either.
    let key = format!("k{}", "y".repeat(500));
    let r = b.call("players/all", json!({ key.clone(): true })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(!r.text().contains("yyyyyyyy"), "{}", r.text());
    b.verdict("refusal messages").await;
}
