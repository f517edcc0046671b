//! The skill endpoint's parsers of outside input, chosen by the first byte:
//! 0: the `SignatureCertChainUrl` rules (`skill::CertUrl::parse`);
//! 1: a fetched PEM chain (`skill::chain::parse_pem_chain`, the certificates'
//!    dates `der::validity`, `skill::chain::check_chain`);
//! 2: `request.timestamp` (`skill::timestamp::parse_rfc3339_millis`).
//! Properties: an accepted URL is https://s3.amazonaws.com/echo.api/… with
//! no port, user or `..` left, and parsing it again gives it back; no chain
//! is trusted without a root; an accepted timestamp is within years 0-9999
//! and its date and time fields re-parse to the same instant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::der::validity;
use ma_alexa_oauth::skill::CertUrl;
use ma_alexa_oauth::skill::chain::{check_chain, parse_pem_chain};
use ma_alexa_oauth::skill::timestamp::parse_rfc3339_millis;

fn url(s: &str) {
    let Ok(u) = CertUrl::parse(s) else { return };
    let out = u.as_str();
    assert!(out.starts_with("https://s3.amazonaws.com/echo.api/"), "{s:?} -> {out}");
    assert!(u.url().port().is_none() && u.url().username().is_empty());
    assert!(u.url().password().is_none());
    assert!(
        !u.path().split('/').any(|seg| seg == ".." || seg == "."),
        "{s:?} -> {out}"
    );
    assert_eq!(CertUrl::parse(out).as_ref().map(CertUrl::as_str), Ok(out));
}

fn pem(data: &[u8]) {
    let Ok(certs) = parse_pem_chain(data) else { return };
    assert!(!certs.is_empty());
    for c in &certs {
        let _ = validity(c);
    }
    assert!(check_chain(&certs, &[], 1_800_000_000).is_err(), "trusted without a root");
}

fn timestamp(s: &str) {
    let Some(ms) = parse_rfc3339_millis(s) else { return };
    // Years 0000-9999 with offsets up to a day either side.
    assert!((-62_167_305_600_000..=253_402_387_200_000).contains(&ms), "{s:?} -> {ms}");
    // The same instant written as UTC with milliseconds parses back.
    if let Some(prefix) = s.get(..19) {
        if s.get(19..) == Some("Z") {
            assert_eq!(parse_rfc3339_millis(&format!("{prefix}.000Z")), Some(ms));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 3 {
        0 => {
            if let Ok(s) = std::str::from_utf8(rest) {
                url(s);
            }
        }
        1 => pem(rest),
        _ => {
            if let Ok(s) = std::str::from_utf8(rest) {
                timestamp(s);
            }
        }
    }
});
