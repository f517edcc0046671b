//! The account-linking paths: no token, a token that is not ours, expired,
//! revoked, refused by Music Assistant. Each answer is the "open the Alexa
//! app" sentence with the `LinkAccount` card, and nothing reaches Music
//! Assistant before the link is known to be usable.

use super::*;
use ma_alexa_oauth::keys::AccessClaims;
use ma_alexa_oauth::{store, util};

fn relink(h: &Heard, locale: &str) {
    let t = &ma_alexa_oauth::skill::phrases::for_locale(locale).say;
    assert_eq!(h.speech(), t.link_account, "{}", h.json);
    assert!(h.link_card(), "{}", h.json);
    assert!(h.ends_session());
}

#[tokio::test]
async fn missing_foreign_expired_and_revoked_tokens_ask_to_link() {
    let sk = Skill::start().await;
    let mark = sk.api_count();
    for locale in ["en-US", "en-GB", "de-DE"] {
        let pause = Ask::intent(locale, "AMAZON.PauseIntent");
        // No token at all (the account is not linked).
        let h = post_signed(&sk.s, pause.body(None)).await;
        assert_eq!(h.status, StatusCode::OK);
        relink(&h, locale);
        // Not one of ours.
        let h = sk
            .ask(&Ask {
                token: Some("not.a.token".into()),
                ..pause.clone()
            })
            .await;
        relink(&h, locale);
        // "Stop" without a usable link is only a goodbye, no card.
        let stop = Ask::intent(locale, "AMAZON.StopIntent");
        let say = &ma_alexa_oauth::skill::phrases::for_locale(locale).say;
        for h in [
            post_signed(&sk.s, stop.body(None)).await,
            post_signed(&sk.s, stop.body(Some("not.a.token"))).await,
        ] {
            assert_eq!(h.speech(), say.goodbye, "{}", h.json);
            assert!(!h.link_card() && h.ends_session());
        }
    }
    // Expired: signed by us, exp in the past.
    let good = sk.s.app.keys().verify(&sk.access).unwrap();
    let expired =
        sk.s.app
            .keys()
            .sign(&AccessClaims {
                exp: util::now() - 10,
                iat: util::now() - 100,
                ..good.clone()
            })
            .unwrap();
    let h = sk
        .ask(&Ask {
            token: Some(expired),
            ..Ask::launch("en-US")
        })
        .await;
    relink(&h, "en-US");
    assert_eq!(sk.api_count(), mark, "nothing reached Music Assistant");

    // Revoked here (links revoke, RFC 7009): the same.
    let id = sk.link_id.clone();
    sk.s.app
        .store()
        .call(move |c| store::revoke_link(c, &id, util::now()))
        .await
        .unwrap();
    let h = sk.ask(&Ask::intent("de-DE", "WhatsPlayingIntent")).await;
    relink(&h, "de-DE");
    assert_eq!(sk.api_count(), mark, "nothing reached Music Assistant");
}

/// The link's Music Assistant token, decrypted.
async fn ma_token_of(sk: &Skill) -> String {
    let id = sk.link_id.clone();
    let up =
        sk.s.app
            .store()
            .call(move |c| store::link_upstream(c, &id))
            .await
            .unwrap()
            .unwrap();
    let t = up.token.unwrap();
    sk.s.app
        .ma()
        .unwrap()
        .open_token(&up.subject, &t)
        .unwrap()
        .expose()
        .to_owned()
}

/// Music Assistant refuses the link's token (deleted in its settings): the
/// gateway's second look confirms, the link ends, the person is asked to
/// link again, now and on the next request.
#[tokio::test]
async fn a_token_refused_by_music_assistant_ends_the_link_and_asks_to_link() {
    let sk = Skill::start().await;
    let token = ma_token_of(&sk).await;
    sk.ma.delete_token(&token).await;
    let h = sk.ask(&Ask::intent("en-GB", "AMAZON.NextIntent")).await;
    relink(&h, "en-GB");
    let (state, revoked): (String, Option<i64>) =
        rusqlite::Connection::open(sk.s.dir.join("ma-alexa-oauth.sqlite3"))
            .unwrap()
            .query_row(
                "SELECT ma_token_state, revoked_at FROM links WHERE id = ?1",
                [&sk.link_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert_eq!(state, "refused");
    assert!(revoked.is_some());
    let h = sk.ask(&Ask::intent("en-GB", "AMAZON.NextIntent")).await;
    relink(&h, "en-GB");
}

/// One spurious 401 (Music Assistant failing to check a fine token) does
/// not end the link: "try again", and the next request works.
#[tokio::test]
async fn one_spurious_refusal_keeps_the_link() {
    let sk = Skill::start().await;
    let Some(sd) = sk.ma.standin_or_skip(
        "one_spurious_refusal_keeps_the_link",
        "needs the stand-in's knob",
    ) else {
        return;
    };
    sd.set_knobs(|k| k.spurious_401 = 1);
    let h = sk
        .ask(&Ask::intent("en-US", "WhatsPlayingIntent").slot("room", "kitchen"))
        .await;
    let t = &ma_alexa_oauth::skill::phrases::for_locale("en-US").say;
    assert_eq!(h.speech(), t.relink_retry);
    assert!(!h.link_card());
    let h = sk
        .ask(&Ask::intent("en-US", "WhatsPlayingIntent").slot("room", "kitchen"))
        .await;
    assert!(h.speech().contains("Kitchen"), "{}", h.speech());
}
