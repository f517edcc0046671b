//! Music Assistant accounts and the `/ma/api` gateway, against the stand-in
//! Music Assistant in `ma_standin/` (loopback only), or against a real Music
//! Assistant when `MA_URL` and its accounts are in the environment (see
//! `ma_upstream/`): tests and parts of tests that need the stand-in's knobs
//! (down, slow, 5xx, the requests it received) print that they are skipped
//! there.
//!
//! `links.rs`: how a link's Music Assistant token ends (refused, revoked);
//! `contract.rs`: the stand-in answers like the real server;
//! `fetch_and_read.rs`: nothing sent through the gateway makes Music
//! Assistant fetch a URL or read a file outside its library (issue 17).

mod common;
#[path = "music_assistant/contract.rs"]
mod contract;
#[path = "music_assistant/fetch_and_read.rs"]
mod fetch_and_read;
#[path = "music_assistant/links.rs"]
mod links;
mod ma_standin;
mod ma_upstream;

use std::time::Duration;

use common::*;
use hyper::StatusCode;
use ma_alexa_oauth::audit::AuditEvent;
use ma_alexa_oauth::keys::AccessClaims;
use ma_alexa_oauth::{store, util};
use ma_upstream::{Linked, Upstream, link, skipped, token_hash};
use serde_json::{Value, json};

use ma_upstream::STANDIN_PASSWORD as MA_PASSWORD;

async fn server_for(ma: &Upstream) -> TestServer {
    let url = ma.url.clone();
    let timeout = ma.timeout();
    TestServer::start_with(move |c| {
        c.music_assistant_url = Some(url);
        c.upstream_timeout = timeout;
    })
    .await
}

/// The link's Music Assistant token in clear (decrypted from the database),
/// if it still holds one.
async fn ma_token_of(s: &TestServer, link_id: &str) -> Option<String> {
    let id = link_id.to_owned();
    let up = s
        .app
        .store()
        .call(move |c| store::link_upstream(c, &id))
        .await
        .unwrap()
        .expect("the link exists");
    let t = up.token?;
    let secret = s.app.ma().unwrap().open_token(&up.subject, &t).unwrap();
    Some(secret.expose().to_owned())
}

