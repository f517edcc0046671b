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
    assert!(
        out.contains("had already dropped the link's token"),
        "{out}"
    );
    let (state, revoked_at, kept) = link_state(&s, &l.link_id);
    assert_eq!((state.as_str(), kept), ("revoked", false));
    assert!(revoked_at.is_some());
}

/// Refreshes with the link's refresh token; returns the answer.
async fn refresh_answer(s: &TestServer, l: &Linked) -> Resp {
    s.token_basic(
        &l.id,
        &l.secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &l.refresh),
        ],
    )
    .await
}

fn assert_relink(r: &Resp) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(r.error(), "invalid_token");
    let d = r.json()["error_description"].as_str().unwrap().to_owned();
    assert!(d.contains("link the skill again"), "{d}");
    let www = r.header("www-authenticate").unwrap();
    assert!(www.starts_with("Bearer "), "{www}");
    assert!(www.contains("error=\"invalid_token\""), "{www}");
}

/// When the link's token is deleted in Music Assistant, Music Assistant
/// answers 401 to it for good: the gateway looks once more, records the
/// link as `refused` (ended), and from then on Alexa's refresh gets
/// `invalid_grant`, which makes Alexa ask the user to link again.
#[tokio::test]
async fn a_token_deleted_in_music_assistant_ends_the_link_and_alexa_asks_to_link_again() {
    let ma = Upstream::start().await;
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read music:control").await;
    let other = link(&s, &ma, "music:read").await;
    let token = ma_token_of(&s, &l.link_id).await.unwrap();
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);

    ma.delete_token(&token).await;
    let seen = ma.standin().map(|sd| sd.requests().len());
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_relink(&r);
    if let Some(sd) = ma.standin_or_skip(
        "a_token_deleted_in_music_assistant_ends_the_link_and_alexa_asks_to_link_again: the second look",
        "only the stand-in records requests",
    ) {
        let got: Vec<_> = sd.requests()[seen.unwrap()..]
            .iter()
            .map(|r| (r.method.clone(), r.path.clone(), r.bearer()))
            .collect();
        let t = Some(token.clone());
        assert_eq!(
            got,
            [
                ("POST".into(), "/api".into(), t.clone()),
                ("GET".into(), "/auth/me".into(), t)
            ]
        );
    }

    // Recorded on the link (ended here too; the ciphertext is kept so
    // `links revoke` can still tell Music Assistant), seen by `links list`,
    // `status` and the audit log.
    let (state, revoked_at, kept) = link_state(&s, &l.link_id);
    assert_eq!((state.as_str(), kept), ("refused", true));
    assert!(revoked_at.is_some());
    let problems = s
        .app
        .store()
        .call(|c| store::ma_token_problems(c))
        .await
        .unwrap();
    assert_eq!(problems, vec![(l.link_id.clone(), "refused".to_owned())]);
    let dir = s.dir.to_str().unwrap().to_owned();
    let (ok, out, err) = cli(&["--data-dir", &dir, "links", "list", "--json"]);
    assert!(ok, "{err}");
    let listed: Value = serde_json::from_str(&out).unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == l.link_id.as_str())
        .unwrap();
    assert_eq!(row["ma_token_state"], "refused");
    let (ok, out, _) = cli(&["--data-dir", &dir, "links", "list"]);
    assert!(ok);
    assert!(
        out.contains("Music Assistant refused its token; the user must link the skill again"),
        "{out}"
    );
    let (ok, out, _) = cli(&["--data-dir", &dir, "status"]);
    assert!(ok);
    assert!(
        out.contains(&format!(
            "link {}: Music Assistant refused its token",
            l.link_id
        )),
        "{out}"
    );
    let (ok, out, _) = cli(&["--data-dir", &dir, "status", "--json"]);
    assert!(ok);
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        st["music_assistant_token_problems"],
        json!([{"link": l.link_id, "state": "refused"}])
    );
    let refusals: Vec<_> = s
        .events()
        .into_iter()
        .filter(|e| matches!(e, AuditEvent::MaTokenRefused { .. }))
        .collect();
    assert_eq!(
        refusals,
        vec![AuditEvent::MaTokenRefused {
            client_id: l.id.clone(),
            link_id: l.link_id.clone(),
        }]
    );

    // Alexa's next refresh: invalid_grant (Alexa then asks to link again).
    let r = refresh_answer(&s, &l).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");
    assert!(s.events().iter().any(|e| matches!(e,
        AuditEvent::RefreshRejected { reason, .. } if reason.contains("Music Assistant refused"))));
    // The gateway answers at once, without asking Music Assistant again.
    let seen = ma.standin().map(|sd| sd.requests().len());
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_relink(&r);
    if let Some(sd) = ma.standin() {
        assert_eq!(sd.requests().len(), seen.unwrap());
    }
    // Another link of the same user is untouched.
    assert_eq!(link_state(&s, &other.link_id).0, "ok");
    assert_eq!(refresh_answer(&s, &other).await.status, StatusCode::OK);
    let r = gateway(&s, Some(&other.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);

    // `links revoke` on the ended link: Music Assistant has nothing left, success.
    let r = s
        .app
        .ma()
        .unwrap()
        .revoke_link_token(s.app.store(), &l.link_id)
        .await;
    assert_eq!(r, Ok(Revoked::AlreadyGone));
    assert_eq!(link_state(&s, &l.link_id).0, "revoked");
}

