//! A certificate's validity period (`notBefore`, `notAfter`), read with a
//! minimal DER walk: Certificate → tbsCertificate → validity. Used only to
//! know how long a verified chain may stay cached; the chain itself is
//! verified by webpki, which checks the same dates.

use super::timestamp::parse_der_time;

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
    Some((parse_der_time(t1, nb)?, parse_der_time(t2, na)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_real_certificates_dates() {
        let pem = include_bytes!("../../tests/data/lab-cert.pem");
        let certs = crate::skill::chain::parse_pem_chain(pem).unwrap();
        let (nb, na) = validity(certs.first().unwrap()).unwrap();
        assert!(nb < na, "{nb} {na}");
        assert!(nb > 1_500_000_000, "{nb}");
        // Any cut of it is refused, never a panic.
        let der = certs.first().unwrap().as_ref();
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
