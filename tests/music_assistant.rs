//! Music Assistant accounts and the `/ma/api` gateway, against the stand-in
//! Music Assistant in `ma_standin/` (loopback only).

mod common;
mod ma_standin;

use std::time::Duration;

use common::*;
use hyper::StatusCode;
use ma_alexa_oauth::audit::AuditEvent;
use ma_alexa_oauth::keys::AccessClaims;
use ma_alexa_oauth::util;
use ma_standin::Standin;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-oauth");
const MA_PASSWORD: &str = "ma password 123";

async fn standin() -> Standin {
    Standin::start(&[
        ("alice", MA_PASSWORD, "user"),
        ("guest", MA_PASSWORD, "guest"),
    ])
    .await
}

async fn server_for(ma: &Standin) -> TestServer {
    let url = ma.url.clone();
    TestServer::start_with(move |c| {
        c.music_assistant_url = Some(url);
        c.upstream_timeout = Duration::from_millis(1500);
    })
    .await
}

struct Linked {
    id: String,
    secret: String,
    access: String,
    refresh: String,
}

/// The Alexa flow with a Music Assistant account; returns the tokens.
async fn link(s: &TestServer, scope: &str) -> Linked {
    let (id, secret) = s.add_alexa_client();
    let mut p = AuthParams::new(&id, PITANGUI);
    p.scope = Some(scope.into());
    let mut b = Browser::default();
    let r = b.login(s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.text());
    let code = r.location_params()["code"].clone();
    let t = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text());
    let j = t.json();
    Linked {
        id,
        secret,
        access: j["access_token"].as_str().unwrap().into(),
        refresh: j["refresh_token"].as_str().unwrap().into(),
    }
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

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(BIN)
        .args(args)
        .env_remove("MA_URL")
        .env_remove("MA_ALEXA_DATA_DIR")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn link_with_a_music_assistant_account_and_use_the_gateway() {
    let ma = standin().await;
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

    let l = link(&s, "music:read music:control").await;

    // Login: one password check, a long-lived token made with the session
    // token, then the session token logged out.
    let reqs = ma.requests();
    let logins: Vec<_> = reqs.iter().filter(|r| r.path == "/auth/login").collect();
    assert_eq!(logins.len(), 1);
    let login = logins[0].json();
    assert_eq!(login["provider_id"], "builtin");
    assert_eq!(login["credentials"]["username"], "alice");
    assert_eq!(login["device_name"], "ma-alexa-oauth");
    let tokens = ma.tokens();
    let (session, sinfo) = tokens.iter().find(|(_, i)| !i.long_lived).unwrap();
    assert!(sinfo.revoked, "the session token was logged out");
    let logout = reqs.iter().find(|r| r.path == "/auth/logout").unwrap();
    assert_eq!(logout.bearer().as_deref(), Some(session.as_str()));
    let long = ma.long_lived();
    assert_eq!(long.len(), 1);
    let (long_token, linfo) = &long[0];
    assert!(
        linfo.name.starts_with("Alexa (ma-alexa-oauth) alice "),
        "{}",
        linfo.name
    );
    let create = reqs
        .iter()
        .find(|r| r.command().as_deref() == Some("auth/token/create"))
        .unwrap();
    assert_eq!(create.bearer().as_deref(), Some(session.as_str()));

    // The gateway forwards with the long-lived token and returns MA's answer as is.
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()[0]["player_id"], "kitchen");
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let r = gateway(
        &s,
        Some(&l.access),
        &json!({"message_id": 7, "command": "players/cmd/play", "args": {"player_id": "kitchen"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.text(), "null");
    // MA's 4xx passes through unchanged.
    let r = gateway(
        &s,
        Some(&l.access),
        &json!({"message_id": "x", "command": "players/get", "args": {"player_id": "nope"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.text(), "Player not found");
    assert!(!r.text().contains(long_token.as_str()));

    let reqs = ma.requests();
    let api: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/api" && r.command().as_deref() != Some("auth/token/create"))
        .collect();
    assert_eq!(api.len(), 3);
    for r in &api {
        assert_eq!(r.bearer().as_deref(), Some(long_token.as_str()));
    }
    let play = api[1].json();
    assert_eq!(
        play,
        json!({"message_id": 7, "command": "players/cmd/play", "args": {"player_id": "kitchen"}})
    );
    // Nothing of ours or of the password went upstream after the login.
    for r in reqs.iter().filter(|r| r.path != "/auth/login") {
        let t = r.all_text();
        assert!(!t.contains(MA_PASSWORD), "password sent: {t}");
        assert!(!t.contains(&l.access), "our access token sent: {t}");
        assert!(!t.contains(&l.refresh), "our refresh token sent: {t}");
    }
    // The MA tokens are not in the database in clear.
    let bytes = db_bytes(&s);
    assert!(!bytes.is_empty());
    assert!(!contains(&bytes, long_token));
    assert!(!contains(&bytes, session));
    assert!(!contains(&bytes, MA_PASSWORD));
    let (state, name): (String, String) = db(&s)
        .query_row("SELECT ma_token_state, ma_token_name FROM links", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(state, "ok");
    assert_eq!(name, linfo.name);
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

#[tokio::test]
async fn scopes_and_the_allowlist_decide_what_is_forwarded() {
    let ma = standin().await;
    let s = server_for(&ma).await;
    let read = link(&s, "music:read").await;
    let before = ma.commands().len();
    let r = gateway(&s, Some(&read.access), &cmd("players/cmd/play")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(r.error(), "insufficient_scope");
    let www = r.header("www-authenticate").unwrap();
    assert!(www.contains("error=\"insufficient_scope\""), "{www}");
    assert!(www.contains("music:control"), "{www}");
    let r = gateway(&s, Some(&read.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);

    let full = link(&s, "music:read music:control").await;
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
    // Only the one allowed players/all reached Music Assistant (plus the second login's token creation).
    let forwarded: Vec<_> = ma
        .commands()
        .into_iter()
        .skip(before)
        .map(|(c, _)| c)
        .collect();
    assert_eq!(forwarded, vec!["players/all", "auth/token/create"]);

    // Malformed and oversized bodies.
    let r = gateway(&s, Some(&full.access), &json!([1])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let big = json!({"command": "players/all", "args": {"x": "a".repeat(70 * 1024)}});
    let r = gateway(&s, Some(&full.access), &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// A declared body over the gateway's cap (64 KiB) is refused from the
/// headers alone: 413 at once, not the body deadline's 408 10 s later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_declared_gateway_body_is_refused_at_once_with_413() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let ma = standin().await;
    let s = server_for(&ma).await;
    let l = link(&s, "music:read").await;
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
    let before = ma.commands().len();
    assert_eq!(
        gateway(&s, Some(&l.access), &cmd("players/all"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(ma.commands().len(), before + 1);
}

#[tokio::test]
async fn missing_bad_expired_and_revoked_tokens_get_401() {
    let ma = standin().await;
    let s = server_for(&ma).await;
    let l = link(&s, "music:read music:control").await;
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
    assert_eq!(
        ma.commands()
            .iter()
            .filter(|(c, _)| c == "players/all")
            .count(),
        0
    );

    // RFC 7009 revocation of the refresh token: the link and its MA token go.
    let (long_token, _) = ma.long_lived().remove(0);
    let r = s
        .post_form(
            "/alexa/revoke",
            &[("authorization", &basic_header(&l.id, &l.secret))],
            &[("token", &l.refresh)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error(), "invalid_token");
    eventually("the MA token is revoked upstream", || {
        ma.tokens()[&long_token].revoked
    })
    .await;
    let revoke = ma
        .requests()
        .into_iter()
        .find(|r| r.command().as_deref() == Some("auth/token/revoke"))
        .unwrap();
    assert_eq!(
        revoke.json()["args"]["token_id"],
        ma.tokens()[&long_token].token_id.as_str()
    );
    eventually("the ciphertext is forgotten", || {
        db(&s)
            .query_row(
                "SELECT ma_token_ciphertext IS NULL AND ma_token_state = 'revoked' FROM links",
                [],
                |r| r.get::<_, bool>(0),
            )
            .unwrap()
    })
    .await;
}

// Multi-threaded: the CLI child process is awaited synchronously while the stand-in serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_links_revoke_also_revokes_at_music_assistant() {
    let ma = standin().await;
    let s = server_for(&ma).await;
    let _l = link(&s, "music:read music:control").await;
    let (long_token, _) = ma.long_lived().remove(0);
    let link_id: String = db(&s)
        .query_row("SELECT id FROM links", [], |r| r.get(0))
        .unwrap();
    let dir = s.dir.to_str().unwrap().to_owned();
    // Music Assistant down: revoked here, the failure is reported and kept.
    ma.set_knobs(|k| k.fail_5xx = true);
    let (ok, _, err) = cli(&[
        "--data-dir",
        &dir,
        "links",
        "revoke",
        &link_id,
        "--music-assistant-url",
        &ma.url,
    ]);
    assert!(!ok, "{err}");
    assert!(err.contains("could not revoke"), "{err}");
    let (ok, out, _) = cli(&["--data-dir", &dir, "links", "list", "--json"]);
    assert!(ok);
    let links: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(links[0]["ma_token_state"], "revoke_failed");
    assert!(links[0]["revoked_at"].is_i64());
    // Retried later: done.
    ma.set_knobs(|k| k.fail_5xx = false);
    let (ok, out, err) = cli(&[
        "--data-dir",
        &dir,
        "links",
        "revoke",
        &link_id,
        "--music-assistant-url",
        &ma.url,
    ]);
    assert!(ok, "{out}{err}");
    assert!(ma.tokens()[&long_token].revoked);
}

#[tokio::test]
async fn login_failures_are_clear_and_only_wrong_passwords_count() {
    let ma = standin().await;
    let s = server_for(&ma).await;
    let (id, _) = s.add_alexa_client();
    let p = AuthParams::new(&id, PITANGUI);

    // Wrong password: 401 page, counted, no token created.
    let r = Browser::default()
        .login(&s, &p, "alice", "not the password")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("Wrong username or password"));
    assert!(r.text().contains("Music Assistant account"));
    assert!(ma.long_lived().is_empty());

    // Not onboarded: a clear page, not a failed login.
    ma.set_knobs(|k| k.onboarded = false);
    let r = Browser::default().login(&s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("not set up yet"), "{}", r.text());
    ma.set_knobs(|k| k.onboarded = true);

    // Guests may not create tokens.
    let r = Browser::default().login(&s, &p, "guest", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("guest"), "{}", r.text());

    // 5xx and slow: unavailable, one attempt each (no retry of the password).
    let logins_before = ma
        .requests()
        .iter()
        .filter(|r| r.path == "/auth/login")
        .count();
    ma.set_knobs(|k| k.fail_5xx = true);
    let r = Browser::default().login(&s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        r.text().contains("Music Assistant is not reachable"),
        "{}",
        r.text()
    );
    ma.set_knobs(|k| {
        k.fail_5xx = false;
        k.slow = Some(Duration::from_secs(3));
    });
    let r = Browser::default().login(&s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let logins_after = ma
        .requests()
        .iter()
        .filter(|r| r.path == "/auth/login")
        .count();
    assert_eq!(logins_after - logins_before, 2);

    // Down: connection refused.
    ma.stop();
    let r = Browser::default().login(&s, &p, "alice", MA_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("Music Assistant is not reachable"));

    let ev = s.events();
    let failed = ev
        .iter()
        .filter(|e| matches!(e, AuditEvent::LoginFailed { .. }))
        .count();
    let unavailable = ev
        .iter()
        .filter(|e| matches!(e, AuditEvent::LoginUnavailable { .. }))
        .count();
    assert_eq!(failed, 1, "only the wrong password counts: {ev:#?}");
    assert_eq!(unavailable, 5, "{ev:#?}");
}

#[tokio::test]
async fn gateway_reports_music_assistant_down_slow_and_failing() {
    let ma = standin().await;
    let s = server_for(&ma).await;
    let l = link(&s, "music:read music:control").await;

    ma.set_knobs(|k| k.fail_5xx = true);
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.error(), "upstream_error");
    assert!(r.text().contains("boom"), "{}", r.text());

    ma.set_knobs(|k| {
        k.fail_5xx = false;
        k.onboarded = false;
    });
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(r.text().contains("Setup required"));

    ma.set_knobs(|k| {
        k.onboarded = true;
        k.slow = Some(Duration::from_secs(3));
    });
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(r.error(), "upstream_timeout");

    ma.stop();
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
    let r = s
        .token_basic(
            &l.id,
            &l.secret,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &l.refresh),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_tokens_are_renewed_on_use_and_failures_are_visible() {
    let ma = standin().await;
    let s = server_for(&ma).await;
    let l = link(&s, "music:read music:control").await;
    let (old, _) = ma.long_lived().remove(0);

    // Young token: a refresh changes nothing.
    refresh(&s, &l).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(ma.long_lived().len(), 1);

    // 301 days old: the refresh triggers a renewal.
    age_link_token(&s, 301);
    let ct_before: Vec<u8> = db(&s)
        .query_row("SELECT ma_token_ciphertext FROM links", [], |r| r.get(0))
        .unwrap();
    refresh(&s, &l).await;
    eventually("a new token, the old one revoked", || {
        let t = ma.tokens();
        ma.long_lived().len() == 2 && t[&old].revoked
    })
    .await;
    let (new, info) = ma
        .long_lived()
        .into_iter()
        .find(|(t, _)| *t != old)
        .unwrap();
    assert!(!info.revoked);
    assert!(
        info.name.starts_with("Alexa (ma-alexa-oauth) link "),
        "{}",
        info.name
    );
    let create = ma
        .requests()
        .into_iter()
        .rfind(|r| r.command().as_deref() == Some("auth/token/create"))
        .unwrap();
    assert_eq!(create.bearer().as_deref(), Some(old.as_str()));
    eventually("the link holds the new token", || {
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
    assert!(!contains(&db_bytes(&s), &new));
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        ma.commands().last().unwrap().1.as_deref(),
        Some(new.as_str())
    );

    // Renewal impossible: the refresh still works, the link shows it.
    ma.set_knobs(|k| k.fail_token_create = true);
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
        let out = std::process::Command::new(BIN)
            .args(["--data-dir", dir, "serve", "--listen", "127.0.0.1:0"])
            .args(["--music-assistant-url", bad])
            .env_remove("MA_URL")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--music-assistant-url"), "{bad}: {err}");
    }
}
