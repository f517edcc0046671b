//! Form bodies and query strings (`Params::parse`, `decode`).
//! Properties: a parse never has two parameters of one name nor more than
//! MAX_PARAMS; `get` never returns an empty value; re-encoding what was
//! parsed and parsing again gives the same parameters; `decode` of a
//! percent-encoding of arbitrary UTF-8 gives it back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::http::params::{MAX_PARAMS, Params, decode};

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'*') {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Params::parse(data) {
        let pairs: Vec<(&str, &str)> = p.iter().collect();
        assert!(pairs.len() <= MAX_PARAMS);
        for (i, (k, v)) in pairs.iter().enumerate() {
            assert!(
                pairs.iter().skip(i + 1).all(|(k2, _)| k2 != k),
                "duplicate {k:?}"
            );
            let got = p.get(k);
            assert!(got.is_none_or(|g| !g.is_empty()));
            assert_eq!(got, (!v.is_empty()).then_some(*v));
        }
        let again: String = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let p2 = Params::parse(again.as_bytes()).expect("re-encoded parameters parse");
        assert_eq!(p2.iter().collect::<Vec<_>>(), pairs);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(decode(encode(s).as_bytes()).as_deref(), Ok(s));
    }
    // A decoded component is valid UTF-8 (it is a String) and never longer than its input.
    if let Ok(d) = decode(data) {
        assert!(d.len() <= data.len());
    }
});
