//! How a link's Music Assistant token ends: revoked by us (whatever Music
//! Assistant's token list shows), or already gone at Music Assistant.

use super::*;
use ma_alexa_oauth::ma::Revoked;

/// Revokes the link here (as `links revoke` and RFC 7009 do first), then
/// its Music Assistant token.
async fn revoke_link(s: &TestServer, link_id: &str) -> Result<Revoked, String> {
    let id = link_id.to_owned();
    s.app
        .store()
        .call(move |c| store::revoke_link(c, &id, util::now()))
        .await
        .unwrap();
    s.app
        .ma()
        .unwrap()
        .revoke_link_token(s.app.store(), link_id)
        .await
}

/// `auth/tokens` answers at most 100 rows in no set order, so revocation
/// must not look the token up there: `POST /auth/logout` with the token
/// itself revokes exactly that token.
#[tokio::test]
async fn revocation_is_one_logout_with_the_links_own_token_among_more_than_a_hundred() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    // Older than the links' tokens: a list in creation order would show only these.
    let fillers = ma.add_tokens(150).await;
    let mut links = Vec::new();
    for _ in 0..3 {
        let l = link(&s, &ma, "music:read").await;
        let t = ma_token_of(&s, &l.link_id).await.unwrap();
        links.push((l.link_id, t));
    }
    let seen = ma.standin().map(|sd| sd.requests().len());
    for (link_id, _) in &links {
        let r = revoke_link(&s, link_id).await;
        assert_eq!(r, Ok(Revoked::Upstream), "{link_id}");
        let (state, revoked_at, kept) = link_state(&s, link_id);
        assert_eq!((state.as_str(), kept), ("revoked", false));
        assert!(revoked_at.is_some());
    }
    if let Some(sd) = ma.standin_or_skip(
        "revocation_is_one_logout_with_the_links_own_token_among_more_than_a_hundred: the requests",
        "only the stand-in records them",
    ) {
        let reqs: Vec<_> = sd.requests().into_iter().skip(seen.unwrap()).collect();
        let got: Vec<_> = reqs
            .iter()
            .map(|r| (r.method.as_str(), r.path.as_str(), r.bearer()))
            .collect();
        let want: Vec<_> = links
            .iter()
            .map(|(_, t)| ("POST", "/auth/logout", Some(t.clone())))
            .collect();
        assert_eq!(got, want);
    }
    for (_, t) in &links {
        assert!(
            !ma.alive(t).await,
            "Music Assistant still accepts a revoked link's token"
        );
    }
    for f in &fillers[..3] {
        assert!(ma.alive(f).await, "revocation touched another token");
    }
    ma.drop_tokens(&fillers).await;
}

/// A token deleted in Music Assistant's settings is already gone there:
/// Music Assistant's 401 to our revocation means the link ends revoked, at
/// once and on every later attempt, never `revoke_failed`.
// Multi-threaded: the CLI child process is awaited synchronously while the stand-in serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_link_whose_token_music_assistant_deleted_ends_revoked() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;

    // Directly (what `links revoke` and the RFC 7009 endpoint run).
    let l = link(&s, &ma, "music:read").await;
    ma.delete_token(&ma_token_of(&s, &l.link_id).await.unwrap())
        .await;
    let r = revoke_link(&s, &l.link_id).await;
    assert_eq!(r, Ok(Revoked::AlreadyGone));
    let (state, revoked_at, kept) = link_state(&s, &l.link_id);
    assert_eq!((state.as_str(), kept), ("revoked", false));
    assert!(revoked_at.is_some());
    let again = s
        .app
        .ma()
        .unwrap()
        .revoke_link_token(s.app.store(), &l.link_id)
        .await;
    assert_eq!(again, Ok(Revoked::NoToken));

    // Through RFC 7009: the spawned revocation ends the same way.
    let l = link(&s, &ma, "music:read").await;
    ma.delete_token(&ma_token_of(&s, &l.link_id).await.unwrap())
        .await;
    let r = s
        .post_form(
            "/alexa/revoke",
            &[("authorization", &basic_header(&l.id, &l.secret))],
            &[("token", &l.refresh)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    eventually("the link ends revoked, its ciphertext dropped", || {
        let (state, _, kept) = link_state(&s, &l.link_id);
        state == "revoked" && !kept
    })
    .await;

    // Through `links revoke`: exit 0.
    let l = link(&s, &ma, "music:read").await;
    ma.delete_token(&ma_token_of(&s, &l.link_id).await.unwrap())
        .await;
    let dir = s.dir.to_str().unwrap().to_owned();
    let (ok, out, err) = cli(&[
        "--data-dir",
        &dir,
        "links",
        "revoke",
        &l.link_id,
        "--music-assistant-url",
        &ma.url,
    ]);
    assert!(ok, "{out}{err}");
    let (state, revoked_at, kept) = link_state(&s, &l.link_id);
    assert_eq!((state.as_str(), kept), ("revoked", false));
    assert!(revoked_at.is_some());
}