/// (ma_token_state, revoked_at, ciphertext kept) of a link.
fn link_state(s: &TestServer, link_id: &str) -> (String, Option<i64>, bool) {
    db(s)
        .query_row(
            "SELECT ma_token_state, revoked_at, ma_token_ciphertext IS NOT NULL FROM links WHERE id = ?1",
            [link_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

async fn gateway(s: &TestServer, token: Option<&str>, body: &Value) -> Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut h: Vec<(&str, &str)> = vec![("content-type", "application/json")];
    if let Some(a) = &auth {
        h.push(("authorization", a));
    }
    send(
        s.addr,
        "POST",
        "/ma/api",
        &h,
        Some(body.to_string().into_bytes()),
    )
    .await
}

/// Our JSON error code, or "" for another body (Music Assistant's own text).
fn error_code(r: &Resp) -> String {
    serde_json::from_str::<Value>(&r.text())
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn cmd(c: &str) -> Value {
    json!({"message_id": "m1", "command": c, "args": {}})
}

/// The raw bytes of the database and its WAL.
fn db_bytes(s: &TestServer) -> Vec<u8> {
    let mut all = Vec::new();
    for f in ["ma-alexa-oauth.sqlite3", "ma-alexa-oauth.sqlite3-wal"] {
        if let Ok(b) = std::fs::read(s.dir.join(f)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn db(s: &TestServer) -> rusqlite::Connection {
    rusqlite::Connection::open(s.dir.join("ma-alexa-oauth.sqlite3")).unwrap()
}

async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..100 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Waits until Music Assistant no longer accepts `token`.
async fn eventually_dead(ma: &Upstream, token: &str) {
    for _ in 0..100 {
        if !ma.alive(token).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("Music Assistant still accepts the token");
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = command(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn link_with_a_music_assistant_account_and_use_the_gateway() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    // /health gives the internet the gateway's public URL, never Music
    // Assistant's LAN address or which identity source is in use.
    let health = s.get("/health").await;
    assert_eq!(health.json()["endpoints"]["gateway"], s.url("/ma/api"));
    let host = ma.url.trim_start_matches("http://");
    assert!(!health.text().contains(host), "{}", health.text());
    assert!(
        health.json().get("music_assistant").is_none(),
        "{}",
        health.text()
    );
    assert!(health.json().get("identity").is_none(), "{}", health.text());

    let l = link(&s, &ma, "music:read music:control").await;
    let long_token = ma_token_of(&s, &l.link_id).await.unwrap();
    let (state, name): (String, String) = db(&s)
        .query_row("SELECT ma_token_state, ma_token_name FROM links", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(state, "ok");
    assert!(
        name.starts_with(&format!("Alexa (ma-alexa-oauth) {} ", ma.user)),
        "{name}"
    );

    // At Music Assistant: the link's token is a live long-lived token of the
    // user under our unique name, and our login's session token is gone.
    assert!(ma.alive(&long_token).await);
    let rows = ma.token_rows(&long_token).await;
    let row = rows
        .iter()
        .find(|r| r["token_hash"] == token_hash(&long_token).as_str())
        .expect("the link's token is listed");
    assert_eq!(row["name"], name.as_str());
    assert_eq!(row["is_long_lived"], true);
    assert!(
        !rows
            .iter()
            .any(|r| r["name"] == "ma-alexa-oauth" && r["is_long_lived"] == false),
        "our login's session token was not logged out: {rows:#?}"
    );

    // The gateway forwards with the long-lived token and returns MA's answer as is.
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json().is_array(), "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let r = gateway(
        &s,
        Some(&l.access),
        &json!({"message_id": 7, "command": "players/cmd/volume_set",
            "args": {"player_id": "kitchen", "volume_level": 20}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.text(), "null");
    // Music Assistant's 4xx comes back unchanged (the stand-in does not know
    // players/cmd/power and answers 400); a command that raised (a bare
    // 500: here play_media on a queue that does not exist) becomes our 502.
    if ma.standin().is_some() {
        let args = json!({"player_id": "kitchen", "powered": true});
        let body = json!({"message_id": "p", "command": "players/cmd/power", "args": args});
        let r = gateway(&s, Some(&l.access), &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.text(), "Invalid Command: players/cmd/power");
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    }
    let args = json!({"queue_id": "no-such-queue", "media": "library://track/1"});
    let body = json!({"message_id": "s", "command": "player_queues/play_media", "args": args});
    let r = gateway(&s, Some(&l.access), &body).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text());
    assert_eq!(r.error(), "upstream_error");
    assert_eq!(r.json()["upstream_status"], 500);
    assert!(!r.text().contains(long_token.as_str()));
    // An allowed command without its required arguments never reaches Music
    // Assistant: our 400 names the argument.
    let r = gateway(&s, Some(&l.access), &cmd("players/cmd/power")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_request");
    assert_eq!(r.json()["argument"], "player_id");
    assert!(!r.text().contains(long_token.as_str()));

    if let Some(sd) = ma.standin_or_skip(
        "link_with_a_music_assistant_account_and_use_the_gateway: the requests Music Assistant received",
        "only the stand-in records them",
    ) {
        requests_of_a_link_and_its_gateway_calls(sd, &l, &long_token, &db_bytes(&s));
    }
    // The MA token is not in the database in clear, nor the password.
    let bytes = db_bytes(&s);
    assert!(!bytes.is_empty());
    assert!(!contains(&bytes, &long_token));
    assert!(!contains(&bytes, &ma.password));
    let key = std::fs::metadata(s.dir.join("ma-token.key")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&key.permissions()) & 0o777,
        0o600
    );
    assert_eq!(key.len(), 32);
    // The code no longer carries the token once redeemed.
    let left: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM codes WHERE ma_token_ciphertext IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

/// What the stand-in received for `link` and four gateway calls: one
/// password check, a long-lived token made with the session token, the
/// session logged out, commands with the long-lived token only, nothing of
/// ours upstream.
fn requests_of_a_link_and_its_gateway_calls(
    sd: &ma_standin::Standin,
    l: &Linked,
    long_token: &str,
    db: &[u8],
) {
    let reqs = sd.requests();
    let logins: Vec<_> = reqs.iter().filter(|r| r.path == "/auth/login").collect();
    assert_eq!(logins.len(), 1);
    let login = logins[0].json();
    assert_eq!(login["provider_id"], "builtin");
    assert_eq!(login["credentials"]["username"], "alice");
    assert_eq!(login["device_name"], "ma-alexa-oauth");
    let tokens = sd.tokens();
    let (session, sinfo) = tokens.iter().find(|(_, i)| !i.long_lived).unwrap();
    assert!(sinfo.revoked, "the session token was logged out");
    let logout = reqs.iter().find(|r| r.path == "/auth/logout").unwrap();
    assert_eq!(logout.bearer().as_deref(), Some(session.as_str()));
    assert_eq!(sd.long_lived().len(), 1);
    let create = reqs
        .iter()
        .find(|r| r.command().as_deref() == Some("auth/token/create"))
        .unwrap();
    assert_eq!(create.bearer().as_deref(), Some(session.as_str()));
    let api: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/api" && !r.command().unwrap_or_default().starts_with("auth/"))
        .collect();
    assert_eq!(api.len(), 4, "the gateway's four forwarded calls");
    for r in &api {
        assert_eq!(r.bearer().as_deref(), Some(long_token));
    }
    assert_eq!(
        api[1].json(),
        json!({"message_id": 7, "command": "players/cmd/volume_set",
            "args": {"player_id": "kitchen", "volume_level": 20}})
    );
    for r in reqs.iter().filter(|r| r.path != "/auth/login") {
        let t = r.all_text();
        assert!(
            !t.contains(ma_upstream::STANDIN_PASSWORD),
            "password sent: {t}"
        );
        assert!(!t.contains(&l.access), "our access token sent: {t}");
        assert!(!t.contains(&l.refresh), "our refresh token sent: {t}");
    }
    assert!(
        !contains(db, session),
        "the session token is in the database"
    );
}

#[tokio::test]
async fn scopes_and_the_allowlist_decide_what_is_forwarded() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let read = link(&s, &ma, "music:read").await;
    let before = ma.standin().map(|sd| sd.commands().len());
    let r = gateway(&s, Some(&read.access), &cmd("players/cmd/play")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(r.error(), "insufficient_scope");
    let www = r.header("www-authenticate").unwrap();
    assert!(www.contains("error=\"insufficient_scope\""), "{www}");
    assert!(www.contains("music:control"), "{www}");
    let r = gateway(&s, Some(&read.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);

    let full = link(&s, &ma, "music:read music:control").await;
    for refused in [
        "config/players/save",
        "auth/token/create",
        "auth/tokens",
        "users/all",
        "providers/add",
        "music/library/add_item",
    ] {
        for tok in [&read.access, &full.access] {
            let r = gateway(&s, Some(tok), &cmd(refused)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{refused}");
            assert_eq!(r.error(), "forbidden_command", "{refused}");
        }
    }
    if let Some(sd) = ma.standin_or_skip(
        "scopes_and_the_allowlist_decide_what_is_forwarded: what reached Music Assistant",
        "only the stand-in records requests",
    ) {
        // Only the one allowed players/all reached Music Assistant (plus the second login's token creation).
        let forwarded: Vec<_> = sd
            .commands()
            .into_iter()
            .skip(before.unwrap())
            .map(|(c, _)| c)
            .collect();
        assert_eq!(forwarded, vec!["players/all", "auth/token/create"]);
    }

    // Malformed and oversized bodies.
    let r = gateway(&s, Some(&full.access), &json!([1])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let big = json!({"command": "players/all", "args": {"x": "a".repeat(70 * 1024)}});
    let r = gateway(&s, Some(&full.access), &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// Commands that make Music Assistant fetch a URL the caller chose (from
/// inside the home network) or change its configuration, users, providers,
/// tokens or library: refused with 403 for every scope, never forwarded.
const DANGEROUS: &[&str] = &[
    // fetch any URL given
    "players/cmd/play_announcement",
    "music/item_by_uri",
    "music/item",
    "music/tracks/get",
    "music/radios/get",
    "music/favorites/add_item",
    // player settings
    "players/cmd/set_option",
    "players/cmd/select_sound_mode",
    "players/create_group_player",
    "players/remove_group_player",
    "players/remove",
    // configuration
    "config/players/save",
    "config/players/remove",
    "config/players/dsp/save",
    "config/providers/save",
    "config/providers/reload",
    "config/core/save",
    "config/dsp_presets/save",
    "config/core/get",
    // users, tokens, providers, the library, logs
    "auth/token/create",
    "auth/tokens",
    "auth/users",
    "auth/user/update",
    "auth/user/create",
    "providers/manifests",
    "music/library/add_item",
    "music/library/remove_item",
    "music/sync",
    "player_queues/save_as_playlist",
    "logging/get",
];

#[tokio::test]
async fn dangerous_commands_get_403_and_never_reach_music_assistant() {
    let ma = Upstream::start().await;
    let Some(sd) = ma.standin_or_skip(
        "dangerous_commands_get_403_and_never_reach_music_assistant",
        "only the stand-in records what reached it",
    ) else {
        return;
    };
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;
    let before = sd.requests().len();
    for c in DANGEROUS {
        let body = json!({"message_id": "m", "command": c,
            "args": {"player_id": "kitchen", "url": "http://192.168.1.1/admin"}});
        let r = gateway(&s, Some(&l.access), &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{c}: {}", r.text());
        assert_eq!(r.error(), "forbidden_command", "{c}");
    }
    let after: Vec<_> = sd.requests().into_iter().skip(before).collect();
    assert!(
        after.is_empty(),
        "reached Music Assistant: {:?}",
        after.iter().map(|r| r.command()).collect::<Vec<_>>()
    );
}

/// `player_queues/play_media` is allowed, but Music Assistant fetches a
/// plain URL given as `media`: such arguments get 403 and never reach it,
/// while provider URIs are forwarded.
#[tokio::test]
async fn play_media_with_a_url_gets_403_and_never_reaches_music_assistant() {
    let ma = Upstream::start().await;
    let Some(sd) = ma.standin_or_skip(
        "play_media_with_a_url_gets_403_and_never_reaches_music_assistant",
        "only the stand-in records what reached it",
    ) else {
        return;
    };
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;
    let before = sd.commands().len();
    for media in [
        json!("http://192.168.1.1/admin"),
        json!(["library://track/1", "https://10.0.0.1/x.mp3"]),
        json!({"uri": "builtin://http://10.0.0.1/", "name": "x"}),
        json!("file:///config/secrets.yaml"),
    ] {
        let body = json!({"command": "player_queues/play_media",
            "args": {"queue_id": "kitchen", "media": media}});
        let r = gateway(&s, Some(&l.access), &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{media}: {}", r.text());
        assert_eq!(r.error(), "forbidden_argument", "{media}");
    }
    assert_eq!(sd.commands().len(), before, "{:?}", sd.commands());
    let body = json!({"command": "player_queues/play_media",
        "args": {"queue_id": "kitchen", "media": "library://album/1"}});
    let r = gateway(&s, Some(&l.access), &body).await;
    assert_ne!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(sd.commands().len(), before + 1);
}

/// What a voice skill asks of Music Assistant, with the arguments it
/// gives, fits the shapes and is forwarded (against the real server: none
/// is refused by the gateway; what Music Assistant makes of it is its own).
#[tokio::test]
async fn what_a_voice_skill_needs_is_forwarded() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;
    let (p, p2) = if ma.is_real() {
        let id = |n: &str, d: &str| std::env::var(n).unwrap_or_else(|_| d.to_owned());
        (
            id("MA_PLAYER_ID", "upkitchen"),
            id("MA_PLAYER2_ID", "uplivingroom"),
        )
    } else {
        ("kitchen".to_owned(), "livingroom".to_owned())
    };
    let player = json!({"player_id": p});
    let queue = json!({"queue_id": p});
    let needed = [
        ("players/all", json!({})),
        (
            "music/search",
            json!({"search_query": "Aurora Lane", "media_types": ["artist", "track"], "limit": 5}),
        ),
        (
            "music/tracks/library_items",
            json!({"limit": 500, "offset": 0}),
        ),
        (
            "player_queues/play_media",
            json!({"queue_id": p, "media": ["library://track/1", "library://track/2"], "option": "replace"}),
        ),
        (
            "player_queues/play_media",
            json!({"queue_id": p, "media": "library://album/1", "option": "add", "radio_mode": false}),
        ),
        (
            "music/playlists/playlist_tracks",
            json!({"item_id": "1", "provider_instance_id_or_domain": "library"}),
        ),
        (
            "music/albums/album_tracks",
            json!({"item_id": "1", "provider_instance_id_or_domain": "library", "in_library_only": true}),
        ),
        ("player_queues/get_active_queue", player.clone()),
        ("players/add_currently_playing_to_favorites", player.clone()),
        ("players/cmd/volume_up", player.clone()),
        ("players/cmd/volume_down", player.clone()),
        (
            "players/cmd/volume_set",
            json!({"player_id": p, "volume_level": 30}),
        ),
        (
            "players/cmd/volume_mute",
            json!({"player_id": p, "muted": false}),
        ),
        (
            "player_queues/shuffle",
            json!({"queue_id": p, "shuffle_enabled": true}),
        ),
        (
            "player_queues/repeat",
            json!({"queue_id": p, "repeat_mode": "all"}),
        ),
        ("player_queues/next", queue.clone()),
        ("player_queues/previous", queue.clone()),
        ("player_queues/pause", queue.clone()),
        ("player_queues/play", queue.clone()),
        ("player_queues/seek", json!({"queue_id": p, "position": 0})),
        ("player_queues/stop", queue.clone()),
        (
            "player_queues/transfer",
            json!({"source_queue_id": p, "target_queue_id": p2, "auto_play": false}),
        ),
        (
            "player_queues/transfer",
            json!({"source_queue_id": p2, "target_queue_id": p}),
        ),
        (
            "players/cmd/power",
            json!({"player_id": p2, "powered": true}),
        ),
        (
            "players/cmd/group",
            json!({"player_id": p2, "target_player": p}),
        ),
        ("players/cmd/ungroup", json!({"player_id": p2})),
    ];
    // The real lab's players (universal players over Sendspin) cannot be
    // grouped: Music Assistant groups them, then fails to ungroup, and stop
    // and pause fail on them after that. Grouping is checked on the stand-in.
    let grouping = ["players/cmd/group", "players/cmd/ungroup"];
    let needed: Vec<(&str, Value)> = needed
        .into_iter()
        .filter(|(c, _)| !(ma.is_real() && grouping.contains(c)))
        .collect();
    if ma.is_real() {
        skipped(
            "what_a_voice_skill_needs_is_forwarded: players/cmd/group and ungroup",
            "the real lab's universal players cannot be ungrouped again",
        );
    }
    let before = ma.standin().map(|sd| sd.api_count());
    for (c, args) in &needed {
        let body = json!({"message_id": "v", "command": c, "args": args});
        let r = gateway(&s, Some(&l.access), &body).await;
        let ours = [
            "forbidden_command",
            "forbidden_argument",
            "invalid_request",
            "insufficient_scope",
        ];
        assert!(
            !(r.status.is_client_error() && ours.contains(&error_code(&r).as_str())),
            "{c} {args}: {} {}",
            r.status,
            r.text()
        );
        // Music Assistant parses what the shapes let through (its 400 is
        // an unknown command or arguments it cannot parse).
        if ma.is_real() {
            assert_ne!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{c} {args}: {}",
                r.text()
            );
        }
    }
    if let Some(sd) = ma.standin() {
        let forwarded: Vec<(String, Value)> = sd.calls_since(before.unwrap());
        let want: Vec<(String, Value)> = needed
            .iter()
            .map(|(c, a)| ((*c).to_owned(), a.clone()))
            .collect();
        assert_eq!(forwarded, want, "forwarded exactly as sent");
    }
}

/// A declared body over the gateway's cap (64 KiB) is refused from the
/// headers alone: 413 at once, not the body deadline's 408 10 s later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_declared_gateway_body_is_refused_at_once_with_413() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read").await;
    for len in [1_000_000_000usize, 64 * 1024 + 1] {
        let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        let head = format!(
            "POST /ma/api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\nContent-Length: {len}\r\n\r\n",
            l.access
        );
        c.write_all(head.as_bytes()).await.unwrap();
        let start = std::time::Instant::now();
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(3), async {
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match c.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        })
        .await;
        let text = String::from_utf8_lossy(&buf);
        assert!(
            text.starts_with("HTTP/1.1 413"),
            "declared {len}: after {:?}: {text:?}",
            start.elapsed()
        );
    }
    // A normal command still works, and nothing reached Music Assistant for the refused ones.
    let before = ma.standin().map(|sd| sd.commands().len());
    assert_eq!(
        gateway(&s, Some(&l.access), &cmd("players/all"))
            .await
            .status,
        StatusCode::OK
    );
    if let Some(sd) = ma.standin() {
        assert_eq!(Some(sd.commands().len()), before.map(|b| b + 1));
    }
}

#[tokio::test]
async fn missing_bad_expired_and_revoked_tokens_get_401() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;
    let before = ma.standin().map(|sd| sd.commands().len());
    for tok in [None, Some("garbage"), Some(&l.refresh[..])] {
        let r = gateway(&s, tok, &cmd("players/all")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{tok:?}");
        assert_eq!(r.error(), "invalid_token");
        assert!(
            r.header("www-authenticate")
                .unwrap()
                .contains("error=\"invalid_token\"")
        );
    }
    // Expired: a token we signed ourselves with exp in the past.
    let good = s.app.keys().verify(&l.access).unwrap();
    let expired = s
        .app
        .keys()
        .sign(&AccessClaims {
            exp: util::now() - 10,
            iat: util::now() - 100,
            ..good.clone()
        })
        .unwrap();
    let r = gateway(&s, Some(&expired), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // Other audience.
    let foreign = s
        .app
        .keys()
        .sign(&AccessClaims {
            aud: "https://elsewhere.example".into(),
            ..good.clone()
        })
        .unwrap();
    let r = gateway(&s, Some(&foreign), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    if let Some(sd) = ma.standin_or_skip(
        "missing_bad_expired_and_revoked_tokens_get_401: nothing forwarded",
        "only the stand-in records requests",
    ) {
        assert_eq!(sd.commands().len(), before.unwrap(), "{:?}", sd.commands());
    }

    // RFC 7009 revocation of the refresh token: the link and its MA token go.
    let long_token = ma_token_of(&s, &l.link_id).await.unwrap();
    let r = s.revoke(&l.id, &l.secret, &[("token", &l.refresh)]).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error(), "invalid_token");
    eventually_dead(&ma, &long_token).await;
    eventually("the ciphertext is forgotten", || {
        let (state, _, kept) = link_state(&s, &l.link_id);
        state == "revoked" && !kept
    })
    .await;
    assert!(link_state(&s, &l.link_id).1.is_some());
}

// Multi-threaded: the CLI child process is awaited synchronously while the stand-in serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_links_revoke_also_revokes_at_music_assistant() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;
    let long_token = ma_token_of(&s, &l.link_id).await.unwrap();
    let dir = s.dir.to_str().unwrap().to_owned();
    let revoke = ["--data-dir", &dir, "links", "revoke", &l.link_id];
    let revoke = [&revoke[..], &["--music-assistant-url", &ma.url]].concat();
    if let Some(sd) = ma.standin_or_skip(
        "cli_links_revoke_also_revokes_at_music_assistant: Music Assistant failing",
        "needs the stand-in's 5xx knob",
    ) {
        // Music Assistant failing: revoked here, the failure is reported and kept.
        sd.set_knobs(|k| k.fail_5xx = true);
        let (ok, _, err) = cli(&revoke);
        assert!(!ok, "{err}");
        assert!(err.contains("could not revoke"), "{err}");
        let (ok, out, _) = cli(&["--data-dir", &dir, "links", "list", "--json"]);
        assert!(ok);
        let links: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(links[0]["ma_token_state"], "revoke_failed");
        assert!(links[0]["revoked_at"].is_i64());
        sd.set_knobs(|k| k.fail_5xx = false);
    }
    // (Retried later, with the stand-in:) done.
    assert!(ma.alive(&long_token).await);
    let (ok, out, err) = cli(&revoke);
    assert!(ok, "{out}{err}");
    assert!(!ma.alive(&long_token).await);
    let (ok, out, _) = cli(&["--data-dir", &dir, "links", "list", "--json"]);
    assert!(ok);
    let links: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(links[0]["ma_token_state"], "revoked");
    assert!(links[0]["revoked_at"].is_i64());
}

#[tokio::test]
async fn login_failures_are_clear_and_only_wrong_passwords_count() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let (id, _) = s.add_alexa_client();
    let p = AuthParams::new(&id, PITANGUI);

    // Wrong password: 401 page, counted, no token created.
    let r = Browser::default()
        .login(&s, &p, &ma.user, "not the password")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("Wrong username or password"));
    assert!(r.text().contains("Music Assistant account"));
    let failed = |s: &TestServer| {
        s.events()
            .iter()
            .filter(|e| matches!(e, AuditEvent::LoginFailed { .. }))
            .count()
    };
    assert_eq!(failed(&s), 1);

    let Some(sd) = ma.standin_or_skip(
        "login_failures_are_clear_and_only_wrong_passwords_count: not onboarded, 5xx, slow, down",
        "needs the stand-in's knobs",
    ) else {
        return;
    };
    assert!(sd.long_lived().is_empty());
    // Not onboarded: a clear page, not a failed login.
    sd.set_knobs(|k| k.onboarded = false);
    let r = Browser::default()
        .login(&s, &p, "alice", &ma.password)
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("not set up yet"), "{}", r.text());
    sd.set_knobs(|k| k.onboarded = true);

    // 5xx and slow: unavailable, one attempt each (no retry of the password).
    let logins = || {
        sd.requests()
            .iter()
            .filter(|r| r.path == "/auth/login")
            .count()
    };
    let logins_before = logins();
    sd.set_knobs(|k| k.fail_5xx = true);
    let r = Browser::default()
        .login(&s, &p, "alice", &ma.password)
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        r.text().contains("Music Assistant is not reachable"),
        "{}",
        r.text()
    );
    sd.set_knobs(|k| {
        k.fail_5xx = false;
        k.slow = Some(Duration::from_secs(3));
    });
    let r = Browser::default()
        .login(&s, &p, "alice", &ma.password)
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(logins() - logins_before, 2);

    // Down: connection refused.
    sd.stop();
    let r = Browser::default()
        .login(&s, &p, "alice", &ma.password)
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("Music Assistant is not reachable"));

    let ev = s.events();
    let unavailable = ev
        .iter()
        .filter(|e| matches!(e, AuditEvent::LoginUnavailable { .. }))
        .count();
    assert_eq!(failed(&s), 1, "only the wrong password counts: {ev:#?}");
    assert_eq!(unavailable, 4, "{ev:#?}");
}

/// Guests: the Music Assistant snapshot the facts were checked against lets
/// them create long-lived tokens, the newest sources refuse (403). Either
/// way the outcome is clear: a working link, or a page that says why not.
#[tokio::test]
async fn guests_get_a_link_or_a_clear_refusal_as_their_music_assistant_decides() {
    let ma = Upstream::start().await;
    let Some((guest, password)) = ma.guest.clone() else {
        ma_upstream::skipped(
            "guests_get_a_link_or_a_clear_refusal_as_their_music_assistant_decides",
            "MA_GUEST/MA_GUEST_PASSWORD are not set",
        );
        return;
    };
    let s = server_for(&ma).await;
    let (id, secret) = s.add_alexa_client();
    let p = AuthParams::new(&id, PITANGUI);
    let allows: Vec<bool> = match ma.standin() {
        Some(_) => vec![false, true],
        None => {
            // Ask this Music Assistant directly, then clean up.
            let r = ma.login(&guest, &password).await;
            let session = r.json()["token"].as_str().unwrap().to_owned();
            let r = ma
                .api(
                    &session,
                    "auth/token/create",
                    json!({"name": "guest probe"}),
                )
                .await;
            if r.status == StatusCode::OK {
                ma.drop_tokens(&[r.json().as_str().unwrap().to_owned()])
                    .await;
            }
            ma.drop_tokens(&[session]).await;
            vec![r.status == StatusCode::OK]
        }
    };
    for allowed in allows {
        if let Some(sd) = ma.standin() {
            sd.set_knobs(|k| k.guests_may_create_tokens = allowed);
        }
        let r = Browser::default().login(&s, &p, &guest, &password).await;
        if allowed {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
            let code = r.location_params()["code"].clone();
            let t = s.redeem_code(&id, &secret, &code).await;
            assert_eq!(t.status, StatusCode::OK, "{}", t.text());
            let access = t.json()["access_token"].as_str().unwrap().to_owned();
            let g = gateway(&s, Some(&access), &cmd("players/all")).await;
            assert_eq!(g.status, StatusCode::OK, "{}", g.text());
            let link_id = s.app.keys().verify(&access).unwrap().sid;
            let token = ma_token_of(&s, &link_id).await.unwrap();
            ma.drop_tokens(&[token]).await;
        } else {
            assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
            assert!(r.text().contains("guest"), "{}", r.text());
        }
    }
}

fn ma_logins(ma: &ma_standin::Standin) -> usize {
    ma.requests()
        .iter()
        .filter(|r| r.path == "/auth/login")
        .count()
}

/// After 3 wrong passwords Music Assistant refuses every login for the
/// username for a while, the right password too. The page says so (429 with
/// Retry-After), it is not a wrong password, and until the pause is over the
/// password does not go to Music Assistant at all.
#[tokio::test]
async fn music_assistants_sign_in_pause_is_shown_and_waited_out_without_asking_it() {
    let ma = Upstream::start().await;
    let Some(sd) = ma.standin_or_skip(
        "music_assistants_sign_in_pause_is_shown_and_waited_out_without_asking_it",
        "the pause is the stand-in's knob and its request log",
    ) else {
        return;
    };
    sd.set_knobs(|k| k.lockout = Some(Duration::from_secs(3)));
    let s = server_for(&ma).await;
    let (id, _) = s.add_alexa_client();
    let p = AuthParams::new(&id, PITANGUI);
    for _ in 0..3 {
        let r = Browser::default()
            .login(&s, &p, "alice", "not the password")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text().contains("Wrong username or password"));
    }
    assert_eq!(ma_logins(sd), 3);

    // The right password, during Music Assistant's pause.
    let r = Browser::default().login(&s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(ma_logins(sd), 4, "asked once");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("Music Assistant has paused sign-ins for this account"),
        "{page}"
    );
    assert!(!page.contains("Wrong username or password"), "{page}");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=4).contains(&wait), "Retry-After {wait}");
    assert!(page.contains("second"), "the page says how long: {page}");

    // Again at once, in any case: answered here, Music Assistant not asked.
    for name in ["alice", "ALICE"] {
        let r = Browser::default().login(&s, &p, name, MA_PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{name}");
        assert!(
            r.text()
                .contains("Music Assistant has paused sign-ins for this account"),
            "{}",
            r.text()
        );
        let again: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=wait).contains(&again), "{again} <= {wait}");
    }
    assert_eq!(ma_logins(sd), 4, "no password sent during the pause");
    let ev = s.events();
    let failed = ev
        .iter()
        .filter(|e| matches!(e, AuditEvent::LoginFailed { .. }))
        .count();
    assert_eq!(failed, 3, "the pause is not a wrong password: {ev:#?}");
    let paused: Vec<bool> = ev
        .iter()
        .filter_map(|e| match e {
            AuditEvent::LoginPaused { asked, .. } => Some(*asked),
            _ => None,
        })
        .collect();
    assert_eq!(paused, [true, false, false], "{ev:#?}");

    // Once the pause is over, the right password links.
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let r = Browser::default().login(&s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(ma_logins(sd), 5);
}

/// Whether a username exists is Music Assistant's to know, so a failed
/// login's username (maybe a password typed into the wrong box) is never
/// logged as typed; a successful one is.
#[tokio::test]
async fn failed_music_assistant_logins_log_no_typed_username() {
    let ma = Upstream::start().await;
    let Some(_) = ma.standin_or_skip(
        "failed_music_assistant_logins_log_no_typed_username",
        "uses the stand-in's accounts",
    ) else {
        return;
    };
    let s = server_for(&ma).await;
    let (id, _) = s.add_alexa_client();
    let p = AuthParams::new(&id, PITANGUI);
    for (name, password) in [(MA_PASSWORD, "alice"), ("alice", "not the password")] {
        let r = Browser::default().login(&s, &p, name, password).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = Browser::default().login(&s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ev = s.events();
    let failed: Vec<&String> = ev
        .iter()
        .filter_map(|e| match e {
            AuditEvent::LoginFailed { username, .. } => Some(username),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 2, "{ev:#?}");
    assert!(!failed[0].contains(MA_PASSWORD), "logged: {}", failed[0]);
    assert!(failed[0].contains(&MA_PASSWORD.len().to_string()));
    assert_ne!(failed[1], "alice", "not known here to exist");
    assert_ne!(failed[0], failed[1]);
    assert!(
        ev.iter().any(
            |e| matches!(e, AuditEvent::LoginSucceeded { username, .. } if username == "alice")
        )
    );
    assert!(!serde_json::to_string(&ev).unwrap().contains(MA_PASSWORD));
}

#[tokio::test]
async fn gateway_reports_music_assistant_down_slow_and_failing() {
    let ma = Upstream::start().await;
    let Some(sd) = ma.standin_or_skip(
        "gateway_reports_music_assistant_down_slow_and_failing",
        "needs the stand-in's down/slow/5xx knobs",
    ) else {
        return;
    };
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;

    sd.set_knobs(|k| k.fail_5xx = true);
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.error(), "upstream_error");
    assert!(r.text().contains("boom"), "{}", r.text());

    sd.set_knobs(|k| {
        k.fail_5xx = false;
        k.onboarded = false;
    });
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(r.text().contains("Setup required"));

    sd.set_knobs(|k| {
        k.onboarded = true;
        k.slow = Some(Duration::from_secs(3));
    });
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(r.error(), "upstream_timeout");

    sd.stop();
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.error(), "upstream_unreachable");
}

fn age_link_token(s: &TestServer, days: i64) {
    db(s)
        .execute(
            "UPDATE links SET ma_token_created_at = ?1",
            [util::now() - days * 86_400],
        )
        .unwrap();
}

async fn refresh(s: &TestServer, l: &Linked) {
    let r = s.refresh(&l.id, &l.secret, &l.refresh).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_tokens_are_renewed_on_use_and_failures_are_visible() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;
    let old = ma_token_of(&s, &l.link_id).await.unwrap();
    let ciphertext = || -> Vec<u8> {
        db(&s)
            .query_row("SELECT ma_token_ciphertext FROM links", [], |r| r.get(0))
            .unwrap()
    };

    // Young token: a refresh changes nothing.
    let ct_before = ciphertext();
    refresh(&s, &l).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(ciphertext(), ct_before);
    assert!(ma.alive(&old).await);

    // 301 days old: the refresh triggers a renewal.
    age_link_token(&s, 301);
    refresh(&s, &l).await;
    eventually("the link holds a new token", || {
        let (ct, created, state): (Vec<u8>, i64, String) = db(&s)
            .query_row(
                "SELECT ma_token_ciphertext, ma_token_created_at, ma_token_state FROM links",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        ct != ct_before && util::now() - created < 60 && state == "ok"
    })
    .await;
    let new = ma_token_of(&s, &l.link_id).await.unwrap();
    assert_ne!(new, old);
    eventually_dead(&ma, &old).await;
    assert!(ma.alive(&new).await);
    let name: String = db(&s)
        .query_row("SELECT ma_token_name FROM links", [], |r| r.get(0))
        .unwrap();
    assert!(name.starts_with("Alexa (ma-alexa-oauth) link "), "{name}");
    let rows = ma.token_rows(&new).await;
    let row = rows
        .iter()
        .find(|r| r["token_hash"] == token_hash(&new).as_str())
        .expect("the new token is listed");
    assert_eq!(row["name"], name.as_str());
    assert!(!contains(&db_bytes(&s), &new));
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);

    let Some(sd) = ma.standin_or_skip(
        "old_tokens_are_renewed_on_use_and_failures_are_visible: the requests, a failing renewal",
        "needs the stand-in's request log and token-creation knob",
    ) else {
        return;
    };
    let create = sd
        .requests()
        .into_iter()
        .rfind(|r| r.command().as_deref() == Some("auth/token/create"))
        .unwrap();
    assert_eq!(create.bearer().as_deref(), Some(old.as_str()));
    assert_eq!(
        sd.commands().last().unwrap().1.as_deref(),
        Some(new.as_str())
    );

    // Renewal impossible: the refresh still works, the link shows it.
    sd.set_knobs(|k| k.fail_token_create = true);
    age_link_token(&s, 320);
    refresh(&s, &l).await;
    eventually("the link is marked renewal_failed", || {
        db(&s)
            .query_row("SELECT ma_token_state FROM links", [], |r| {
                r.get::<_, String>(0)
            })
            .unwrap()
            == "renewal_failed"
    })
    .await;
    // The old token keeps working until it expires.
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);
    let dir = s.dir.to_str().unwrap().to_owned();
    let (ok, out, err) = cli(&["--data-dir", &dir, "links", "list", "--json"]);
    assert!(ok, "{err}");
    let links: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(links[0]["ma_token_state"], "renewal_failed");
    let (ok, out, _) = cli(&["--data-dir", &dir, "links", "list"]);
    assert!(ok);
    assert!(
        out.contains("music-assistant token renewal_failed"),
        "{out}"
    );
    let (ok, out, _) = cli(&["--data-dir", &dir, "status", "--json"]);
    assert!(ok);
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        st["music_assistant_token_problems"][0]["state"],
        "renewal_failed"
    );
}

#[test]
fn readme_scope_table_matches_the_allowlist() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = ma_alexa_oauth::ma::commands::scope_table_markdown();
    assert!(
        readme.contains(&table),
        "README's scope table differs from src/ma/commands.rs; paste this:\n{table}"
    );
}

#[test]
fn serve_refuses_an_unusable_music_assistant_url() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    for bad in [
        "https://ma.example:8095",
        "ftp://ma",
        "not a url",
        "http://ma:8095/?x=1",
    ] {
        let out = command(&["--data-dir", dir, "serve", "--listen", "127.0.0.1:0"])
            .args(["--music-assistant-url", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--music-assistant-url"), "{bad}: {err}");
    }
}
