//! The skill's reading of a (verified) Alexa request
//! (`skill::request::Envelope`, `skill::intents::action`), of spoken names
//! (`skill::resolve::readings`, `skill::phrases::exact_intent`), of
//! invocation names (`skill::model::check_invocation`) and the text it
//! builds from outside names (`skill::matching`, `skill::response`).
//! Properties: never panics; a fuzzy score is within 0..=1 and a name
//! scores 1 against itself; escaped SSML holds no raw `<`, `>` or `"`; the
//! reply to a request that needs no Music Assistant is a JSON document with
//! a boolean `shouldEndSession`, or (no answer) no response content at
//! all; an accepted invocation name holds only lower-case letters, spaces,
//! apostrophes and periods.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::skill::intents::{Action, action};
use ma_alexa_oauth::skill::intents::Wanted;
use ma_alexa_oauth::skill::matching::{key, score};
use ma_alexa_oauth::skill::model::check_invocation;
use ma_alexa_oauth::skill::phrases::{exact_intent, fill, for_locale};
use ma_alexa_oauth::skill::resolve::readings;
use ma_alexa_oauth::skill::request::Envelope;
use ma_alexa_oauth::skill::response::{Reply, ssml_escape};

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = serde_json::from_slice::<Envelope>(data) {
        let a = action(&env);
        let _ = (env.access_token(), env.device_id(), env.slot("room"));
        let say = &for_locale(env.locale()).say;
        if a.local() {
            let r = match a {
                Action::NoAnswer => Reply::nothing(),
                _ => Reply::ask(say.help, say.launch_reprompt),
            };
            let j = r.to_json();
            match a {
                Action::NoAnswer => assert_eq!(j["response"], serde_json::json!({})),
                _ => assert!(j["response"]["shouldEndSession"].is_boolean()),
            }
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
    for locale in ["en-US", "de-DE"] {
        let table = for_locale(locale);
        let wanted = Wanted {
            kind: None,
            query: a.to_owned(),
            artist: None,
        };
        let _ = readings(&table.words, &wanted);
        let _ = exact_intent(table, b);
        if let Ok(name) = check_invocation(s, table) {
            assert!(
                name.chars()
                    .all(|c| c == ' ' || c == '\'' || c == '.' || c.is_lowercase()),
                "{name:?}"
            );
        }
    }
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
