//! The OAuth checklist (/work/shared/facts/oauth-checklist.md) as tests: one
//! named test per rule, each asserting the server's observable behaviour.
mod common;
use common::*;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use hyper::StatusCode;
use ma_alexa_oauth::audit::AuditEvent;
use ma_alexa_oauth::config::Config;
use ma_alexa_oauth::oauth::{client_auth, pkce};
use ma_alexa_oauth::store::{ClientKind, StoreError};
use ma_alexa_oauth::throttle::Policy;
use ma_alexa_oauth::util;
use serde_json::Value;

// ---------------------------------------------------------------------------
// helpers

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The error codes RFC 6749 section 5.2 allows on the token endpoint.
const TOKEN_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

/// The error codes RFC 6749 section 4.1.2.1 allows in an authorization response.
const AUTHORIZE_ERRORS: &[&str] = &[
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
];

fn assert_no_redirect(r: &Resp, what: &str) {
    assert!(
        r.header("location").is_none(),
        "{what}: must not redirect, got {:?} ({})",
        r.header("location"),
        r.status
    );
}

fn assert_token_error(r: &Resp, status: StatusCode, error: &str, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    assert_eq!(r.error(), error, "{what}: {}", r.text());
    assert!(r.json().get("access_token").is_none(), "{what}");
}

fn code_issued_count(s: &TestServer) -> usize {
    s.events()
        .iter()
        .filter(|e| matches!(e, AuditEvent::CodeIssued { .. }))
        .count()
}

/// True if `needle` appears in the database file or its WAL.
fn db_files_contain(s: &TestServer, needle: &[u8]) -> bool {
    let db = s.app.store().path().to_owned();
    let mut files = vec![db.clone()];
    for ext in ["-wal", "-journal"] {
        let mut p = db.clone().into_os_string();
        p.push(ext);
        files.push(p.into());
    }
    files.iter().any(|f| {
        std::fs::read(f)
            .map(|b| b.windows(needle.len()).any(|w| w == needle))
            .unwrap_or(false)
    })
}

fn all_text_columns(s: &TestServer) -> Vec<String> {
    s.app
        .store()
        .with(|c| {
            let tables: Vec<String> = c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut out = Vec::new();
            for t in tables {
                let mut st = c.prepare(&format!("SELECT * FROM \"{t}\""))?;
                let n = st.column_count();
                let mut rows = st.query([])?;
                while let Some(row) = rows.next()? {
                    for i in 0..n {
                        match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Text(b)
                            | rusqlite::types::ValueRef::Blob(b) => {
                                out.push(String::from_utf8_lossy(b).into_owned())
                            }
                            _ => {}
                        }
                    }
                }
            }
            Ok::<_, StoreError>(out)
        })
        .unwrap()
}

/// Inserts a client with a chosen id and secret.
fn add_client_with_id(s: &TestServer, id: &str, secret: &str) {
    let mut c = client_record(
        "RFC example",
        ClientKind::Generic,
        vec!["https://client.example.com/cb".into()],
        vec!["music:read".into()],
        secret,
    );
    c.id = id.into();
    insert_client(s.app.store(), &c);
}

/// A link for the Alexa client with a PKCE-less code; returns (id, secret, tokens).
async fn link_with(s: &TestServer, p_scope: Option<&str>) -> (String, String, Value) {
    let (id, secret) = s.add_alexa_client_and_user();
    let mut p = AuthParams::new(&id, PITANGUI);
    if let Some(sc) = p_scope {
        p.scope = Some(sc.into());
    }
    let code = obtain_code(s, &p).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (id, secret, r.json())
}

/// Threads of this process whose name starts with `prefix`: (tid, state, cpu ticks).
fn proc_threads(prefix: &str) -> Vec<(String, char, u64)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for e in dir.flatten() {
        let p = e.path();
        let Ok(comm) = std::fs::read_to_string(p.join("comm")) else {
            continue;
        };
        if !comm.trim().starts_with(prefix) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(p.join("stat")) else {
            continue;
        };
        let Some(i) = stat.rfind(')') else { continue };
        let f: Vec<&str> = stat[i + 1..].split_whitespace().collect();
        if f.len() < 13 {
            continue;
        }
        let state = f[0].chars().next().unwrap_or('?');
        let cpu = f[11].parse::<u64>().unwrap_or(0) + f[12].parse::<u64>().unwrap_or(0);
        out.push((e.file_name().to_string_lossy().into_owned(), state, cpu));
    }
    out
}

/// A separate multi-thread runtime for the server, with named threads so
/// their state and CPU time can be read from /proc.
fn named_runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .thread_keep_alive(Duration::from_secs(600))
        .enable_all()
        .build()
        .unwrap()
}

async fn start_on(
    rt: &tokio::runtime::Runtime,
    tweak: impl FnOnce(&mut Config) + Send + 'static,
) -> TestServer {
    rt.spawn(TestServer::start_with(tweak)).await.unwrap()
}

// ---------------------------------------------------------------------------
// Redirects

#[tokio::test]
async fn redirect_uri_exact_match_refuses_case_change() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client();
    let variants = [
        "https://Pitangui.amazon.com/api/skill/link/M2TESTVENDOR1",
        "HTTPS://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1",
        "https://pitangui.amazon.com/api/skill/link/m2testvendor1",
        "https://pitangui.amazon.com/API/skill/link/M2TESTVENDOR1",
        "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1/",
        "https://pitangui.amazon.com:443/api/skill/link/M2TESTVENDOR1",
        "https://pitangui.amazon.com./api/skill/link/M2TESTVENDOR1",
        "https://pitangui.amazon.com/api/skill/link/%4D2TESTVENDOR1",
        "https://pitangui.amazon.com/api/skill/link%2FM2TESTVENDOR1",
        "https://pitangui.amazon.com/api/skill/../skill/link/M2TESTVENDOR1",
        "https://pitangui.amazon.com/api/skill/link/./M2TESTVENDOR1",
        "https://user@pitangui.amazon.com/api/skill/link/M2TESTVENDOR1",
        "https://pitangui.amazon.com@evil.example/api/skill/link/M2TESTVENDOR1",
        "http://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1",
        "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1?x=1",
        "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1#f",
        "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1 ",
        " https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1",
        "//pitangui.amazon.com/api/skill/link/M2TESTVENDOR1",
    ];
    for v in variants {
        let r = s.get(&AuthParams::new(&id, v).path()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{v:?}");
        assert_no_redirect(&r, v);
        assert!(!r.text().contains("csrf"), "{v:?}: no login form");
    }
    // The registered URIs, byte for byte, are accepted (all three regions).
    for ok in [PITANGUI, LAYLA, JP] {
        let r = s.get(&AuthParams::new(&id, ok).path()).await;
        assert_eq!(r.status, StatusCode::OK, "{ok}: {}", r.text());
    }
}

#[tokio::test]
async fn wildcard_or_prefix_redirect_refused() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client();
    let (wid, _) = s.add_client(&["https://*.example.com/cb"], &["music:read"]);
    let cases: Vec<(&str, String)> = vec![
        (&id, format!("{PITANGUI}/evil")),
        (&id, format!("{PITANGUI}x")),
        (&id, format!("{PITANGUI}/../../../evil")),
        (&id, "https://pitangui.amazon.com/api/skill/link/".into()),
        (&id, "https://pitangui.amazon.com/".into()),
        (
            &id,
            "https://pitangui.amazon.com.evil.example/api/skill/link/M2TESTVENDOR1".into(),
        ),
        (
            &id,
            "https://evil.pitangui.amazon.com/api/skill/link/M2TESTVENDOR1".into(),
        ),
        (&wid, "https://evil.example.com/cb".into()),
        (&wid, "https://a.example.com/cb".into()),
    ];
    for (cid, uri) in &cases {
        let r = s.get(&AuthParams::new(cid, uri).path()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_no_redirect(&r, uri);
    }
}

#[tokio::test]
async fn unknown_client_shows_error_page_never_redirects() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let mut without_id = AuthParams::new("x", PITANGUI).query();
    without_id = without_id.replace("client_id=x&", "");
    let queries = [
        AuthParams::new("no-such-client", PITANGUI).query(),
        AuthParams::new(&"c".repeat(300), PITANGUI).query(),
        without_id,
        // Known client, unregistered redirect URI, and a bad response_type too:
        // still no redirect, because the URI is not trusted.
        AuthParams::new(&id, "https://evil.example/cb")
            .query()
            .replace("response_type=code", "response_type=token"),
        // Known client without redirect_uri.
        format!("client_id={id}&response_type=code&state=s"),
    ];
    for q in &queries {
        let r = s.get(&format!("/alexa/authorize?{q}")).await;
        assert!(r.status.is_client_error(), "{q}: {}", r.status);
        assert_no_redirect(&r, q);
        assert!(
            r.header("content-type").unwrap().starts_with("text/html"),
            "{q}: an error page"
        );
    }
    // The POST (login form submission) with an unknown client also never redirects,
    // even with a correct password.
    let mut b = Browser::default();
    let page = b.get(&s, &AuthParams::new(&id, PITANGUI).path()).await;
    let mut fields = hidden_fields(&page.text());
    for (k, v) in fields.iter_mut() {
        if k == "client_id" {
            *v = "no-such-client".into();
        }
    }
    let r = b
        .submit_fields(&s, &fields, USER, PASSWORD, "approve")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_no_redirect(&r, "POST unknown client");
    assert_eq!(code_issued_count(&s), 0);
}

#[tokio::test]
async fn code_bound_to_redirect_uri() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    // Another registered URI of the same client is still a different URI.
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s.redeem(&id, &secret, &code, LAYLA, None).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "other URI");
    // A trailing slash is a different URI.
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s
        .redeem(&id, &secret, &code, &format!("{PITANGUI}/"), None)
        .await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "slash");
    // The token request must repeat it.
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s
        .token_basic(
            &id,
            &secret,
            &[("grant_type", "authorization_code"), ("code", &code)],
        )
        .await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_request", "missing");
    // Identical: accepted.
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The code for JP works with JP.
    let code = obtain_code(&s, &AuthParams::new(&id, JP)).await;
    let r = s.redeem(&id, &secret, &code, JP, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn post_login_redirect_is_303_not_307() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI);
    let mut b = Browser::default();
    let r = b.login(&s, &p, USER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location_params().contains_key("code"));
    // Cancel is a POST too.
    let mut b = Browser::default();
    let page = b.get(&s, &p.path()).await;
    let r = b.submit(&s, &page, "", "", "deny").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location_params()["error"], "access_denied");
    // An error found in a POSTed form (bad scope) also answers 303.
    let mut b = Browser::default();
    let page = b.get(&s, &p.path()).await;
    let mut fields = hidden_fields(&page.text());
    for (k, v) in fields.iter_mut() {
        if k == "scope" {
            *v = "music:admin".into();
        }
    }
    let r = b
        .submit_fields(&s, &fields, USER, PASSWORD, "approve")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location_params()["error"], "invalid_scope");
}

#[tokio::test]
async fn state_is_returned_byte_for_byte() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let state = "AmaseyXX+/XX==&x=1;%41 é";
    let mut p = AuthParams::new(&id, PITANGUI);
    p.state = Some(state.into());
    let mut b = Browser::default();
    let r = b.login(&s, &p, USER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let loc = r.header("location").unwrap();
    assert!(loc.starts_with(&format!("{PITANGUI}?")), "{loc}");
    assert_eq!(r.location_params()["state"], state, "{loc}");
    // Without state: no state in the response.
    let mut p = AuthParams::new(&id, LAYLA);
    p.state = None;
    let mut b = Browser::default();
    let r = b.login(&s, &p, USER, PASSWORD).await;
    assert!(!r.location_params().contains_key("state"));
}

