//! The part of Music Assistant's contract this server relies on, asked of
//! whichever Music Assistant the tests run against: against the real server
//! it checks the facts, against the stand-in that the stand-in keeps them.

use super::*;

/// Every answer about tokens that the refusal and revocation code reads.
#[tokio::test]
async fn the_stand_in_answers_like_music_assistant() {
    let ma = Upstream::start().await;
    let session = ma.session().await;
    let me = ma.me(&session).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    let user_id = me.json()["user_id"].as_str().unwrap().to_owned();

    // A long-lived token: a JSON string; listed with its hash under its name.
    let long = ma.create_token(&session, "contract probe").await;
    let rows = ma.token_rows(&long).await;
    let row = rows
        .iter()
        .find(|r| r["token_hash"] == token_hash(&long).as_str())
        .expect("auth/tokens lists the token with token_hash = sha256 hex");
    assert_eq!(row["name"], "contract probe");
    assert_eq!(row["is_long_lived"], true);
    assert_eq!(row["user_id"], user_id.as_str());
    assert!(row["token_id"].is_string(), "{row}");

    // auth/token/revoke: 200 null; the token is dead after; an unknown id is a bare 500.
    let other = ma.create_token(&session, "contract probe 2").await;
    let id = ma
        .token_rows(&other)
        .await
        .into_iter()
        .find(|r| r["token_hash"] == token_hash(&other).as_str())
        .unwrap()["token_id"]
        .clone();
    let r = ma
        .api(&long, "auth/token/revoke", json!({"token_id": id}))
        .await;
    assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, "null"));
    assert!(!ma.alive(&other).await);
    let r = ma
        .api(&long, "auth/token/revoke", json!({"token_id": id}))
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());

    // A dead token on /api: 401 "Authentication required", text/plain, after
    // the command was looked up (an unknown command is 400 first).
    let r = ma.api(&other, "players/all", json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.text(), "Authentication required");
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let r = ma.api(&other, "no/such_command", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.text(), "Invalid Command: no/such_command");
    // ... and on /auth/me: 401 "Not authenticated".
    let r = ma.me(&other).await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (StatusCode::UNAUTHORIZED, "Not authenticated")
    );

    // POST /auth/logout revokes the very token it carries: 200 {"success": true}, then 401.
    let r = ma.logout(&long).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({"success": true}));
    assert!(!ma.alive(&long).await);
    assert!(ma.alive(&session).await, "only that token");
    let r = ma.logout(&long).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // A token deleted in the settings answers 401 from then on.
    let doomed = ma.create_token(&session, "contract probe 3").await;
    ma.delete_token(&doomed).await;
    let r = ma.api(&doomed, "players/all", json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // auth/tokens: at most 100 rows.
    let fillers = ma.add_tokens(105).await;
    let rows = ma.token_rows(&session).await;
    assert_eq!(rows.len(), 100, "auth/tokens is capped at 100 rows");
    ma.drop_tokens(&fillers).await;
    ma.drop_tokens(&[session]).await;
}

/// The order of `auth/tokens` is not set: the stand-in shuffles it, so code
/// that finds a token in it must not rely on any order.
#[tokio::test]
async fn the_stand_ins_token_list_has_no_set_order() {
    let ma = Upstream::start().await;
    if ma
        .standin_or_skip(
            "the_stand_ins_token_list_has_no_set_order",
            "the real server's order is its own",
        )
        .is_none()
    {
        return;
    }
    let session = ma.session().await;
    let fillers = ma.add_tokens(20).await;
    let first: Vec<Value> = ma.token_rows(&session).await;
    let mut differs = false;
    for _ in 0..10 {
        differs |= ma.token_rows(&session).await != first;
    }
    assert!(differs, "ten listings of 21 tokens, all in the same order");
    assert_eq!(first.len(), fillers.len() + 1);
}
