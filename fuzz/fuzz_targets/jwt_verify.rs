//! JWT access-token verification (`keys::Keys::verify`).
//! Properties: arbitrary bytes never panic and never verify (unless they are
//! the one valid token); the valid token with fuzzer-chosen byte edits,
//! insertions or truncations never verifies unless it is unchanged.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::keys::{AccessClaims, Keys};

struct Fixture {
    keys: Keys,
    token: String,
    claims: AccessClaims,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ma-alexa-fuzz-jwt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let keys = Keys::load_or_create(&dir, "https://issuer.example", "https://audience.example")
            .unwrap();
        let now = ma_alexa_oauth::util::now();
        let claims = AccessClaims {
            iss: "https://issuer.example".into(),
            sub: "owner".into(),
            aud: "https://audience.example".into(),
            exp: now + 365 * 24 * 3600,
            iat: now,
            jti: "jti-1".into(),
            client_id: "alexa".into(),
            scope: "music:read".into(),
            sid: "link-1".into(),
            preferred_username: String::new(),
        };
        let token = keys.sign(&claims).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), claims);
        let _ = std::fs::remove_dir_all(&dir);
        Fixture {
            keys,
            token,
            claims,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    // 1. The input itself.
    let s = String::from_utf8_lossy(data);
    match f.keys.verify(&s) {
        Ok(c) => assert!(
            s == f.token && c == f.claims,
            "forged token verified: {s:?}"
        ),
        Err(_) => assert_ne!(s, f.token),
    }
    // 2. Edits of the valid token driven by the input, 3 bytes per edit:
    //    (op, position, byte).
    let mut t = f.token.clone().into_bytes();
    for e in data.chunks_exact(3) {
        let pos = usize::from(u16::from_le_bytes([e[1], e[0] >> 2])) % (t.len() + 1);
        match e[0] & 3 {
            0 if pos < t.len() => t[pos] = e[2],
            1 => t.insert(pos, e[2]),
            2 if pos < t.len() => {
                t.remove(pos);
            }
            _ => t.truncate(pos),
        }
    }
    let edited = String::from_utf8_lossy(&t);
    let r = f.keys.verify(&edited);
    if edited == f.token {
        assert_eq!(r.unwrap(), f.claims);
    } else {
        assert!(r.is_err(), "edited token verified: {edited:?}");
    }
});
