//! PKCE (`oauth::pkce`).
//! Properties: `valid_verifier(v)` iff v has 43-128 characters, all from the
//! unreserved set `[A-Za-z0-9-._~]`; `s256(v)` is always a valid challenge;
//! `verify(v, s256(v))` holds; `verify(v, c)` fails for any other `c`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::oauth::pkce::{s256, valid_challenge, valid_verifier, verify};

fn unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let n = s.chars().count();
    let spec = (43..=128).contains(&n) && s.chars().all(unreserved);
    assert_eq!(valid_verifier(s), spec, "verifier {s:?}");

    let c = s256(s);
    assert!(valid_challenge(&c), "s256 gave {c:?}");
    assert!(verify(s, &c));
    // The input as a challenge: it verifies only if it is the verifier's own.
    assert_eq!(verify(s, s), s == c);
    // A challenge with any one character changed does not verify.
    let mut bytes = c.clone().into_bytes();
    let i = data.first().map_or(0, |&b| usize::from(b) % bytes.len());
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let other = String::from_utf8(bytes).unwrap();
    assert!(!verify(s, &other));
    // valid_challenge: exactly 43 base64url characters.
    let spec_c = s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    assert_eq!(valid_challenge(s), spec_c);
});