// ---------------------------------------------------------------------------
// Codes

#[tokio::test]
async fn code_is_256_bit_random_and_stored_hashed() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let mut codes = BTreeSet::new();
    for _ in 0..3 {
        let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
        let raw = B64URL.decode(&code).expect("base64url code");
        assert!(raw.len() >= 32, "at least 256 bits: {code}");
        assert!(codes.insert(code), "codes repeat");
    }
    let hashes: Vec<Vec<u8>> = s
        .app
        .store()
        .with(|c| {
            let v = c
                .prepare("SELECT hash FROM codes")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok::<_, StoreError>(v)
        })
        .unwrap();
    assert_eq!(hashes.len(), codes.len());
    let cols = all_text_columns(&s);
    for code in &codes {
        assert!(
            hashes.contains(&util::sha256(code.as_bytes()).to_vec()),
            "stored as SHA-256"
        );
        assert!(
            !cols.iter().any(|c| c.contains(code.as_str())),
            "plaintext code in a column"
        );
        assert!(
            !db_files_contain(&s, code.as_bytes()),
            "plaintext code on disk"
        );
    }
}

#[tokio::test]
async fn code_lifetime_at_most_10_minutes() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let before = util::now();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let hash = util::sha256(code.as_bytes());
    let exp: i64 = s
        .app
        .store()
        .with(|c| {
            Ok::<_, StoreError>(c.query_row(
                "SELECT expires_at FROM codes WHERE hash = ?1",
                [&hash[..]],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(exp > before, "a code must be usable");
    assert!(exp - before <= 600, "code lives {} s", exp - before);
    // An expired code is refused (moved into the past rather than waiting).
    s.app
        .store()
        .with(|c| {
            c.execute(
                "UPDATE codes SET expires_at = ?2 WHERE hash = ?1",
                rusqlite::params![&hash[..], util::now() - 1],
            )?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "expired");
}

#[tokio::test]
async fn code_bound_to_client_user_scope_and_pkce() {
    let s = TestServer::start().await;
    let (a, a_secret) = s.add_alexa_client();
    let (b, b_secret) = s.add_alexa_client_and_user();
    s.add_user("bob", "bob's long password");
    // Client: B cannot redeem A's code.
    let code = obtain_code(&s, &AuthParams::new(&a, PITANGUI)).await;
    let r = s.redeem_code(&b, &b_secret, &code).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "other client");
    // User and scope: bob's code for music:read gives bob's token for music:read.
    let mut p = AuthParams::new(&a, PITANGUI).pkce(VERIFIER);
    p.scope = Some("music:read".into());
    let mut br = Browser::default();
    let r = br.login(&s, &p, "bob", "bob's long password").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let code = r.location_params()["code"].clone();
    // PKCE: a wrong verifier fails and burns the code.
    let other_verifier = "x".repeat(43);
    let r = s
        .redeem(&a, &a_secret, &code, PITANGUI, Some(&other_verifier))
        .await;
    assert_token_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        "wrong verifier",
    );
    let r = s
        .redeem(&a, &a_secret, &code, PITANGUI, Some(VERIFIER))
        .await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "burnt code");
    // A fresh code with the right verifier.
    let mut br = Browser::default();
    let r = br.login(&s, &p, "bob", "bob's long password").await;
    let code = r.location_params()["code"].clone();
    let r = s
        .redeem(&a, &a_secret, &code, PITANGUI, Some(VERIFIER))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let tok = r.json();
    assert_eq!(tok["scope"], "music:read");
    let claims = jwt_part(tok["access_token"].as_str().unwrap(), 1);
    assert_eq!(claims["sub"], "local:bob");
    assert_eq!(claims["client_id"], a.as_str());
    assert_eq!(claims["scope"], "music:read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_redemptions_exactly_one_succeeds() {
    let s = Arc::new(TestServer::start().await);
    let (id, secret) = s.add_alexa_client_and_user();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (s, id, secret, code) = (s.clone(), id.clone(), secret.clone(), code.clone());
        set.spawn(async move { s.redeem_code(&id, &secret, &code).await });
    }
    let mut ok = 0;
    let mut grant_errors = 0;
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        if r.status == StatusCode::OK {
            ok += 1;
        } else {
            assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "parallel");
            grant_errors += 1;
        }
    }
    assert_eq!(ok, 1, "exactly one redemption succeeds");
    assert_eq!(grant_errors, 11);
}

#[tokio::test]
async fn second_redemption_revokes_issued_tokens() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK);
    let tok = r.json();
    let (at, rt) = (
        tok["access_token"].as_str().unwrap(),
        tok["refresh_token"].as_str().unwrap(),
    );
    assert_eq!(s.introspect(&id, &secret, at).await.json()["active"], true);
    assert_eq!(s.refresh(&id, &secret, rt).await.status, StatusCode::OK);
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "replay");
    let r = s.refresh(&id, &secret, rt).await;
    assert_token_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        "refresh after replay",
    );
    assert_eq!(s.introspect(&id, &secret, at).await.json()["active"], false);
    assert!(s.events().iter().any(|e| matches!(
        e,
        AuditEvent::CodeReplayed {
            revoked_link: Some(_),
            ..
        }
    )));
}

#[tokio::test]
async fn codes_single_use_not_stateless() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    // The code is server state: a row exists for it before redemption...
    let hash = util::sha256(code.as_bytes());
    let consumed = |s: &TestServer| -> Option<Option<i64>> {
        s.app
            .store()
            .with(|c| {
                use rusqlite::OptionalExtension as _;
                Ok::<_, StoreError>(
                    c.query_row(
                        "SELECT consumed_at FROM codes WHERE hash = ?1",
                        [&hash[..]],
                        |r| r.get(0),
                    )
                    .optional()?,
                )
            })
            .unwrap()
    };
    assert_eq!(consumed(&s), Some(None), "an unconsumed row for the code");
    assert_eq!(
        s.redeem_code(&id, &secret, &code).await.status,
        StatusCode::OK
    );
    assert!(matches!(consumed(&s), Some(Some(_))), "marked consumed");
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "second use");
    // A code the server never issued, however well formed, is refused.
    let forged = util::random_token(32);
    let r = s.redeem_code(&id, &secret, &forged).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "forged");
    // And deleting the row kills the code: nothing in the code itself suffices.
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    s.app
        .store()
        .with(|c| {
            c.execute("DELETE FROM codes WHERE consumed_at IS NULL", [])?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "deleted row");
}

// ---------------------------------------------------------------------------
// PKCE

#[tokio::test]
async fn pkce_plain_refused() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client();
    let mut plain = AuthParams::new(&id, PITANGUI);
    plain.code_challenge = Some(VERIFIER.into());
    plain.code_challenge_method = Some("plain".into());
    // A challenge without a method defaults to plain (RFC 7636 4.3): refused too.
    let mut implicit_plain = AuthParams::new(&id, PITANGUI);
    implicit_plain.code_challenge = Some(pkce::s256(VERIFIER));
    let mut lower = AuthParams::new(&id, PITANGUI).pkce(VERIFIER);
    lower.code_challenge_method = Some("s256".into());
    for p in [plain, implicit_plain, lower] {
        let r = s.get(&p.path()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}", p);
        let q = r.location_params();
        assert_eq!(q["error"], "invalid_request", "{p:?}");
        assert!(!q.contains_key("code"));
        assert_eq!(q["state"], p.state.clone().unwrap());
    }
    let r = s
        .get(&AuthParams::new(&id, PITANGUI).pkce(VERIFIER).path())
        .await;
    assert_eq!(r.status, StatusCode::OK, "S256 is accepted");
}

#[tokio::test]
async fn pkce_verifier_required_when_challenge_sent() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI).pkce(VERIFIER);
    let code = obtain_code(&s, &p).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "no verifier");
    let code = obtain_code(&s, &p).await;
    let r = s
        .redeem(&id, &secret, &code, PITANGUI, Some(VERIFIER))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn pkce_verifier_without_challenge_is_downgrade() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s
        .redeem(&id, &secret, &code, PITANGUI, Some(VERIFIER))
        .await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "downgrade");
    // Without PKCE on both sides, linking works (Alexa's default).
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn pkce_verifier_syntax() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let bad = [
        "a".repeat(42),
        "a".repeat(129),
        format!("{}+", "a".repeat(43)),
        format!("{}/", "a".repeat(43)),
        format!("{} x", "a".repeat(43)),
        format!("{}é", "a".repeat(43)),
    ];
    for v in &bad {
        // The challenge matches the bad verifier, so only the syntax check can refuse it.
        let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI).pkce(v)).await;
        let r = s.redeem(&id, &secret, &code, PITANGUI, Some(v)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{v:?}: {}", r.text());
        assert!(r.json().get("access_token").is_none(), "{v:?}");
    }
    for v in [
        "a".repeat(43),
        "~._-".repeat(32),
        "Az09-._~".repeat(16).chars().take(128).collect::<String>(),
    ] {
        let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI).pkce(&v)).await;
        let r = s.redeem(&id, &secret, &code, PITANGUI, Some(&v)).await;
        assert_eq!(r.status, StatusCode::OK, "{v:?}: {}", r.text());
    }
    // A malformed challenge is refused at the authorization endpoint.
    let mut p = AuthParams::new(&id, PITANGUI).pkce(VERIFIER);
    p.code_challenge = Some("short".into());
    let r = s.get(&p.path()).await;
    assert_eq!(r.location_params()["error"], "invalid_request");
}

