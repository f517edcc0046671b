//! The accept message's payload, `[version][flags][ip:port]`, sent by the Go
//! shim with each accepted connection. Pure, so it is compiled without the
//! `tailnet` feature as well and can be fuzzed (fuzz/fuzz_targets/accept_message.rs).

use std::net::SocketAddr;

/// The accept message format version the shim sends (tsshim.h).
pub const ACCEPT_VERSION: u8 = 1;
/// Flag: the connection arrived through Funnel.
pub const CONN_FUNNEL: u8 = 0x01;
/// Flag: the node terminated TLS.
pub const CONN_TLS: u8 = 0x02;

/// One accepted connection's metadata, decoded from the accept message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptMeta {
    pub remote: SocketAddr,
    /// Arrived through Funnel (public internet).
    pub funnel: bool,
    /// TLS was terminated by the node; the stream carries plaintext.
    pub tls: bool,
}

/// Decodes an accept message's payload (version, flags, "ip:port").
pub fn parse_accept_payload(p: &[u8]) -> Result<AcceptMeta, String> {
    let (&version, rest) = p.split_first().ok_or("empty accept message")?;
    if version != ACCEPT_VERSION {
        return Err(format!(
            "accept message version {version}, expected {}",
            ACCEPT_VERSION
        ));
    }
    let (&flags, addr) = rest.split_first().ok_or("accept message without flags")?;
    let addr = std::str::from_utf8(addr).map_err(|_| "remote address is not UTF-8")?;
    let remote: SocketAddr = addr
        .parse()
        .map_err(|_| format!("remote address {addr:?} is not ip:port"))?;
    Ok(AcceptMeta {
        remote,
        funnel: flags & CONN_FUNNEL != 0,
        tls: flags & CONN_TLS != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_accept_payloads() {
        let m = parse_accept_payload(b"\x01\x03203.0.113.5:41000").unwrap();
        assert_eq!(m.remote, "203.0.113.5:41000".parse().unwrap());
        assert!(m.funnel && m.tls);
        let m = parse_accept_payload(b"\x01\x00[fd7a:115c:a1e0::1]:443").unwrap();
        assert_eq!(m.remote, "[fd7a:115c:a1e0::1]:443".parse().unwrap());
        assert!(!m.funnel && !m.tls);
        // Unknown flag bits are ignored.
        assert!(parse_accept_payload(b"\x01\xff1.2.3.4:5").unwrap().funnel);
        assert!(parse_accept_payload(b"").is_err());
        assert!(parse_accept_payload(b"\x01").is_err());
        assert!(parse_accept_payload(b"\x02\x031.2.3.4:5").is_err());
        assert!(parse_accept_payload(b"\x01\x03not an address").is_err());
        assert!(parse_accept_payload(b"\x01\x031.2.3.4").is_err());
    }
}
