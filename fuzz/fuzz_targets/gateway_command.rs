//! The gateway's command body (`handlers::gateway::parse_command`) and allowlist
//! lookup (`ma::commands::required_scopes`).
//! Properties: never panics; an accepted body becomes exactly
//! `{"message_id", "command", "args"}` with `args` an object and the same
//! command; accepted command names are 1-128 characters of `[A-Za-z0-9/_.-]`;
//! a name containing `..` is never allowlisted; an allowlisted name always
//! needs at least one scope.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::handlers::gateway::parse_command;
use ma_alexa_oauth::ma::commands::required_scopes;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok((command, body)) = parse_command(data) {
        assert!(!command.is_empty() && command.len() <= 128);
        assert!(
            command
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'))
        );
        let Ok(Value::Object(up)) = serde_json::from_slice::<Value>(&body) else {
            panic!("upstream body is not a JSON object");
        };
        assert_eq!(up.len(), 3);
        assert_eq!(
            up.get("command").and_then(Value::as_str),
            Some(command.as_str())
        );
        assert!(up.get("args").is_some_and(Value::is_object));
        assert!(matches!(
            up.get("message_id"),
            Some(Value::String(_) | Value::Number(_))
        ));
        let _ = required_scopes(&command);
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(scopes) = required_scopes(s) {
        assert!(!scopes.is_empty(), "{s:?} allowlisted with no scope");
    }
    if s.contains("..") {
        // Only an exact allowlist entry could match, and none contains "..".
        assert_eq!(required_scopes(s), None, "{s:?}");
    }
});
