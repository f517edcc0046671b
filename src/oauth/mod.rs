//! The OAuth 2.0 protocol's rules, below the handlers (`crate::handlers`):
//! the scope table, PKCE, client authentication, RFC 6749 errors, and the
//! endpoint paths with the RFC 8414 metadata document.

pub mod client_auth;
pub mod error;
pub mod metadata;

/// Scopes this server knows, with the words the consent page uses.
pub const SCOPES: &[(&str, &str)] = &[
    ("music:read", "See your music library, players and queues"),
    (
        "music:control",
        "Control playback, volume, queues and grouping on your players, and favourite what is playing",
    ),
];

/// The scopes a new client may ask for unless told otherwise.
pub fn default_scopes() -> Vec<String> {
    SCOPES.iter().map(|(s, _)| (*s).to_owned()).collect()
}

pub fn describe_scope(scope: &str) -> &'static str {
    SCOPES
        .iter()
        .find(|(s, _)| *s == scope)
        .map(|(_, d)| *d)
        .unwrap_or("An unknown permission")
}

/// Splits a space-separated scope string, refusing empty items and
/// duplicates; the order of first appearance is kept.
pub fn parse_scope(s: &str) -> Option<Vec<&str>> {
    let mut out: Vec<&str> = Vec::new();
    for item in s.split(' ') {
        if item.is_empty()
            || !item
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        {
            return None;
        }
        if !out.contains(&item) {
            out.push(item);
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

pub mod pkce {
    //! RFC 7636 with S256 only.
    use crate::util;

    /// 43-128 characters of `[A-Za-z0-9-._~]`.
    pub fn valid_verifier(v: &str) -> bool {
        (43..=128).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    }

    /// A S256 challenge is the base64url (no padding) of a SHA-256: 43 characters.
    pub fn valid_challenge(c: &str) -> bool {
        c.len() == 43
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    }

    pub fn s256(verifier: &str) -> String {
        util::b64url(&util::sha256(verifier.as_bytes()))
    }

    /// Constant-time check of a verifier against a stored challenge.
    pub fn verify(verifier: &str, challenge: &str) -> bool {
        util::ct_eq(s256(verifier).as_bytes(), challenge.as_bytes())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rfc7636_appendix_b_vector() {
            let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
            assert_eq!(s256(v), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
            assert!(verify(v, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
            assert!(valid_verifier(v));
            assert!(valid_challenge(
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            ));
        }

        #[test]
        fn verifier_syntax() {
            assert!(!valid_verifier(&"a".repeat(42)));
            assert!(valid_verifier(&"a".repeat(43)));
            assert!(valid_verifier(&"a".repeat(128)));
            assert!(!valid_verifier(&"a".repeat(129)));
            assert!(!valid_verifier(&format!("{}+", "a".repeat(43))));
            assert!(!valid_verifier(&format!("{} ", "a".repeat(43))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_parsing() {
        assert_eq!(
            parse_scope("music:read music:control"),
            Some(vec!["music:read", "music:control"])
        );
        assert_eq!(
            parse_scope("music:read music:read"),
            Some(vec!["music:read"])
        );
        assert_eq!(parse_scope("music:read  music:control"), None);
        assert_eq!(parse_scope(""), None);
        assert_eq!(parse_scope("bad\"quote"), None);
    }
}
