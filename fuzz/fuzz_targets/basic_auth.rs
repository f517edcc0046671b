//! HTTP Basic client credentials (`http::basic::parse`).
//! Properties: arbitrary headers never panic; for any id (without ':' once
//! encoded, which form-urlencoding guarantees) and secret, the RFC 6749
//! 2.3.1 encoding `base64(urlencode(id) ":" urlencode(secret))` parses back to
//! exactly (id, secret), whatever the scheme's case.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::http::basic::parse;

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
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
    if let Ok((id, secret)) = parse(data) {
        // Whatever came out must survive being encoded and parsed again.
        let raw = format!("{}:{}", urlencode(&id), urlencode(&secret));
        let h = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        assert_eq!(parse(h.as_bytes()), Ok((id, secret)));
    }
    // Split the input into an id and a secret and round-trip them.
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (id, secret) = match s.find('\u{0}') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let raw = format!("{}:{}", urlencode(id), urlencode(secret));
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    for scheme in ["Basic", "basic", "BASIC"] {
        let h = format!("{scheme} {b64}");
        assert_eq!(
            parse(h.as_bytes()),
            Ok((id.to_owned(), secret.to_owned())),
            "header {h:?}"
        );
    }
});
