//! Dates: `request.timestamp` (ISO 8601 / RFC 3339, as Alexa writes it:
//! `2026-11-30T18:47:51Z`, optionally with fractions of a second or an
//! offset) to Unix milliseconds, and the certificates' UTCTime and
//! GeneralizedTime to Unix seconds.

use crate::der::{digits, epoch_seconds, in_range};

/// `YYYY-MM-DDTHH:MM:SS[.fff...](Z|±HH:MM)` → Unix milliseconds. `T` and
/// `Z` may be lower case; fractions beyond milliseconds are truncated.
pub fn parse_rfc3339_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let date = b.get(..19)?;
    let sep = |i: usize, c: u8| date.get(i).is_some_and(|&x| x == c);
    let shape = sep(4, b'-') && sep(7, b'-') && sep(13, b':') && sep(16, b':');
    if !shape || !matches!(date.get(10), Some(b'T' | b't')) {
        return None;
    }
    let f = |r: std::ops::Range<usize>| digits(date.get(r)?);
    let secs = epoch_seconds(
        f(0..4)?,
        f(5..7)?,
        f(8..10)?,
        f(11..13)?,
        f(14..16)?,
        f(17..19)?,
    )?;
    let mut rest = b.get(19..)?;
    let mut millis = 0i64;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        let (ds, after) = frac.split_at(n);
        if ds.is_empty() {
            return None;
        }
        for (i, &c) in ds.iter().take(3).enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
        }
        rest = after;
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = in_range(digits(&[*h1, *h2])?, 0, 23)?;
            let m = in_range(digits(&[*m1, *m2])?, 0, 59)?;
            let o = h * 3600 + m * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some((secs - offset) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alexa_timestamps() {
        assert_eq!(parse_rfc3339_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_millis("2026-11-30T18:47:51Z"),
            Some(1_796_064_471_000)
        );
        assert_eq!(
            parse_rfc3339_millis("2026-11-30T18:47:51.123456Z"),
            Some(1_796_064_471_123)
        );
        assert_eq!(
            parse_rfc3339_millis("2026-11-30T19:47:51+01:00"),
            Some(1_796_064_471_000)
        );
        for bad in [
            "",
            "2026-11-30",
            "2026-11-30T18:47:51",
            "2026-13-30T18:47:51Z",
            "2026-11-30T24:47:51Z",
            "2026-11-30T18:47:51.Z",
            "2026-11-30T18:47:51Zjunk",
            "2026-11-30 18:47:51Z",
            "+026-11-30T18:47:51Z",
            "1779840000",
        ] {
            assert_eq!(parse_rfc3339_millis(bad), None, "{bad}");
        }
    }
}
