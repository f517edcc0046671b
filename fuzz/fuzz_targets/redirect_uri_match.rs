//! Redirect URI comparison (`store::Client::has_redirect_uri`, used by
//! authorize before anything is redirected).
//! Property: exact byte equality. A candidate matches iff it is
//! byte-identical to a registered URI; in particular no variant of the
//! registered Alexa URLs (case, trailing slash, `:443`, percent-encoding,
//! `..`, `?`/`#`, userinfo, another vendor id, http) matches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::cli::alexa_redirect_uris;
use ma_alexa_oauth::store::{Client, ClientKind};

fn client(uris: Vec<String>) -> Client {
    Client {
        id: "alexa".into(),
        name: "Alexa".into(),
        kind: ClientKind::Alexa,
        vendor_id: Some("M2ABCDEFGHIJK".into()),
        secret_hash: [0; 32],
        redirect_uris: uris,
        scopes: vec![],
        created_at: 0,
        require_pkce: false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    // Lines before the last: extra registered URIs; the last line: the candidate.
    let mut lines: Vec<&str> = s.split('\n').collect();
    let candidate = lines.pop().unwrap_or_default();
    let mut registered = alexa_redirect_uris("M2ABCDEFGHIJK");
    registered.extend(lines.iter().map(|l| (*l).to_owned()));
    let c = client(registered.clone());
    let expected = registered
        .iter()
        .any(|r| r.as_bytes() == candidate.as_bytes());
    assert_eq!(
        c.has_redirect_uri(candidate),
        expected,
        "candidate {candidate:?}"
    );

    // The whole input as a candidate against only the Alexa URLs.
    let alexa = client(alexa_redirect_uris("M2ABCDEFGHIJK"));
    assert_eq!(
        alexa.has_redirect_uri(s),
        alexa.redirect_uris.iter().any(|r| r == s)
    );
    // Input-derived variants of each registered Alexa URL never match.
    for r in &alexa.redirect_uris {
        let variants = [
            format!("{r}{s}"),
            format!("{s}{r}"),
            r.to_ascii_uppercase(),
            format!("{r}/"),
            r.replacen(".com", ".com:443", 1),
            r.replacen("link/", "link/%4D", 1),
            format!("{r}/..{s}"),
            format!("{r}?{s}"),
            format!("{r}#{s}"),
            r.replacen("https://", &format!("https://{s}@"), 1),
            r.replacen("https", "http", 1),
        ];
        for v in variants {
            assert_eq!(alexa.has_redirect_uri(&v), v == *r, "variant {v:?}");
        }
    }
});
