//! The skill's reading of a (verified) Alexa request
//! (`skill::request::Envelope`, `skill::intents::action`) and the text it
//! builds from outside names (`skill::matching`, `skill::response`).
//! Properties: never panics; a fuzzy score is within 0..=1 and a name
//! scores 1 against itself; escaped SSML holds no raw `<`, `>` or `"`; the
//! reply to a request that needs no Music Assistant is a JSON document with
//! a boolean `shouldEndSession`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::skill::intents::{Action, action};
use ma_alexa_oauth::skill::matching::{key, score};
use ma_alexa_oauth::skill::phrases::{fill, for_locale};
use ma_alexa_oauth::skill::request::Envelope;
use ma_alexa_oauth::skill::response::{Reply, ssml_escape};

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = serde_json::from_slice::<Envelope>(data) {
        let a = action(&env);
        let _ = (env.access_token(), env.device_id(), env.slot("room"));
        let say = &for_locale(env.locale()).say;
        if a.local() {
            let r = match a {
                Action::SessionEnded => Reply::silent(),
                _ => Reply::ask(say.help, say.launch_reprompt),
            };
            assert!(r.to_json()["response"]["shouldEndSession"].is_boolean());
        }
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let mut mid = s.len() / 2;
    while !s.is_char_boundary(mid) {
        mid -= 1;
    }
    let (a, b) = s.split_at(mid);
    let sc = score(a, b);
    assert!((0.0..=1.0).contains(&sc), "{a:?} {b:?}: {sc}");
    if !key(a).is_empty() {
        assert_eq!(score(a, a), 1.0, "{a:?}");
    }
    let e = ssml_escape(s);
    assert!(!e.contains(['<', '>', '"']), "{e:?}");
    let filled = fill("Playing {what}.", &[("what", s)]);
    assert!(!filled.contains(['<', '>']), "{filled:?}");
});
