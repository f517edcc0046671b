//! The gateway's argument check (`ma::commands::check`, the shapes of
//! `ma::args` in the language of `ma::shape`, media by `ma::uri`) on the
//! commands `gateway::parse_command` accepts.
//! Properties: never panics; a refusal names a path of at most 64 bytes and
//! a reason of at most 300, never the value; accepted arguments hold no
//! object at any depth (no shape accepts one), no control character in any
//! string, every string holding `://` is a media URI `ma::uri::check_uri`
//! accepts (never `builtin`), and the command is allowlisted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::handlers::gateway::parse_command;
use ma_alexa_oauth::ma::{commands, uri};
use serde_json::Value;

fn holds(v: &Value, top: bool) {
    match v {
        Value::Object(o) => {
            assert!(top, "an object inside accepted arguments: {v}");
            for (k, x) in o {
                assert!(!k.contains("://"), "{k:?}");
                holds(x, false);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| holds(x, false)),
        Value::String(s) => {
            assert!(!s.chars().any(char::is_control), "{s:?}");
            if s.contains("://") {
                assert_eq!(uri::check_uri(s), Ok(()), "{s:?}");
                assert!(!s.starts_with("builtin"), "{s:?}");
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok((command, body)) = parse_command(data) else {
        return;
    };
    let up: Value = serde_json::from_slice(&body).expect("parse_command gives JSON");
    let args = &up["args"];
    match commands::check(&command, args) {
        Ok(()) => {
            assert!(commands::required_scopes(&command).is_some(), "{command}");
            holds(args, true);
        }
        Err(r) => {
            assert!(r.path.len() <= 64, "{}", r.path);
            assert!(r.reason.len() <= 300, "{}", r.reason);
        }
    }
});
