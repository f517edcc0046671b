//! Concurrency: one code redeemed from many tasks at once, one refresh token
//! refreshed from many tasks at once, and many people linking at once.
mod common;
use common::*;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use ma_alexa_oauth::audit::AuditEvent;
use tokio::sync::Barrier;

const N: usize = 16;

/// Connects and handshakes first, waits on `barrier` so every task is ready,
/// then sends one token request. Returns (status, JSON body).
async fn token_at_once(
    addr: SocketAddr,
    barrier: Arc<Barrier>,
    auth: Option<String>,
    body: String,
) -> (StatusCode, serde_json::Value) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method("POST")
        .uri("/alexa/token")
        .header("host", addr.to_string())
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let req = req.body(Full::new(Bytes::from(body))).unwrap();
    barrier.wait().await;
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_redeemed_in_parallel_succeeds_once_and_the_replays_revoke_it() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let barrier = Arc::new(Barrier::new(N));
    let mut tasks = Vec::new();
    for i in 0..N {
        // Half use HTTP Basic, half credentials in the body.
        let (auth, body) = if i % 2 == 0 {
            (
                Some(basic_header(&id, &secret)),
                encode_form(&code_grant(&code, PITANGUI, None)),
            )
        } else {
            (
                None,
                encode_form(&client_in_body(
                    code_grant(&code, PITANGUI, None),
                    &id,
                    &secret,
                )),
            )
        };
        tasks.push(tokio::spawn(token_at_once(
            s.addr,
            Arc::clone(&barrier),
            auth,
            body,
        )));
    }
    let mut ok = Vec::new();
    let mut invalid_grant = 0;
    for t in tasks {
        let (status, json) = t.await.unwrap();
        match status {
            StatusCode::OK => ok.push(json),
            StatusCode::BAD_REQUEST if json["error"] == "invalid_grant" => invalid_grant += 1,
            other => panic!("unexpected answer {other}: {json}"),
        }
    }
    assert_eq!(ok.len(), 1, "exactly one redemption wins");
    assert_eq!(invalid_grant, N - 1, "every other one is invalid_grant");

    // The store: one link, made by the winner, revoked by the replays
    // (checklist: "a second redemption revokes the tokens already issued").
    let links = s.links();
    assert_eq!(links.len(), 1, "{links:?}");
    let link = &links[0];
    assert!(
        link.revoked_at.is_some(),
        "the replays revoked the winner's link"
    );

    // Audit trail: one redemption, N-1 replays naming that link.
    let events = s.events();
    let redeemed: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            AuditEvent::CodeRedeemed { link_id, .. } => Some(link_id),
            _ => None,
        })
        .collect();
    assert_eq!(redeemed, vec![&link.id]);
    let replays: Vec<&Option<String>> = events
        .iter()
        .filter_map(|e| match e {
            AuditEvent::CodeReplayed { revoked_link, .. } => Some(revoked_link),
            _ => None,
        })
        .collect();
    assert_eq!(replays.len(), N - 1);
    assert!(
        replays
            .iter()
            .all(|r| r.as_deref() == Some(link.id.as_str())),
        "{replays:?}"
    );

    // So the winner's tokens are dead: refresh is invalid_grant, access token inactive.
    let winner = &ok[0];
    let rt = winner["refresh_token"].as_str().unwrap();
    let r = s.refresh(&id, &secret, rt).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");
    for token in [winner["access_token"].as_str().unwrap(), rt] {
        let r = s.introspect(&id, &secret, token).await;
        assert_eq!(r.json()["active"], false, "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_refresh_token_refreshed_in_parallel_always_answers() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let barrier = Arc::new(Barrier::new(N));
    let mut tasks = Vec::new();
    for i in 0..N {
        let (auth, body) = if i % 2 == 0 {
            (
                Some(basic_header(&id, &secret)),
                encode_form(&refresh_grant(&rt)),
            )
        } else {
            (
                None,
                encode_form(&client_in_body(refresh_grant(&rt), &id, &secret)),
            )
        };
        tasks.push(tokio::spawn(token_at_once(
            s.addr,
            Arc::clone(&barrier),
            auth,
            body,
        )));
    }
    let mut access = Vec::new();
    for t in tasks {
        let (status, json) = t.await.unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "every parallel refresh answers: {json}"
        );
        assert_eq!(json["refresh_token"], rt.as_str(), "no rotation");
        assert_eq!(json["token_type"], "Bearer");
        access.push(json["access_token"].as_str().unwrap().to_owned());
    }
    let mut distinct = access.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), N, "each refresh signs its own access token");
    for at in &access {
        let r = s.introspect(&id, &secret, at).await;
        assert_eq!(r.json()["active"], true, "{}", r.text());
    }
    // Still one active link; the refresh token still works afterwards.
    let links = s.links();
    assert_eq!(links.len(), 1);
    assert!(links[0].revoked_at.is_none());
    let r = s.refresh_post(&id, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let refreshed = s
        .events()
        .iter()
        .filter(|e| matches!(e, AuditEvent::TokenRefreshed { .. }))
        .count();
    assert_eq!(refreshed, N + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_people_link_at_once() {
    const USERS: usize = 8;
    let s = Arc::new(TestServer::start().await);
    let (id, secret) = s.add_alexa_client();
    let names: Vec<String> = (0..USERS).map(|i| format!("user{i}")).collect();
    for n in &names {
        s.add_user(n, PASSWORD);
    }
    let barrier = Arc::new(Barrier::new(USERS));
    let mut tasks = Vec::new();
    for (i, name) in names.iter().cloned().enumerate() {
        let (s, id, secret, barrier) = (
            Arc::clone(&s),
            id.clone(),
            secret.clone(),
            Arc::clone(&barrier),
        );
        tasks.push(tokio::spawn(async move {
            let region = [PITANGUI, LAYLA, JP][i % 3];
            let mut p = AuthParams::new(&id, region);
            p.state = Some(format!("Amasey{i}+/="));
            if i % 2 == 0 {
                p = p.pkce(VERIFIER);
            }
            barrier.wait().await;
            let mut b = Browser::default();
            let r = b.login(&s, &p, &name, PASSWORD).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.text());
            let q = r.location_params();
            assert_eq!(q.get("state"), p.state.as_ref());
            let code = q.get("code").cloned().unwrap();
            let verifier = (i % 2 == 0).then_some(VERIFIER);
            let r = s.redeem(&id, &secret, &code, region, verifier).await;
            assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text());
            let tok = r.json();
            let r = s
                .post_form(
                    "/alexa/introspect",
                    &[("authorization", &basic_header(&id, &secret))],
                    &[("token", tok["access_token"].as_str().unwrap())],
                )
                .await;
            let info = r.json();
            assert_eq!(info["active"], true, "{info}");
            assert_eq!(info["username"], name.as_str(), "tokens are not crossed");
            (name, tok["refresh_token"].as_str().unwrap().to_owned())
        }));
    }
    let mut refresh_tokens = Vec::new();
    for t in tasks {
        refresh_tokens.push(t.await.unwrap());
    }
    let links = s.links();
    assert_eq!(links.len(), USERS);
    assert!(links.iter().all(|l| l.revoked_at.is_none()));
    let mut linked_users: Vec<&str> = links.iter().map(|l| l.username.as_str()).collect();
    linked_users.sort();
    let mut expected: Vec<&str> = names.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(linked_users, expected);
    // Every refresh token belongs to its own person.
    for (name, rt) in &refresh_tokens {
        let r = s.introspect(&id, &secret, rt).await;
        assert_eq!(r.json()["username"], name.as_str(), "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refreshes_racing_a_revocation_get_an_answer_never_a_5xx() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let barrier = Arc::new(Barrier::new(N + 1));
    let mut tasks = Vec::new();
    for _ in 0..N {
        tasks.push(tokio::spawn(token_at_once(
            s.addr,
            Arc::clone(&barrier),
            Some(basic_header(&id, &secret)),
            encode_form(&refresh_grant(&rt)),
        )));
    }
    barrier.wait().await;
    let r = s.revoke(&id, &secret, &[("token", &rt)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        let (status, json) = t.await.unwrap();
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::BAD_REQUEST if json["error"] == "invalid_grant" => refused += 1,
            other => panic!("unexpected answer {other}: {json}"),
        }
    }
    println!("{ok} refreshes before the revocation, {refused} after");
    assert_eq!(ok + refused, N);
    let r = s.refresh(&id, &secret, &rt).await;
    assert_eq!(r.error(), "invalid_grant", "revoked for good");
}

/// Another process (the CLI, say) holds the database's write lock. A code
/// redemption cannot commit: Alexa must get a temporary error (503
/// `temporarily_unavailable`), never `invalid_grant`, and the code must still
/// work once the lock is gone. A refresh only reads, so it still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_locked_database_is_a_temporary_failure_not_invalid_grant() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let code = obtain_code(&s, &AuthParams::new(&id, JP)).await;
    let redeem = code_grant(&code, JP, None);

    let other = rusqlite::Connection::open(s.dir.join(ma_alexa_oauth::startup::DB_FILE)).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    let r = s.token_basic(&id, &secret, &redeem).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.error(), "temporarily_unavailable");
    assert!(r.header("retry-after").is_some());

    let r = s.refresh(&id, &secret, &rt).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a refresh reads only: {}",
        r.text()
    );

    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    let r = s.token_basic(&id, &secret, &redeem).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the code survived the failed attempt: {}",
        r.text()
    );
}
