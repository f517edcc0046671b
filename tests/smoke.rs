mod common;
use common::*;
use hyper::StatusCode;

#[tokio::test]
async fn harness_links_an_account_and_refreshes() {
    let s = TestServer::start().await;
    let (id, secret, tok) = linked(&s).await;
    assert_eq!(tok["token_type"], "Bearer");
    let rt = tok["refresh_token"].as_str().unwrap();
    let r = s.refresh_post(&id, &secret, rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(s.get("/health").await.json()["status"], "ok");
}
