//! Reads the expiry of the node's cached certificate (for `status`); the DER
//! walk is `crate::der`.

use base64::Engine as _;

/// notAfter (Unix seconds) of the first certificate in a PEM file.
pub fn pem_not_after(pem: &str) -> Option<i64> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    let body = pem.split_once(BEGIN)?.1.split_once("-----END")?.0;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    crate::der::validity(&der).map(|(_, not_after)| not_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_not_after_of_a_lab_certificate() {
        // Issued by the lab's pebble; `openssl x509 -enddate`: Feb 19 05:50:31 2027 GMT.
        let pem = include_str!("../../tests/data/lab-cert.pem");
        assert_eq!(pem_not_after(pem), Some(1_803_016_231));
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(pem_not_after("nothing"), None);
        assert_eq!(
            pem_not_after("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
            None
        );
    }
}
