//! Reading one cookie (`http::cookie::get`).
//! Properties: never panics; a value found is one that appears after
//! `name=` in a header; a name that occurs twice (cookie tossing) gives None;
//! a cookie appended to a header set where its name does not occur is found.
#![no_main]

use hyper::HeaderMap;
use hyper::header::{COOKIE, HeaderValue};
use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::http::cookie::get;

fuzz_target!(|data: &[u8]| {
    // First line: the cookie name; the rest: one Cookie header per line.
    let mut lines = data.split(|&b| b == b'\n');
    let Some(name) = lines.next().and_then(|n| std::str::from_utf8(n).ok()) else {
        return;
    };
    let mut h = HeaderMap::new();
    let mut texts = Vec::new();
    for l in lines {
        if let Ok(v) = HeaderValue::from_bytes(l) {
            if let Ok(s) = v.to_str() {
                texts.push(s.to_owned());
            }
            h.append(COOKIE, v);
        }
    }
    let occurrences = texts
        .iter()
        .flat_map(|t| t.split(';'))
        .filter(|p| p.trim().split_once('=').is_some_and(|(k, _)| k == name))
        .count();
    let found = get(&h, name);
    match occurrences {
        0 => assert_eq!(found, None),
        1 => {
            let v = found.expect("a cookie that occurs once is found");
            assert!(texts.iter().any(|t| t.contains(&format!("{name}={v}"))));
        }
        _ => assert_eq!(found, None, "a tossed cookie must not be read"),
    }
    // Plant a value under a fresh name: it is found exactly.
    let fresh = "ma_fuzz_fresh";
    if occurrences == 0 && !texts.iter().any(|t| t.contains(fresh)) {
        h.append(COOKIE, HeaderValue::from_static("ma_fuzz_fresh=v4lue"));
        assert_eq!(get(&h, fresh), Some("v4lue"));
    }
});
