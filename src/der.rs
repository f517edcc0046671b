//! Certificate dates with a minimal DER walk (Certificate → tbsCertificate →
//! validity), and the calendar arithmetic behind them. Shared by the skill's
//! chain cache (how long a verified chain may stay cached; webpki checks the
//! same dates) and `status` (the node certificate's expiry). Parsers only:
//! nothing here trusts or verifies a certificate.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, &c| a * 10 + i64::from(c - b'0')))
}

pub fn in_range(v: i64, lo: i64, hi: i64) -> Option<i64> {
    (lo..=hi).contains(&v).then_some(v)
}

/// Seconds since the epoch of a calendar date and time, checked field by
/// field (leap second 60 allowed, as RFC 3339 does).
pub fn epoch_seconds(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    in_range(mo, 1, 12)?;
    in_range(d, 1, 31)?;
    in_range(h, 0, 23)?;
    in_range(mi, 0, 59)?;
    in_range(s, 0, 60)?;
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// UTCTime (tag 0x17, `YYMMDDHHMMSSZ`, years 1950-2049) or GeneralizedTime
/// (0x18, `YYYYMMDDHHMMSSZ`), as RFC 5280 requires them → Unix seconds.
pub fn parse_time(tag: u8, s: &[u8]) -> Option<i64> {
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

/// One DER element: (tag, contents, rest). Definite lengths up to 4 bytes.
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&len0, rest) = rest.split_first()?;
    let (len, rest) = if len0 < 0x80 {
        (usize::from(len0), rest)
    } else {
        let n = usize::from(len0 & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (lb, rest) = rest.split_at(n);
        (
            lb.iter().fold(0usize, |a, &x| (a << 8) | usize::from(x)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    Some((tag, content, rest))
}

const SEQUENCE: u8 = 0x30;
const VERSION: u8 = 0xa0;

/// `(notBefore, notAfter)` in Unix seconds, or `None` if `der` is not a
/// certificate this walk understands.
pub fn validity(der: &[u8]) -> Option<(i64, i64)> {
    let (SEQUENCE, cert, _) = tlv(der)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = tlv(cert)? else {
        return None;
    };
    let mut rest = tbs;
    if rest.first() == Some(&VERSION) {
        rest = tlv(rest)?.2;
    }
    // serialNumber, signature, issuer.
    for _ in 0..3 {
        rest = tlv(rest)?.2;
    }
    let (SEQUENCE, validity, _) = tlv(rest)? else {
        return None;
    };
    let (t1, nb, rest) = tlv(validity)?;
    let (t2, na, _) = tlv(rest)?;
    Some((parse_time(t1, nb)?, parse_time(t2, na)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_times_utc_and_generalized() {
        assert_eq!(parse_time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(parse_time(0x17, b"491231235959Z"), Some(2_524_607_999));
        assert_eq!(parse_time(0x18, b"20491231235959Z"), Some(2_524_607_999));
        assert_eq!(parse_time(0x18, b"20491231235959"), None);
        assert_eq!(parse_time(0x17, b"20491231235959Z"), None);
        assert_eq!(parse_time(0x18, b"20000229000000Z"), Some(951_782_400));
        assert_eq!(parse_time(0x17, b"7001010000Z"), None);
    }

    #[test]
    fn reads_a_real_certificates_dates() {
        use base64::Engine as _;
        let pem = include_str!("../tests/data/lab-cert.pem");
        let body = pem.split("-----").nth(2).unwrap();
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let (nb, na) = validity(&der).unwrap();
        assert!(nb < na, "{nb} {na}");
        assert!(nb > 1_500_000_000, "{nb}");
        // Any cut of it is refused, never a panic.
        for n in 0..der.len().min(400) {
            let _ = validity(&der[..n]);
        }
    }

    #[test]
    fn truncated_or_foreign_input_is_none() {
        assert_eq!(validity(b""), None);
        assert_eq!(validity(&[0x30, 0x82, 0xff]), None);
        assert_eq!(validity(&[0x30, 0x03, 0x02, 0x01, 0x00]), None);
        assert_eq!(validity(&[0x04, 0x00]), None);
    }
}