#[tokio::test]
async fn pkce_rfc7636_appendix_b_vector() {
    assert_eq!(
        pkce::s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    // End to end, with the challenge typed in from the RFC rather than computed.
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let mut p = AuthParams::new(&id, PITANGUI);
    p.code_challenge = Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into());
    p.code_challenge_method = Some("S256".into());
    let code = obtain_code(&s, &p).await;
    let r = s
        .redeem(
            &id,
            &secret,
            &code,
            PITANGUI,
            Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn require_pkce_client_refuses_authorization_without_challenge() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_requiring_pkce();
    s.add_user(USER, PASSWORD);
    // A valid client and redirect URI without code_challenge: an error sent back
    // to the client (the redirect URI is verified), with state and iss.
    for uri in [PITANGUI, LAYLA, JP] {
        let p = AuthParams::new(&id, uri);
        let r = s.get(&p.path()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let loc = r.header("location").unwrap();
        assert!(loc.starts_with(&format!("{uri}?")), "{loc}");
        let q = r.location_params();
        assert_eq!(q["error"], "invalid_request", "{q:?}");
        assert!(
            q["error_description"].contains("code_challenge")
                && q["error_description"].contains("PKCE"),
            "{q:?}"
        );
        assert!(rfc6749_description_ok(&q["error_description"]), "{q:?}");
        assert_eq!(q["state"], "AmaseyXXXXXXXX=");
        assert_eq!(q["iss"], s.base);
        assert!(!q.contains_key("code"));
    }
    // No state: none is invented.
    let mut p = AuthParams::new(&id, PITANGUI);
    p.state = None;
    let r = s.get(&p.path()).await;
    assert_eq!(r.location_params()["error"], "invalid_request");
    assert!(!r.location_params().contains_key("state"));
    // Unknown redirect URI: still a page, never a redirect.
    let p = AuthParams::new(&id, "https://evil.example/cb");
    let r = s.get(&p.path()).await;
    assert_no_redirect(&r, "unregistered redirect_uri, no challenge");
    // The login POST is validated the same way: a form stripped of its
    // challenge (fields of a PKCE page minus code_challenge*) issues no code.
    let mut b = Browser::default();
    let page = b
        .get(&s, &AuthParams::new(&id, PITANGUI).pkce(VERIFIER).path())
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let stripped: Vec<(String, String)> = hidden_fields(&page.text())
        .into_iter()
        .filter(|(k, _)| !k.starts_with("code_challenge"))
        .collect();
    let r = b
        .submit_fields(&s, &stripped, USER, PASSWORD, "approve")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location_params()["error"], "invalid_request");
    assert!(!r.location_params().contains_key("code"));
    assert_eq!(code_issued_count(&s), 0, "no code was issued");
    // A generic client gets the same refusal, without the Alexa console advice.
    let (gid, _) = s.add_client(&["https://client.example.com/cb"], &["music:read"]);
    s.set_require_pkce(&gid, true);
    let mut p = AuthParams::new(&gid, "https://client.example.com/cb");
    p.scope = Some("music:read".into());
    let r = s.get(&p.path()).await;
    let q = r.location_params();
    assert_eq!(q["error"], "invalid_request");
    assert!(!q["error_description"].contains("Alexa"), "{q:?}");
    // Turning the requirement off takes effect at once (no restart).
    s.set_require_pkce(&id, false);
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn require_pkce_client_links_with_s256() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_requiring_pkce();
    s.add_user(USER, PASSWORD);
    let p = AuthParams::new(&id, PITANGUI).pkce(VERIFIER);
    let code = obtain_code(&s, &p).await;
    let r = s
        .redeem(&id, &secret, &code, PITANGUI, Some(VERIFIER))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let tok = r.json();
    let rt = tok["refresh_token"].as_str().unwrap();
    let r = s.refresh(&id, &secret, rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The usual PKCE rules still hold: no verifier, or a wrong one, is refused.
    let code = obtain_code(&s, &p).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "no verifier");
    let code = obtain_code(&s, &p).await;
    let wrong = "x".repeat(43);
    let r = s.redeem(&id, &secret, &code, PITANGUI, Some(&wrong)).await;
    assert_token_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        "wrong verifier",
    );
    // `plain` is refused as for every client.
    let mut plain = AuthParams::new(&id, PITANGUI);
    plain.code_challenge = Some(VERIFIER.into());
    plain.code_challenge_method = Some("plain".into());
    let r = s.get(&plain.path()).await;
    assert_eq!(r.location_params()["error"], "invalid_request");
    // The token endpoint goes by the code: one issued without a challenge
    // before the requirement was turned on still redeems without a verifier.
    s.set_require_pkce(&id, false);
    let early = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    s.set_require_pkce(&id, true);
    let r = s.redeem_code(&id, &secret, &early).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn metadata_advertises_s256_only() {
    let s = TestServer::start().await;
    let m = s.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(
        m.json()["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
}

// ---------------------------------------------------------------------------
// Client authentication

#[tokio::test]
async fn client_secret_basic_form_urlencoded_secret_with_colon_percent_plus() {
    let s = TestServer::start().await;
    s.add_user(USER, PASSWORD);
    let secret = "a:b%c+d e/f=g&h~é:";
    let (id, _) = s.add_client_full(
        "Odd secret",
        ClientKind::Alexa,
        vec![PITANGUI.into()],
        vec!["music:read".into()],
        Some(secret),
    );
    let mut p = AuthParams::new(&id, PITANGUI);
    p.scope = Some("music:read".into());
    let code = obtain_code(&s, &p).await;
    // basic_header form-urlencodes id and secret before base64 (RFC 6749 2.3.1).
    let r = s.redeem_code(&id, secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Sent raw (not encoded), the `+` would decode to a space: must not authenticate.
    let raw = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:a:b%25c+d"))
    );
    let r = s
        .post_form(
            "/alexa/token",
            &[("authorization", &raw)],
            &refresh_grant("x"),
        )
        .await;
    assert_token_error(&r, StatusCode::UNAUTHORIZED, "invalid_client", "raw secret");
}

#[tokio::test]
async fn rfc6749_basic_example_decodes() {
    assert_eq!(
        ma_alexa_oauth::http::basic::parse(b"Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"),
        Ok(("s6BhdRkqt3".into(), "gX1fBat3bV".into()))
    );
    let s = TestServer::start().await;
    add_client_with_id(&s, "s6BhdRkqt3", "gX1fBat3bV");
    let r = s
        .post_form(
            "/alexa/token",
            &[("authorization", "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW")],
            &refresh_grant("tGzv3JOkF0XG5Qx2TlKWIA"),
        )
        .await;
    // Authenticated: the failure is about the grant, not the client.
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "rfc example");
    // One character off: the client is not authenticated.
    let r = s
        .post_form(
            "/alexa/token",
            &[("authorization", "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JX")],
            &refresh_grant("tGzv3JOkF0XG5Qx2TlKWIA"),
        )
        .await;
    assert_token_error(&r, StatusCode::UNAUTHORIZED, "invalid_client", "one off");
}

#[tokio::test]
async fn client_secret_post_accepted() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s
        .token_post(&id, &secret, &code_grant(&code, PITANGUI, None))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rt = r.json()["refresh_token"].as_str().unwrap().to_owned();
    let r = s.refresh_post(&id, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = s.refresh_post(&id, "wrong", &rt).await;
    assert_token_error(
        &r,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "wrong post secret",
    );
}

#[tokio::test]
async fn two_auth_methods_in_one_request_is_error() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    let basic = basic_header(&id, &secret);
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", rt),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let r = s
        .post_form("/alexa/token", &[("authorization", &basic)], &form)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_request");
    assert!(r.json().get("access_token").is_none());
    // Two Authorization headers are two methods as well.
    let r = send(
        s.addr,
        "POST",
        "/alexa/token",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("authorization", &basic),
            ("authorization", &basic),
        ],
        Some(encode_form(&refresh_grant(rt)).into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.json().get("access_token").is_none());
    // On revocation too: the token survives.
    let r = s
        .post_form(
            "/alexa/revoke",
            &[("authorization", &basic)],
            &[("token", rt), ("client_secret", secret.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(s.refresh(&id, &secret, rt).await.status, StatusCode::OK);
}

#[tokio::test]
async fn invalid_client_is_401_with_www_authenticate_basic() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    let good = refresh_grant(rt);
    let bad_b64 = "Basic !!!notbase64".to_owned();
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "wrong secret",
            vec![("authorization", basic_header(&id, "nope"))],
            good.to_vec(),
        ),
        (
            "unknown client",
            vec![("authorization", basic_header("nobody", &secret))],
            good.to_vec(),
        ),
        ("no credentials", vec![], good.to_vec()),
        (
            "bad base64",
            vec![("authorization", bad_b64)],
            good.to_vec(),
        ),
        (
            "bearer",
            vec![("authorization", format!("Bearer {secret}"))],
            good.to_vec(),
        ),
        ("id only in body", vec![], {
            let mut f = good.to_vec();
            f.push(("client_id", &id));
            f
        }),
        ("wrong post secret", vec![], {
            let mut f = good.to_vec();
            f.push(("client_id", &id));
            f.push(("client_secret", "nope"));
            f
        }),
        (
            "empty secret",
            vec![("authorization", basic_header(&id, ""))],
            good.to_vec(),
        ),
    ];
    for path in ["/alexa/token", "/alexa/revoke", "/alexa/introspect"] {
        for (what, headers, form) in &cases {
            let mut form = form.clone();
            if path != "/alexa/token" {
                form.retain(|(k, _)| *k != "grant_type" && *k != "refresh_token");
                form.push(("token", rt));
            }
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = s.post_form(path, &h, &form).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{path} {what}: {}",
                r.text()
            );
            assert_eq!(r.error(), "invalid_client", "{path} {what}");
            let wa = r.header("www-authenticate").unwrap_or_default();
            assert!(
                wa.to_ascii_lowercase().starts_with("basic"),
                "{path} {what}: {wa:?}"
            );
        }
    }
    // None of those revoked anything.
    assert_eq!(s.refresh(&id, &secret, rt).await.status, StatusCode::OK);
}