/// Music Assistant answers 401 `Authentication failed` when checking a token
/// raised: one such answer, taken back at the second look, ends nothing.
#[tokio::test]
async fn one_refusal_music_assistant_takes_back_does_not_end_the_link() {
    let ma = Upstream::start().await;
    let Some(sd) = ma.standin_or_skip(
        "one_refusal_music_assistant_takes_back_does_not_end_the_link",
        "needs the stand-in's spurious_401 knob",
    ) else {
        return;
    };
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read").await;
    sd.set_knobs(|k| k.spurious_401 = 1);
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text());
    assert_eq!(r.error(), "upstream_error");
    assert!(r.text().contains("try again"), "{}", r.text());
    assert!(
        sd.requests().iter().any(|r| r.path == "/auth/me"),
        "no second look"
    );
    assert_eq!(link_state(&s, &l.link_id), ("ok".into(), None, true));
    assert_eq!(refresh_answer(&s, &l).await.status, StatusCode::OK);
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !s.events()
            .iter()
            .any(|e| matches!(e, AuditEvent::MaTokenRefused { .. }))
    );
}

/// Music Assistant unreachable, slow or failing (5xx), for the command or
/// for the second look after a 401, never ends a link.
#[tokio::test]
async fn music_assistant_unreachable_slow_or_failing_never_ends_a_link() {
    let ma = Upstream::start().await;
    let Some(sd) = ma.standin_or_skip(
        "music_assistant_unreachable_slow_or_failing_never_ends_a_link",
        "needs the stand-in's down/slow/5xx knobs",
    ) else {
        return;
    };
    let s = server_for(&ma).await;
    let l = link(&s, &ma, "music:read").await;
    let slow = Some(Duration::from_secs(3));
    let me = Some("/auth/me".to_owned());
    type Knob = Box<dyn Fn(&mut ma_standin::Knobs)>;
    let cases: Vec<(&str, Knob, StatusCode)> = vec![
        (
            "5xx",
            Box::new(|k| k.fail_5xx = true),
            StatusCode::BAD_GATEWAY,
        ),
        (
            "slow",
            Box::new(move |k| k.slow = slow),
            StatusCode::GATEWAY_TIMEOUT,
        ),
        (
            "401, then /auth/me 5xx",
            Box::new({
                let me = me.clone();
                move |k| {
                    k.spurious_401 = 1;
                    k.fail_5xx = true;
                    k.faults_only_on = me.clone();
                }
            }),
            StatusCode::BAD_GATEWAY,
        ),
        (
            "401, then /auth/me slow",
            Box::new(move |k| {
                k.spurious_401 = 1;
                k.slow = slow;
                k.faults_only_on = me.clone();
            }),
            StatusCode::GATEWAY_TIMEOUT,
        ),
    ];
    for (what, knob, status) in cases {
        sd.set_knobs(|k| knob(k));
        let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
        sd.set_knobs(|k| *k = ma_standin::Knobs::default());
        assert_eq!(
            link_state(&s, &l.link_id),
            ("ok".into(), None, true),
            "{what}"
        );
        assert_eq!(
            refresh_answer(&s, &l).await.status,
            StatusCode::OK,
            "{what}"
        );
        let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
        assert_eq!(r.status, StatusCode::OK, "{what}");
    }
    sd.stop();
    let r = gateway(&s, Some(&l.access), &cmd("players/all")).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(r.error(), "upstream_unreachable");
    assert_eq!(link_state(&s, &l.link_id), ("ok".into(), None, true));
    assert_eq!(refresh_answer(&s, &l).await.status, StatusCode::OK);
}
