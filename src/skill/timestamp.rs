//! Dates: `request.timestamp` (ISO 8601 / RFC 3339, as Alexa writes it:
//! `2026-11-30T18:47:51Z`, optionally with fractions of a second or an
//! offset) to Unix milliseconds, and the certificates' UTCTime and
//! GeneralizedTime to Unix seconds.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, &c| a * 10 + i64::from(c - b'0')))
}

fn in_range(v: i64, lo: i64, hi: i64) -> Option<i64> {
    (lo..=hi).contains(&v).then_some(v)
}

/// Seconds since the epoch of a calendar date and time, checked field by
/// field (leap second 60 allowed, as RFC 3339 does).
fn epoch_seconds(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    in_range(mo, 1, 12)?;
    in_range(d, 1, 31)?;
    in_range(h, 0, 23)?;
    in_range(mi, 0, 59)?;
    in_range(s, 0, 60)?;
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

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

/// UTCTime (tag 0x17, `YYMMDDHHMMSSZ`, years 1950-2049) or GeneralizedTime
/// (0x18, `YYYYMMDDHHMMSSZ`), as RFC 5280 requires them → Unix seconds.
pub(super) fn parse_der_time(tag: u8, s: &[u8]) -> Option<i64> {
    let s = s.strip_suffix(b"Z")?;
    let (year, rest) = match (tag, s.len()) {
        (0x17, 12) => {
            let yy = digits(s.get(0..2)?)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        (0x18, 14) => (digits(s.get(0..4)?)?, s.get(4..)?),
        _ => return None,
    };
    let f = |r: std::ops::Range<usize>| digits(rest.get(r)?);
    epoch_seconds(year, f(0..2)?, f(2..4)?, f(4..6)?, f(6..8)?, f(8..10)?)
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

    #[test]
    fn certificate_times() {
        assert_eq!(parse_der_time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(parse_der_time(0x17, b"491231235959Z"), Some(2_524_607_999));
        assert_eq!(
            parse_der_time(0x18, b"20491231235959Z"),
            Some(2_524_607_999)
        );
        assert_eq!(parse_der_time(0x18, b"20491231235959"), None);
        assert_eq!(parse_der_time(0x17, b"20491231235959Z"), None);
    }
}