#[tokio::test]
async fn client_secret_256_bits_url_safe_stored_hashed() {
    let mut seen = BTreeSet::new();
    for _ in 0..64 {
        let secret = client_auth::new_secret();
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "URL-safe alphabet: {secret}"
        );
        assert!(
            B64URL.decode(&secret).expect("base64url").len() >= 32,
            "256 bits"
        );
        assert!(seen.insert(secret), "secrets repeat");
    }
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client();
    let stored: Vec<u8> = s
        .app
        .store()
        .with(|c| {
            Ok::<_, StoreError>(c.query_row(
                "SELECT secret_hash FROM clients WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(
        stored,
        util::sha256(secret.as_bytes()).to_vec(),
        "a SHA-256 digest"
    );
    assert!(!all_text_columns(&s).iter().any(|c| c.contains(&secret)));
    assert!(
        !db_files_contain(&s, secret.as_bytes()),
        "plaintext secret on disk"
    );
}

// ---------------------------------------------------------------------------
// Tokens

#[tokio::test]
async fn token_responses_no_store_and_json() {
    let s = TestServer::start().await;
    let (id, secret, _) = linked(&s).await;
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let ok = s.redeem_code(&id, &secret, &code).await;
    let rt = ok.json()["refresh_token"].as_str().unwrap().to_owned();
    let at = ok.json()["access_token"].as_str().unwrap().to_owned();
    let responses = vec![
        ("code grant", ok),
        ("refresh", s.refresh(&id, &secret, &rt).await),
        ("invalid_grant", s.redeem_code(&id, &secret, "nope").await),
        ("invalid_client", s.refresh(&id, "nope", &rt).await),
        ("introspect", s.introspect(&id, &secret, &at).await),
        ("introspect error", s.introspect(&id, "nope", &at).await),
    ];
    for (what, r) in &responses {
        let cc = r.header("cache-control").unwrap_or_default();
        assert!(cc.contains("no-store"), "{what}: {cc:?}");
        let ct = r.header("content-type").unwrap_or_default();
        assert!(ct.starts_with("application/json"), "{what}: {ct:?}");
        let _ = r.json();
    }
    let tok = responses[0].1.json();
    assert_eq!(tok["token_type"], "Bearer");
    assert!(tok["expires_in"].is_i64() && tok["expires_in"].as_i64().unwrap() > 0);
    assert!(tok["refresh_token"].is_string());
    let r = s.revoke(&id, &secret, &[("token", &at)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("cache-control")
            .unwrap_or_default()
            .contains("no-store")
    );
}

#[tokio::test]
async fn error_codes_are_rfc6749() {
    let s = TestServer::start().await;
    let (id, secret, tok) = link_with(&s, Some("music:read")).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    let cases = vec![
        (
            "invalid_request",
            s.token_basic(&id, &secret, &[("refresh_token", rt)]).await,
        ),
        ("invalid_client", s.refresh(&id, "wrong", rt).await),
        ("invalid_grant", s.refresh(&id, &secret, "unknown").await),
        (
            "unsupported_grant_type",
            s.token_basic(&id, &secret, &[("grant_type", "password")])
                .await,
        ),
        (
            "invalid_scope",
            s.refresh_scope(&id, &secret, rt, "music:read music:control")
                .await,
        ),
    ];
    for (want, r) in cases {
        let status = if want == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_token_error(&r, status, want, want);
        let desc = r.json()["error_description"].clone();
        assert!(desc.is_string() || desc.is_null(), "{want}");
    }
}

/// RFC 6749 5.2 and 4.1.2.1: `error_description` is limited to
/// %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and `\`).
fn rfc6749_description_ok(d: &str) -> bool {
    d.bytes()
        .all(|b| b == 0x20 || b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

#[tokio::test]
async fn error_bodies_use_rfc6749_codes() {
    let s = TestServer::start().await;
    let (id, secret, tok) = link_with(&s, Some("music:read")).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    let auth = basic_header(&id, &secret);
    let form = "application/x-www-form-urlencoded";
    type Body<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>);
    let bodies: Vec<Body> = vec![
        (
            "json body",
            vec![
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            b"{}".to_vec(),
        ),
        (
            "no content-type",
            vec![("authorization", &auth)],
            b"grant_type=refresh_token".to_vec(),
        ),
        (
            "bad escape",
            vec![("content-type", form), ("authorization", &auth)],
            b"grant_type=%zz".to_vec(),
        ),
        (
            "not utf-8",
            vec![("content-type", form), ("authorization", &auth)],
            b"grant_type=\xff".to_vec(),
        ),
        (
            "duplicate",
            vec![("content-type", form), ("authorization", &auth)],
            b"grant_type=a&grant_type=a".to_vec(),
        ),
        (
            "empty",
            vec![("content-type", form), ("authorization", &auth)],
            Vec::new(),
        ),
        (
            "unknown grant",
            vec![("content-type", form), ("authorization", &auth)],
            b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer".to_vec(),
        ),
        (
            "code missing",
            vec![("content-type", form), ("authorization", &auth)],
            b"grant_type=authorization_code&redirect_uri=x".to_vec(),
        ),
        (
            "unknown code",
            vec![("content-type", form), ("authorization", &auth)],
            format!(
                "grant_type=authorization_code&code=abc&redirect_uri={}",
                encode_form(&[("x", PITANGUI)]).trim_start_matches("x=")
            )
            .into_bytes(),
        ),
        (
            "long code",
            vec![("content-type", form), ("authorization", &auth)],
            format!(
                "grant_type=authorization_code&code={}&redirect_uri=x",
                "a".repeat(2000)
            )
            .into_bytes(),
        ),
        (
            "bad verifier",
            vec![("content-type", form), ("authorization", &auth)],
            b"grant_type=authorization_code&code=abc&redirect_uri=x&code_verifier=%22%5C".to_vec(),
        ),
        (
            "widen scope",
            vec![("content-type", form), ("authorization", &auth)],
            encode_form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("scope", "music:read music:admin"),
            ])
            .into_bytes(),
        ),
        (
            "bad scope",
            vec![("content-type", form), ("authorization", &auth)],
            encode_form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("scope", "a\"b"),
            ])
            .into_bytes(),
        ),
        (
            "wrong secret",
            vec![("content-type", form), ("authorization", "Basic eDp5")],
            b"grant_type=refresh_token&refresh_token=x".to_vec(),
        ),
        (
            "too large",
            vec![("content-type", form), ("authorization", &auth)],
            vec![b'a'; 20_000],
        ),
    ];
    for path in ["/alexa/token", "/alexa/revoke", "/alexa/introspect"] {
        for (what, headers, body) in &bodies {
            let r = send(s.addr, "POST", path, headers, Some(body.clone())).await;
            if path != "/alexa/token" && r.status == StatusCode::OK {
                continue; // revocation/introspection of an unknown token is not an error
            }
            assert!(
                [
                    StatusCode::BAD_REQUEST,
                    StatusCode::UNAUTHORIZED,
                    StatusCode::PAYLOAD_TOO_LARGE
                ]
                .contains(&r.status),
                "{path} {what}: {} {}",
                r.status,
                r.text()
            );
            let v = r.json();
            let e = v["error"].as_str().unwrap_or_default();
            assert!(TOKEN_ERRORS.contains(&e), "{path} {what}: {e:?}");
            if let Some(d) = v.get("error_description") {
                let d = d.as_str().expect("a string");
                assert!(rfc6749_description_ok(d), "{path} {what}: {d:?}");
            }
        }
    }
    // The authorization endpoint's error redirects too.
    let mut b = Browser::default();
    let mut queries = vec![];
    let mut p = AuthParams::new(&id, PITANGUI);
    p.scope = Some("music:admin".into());
    queries.push(p.query());
    queries.push(
        AuthParams::new(&id, PITANGUI)
            .query()
            .replace("response_type=code", "response_type=token"),
    );
    queries.push(
        AuthParams::new(&id, PITANGUI)
            .query()
            .replace("response_type=code", "response_type=code+id_token"),
    );
    queries.push(format!(
        "{}&response_mode=fragment",
        AuthParams::new(&id, PITANGUI).query()
    ));
    queries.push(format!(
        "{}&code_challenge_method=S256",
        AuthParams::new(&id, PITANGUI).query()
    ));
    let mut p = AuthParams::new(&id, PITANGUI);
    p.scope = Some("music:read\"x".into());
    queries.push(p.query());
    for q in &queries {
        let r = b.get(&s, &format!("/alexa/authorize?{q}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{q}");
        let lp = r.location_params();
        assert!(
            AUTHORIZE_ERRORS.contains(&lp["error"].as_str()),
            "{q}: {lp:?}"
        );
        if let Some(d) = lp.get("error_description") {
            assert!(rfc6749_description_ok(d), "{q}: {d:?}");
        }
    }
}

#[tokio::test]
async fn duplicate_parameters_are_invalid_request() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    let auth = basic_header(&id, &secret);
    let h = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("authorization", auth.as_str()),
    ];
    let rt_enc = encode_form(&[("refresh_token", rt)]);
    for body in [
        format!("grant_type=refresh_token&grant_type=refresh_token&{rt_enc}"),
        format!("grant_type=refresh_token&{rt_enc}&{rt_enc}"),
        format!("grant_type=refresh_token&{rt_enc}&scope=music%3Aread&scope="),
        format!("grant_type=refresh_token&{rt_enc}&client_id={id}&client_id={id}"),
    ] {
        let r = send(
            s.addr,
            "POST",
            "/alexa/token",
            &h,
            Some(body.clone().into_bytes()),
        )
        .await;
        assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_request", &body);
    }
    for path in ["/alexa/revoke", "/alexa/introspect"] {
        let body = format!("token={rt}&token={rt}");
        let r = send(s.addr, "POST", path, &h, Some(body.into_bytes())).await;
        assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_request", path);
    }
    assert_eq!(s.refresh(&id, &secret, rt).await.status, StatusCode::OK);
    // The authorization endpoint: an error page, never a redirect (the
    // duplicate may be the redirect_uri itself).
    let q = AuthParams::new(&id, PITANGUI).query();
    for extra in [
        format!(
            "&redirect_uri={}",
            encode_form(&[("x", "https://evil.example/")]).trim_start_matches("x=")
        ),
        "&state=other".to_owned(),
        "&client_id=other".to_owned(),
    ] {
        let r = s.get(&format!("/alexa/authorize?{q}{extra}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra}");
        assert_no_redirect(&r, &extra);
    }
    // And on the login POST.
    let mut b = Browser::default();
    let page = b.get(&s, &format!("/alexa/authorize?{q}")).await;
    let mut fields = hidden_fields(&page.text());
    fields.push(("redirect_uri".into(), LAYLA.into()));
    let r = b
        .submit_fields(&s, &fields, USER, PASSWORD, "approve")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_no_redirect(&r, "duplicate in POST");
}

#[tokio::test]
async fn only_code_and_refresh_grants_enabled() {
    let s = TestServer::start().await;
    let (id, secret, _) = linked(&s).await;
    // No implicit grant (nor hybrid): an error, never a token.
    for rtype in ["token", "code token", "id_token", "code id_token", "none"] {
        let q = AuthParams::new(&id, PITANGUI).query().replace(
            "response_type=code",
            &encode_form(&[("response_type", rtype)]),
        );
        let r = s.get(&format!("/alexa/authorize?{q}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{rtype}");
        let loc = r.header("location").unwrap();
        assert!(!loc.contains('#') && !loc.contains("access_token"), "{loc}");
        assert_eq!(
            r.location_params()["error"],
            "unsupported_response_type",
            "{rtype}"
        );
    }
    // No password, client_credentials or other grants.
    for (grant, extra) in [
        ("password", vec![("username", USER), ("password", PASSWORD)]),
        ("client_credentials", vec![]),
        (
            "urn:ietf:params:oauth:grant-type:device_code",
            vec![("device_code", "x")],
        ),
        (
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            vec![("assertion", "x")],
        ),
        ("implicit", vec![]),
    ] {
        let mut f = vec![("grant_type", grant)];
        f.extend(extra);
        for r in [
            s.token_basic(&id, &secret, &f).await,
            s.token_post(&id, &secret, &f).await,
        ] {
            assert_token_error(&r, StatusCode::BAD_REQUEST, "unsupported_grant_type", grant);
        }
    }
    let m = s
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(
        m["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(m["response_types_supported"], serde_json::json!(["code"]));
}

#[tokio::test]
async fn refresh_token_opaque_hashed_bound_to_client_and_scope() {
    let s = TestServer::start().await;
    let (id, secret, tok) = link_with(&s, Some("music:read")).await;
    let (other, other_secret) = s.add_alexa_client();
    let rt = tok["refresh_token"].as_str().unwrap();
    // Opaque: not a JWT, nothing readable inside.
    assert!(!rt.contains('.'), "not a JWT: {rt}");
    let raw = B64URL.decode(rt).expect("base64url");
    assert!(raw.len() >= 32);
    assert!(serde_json::from_slice::<Value>(&raw).is_err());
    // Hashed at rest.
    let hashes: Vec<Vec<u8>> = s
        .app
        .store()
        .with(|c| {
            Ok::<_, StoreError>(
                c.prepare("SELECT hash FROM refresh_tokens")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
            )
        })
        .unwrap();
    assert_eq!(hashes, vec![util::sha256(rt.as_bytes()).to_vec()]);
    assert!(!all_text_columns(&s).iter().any(|c| c.contains(rt)));
    assert!(!db_files_contain(&s, rt.as_bytes()));
    // Bound to the client.
    let r = s.refresh(&other, &other_secret, rt).await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_grant", "other client");
    // Bound to the scope granted.
    let r = s.refresh(&id, &secret, rt).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["scope"], "music:read");
    assert_eq!(
        jwt_part(r.json()["access_token"].as_str().unwrap(), 1)["scope"],
        "music:read"
    );
    // Amazon retries: the refresh token stays valid after use.
    assert_eq!(s.refresh(&id, &secret, rt).await.status, StatusCode::OK);
}

#[tokio::test]
async fn refresh_never_widens_scope() {
    let s = TestServer::start().await;
    let (id, secret, tok) = link_with(&s, Some("music:read")).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    for wider in [
        "music:read music:control",
        "music:control",
        "music:read admin",
    ] {
        let r = s.refresh_scope(&id, &secret, rt, wider).await;
        assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_scope", wider);
    }
    let r = s.refresh_scope(&id, &secret, rt, "music:read").await;
    assert_eq!(r.status, StatusCode::OK);
    // Narrowing is allowed, and a later refresh cannot use the narrowing to widen.
    let s2 = TestServer::start().await;
    let (id2, secret2, tok2) = link_with(&s2, None).await;
    let rt2 = tok2["refresh_token"].as_str().unwrap();
    let r = s2.refresh_scope(&id2, &secret2, rt2, "music:control").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["scope"], "music:control");
    assert_eq!(
        jwt_part(r.json()["access_token"].as_str().unwrap(), 1)["scope"],
        "music:control"
    );
    let r = s2
        .refresh_scope(&id2, &secret2, rt2, "music:read music:control music:admin")
        .await;
    assert_token_error(&r, StatusCode::BAD_REQUEST, "invalid_scope", "admin");
}

#[tokio::test]
async fn refresh_tokens_do_not_expire_for_inactivity() {
    // Alexa facts: a refresh token that dies after inactivity silently kills
    // the link. A link unused for 400 days still refreshes.
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    let long_ago = util::now() - 400 * 86_400;
    s.app
        .store()
        .with(|c| {
            c.execute(
                "UPDATE links SET created_at = ?1, last_used_at = ?1",
                [long_ago],
            )?;
            c.execute("UPDATE refresh_tokens SET created_at = ?1", [long_ago])?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    s.app.purge().await.unwrap();
    let r = s.refresh(&id, &secret, rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn access_token_is_rfc9068_jwt() {
    let s = TestServer::start().await;
    let (id, _, tok) = linked(&s).await;
    let at = tok["access_token"].as_str().unwrap();
    assert!(at.len() < 2048, "Alexa-friendly size: {}", at.len());
    assert_eq!(at.split('.').count(), 3);
    let header = jwt_part(at, 0);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "EdDSA");
    let kid = header["kid"].as_str().expect("kid");
    let jwks = s.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status, StatusCode::OK);
    let jwks = jwks.json();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .expect("the kid is published")
        .clone();
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert!(key.get("d").is_none(), "no private part in the JWKS");
    // Asymmetric and not RSA (RUSTSEC-2023-0071): every published key is OKP or EC.
    for k in jwks["keys"].as_array().unwrap() {
        assert!(k["kty"] == "OKP" || k["kty"] == "EC", "{k}");
    }
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.clone()).unwrap();
    let dk = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let dk2 = jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    v.set_issuer(&[&s.base]);
    v.set_audience(&[&s.base]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Value>(at, &dk, &v).expect("signature verifies");
    jsonwebtoken::decode::<Value>(at, &dk2, &v).expect("signature verifies (components)");
    let c = data.claims;
    for claim in [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "jti",
        "client_id",
        "scope",
    ] {
        assert!(c.get(claim).is_some(), "claim {claim} missing: {c}");
    }
    assert_eq!(c["iss"], s.base.as_str());
    assert_eq!(c["client_id"], id.as_str());
    assert_eq!(c["sub"], "local:alice");
    assert_eq!(c["scope"], "music:read music:control");
    let (iat, exp) = (c["iat"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
    assert!((iat - util::now()).abs() < 60);
    assert_eq!(exp - iat, tok["expires_in"].as_i64().unwrap());
    assert!(c["jti"].as_str().unwrap().len() >= 16);
    // A tampered payload does not verify with the published key.
    let parts: Vec<&str> = at.split('.').collect();
    let mut claims = c.clone();
    claims["scope"] = "music:admin".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        B64URL.encode(claims.to_string()),
        parts[2]
    );
    assert!(jsonwebtoken::decode::<Value>(&forged, &dk, &v).is_err());
}

#[tokio::test]
async fn revocation_requires_client_auth() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let (other, other_secret) = s.add_alexa_client();
    let rt = tok["refresh_token"].as_str().unwrap();
    let at = tok["access_token"].as_str().unwrap();
    // No client authentication: refused, nothing revoked.
    let r = s.post_form("/alexa/revoke", &[], &[("token", rt)]).await;
    assert_token_error(&r, StatusCode::UNAUTHORIZED, "invalid_client", "no auth");
    let r = s
        .post_form("/alexa/revoke", &[], &[("token", rt), ("client_id", &id)])
        .await;
    assert_token_error(&r, StatusCode::UNAUTHORIZED, "invalid_client", "id only");
    // Another client: 200 (RFC 7009 2.2) but nothing revoked.
    let r = s.revoke(&other, &other_secret, &[("token", rt)]).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = s.revoke(&other, &other_secret, &[("token", at)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(s.refresh(&id, &secret, rt).await.status, StatusCode::OK);
    assert_eq!(s.introspect(&id, &secret, at).await.json()["active"], true);
    // The owner revokes the access token: only it dies.
    let r = s
        .revoke(
            &id,
            &secret,
            &[("token", at), ("token_type_hint", "access_token")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(s.introspect(&id, &secret, at).await.json()["active"], false);
    let r = s.refresh(&id, &secret, rt).await;
    assert_eq!(r.status, StatusCode::OK);
    let at2 = r.json()["access_token"].as_str().unwrap().to_owned();
    // The owner revokes the refresh token: the link and its access tokens die.
    let r = s.revoke(&id, &secret, &[("token", rt)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_token_error(
        &s.refresh(&id, &secret, rt).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        "revoked",
    );
    assert_eq!(
        s.introspect(&id, &secret, &at2).await.json()["active"],
        false
    );
}

#[tokio::test]
async fn introspection_requires_client_auth() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let (other, other_secret) = s.add_alexa_client();
    let at = tok["access_token"].as_str().unwrap();
    let rt = tok["refresh_token"].as_str().unwrap();
    let r = s
        .post_form("/alexa/introspect", &[], &[("token", at)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json().get("active").is_none(), "nothing about the token");
    let r = s.introspect(&id, "wrong", at).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json().get("active").is_none());
    for t in [at, rt] {
        let r = s.introspect(&other, &other_secret, t).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.json(),
            serde_json::json!({"active": false}),
            "foreign client"
        );
        let r = s.introspect(&id, &secret, t).await;
        assert_eq!(r.json()["active"], true);
        assert_eq!(r.json()["client_id"], id.as_str());
        assert_eq!(r.json()["scope"], "music:read music:control");
    }
}

/// RFC 7662 `token_type` is an RFC 6749 5.1 access token type: `Bearer` for
/// access tokens, absent for refresh tokens (oidc-provider does the same).
#[tokio::test]
async fn introspection_token_type_only_for_access_tokens() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let at = tok["access_token"].as_str().unwrap();
    let rt = tok["refresh_token"].as_str().unwrap();
    let v = s.introspect(&id, &secret, at).await.json();
    assert_eq!(v["active"], true, "{v}");
    assert_eq!(v["token_type"], "Bearer", "{v}");
    let v = s.introspect(&id, &secret, rt).await.json();
    assert_eq!(v["active"], true, "{v}");
    assert!(v.get("token_type").is_none(), "{v}");
    assert_eq!(v["client_id"], id.as_str(), "{v}");
    assert_eq!(v["scope"], "music:read music:control", "{v}");
    assert_eq!(v["username"], USER, "{v}");
    assert_eq!(v["iss"], s.base, "{v}");
}

#[tokio::test]
async fn concurrent_refreshes_all_answer() {
    let s = Arc::new(TestServer::start().await);
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (s, id, secret, rt) = (s.clone(), id.clone(), secret.clone(), rt.clone());
        set.spawn(async move { s.refresh(&id, &secret, &rt).await });
    }
    let mut n = 0;
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.json()["access_token"].is_string());
        n += 1;
    }
    assert_eq!(n, 20);
    assert_eq!(s.refresh(&id, &secret, &rt).await.status, StatusCode::OK);
}

#[tokio::test]
async fn temporary_failure_is_503_not_invalid_grant() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let path = s.app.store().path().to_owned();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.busy_timeout(Duration::from_secs(10)).unwrap();
    // Make the next refresh want to record "last used" (a write).
    other
        .execute("UPDATE links SET last_used_at = 0", [])
        .unwrap();
    // Another process (the CLI, say) holds the write lock for longer than
    // the store's 1.5 s busy timeout.
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.error(), "temporarily_unavailable");
    assert!(r.header("retry-after").is_some());
    // A refresh only needs to read (WAL lets it): it answers, and at worst
    // says 503; never invalid_grant, which would make Alexa drop the link.
    let r = s.refresh(&id, &secret, rt).await;
    assert!(
        r.status == StatusCode::OK
            || (r.status == StatusCode::SERVICE_UNAVAILABLE
                && r.error() == "temporarily_unavailable"),
        "{} {}",
        r.status,
        r.text()
    );
    other.execute_batch("COMMIT").unwrap();
    // The failed redemption did not burn the code.
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A refresh whose database read fails (here: the table is gone for a
    // moment) is 503 temporarily_unavailable, not invalid_grant.
    other
        .execute_batch("ALTER TABLE refresh_tokens RENAME TO refresh_tokens_away")
        .unwrap();
    let r = s.refresh(&id, &secret, rt).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.error(), "temporarily_unavailable");
    assert!(r.header("retry-after").is_some());
    other
        .execute_batch("ALTER TABLE refresh_tokens_away RENAME TO refresh_tokens")
        .unwrap();
    assert_eq!(s.refresh(&id, &secret, rt).await.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------
// Metadata and `iss`

#[tokio::test]
async fn metadata_issuer_equals_served_url() {
    let s = TestServer::start().await;
    let r = s.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let m = r.json();
    // Served from `base + /.well-known/oauth-authorization-server`: issuer is `base`.
    assert_eq!(m["issuer"], s.base.as_str());
    for k in [
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "jwks_uri",
    ] {
        let u = m[k].as_str().unwrap_or_else(|| panic!("{k}"));
        assert!(u.starts_with(&s.base), "{k}: {u}");
        let path = &u[s.base.len()..];
        let probe = if k == "jwks_uri" {
            s.get(path).await
        } else {
            s.post_form(path, &[], &[]).await
        };
        assert_ne!(probe.status, StatusCode::NOT_FOUND, "{k} is served");
    }
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    // With a configured public URL, metadata names it.
    let s2 = TestServer::start_with(|c| c.issuer = "https://auth.example.test".into()).await;
    let m2 = s2
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(m2["issuer"], "https://auth.example.test");
}

#[tokio::test]
async fn authorization_response_carries_iss() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI);
    let mut b = Browser::default();
    let ok = b.login(&s, &p, USER, PASSWORD).await;
    assert_eq!(ok.location_params()["iss"], s.base);
    let mut b = Browser::default();
    let page = b.get(&s, &p.path()).await;
    let deny = b.submit(&s, &page, "", "", "deny").await;
    assert_eq!(deny.location_params()["iss"], s.base);
    let mut bad = AuthParams::new(&id, PITANGUI);
    bad.scope = Some("music:admin".into());
    let err = s.get(&bad.path()).await;
    assert_eq!(err.location_params()["error"], "invalid_scope");
    assert_eq!(err.location_params()["iss"], s.base);
}

// ---------------------------------------------------------------------------
// Login and consent pages

#[tokio::test]
async fn login_csrf_token_bound_to_session() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI);
    let url = p.path();
    let mut a = Browser::default();
    let page_a = a.get(&s, &url).await;
    let fields_a = hidden_fields(&page_a.text());
    assert!(fields_a.iter().any(|(k, _)| k == "csrf"));
    let refused = |r: &Resp, what: &str| {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.text());
        assert_no_redirect(r, what);
        assert!(!r.text().contains("code="), "{what}");
    };
    // Missing token.
    let without: Vec<(String, String)> = fields_a
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .collect();
    let r = a
        .clone()
        .submit_fields(&s, &without, USER, PASSWORD, "approve")
        .await;
    refused(&r, "missing csrf");
    // Tampered token.
    let tampered: Vec<(String, String)> = fields_a
        .iter()
        .map(|(k, v)| {
            if k == "csrf" {
                let mut t = v.clone().into_bytes();
                let last = t.len() - 2;
                t[last] = if t[last] == b'A' { b'B' } else { b'A' };
                (k.clone(), String::from_utf8(t).unwrap())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let r = a
        .clone()
        .submit_fields(&s, &tampered, USER, PASSWORD, "approve")
        .await;
    refused(&r, "tampered csrf");
    // A token from another browser's session (the attacker's own page).
    let mut b = Browser::default();
    let _ = b.get(&s, &url).await;
    let r = b
        .clone()
        .submit_fields(&s, &fields_a, USER, PASSWORD, "approve")
        .await;
    refused(&r, "foreign session");
    // No cookie at all.
    let r = Browser::default()
        .submit_fields(&s, &fields_a, USER, PASSWORD, "approve")
        .await;
    refused(&r, "no cookie");
    // Bound to the request as well: same session, other scope.
    let swapped: Vec<(String, String)> = fields_a
        .iter()
        .map(|(k, v)| {
            if k == "scope" {
                (k.clone(), "music:read".into())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let r = a
        .clone()
        .submit_fields(&s, &swapped, USER, PASSWORD, "approve")
        .await;
    refused(&r, "other request");
    assert_eq!(code_issued_count(&s), 0);
    assert!(
        !s.events()
            .iter()
            .any(|e| matches!(e, AuditEvent::LoginSucceeded { .. })),
        "the password was not even checked"
    );
    // The genuine submission works.
    let r = a
        .submit_fields(&s, &fields_a, USER, PASSWORD, "approve")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

#[tokio::test]
async fn login_post_from_foreign_origin_refused() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let url = AuthParams::new(&id, PITANGUI).path();
    let attempt = |headers: Vec<(&'static str, String)>| {
        let s = &s;
        let url = url.clone();
        async move {
            let mut b = Browser::default();
            let page = b.get(s, &url).await;
            let mut form: Vec<(String, String)> = hidden_fields(&page.text());
            form.push(("username".into(), USER.into()));
            form.push(("password".into(), PASSWORD.into()));
            form.push(("action".into(), "approve".into()));
            let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let cookie = b
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let mut h: Vec<(&str, &str)> = vec![("cookie", &cookie)];
            for (k, v) in &headers {
                h.push((k, v.as_str()));
            }
            s.post_form("/alexa/authorize", &h, &f).await
        }
    };
    for (what, headers) in [
        (
            "evil origin",
            vec![("origin", "https://evil.example".to_owned())],
        ),
        (
            "amazon origin",
            vec![("origin", "https://pitangui.amazon.com".to_owned())],
        ),
        (
            "cross-site fetch",
            vec![("sec-fetch-site", "cross-site".to_owned())],
        ),
        (
            "same-site fetch",
            vec![("sec-fetch-site", "same-site".to_owned())],
        ),
        (
            "cross-site with null origin",
            vec![
                ("origin", "null".to_owned()),
                ("sec-fetch-site", "cross-site".to_owned()),
            ],
        ),
    ] {
        let r = attempt(headers).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.text());
        assert_no_redirect(&r, what);
    }
    assert_eq!(code_issued_count(&s), 0);
    // Our own origin is accepted.
    let r = attempt(vec![("origin", s.base.clone())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

#[tokio::test]
async fn samesite_cookie() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client();
    let url = AuthParams::new(&id, PITANGUI).path();
    let r = s.get(&url).await;
    let cookies: Vec<String> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(!cookies.is_empty(), "the login session has a cookie");
    for c in &cookies {
        let lower = c.to_ascii_lowercase();
        assert!(
            lower.contains("samesite=lax") || lower.contains("samesite=strict"),
            "{c}"
        );
        assert!(lower.contains("httponly"), "{c}");
        assert!(lower.contains("path=/alexa/authorize"), "{c}");
    }
    // Behind https, the cookie is Secure.
    let s2 = TestServer::start_with(|c| c.issuer = "https://auth.example.test".into()).await;
    let (id2, _) = s2.add_alexa_client();
    let r = s2.get(&AuthParams::new(&id2, PITANGUI).path()).await;
    let c = r.header("set-cookie").unwrap().to_ascii_lowercase();
    assert!(c.contains("; secure"), "{c}");
    assert!(
        c.contains("samesite=lax") || c.contains("samesite=strict"),
        "{c}"
    );
}

#[tokio::test]
async fn html_pages_send_clickjacking_headers() {
    let s = TestServer::start_with(|c| {
        c.login_policy = Policy {
            free_failures_per_account: 0,
            ..generous_policy()
        }
    })
    .await;
    let (id, _) = s.add_alexa_client_and_user();
    let url = AuthParams::new(&id, PITANGUI).path();
    let mut pages = Vec::new();
    let mut b = Browser::default();
    let login = b.get(&s, &url).await;
    pages.push(("login", login.clone()));
    pages.push((
        "wrong password",
        b.submit(&s, &login, USER, "wrong password", "approve")
            .await,
    ));
    let again = b.get(&s, &url).await;
    pages.push((
        "throttled",
        b.submit(&s, &again, USER, "wrong password", "approve")
            .await,
    ));
    pages.push((
        "unknown client",
        s.get("/alexa/authorize?client_id=nobody").await,
    ));
    pages.push(("bad query", s.get("/alexa/authorize?a=%zz").await));
    pages.push((
        "csrf",
        s.post_form(
            "/alexa/authorize",
            &[],
            &hidden_fields(&login.text())
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await,
    ));
    pages.push((
        "not a form",
        send(
            s.addr,
            "POST",
            "/alexa/authorize",
            &[("content-type", "text/plain")],
            Some(b"x".to_vec()),
        )
        .await,
    ));
    pages.push((
        "too large",
        send(
            s.addr,
            "POST",
            "/alexa/authorize",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(vec![b'a'; 20_000]),
        )
        .await,
    ));
    let statuses: Vec<u16> = pages.iter().map(|(_, r)| r.status.as_u16()).collect();
    assert_eq!(
        statuses,
        vec![200, 401, 429, 400, 400, 403, 415, 413],
        "{statuses:?}"
    );
    for (what, r) in &pages {
        assert!(
            r.header("content-type").unwrap().starts_with("text/html"),
            "{what}"
        );
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp:?}");
        assert_eq!(
            r.header("x-frame-options").as_deref(),
            Some("DENY"),
            "{what}"
        );
        assert_eq!(
            r.header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{what}"
        );
        assert!(
            r.header("cache-control")
                .unwrap_or_default()
                .contains("no-store"),
            "{what}"
        );
    }
    // The redirect after login does not leak the code through Referer either.
    let mut b = Browser::default();
    let r = b
        .login(&s, &AuthParams::new(&id, LAYLA), USER, PASSWORD)
        .await;
    if r.status == StatusCode::SEE_OTHER {
        assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
        assert!(
            r.header("cache-control")
                .unwrap_or_default()
                .contains("no-store")
        );
    }
}

#[tokio::test]
async fn no_third_party_assets_on_login_page() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client();
    let r = s.get(&AuthParams::new(&id, PITANGUI).path()).await;
    let html = r.text().to_ascii_lowercase();
    assert!(
        !html.contains("<script"),
        "no JavaScript (web view: no alerts, no pop-ups)"
    );
    assert!(!html.contains("<iframe"));
    for attr in ["src=", "href=", "url(", "@import", "srcset="] {
        for (i, _) in html.match_indices(attr) {
            let rest = html[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                !rest.starts_with("http:")
                    && !rest.starts_with("https:")
                    && !rest.starts_with("//"),
                "third-party asset: {}",
                &html[i..(i + 80).min(html.len())]
            );
        }
    }
    assert!(html.contains("name=\"viewport\""), "mobile friendly");
    // The CSP allows nothing from elsewhere: only the form may go to the redirect origin.
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    for directive in csp.split(';') {
        let directive = directive.trim();
        if directive.starts_with("form-action") {
            continue;
        }
        assert!(!directive.contains("http"), "{directive}");
        assert!(!directive.contains('*'), "{directive}");
        assert!(!directive.contains("unsafe-inline"), "{directive}");
    }
}

#[tokio::test]
async fn no_cors_on_authorization_endpoint() {
    let s = TestServer::start().await;
    let (id, secret, _) = linked(&s).await;
    let q = AuthParams::new(&id, PITANGUI).query();
    let auth_url = format!("/alexa/authorize?{q}");
    let get = send(
        s.addr,
        "GET",
        &auth_url,
        &[("origin", "https://evil.example")],
        None,
    )
    .await;
    let preflight = send(
        s.addr,
        "OPTIONS",
        &auth_url,
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "POST"),
        ],
        None,
    )
    .await;
    assert!(!preflight.status.is_success(), "{}", preflight.status);
    let token = s
        .post_form(
            "/alexa/token",
            &[
                ("origin", "https://evil.example"),
                ("authorization", &basic_header(&id, &secret)),
            ],
            &[("grant_type", "password")],
        )
        .await;
    let token_preflight = send(
        s.addr,
        "OPTIONS",
        "/alexa/token",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "POST"),
        ],
        None,
    )
    .await;
    for (what, r) in [
        ("get", get),
        ("preflight", preflight),
        ("token", token),
        ("token preflight", token_preflight),
    ] {
        for h in r.headers.keys() {
            assert!(!h.as_str().starts_with("access-control-"), "{what}: {h}");
        }
    }
}

#[tokio::test]
async fn password_hashes_are_argon2id() {
    let s = TestServer::start().await;
    s.add_user(USER, PASSWORD);
    let h: String = s
        .app
        .store()
        .with(|c| {
            Ok::<_, StoreError>(c.query_row(
                "SELECT password_hash FROM users WHERE username = ?1",
                [USER],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(h.starts_with("$argon2id$v=19$"), "{h}");
    // At least OWASP's minimum (m=19 MiB, t=2).
    let params = h.split('$').nth(3).unwrap();
    let get = |k: &str| -> u32 {
        params
            .split(',')
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(get("m") >= 19 * 1024 && get("t") >= 2, "{params}");
    assert!(!h.contains(PASSWORD));
    assert!(!db_files_contain(&s, PASSWORD.as_bytes()));
    // The server's own login path accepts it (and the salt is random).
    let (id, _) = s.add_alexa_client();
    let _ = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    assert_ne!(
        ma_alexa_oauth::identity::password::hash(PASSWORD).unwrap(),
        ma_alexa_oauth::identity::password::hash(PASSWORD).unwrap()
    );
}

/// Serialises the tests that observe this process's threads from /proc.
static PROC_OBSERVERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// With `permits`, fires `n` logins at once and samples how many of the
/// server runtime's threads are runnable (state R: running or waiting for a
/// CPU). Returns (samples with at least one thread runnable for a sustained
/// stretch, samples with three or more such threads).
async fn runnable_during_login_burst(
    prefix: &'static str,
    permits: usize,
    n: usize,
) -> (usize, usize) {
    let rt = named_runtime(prefix);
    let s = start_on(&rt, move |c| {
        c.hash_permits = permits;
        c.login_policy = generous_policy();
    })
    .await;
    let (id, _) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI);
    let url = p.path();
    let mut prepared = Vec::new();
    for _ in 0..n {
        let mut b = Browser::default();
        let page = b.get(&s, &url).await;
        prepared.push((b, page));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let sampler = std::thread::spawn(move || {
        let mut samples: Vec<(std::time::Instant, Vec<String>)> = Vec::new();
        while !stop2.load(Ordering::Relaxed) {
            let running = proc_threads(prefix)
                .into_iter()
                .filter(|t| t.1 == 'R')
                .map(|t| t.0)
                .collect();
            samples.push((std::time::Instant::now(), running));
            // A plain OS thread (not a tokio worker): park briefly between samples.
            std::thread::park_timeout(Duration::from_micros(500));
        }
        samples
    });
    let s = Arc::new(s);
    let mut set = tokio::task::JoinSet::new();
    for (mut b, page) in prepared {
        let s = s.clone();
        set.spawn(async move { b.submit(&s, &page, USER, PASSWORD, "approve").await.status });
    }
    while let Some(st) = set.join_next().await {
        assert_eq!(st.unwrap(), StatusCode::SEE_OTHER);
    }
    stop.store(true, Ordering::Relaxed);
    let samples = sampler.join().unwrap();
    drop(s);
    rt.shutdown_background();
    // Only sustained runnability counts: a thread runnable in consecutive
    // samples spanning at least 12 ms is computing, which here means hashing
    // (HTTP handling and SQLite calls are far shorter). This filters out the
    // brief wake-ups of workers and storage threads.
    let mut sustained = vec![0usize; samples.len()];
    let tids: BTreeSet<&String> = samples.iter().flat_map(|s| s.1.iter()).collect();
    for tid in tids {
        let mut i = 0;
        while i < samples.len() {
            if !samples[i].1.contains(tid) {
                i += 1;
                continue;
            }
            let start = i;
            while i < samples.len() && samples[i].1.contains(tid) {
                i += 1;
            }
            if samples[i - 1].0 - samples[start].0 >= Duration::from_millis(12) {
                for c in &mut sustained[start..i] {
                    *c += 1;
                }
            }
        }
    }
    let busy = sustained.iter().filter(|&&c| c >= 1).count();
    let crowded = sustained.iter().filter(|&&c| c >= 3).count();
    eprintln!(
        "{prefix}: {permits} permits: {crowded} crowded of {busy} busy samples ({} in all)",
        samples.len()
    );
    (busy, crowded)
}

#[tokio::test]
async fn hash_concurrency_is_bounded() {
    // Timing-free: instead of measuring durations, sample the kernel's thread
    // states. With one permit, at most one Argon2 hash is runnable at a time,
    // however loaded the machine is; without the bound, every hash of the
    // burst is runnable at once (state R also counts threads waiting for a CPU).
    let _g = PROC_OBSERVERS.lock().await;
    let (busy, crowded) = runnable_during_login_burst("hcbone", 1, 6).await;
    assert!(busy >= 5, "the sampler saw the hashing ({busy} samples)");
    assert!(
        crowded * 10 <= busy,
        "with hash_permits = 1, three or more runnable threads in {crowded} of {busy} samples"
    );
    // Control: the same burst with six permits is visibly concurrent, so the
    // measurement above can tell the difference.
    let (busy6, crowded6) = runnable_during_login_burst("hcbsix", 6, 6).await;
    assert!(
        crowded6 * 4 >= busy6,
        "control: six permits should run hashes together ({crowded6} of {busy6})"
    );
}

#[tokio::test]
async fn unknown_user_costs_a_hash() {
    // Measured in CPU time consumed by the server's threads (from /proc),
    // not wall time, so a loaded machine does not skew it: an unknown user
    // must cost about as much as a known user with a wrong password.
    let _g = PROC_OBSERVERS.lock().await;
    let prefix = "uucah";
    let rt = named_runtime(prefix);
    let s = start_on(&rt, |c| c.login_policy = generous_policy()).await;
    let (id, _) = s.add_alexa_client_and_user();
    let url = AuthParams::new(&id, PITANGUI).path();
    let cpu = || -> u64 { proc_threads(prefix).iter().map(|t| t.2).sum() };
    // Known and unknown users alternate, so both see the same machine load;
    // only the POST (where the password is checked) is measured.
    // A third kind, a form with an empty password (refused before any hash),
    // is the control that shows the measurement can see a missing hash.
    let (mut known, mut unknown, mut no_hash) = (0u64, 0u64, 0u64);
    for i in 0..48 {
        let (name, password) = match i % 3 {
            0 => (USER.to_owned(), "wrong password!"),
            1 => (format!("nobody-{i}"), "wrong password!"),
            _ => (USER.to_owned(), ""),
        };
        let mut b = Browser::default();
        let page = b.get(&s, &url).await;
        let before = cpu();
        let r = b.submit(&s, &page, &name, password, "approve").await;
        let cost = cpu() - before;
        match i % 3 {
            0 => known += cost,
            1 => unknown += cost,
            _ => {
                assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
                no_hash += cost;
                continue;
            }
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        // The same answer for both: no enumeration through the page.
        assert!(r.text().contains("Wrong username or password."));
    }
    drop(s);
    rt.shutdown_background();
    eprintln!("CPU ticks for 16 logins: known {known}, unknown {unknown}, no hash {no_hash}");
    assert!(known >= 5, "known-user logins cost CPU ({known} ticks)");
    assert!(
        known >= 3 * no_hash,
        "control: a hash must be visible (known {known}, no hash {no_hash})"
    );
    assert!(
        unknown * 2 >= known,
        "unknown users cost {unknown} ticks, known users {known}: the unknown path skips the hash"
    );
}

#[tokio::test]
async fn brute_force_slows_down_with_429_retry_after() {
    let s = TestServer::start_with(|c| {
        c.login_policy = Policy {
            free_failures_per_account: 2,
            free_failures_per_address: 5,
            base_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(60),
            ..Policy::default()
        }
    })
    .await;
    let (id, _) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI);
    for i in 0..3 {
        let r = Browser::default()
            .login(&s, &p, USER, "wrong password")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // Blocked now, even with the right password (and the password is not checked).
    let r = Browser::default().login(&s, &p, USER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert_no_redirect(&r, "throttled");
    let ra: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&ra), "{ra}");
    assert!(
        r.text().contains("Too many"),
        "the reason is shown on the page"
    );
    // Per account, case-insensitively.
    let r = Browser::default().login(&s, &p, "ALICE", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Per address: other accounts from the same address are slowed too.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let r = Browser::default()
            .login(&s, &p, &format!("user{i}"), "wrong password")
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(
        s.events()
            .iter()
            .any(|e| matches!(e, AuditEvent::LoginThrottled { .. }))
    );
}

#[tokio::test]
async fn no_permanent_lockout() {
    let s = TestServer::start_with(|c| {
        c.login_policy = Policy {
            free_failures_per_account: 1,
            free_failures_per_address: 10_000,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(200),
            ..Policy::default()
        }
    })
    .await;
    let (id, _) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI);
    // An attacker keeps guessing: many failures, each block waited out.
    let mut failures = 0;
    let mut throttled = 0;
    while failures < 12 {
        let r = Browser::default().login(&s, &p, USER, "guess").await;
        match r.status {
            StatusCode::UNAUTHORIZED => failures += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                throttled += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            other => panic!("{other}: {}", r.text()),
        }
    }
    assert!(throttled > 0, "the guessing was slowed down");
    // The delay is capped: after the cap, the owner gets in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = Browser::default().login(&s, &p, USER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

#[tokio::test]
async fn consent_screen_names_client_scopes() {
    let s = TestServer::start().await;
    let (id, _) = s.add_client_full(
        "Kitchen Speaker Skill",
        ClientKind::Alexa,
        vec![PITANGUI.into()],
        vec!["music:read".into(), "music:control".into()],
        None,
    );
    let mut p = AuthParams::new(&id, PITANGUI);
    p.scope = Some("music:read".into());
    let r = s.get(&p.path()).await;
    let html = r.text();
    assert!(html.contains("Kitchen Speaker Skill"), "names the client");
    assert!(html.contains("music:read"));
    assert!(html.contains(ma_alexa_oauth::oauth::describe_scope("music:read")));
    assert!(
        !html.contains(ma_alexa_oauth::oauth::describe_scope("music:control")),
        "only the scopes asked for"
    );
    assert!(
        html.contains(s.app.identity().display_name()),
        "names the account source"
    );
    // Both scopes when both are asked for; a username typed is shown back.
    p.scope = None;
    let mut b = Browser::default();
    let page = b.get(&s, &p.path()).await;
    let html = page.text();
    for sc in ["music:read", "music:control"] {
        assert!(
            html.contains(ma_alexa_oauth::oauth::describe_scope(sc)),
            "{sc}"
        );
    }
    let r = b
        .submit(&s, &page, "someone", "wrong password", "approve")
        .await;
    assert!(
        r.text().contains("value=\"someone\""),
        "the account is named on retry"
    );
    // The client's name is escaped, not interpreted.
    let (id2, _) = s.add_client_full(
        "<b>Evil</b>",
        ClientKind::Generic,
        vec![PITANGUI.into()],
        vec!["music:read".into()],
        None,
    );
    let r = s.get(&AuthParams::new(&id2, PITANGUI).path()).await;
    assert!(!r.text().contains("<b>Evil</b>"));
}

// ---------------------------------------------------------------------------
// Logging

/// Runs a full life cycle touching every audit event; returns every secret used.
async fn exercise_everything(s: &TestServer) -> Vec<String> {
    let secret_in = "s3cr3t:with%odd+chars-Zq8xV2pL0mN7rT4wY1aB6cD9eF";
    let (id, secret) = s.add_client_full(
        "Alexa",
        ClientKind::Alexa,
        vec![PITANGUI.into(), LAYLA.into()],
        vec!["music:read".into(), "music:control".into()],
        Some(secret_in),
    );
    s.add_user(USER, PASSWORD);
    let mut secrets = vec![
        secret.clone(),
        PASSWORD.to_owned(),
        "wrong-password-9f8e7d".to_owned(),
    ];
    // login failed
    let p = AuthParams::new(&id, PITANGUI).pkce(VERIFIER);
    let r = Browser::default()
        .login(s, &p, USER, "wrong-password-9f8e7d")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // login ok + code issued
    let code = obtain_code(s, &p).await;
    secrets.push(code.clone());
    secrets.push(VERIFIER.to_owned());
    // code redeemed
    let r = s
        .redeem(&id, &secret, &code, PITANGUI, Some(VERIFIER))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let tok = r.json();
    let at = tok["access_token"].as_str().unwrap().to_owned();
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    // refresh
    let r = s.refresh(&id, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::OK);
    let at2 = r.json()["access_token"].as_str().unwrap().to_owned();
    // client authentication failure (with a near-miss secret)
    let near = format!("{secret}x");
    let r = s.refresh(&id, &near, &rt).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    secrets.push(near);
    // the secret pasted into the client id field, the password into the
    // username box
    let r = s.refresh(&secret, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = Browser::default().login(s, &p, PASSWORD, PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // introspection
    assert_eq!(s.introspect(&id, &secret, &at).await.json()["active"], true);
    // a second code, redeemed then replayed
    let code2 = obtain_code(s, &AuthParams::new(&id, LAYLA)).await;
    secrets.push(code2.clone());
    let r = s.redeem(&id, &secret, &code2, LAYLA, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let rt2 = r.json()["refresh_token"].as_str().unwrap().to_owned();
    secrets.push(r.json()["access_token"].as_str().unwrap().to_owned());
    let r = s.redeem(&id, &secret, &code2, LAYLA, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // refresh rejected (the replay revoked the link)
    assert_eq!(
        s.refresh(&id, &secret, &rt2).await.status,
        StatusCode::BAD_REQUEST
    );
    // unknown code rejected
    let bogus = util::random_token(32);
    let _ = s.redeem_code(&id, &secret, &bogus).await;
    secrets.push(bogus);
    // revocation of an access token and of the refresh token
    assert_eq!(
        s.revoke(&id, &secret, &[("token", &at2)]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        s.revoke(&id, &secret, &[("token", &rt)]).await.status,
        StatusCode::OK
    );
    secrets.extend([at, at2, rt, rt2]);
    secrets
}

#[tokio::test]
async fn audit_events_typed() {
    let s = TestServer::start().await;
    let _ = exercise_everything(&s).await;
    let ev = s.events();
    let has = |f: &dyn Fn(&AuditEvent) -> bool, what: &str| {
        assert!(ev.iter().any(f), "no {what} event in {ev:#?}");
    };
    has(
        &|e| matches!(e, AuditEvent::LoginFailed { username, .. } if username == USER),
        "login failed",
    );
    has(
        &|e| matches!(e, AuditEvent::LoginSucceeded { username, .. } if username == USER),
        "login ok",
    );
    has(
        &|e| matches!(e, AuditEvent::CodeIssued { code_fp, .. } if code_fp.len() == 8),
        "code issued",
    );
    has(
        &|e| matches!(e, AuditEvent::CodeRedeemed { .. }),
        "code redeemed",
    );
    has(
        &|e| {
            matches!(
                e,
                AuditEvent::CodeReplayed {
                    revoked_link: Some(_),
                    ..
                }
            )
        },
        "code replayed",
    );
    has(
        &|e| matches!(e, AuditEvent::CodeRejected { .. }),
        "code rejected",
    );
    has(
        &|e| matches!(e, AuditEvent::TokenRefreshed { .. }),
        "refresh",
    );
    has(
        &|e| matches!(e, AuditEvent::RefreshRejected { .. }),
        "refresh rejected",
    );
    has(
        &|e| matches!(e, AuditEvent::Revoked { what, .. } if what.starts_with("link")),
        "revocation (link)",
    );
    has(
        &|e| matches!(e, AuditEvent::Revoked { what, .. } if what.starts_with("access token")),
        "revocation (access token)",
    );
    has(
        &|e| matches!(e, AuditEvent::ClientAuthFailed { reason, .. } if reason == "wrong secret"),
        "client auth failure",
    );
    // Every event serialises with a snake_case `event` tag.
    for e in &ev {
        let v = serde_json::to_value(e).unwrap();
        let tag = v["event"].as_str().unwrap();
        assert!(
            tag.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{tag}"
        );
        assert!(v.get("addr").is_some(), "{tag} carries the client address");
    }
}

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Every log line of this test binary, at TRACE, in plain and JSON format.
/// A global subscriber (installed once) also sees the storage worker threads;
/// a thread-local one would miss them and races with other tests' callsite
/// registration.
fn global_log_capture() -> (Capture, Capture) {
    static LOGS: std::sync::OnceLock<(Capture, Capture)> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        use tracing_subscriber::layer::SubscriberExt as _;
        let text = Capture::default();
        let json = Capture::default();
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(text.clone())
                    .with_ansi(false),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(json.clone()),
            )
            .with(tracing_subscriber::filter::LevelFilter::TRACE);
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
        (text, json)
    })
    .clone()
}

#[tokio::test]
async fn no_secret_code_or_token_in_logs() {
    let (text, json) = global_log_capture();
    let s = TestServer::start().await;
    let secrets = exercise_everything(&s).await;
    let mut secrets = secrets;
    // Storage failures are logged too: make one happen during a redemption.
    let (id, secret) = s.add_alexa_client();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let other = rusqlite::Connection::open(s.app.store().path()).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    other.execute_batch("COMMIT").unwrap();
    secrets.extend([secret, code]);
    let logs = format!(
        "{}\n{}",
        String::from_utf8_lossy(&text.0.lock().unwrap()),
        String::from_utf8_lossy(&json.0.lock().unwrap())
    );
    assert!(logs.contains("code_issued"), "the capture works: {logs}");
    assert!(logs.contains("client_auth_failed"));
    let events = serde_json::to_string(&s.events()).unwrap();
    for secret in &secrets {
        assert!(secret.len() >= 8);
        assert!(!logs.contains(secret.as_str()), "{secret:?} in the logs");
        assert!(
            !events.contains(secret.as_str()),
            "{secret:?} in the audit events"
        );
        // Also the encoded forms a log line might carry.
        let enc = encode_form(&[("x", secret)]);
        let enc = enc.trim_start_matches("x=");
        assert!(!logs.contains(enc), "{enc:?} in the logs");
        if let Some(sig) = secret.split('.').nth(2) {
            assert!(!logs.contains(sig), "a JWT signature in the logs");
        }
    }
}

/// Identifiers the audit events carry, in order, for events matching `pick`.
fn logged_ids(s: &TestServer, pick: impl Fn(&AuditEvent) -> Option<&str>) -> Vec<String> {
    s.events()
        .iter()
        .filter_map(|e| pick(e).map(str::to_owned))
        .collect()
}

/// A client secret pasted into the client id field, a password typed into
/// the username box: the audit log and the logs never carry them. Known
/// client ids and existing usernames are logged as they are; anything else
/// only in a form that names its length and tells repeats apart.
#[tokio::test]
async fn secrets_typed_into_an_identifier_field_are_not_logged() {
    let (text, json) = global_log_capture();
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client();
    s.add_user(USER, PASSWORD);
    let password_as_name = "Typed-in-the-username-box 7Qx!";
    let form = [("grant_type", "refresh_token"), ("refresh_token", "x")];
    let auth_failures = |s: &TestServer| {
        logged_ids(s, |e| match e {
            AuditEvent::ClientAuthFailed { client_id, .. } => Some(client_id),
            _ => None,
        })
    };
    // The secret as the id: HTTP Basic, in the body, and without a secret.
    assert_eq!(s.token_basic(&secret, &secret, &form).await.status, 401);
    assert_eq!(s.token_post(&secret, &secret, &form).await.status, 401);
    let mut only_id = form.to_vec();
    only_id.push(("client_id", &secret));
    let r = s.post_form("/alexa/token", &[], &only_id).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A known client with a wrong secret, and another unknown id.
    assert_eq!(s.token_basic(&id, "wrong", &form).await.status, 401);
    assert_eq!(s.token_basic("client-nope", "x", &form).await.status, 401);
    let ids = auth_failures(&s);
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(
        ids[0], ids[1],
        "the same unknown id is told apart from others"
    );
    assert_eq!(ids[1], ids[2]);
    assert!(
        !ids[0].contains(&secret),
        "the secret is logged: {}",
        ids[0]
    );
    assert!(ids[0].contains(&secret.len().to_string()), "{}", ids[0]);
    assert_eq!(ids[3], id, "a known client id is logged as it is");
    assert_ne!(ids[4], ids[0]);
    assert_ne!(ids[4], "client-nope", "an unknown id is not logged as such");

    // A password typed as the username, at login and on Cancel.
    let p = AuthParams::new(&id, PITANGUI);
    let r = Browser::default()
        .login(&s, &p, password_as_name, PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = Browser::default()
        .login(&s, &p, USER, "wrong password")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let mut b = Browser::default();
    let page = b.get(&s, &format!("/alexa/authorize?{}", p.query())).await;
    let r = b.submit(&s, &page, password_as_name, "", "deny").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let names = logged_ids(&s, |e| match e {
        AuditEvent::LoginFailed { username, .. } | AuditEvent::ConsentDenied { username, .. } => {
            Some(username)
        }
        _ => None,
    });
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names[0].contains(password_as_name), "logged: {}", names[0]);
    assert!(
        names[0].contains(&password_as_name.len().to_string()),
        "{}",
        names[0]
    );
    assert_eq!(names[1], USER, "an existing username is logged as it is");
    assert_eq!(names[2], names[0]);

    let logs = format!(
        "{}\n{}",
        String::from_utf8_lossy(&text.0.lock().unwrap()),
        String::from_utf8_lossy(&json.0.lock().unwrap())
    );
    let events = serde_json::to_string(&s.events()).unwrap();
    assert!(logs.contains("client_auth_failed"), "the capture works");
    for secret in [secret.as_str(), password_as_name, "client-nope"] {
        assert!(!events.contains(secret), "{secret:?} in the audit events");
        assert!(!logs.contains(secret), "{secret:?} in the logs");
    }
}

#[test]
fn code_lifetime_over_five_minutes_is_refused_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in [0, 301, 3600] {
        let mut c = ma_alexa_oauth::config::Config::new("http://127.0.0.1:1");
        c.code_ttl = bad;
        let e = ma_alexa_oauth::app::App::open(c, &tmp.path().join("d")).unwrap_err();
        assert!(e.to_string().contains("1 to 300 seconds"), "{bad}: {e}");
    }
    let mut c = ma_alexa_oauth::config::Config::new("http://127.0.0.1:1");
    c.code_ttl = 300;
    assert!(ma_alexa_oauth::app::App::open(c, &tmp.path().join("d")).is_ok());
}

// ---------------------------------------------------------------------------
// HSTS and what /health tells the internet

/// One request of each kind the router answers (every endpoint, success and
/// refusal, 404, 405, 413).
async fn one_of_each_response(s: &TestServer) -> Vec<(&'static str, Resp)> {
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let mut out = vec![
        ("health", s.get("/health").await),
        (
            "HEAD health",
            send(s.addr, "HEAD", "/health", &[], None).await,
        ),
        (
            "metadata",
            s.get("/.well-known/oauth-authorization-server").await,
        ),
        ("jwks", s.get("/.well-known/jwks.json").await),
        ("authorize page error", s.get("/alexa/authorize").await),
        (
            "token",
            s.post_form("/alexa/token", &[], &[("grant_type", "refresh_token")])
                .await,
        ),
        (
            "revoke",
            s.post_form("/alexa/revoke", &[], &[("token", "x")]).await,
        ),
        (
            "introspect",
            s.post_form("/alexa/introspect", &[], &[("token", "x")])
                .await,
        ),
        (
            "gateway",
            send(s.addr, "POST", "/ma/api", &[], Some(b"{}".to_vec())).await,
        ),
        ("not found", s.get("/nope").await),
        (
            "method not allowed",
            send(s.addr, "PUT", "/health", &[], Some(Vec::new())).await,
        ),
    ];
    out.push((
        "too large",
        send(
            s.addr,
            "POST",
            "/alexa/token",
            &form,
            Some(vec![b'a'; 20_000]),
        )
        .await,
    ));
    out.push((
        "authorize not a form",
        send(s.addr, "POST", "/alexa/authorize", &[], Some(b"x".to_vec())).await,
    ));
    out
}

#[tokio::test]
async fn an_https_issuer_sends_hsts_on_every_response() {
    // TLS ends in this process (tailnet mode) or at the user's own proxy:
    // either way the public URL is https, and browsers should stay on it.
    let s = TestServer::start_with(|c| c.issuer = "https://auth.example.com".into()).await;
    let all = one_of_each_response(&s).await;
    let statuses: Vec<u16> = all.iter().map(|(_, r)| r.status.as_u16()).collect();
    assert_eq!(
        statuses,
        vec![
            200, 200, 200, 200, 400, 401, 401, 401, 404, 404, 405, 413, 415
        ],
        "{statuses:?}"
    );
    for (what, r) in &all {
        assert_eq!(
            r.header("strict-transport-security").as_deref(),
            Some("max-age=31536000"),
            "{what} ({})",
            r.status
        );
    }
}

#[tokio::test]
async fn an_http_issuer_sends_no_hsts() {
    let s = TestServer::start().await;
    assert!(s.base.starts_with("http://"));
    for (what, r) in one_of_each_response(&s).await {
        assert_eq!(r.header("strict-transport-security"), None, "{what}");
    }
}

#[tokio::test]
async fn health_tells_the_internet_only_status_version_and_public_endpoints() {
    let s = TestServer::start().await;
    // No local state (identity source, Music Assistant's address, the
    // tailnet node's state: `status` reads that from serve's snapshot).
    let r = s.get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["status", "version", "endpoints"]),
        "{v}"
    );
    assert_eq!(v["status"], "ok");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    let endpoints: BTreeSet<&str> = v["endpoints"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        endpoints,
        BTreeSet::from([
            "authorization",
            "token",
            "revocation",
            "introspection",
            "metadata",
            "jwks"
        ]),
        "{v}"
    );
    assert_eq!(v["endpoints"]["token"], s.url("/alexa/token"));
    assert_eq!(v["endpoints"]["jwks"], s.url("/.well-known/jwks.json"));
    let text = r.text();
    for local in ["100.64.0.7", "tailnet", "identity", "local"] {
        assert!(!text.contains(local), "/health shows {local:?}: {text}");
    }
}
