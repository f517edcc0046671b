//! Music Assistant down, slow, failing (5xx, 4xx): the answer is a 200 with
//! a sentence saying so, before the deadline; requests that fail
//! verification are a 400 and reach nothing.

use super::*;
use ma_alexa_oauth::skill::phrases;

fn say(locale: &str) -> &'static phrases::Say {
    &phrases::for_locale(locale).say
}

#[tokio::test]
async fn music_assistant_down_slow_or_failing_is_said_in_time() {
    let sk = Skill::start().await;
    let Some(sd) = sk.ma.standin_or_skip(
        "music_assistant_down_slow_or_failing_is_said_in_time",
        "needs the stand-in's knobs",
    ) else {
        return;
    };
    let pause = Ask::intent("en-US", "AMAZON.PauseIntent").slot("room", "kitchen");
    // Nothing playing: Music Assistant's bare 500 becomes that sentence.
    let h = sk.ask(&pause).await;
    assert_eq!(h.speech(), "Nothing is playing in the Kitchen.");
    // Slow: every answer takes longer than the skill's deadline.
    sd.set_knobs(|k| k.slow = Some(DEADLINE * 3));
    let h = sk.ask(&pause).await;
    assert_eq!(h.speech(), say("en-US").ma_slow);
    let h = sk.ask(&Ask::launch("de-DE")).await;
    assert_eq!(h.speech(), say("de-DE").ma_slow);
    sd.set_knobs(|k| k.slow = None);
    // 5xx.
    sd.set_knobs(|k| k.fail_5xx = true);
    let h = sk.ask(&pause).await;
    assert_eq!(h.speech(), say("en-US").ma_failed);
    sd.set_knobs(|k| k.fail_5xx = false);
    // 4xx.
    sd.set_knobs(|k| k.fail_with = Some(403));
    let h = sk
        .ask(
            &Ask::intent("en-GB", "PlaySongIntent")
                .slot("song", "early bird")
                .slot("room", "kitchen"),
        )
        .await;
    assert_eq!(h.speech(), say("en-GB").ma_failed);
    sd.set_knobs(|k| k.fail_with = None);
    // Down.
    sd.stop();
    let h = sk.ask(&pause).await;
    assert_eq!(h.speech(), say("en-US").ma_down);
    let h = sk
        .ask(&Ask::intent("de-DE", "VolumeIntent").slot("level", "20"))
        .await;
    assert_eq!(h.speech(), say("de-DE").ma_down);
}

/// Anything that fails verification is a 400 that touches nothing: no
/// headers, a bad signature, a tampered body, another skill.
#[tokio::test]
async fn unverified_requests_are_400_and_reach_nothing() {
    let sk = Skill::start().await;
    let mark = sk.api_count();
    let body = Ask::intent("en-US", "AMAZON.PauseIntent").body(Some(&sk.access));
    let sig = skill_ca().sign(&body);
    let url = chain_url(chains::GOOD);
    let post = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let addr = sk.s.addr;
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(addr, "POST", "/alexa/skill", &h, Some(body)).await
        }
    };
    let r = post(vec![], body.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = post(vec![("signaturecertchainurl", url.clone())], body.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = post(
        vec![
            ("signaturecertchainurl", url.clone()),
            ("signature-256", skill_ca().sign_with_other_key(&body)),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'P').unwrap();
    tampered[at] = b'Q';
    let r = post(
        vec![
            ("signaturecertchainurl", url.clone()),
            ("signature-256", sig.clone()),
        ],
        tampered,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let other = String::from_utf8(body.clone())
        .unwrap()
        .replace(SKILL_ID, OTHER_SKILL_ID)
        .into_bytes();
    let r = post(
        vec![
            ("signaturecertchainurl", url.clone()),
            ("signature-256", skill_ca().sign(&other)),
        ],
        other,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Verified, but not an Alexa request.
    let junk = b"[1, 2]".to_vec();
    let r = post(
        vec![
            ("signaturecertchainurl", url.clone()),
            ("signature-256", skill_ca().sign(&junk)),
        ],
        junk,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(sk.api_count(), mark, "nothing reached Music Assistant");
    // GET: 405.
    let r = send(sk.s.addr, "GET", "/alexa/skill", &[], None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    // And the good one works.
    let r = post(
        vec![("signaturecertchainurl", url), ("signature-256", sig)],
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}
