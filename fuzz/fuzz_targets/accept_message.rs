//! The tailnet accept message's payload, `[version][flags][ip:port]`
//! (`tailnet::accept::parse_accept_payload`).
//! Properties: accepted iff version is ACCEPT_VERSION, a flags byte follows
//! and the rest is a UTF-8 `ip:port`; the flags map to funnel/tls bit by bit
//! (unknown bits ignored); encoding a decoded message gives it back.
#![no_main]

use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use ma_alexa_oauth::tailnet::accept::{
    ACCEPT_VERSION, CONN_FUNNEL, CONN_TLS, parse_accept_payload,
};

fuzz_target!(|data: &[u8]| {
    let r = parse_accept_payload(data);
    let spec = match data {
        [v, flags, addr @ ..] if *v == ACCEPT_VERSION => std::str::from_utf8(addr)
            .ok()
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .map(|remote| (remote, *flags)),
        _ => None,
    };
    match (r, spec) {
        (Ok(m), Some((remote, flags))) => {
            assert_eq!(m.remote, remote);
            assert_eq!(m.funnel, flags & CONN_FUNNEL != 0);
            assert_eq!(m.tls, flags & CONN_TLS != 0);
            let mut again = vec![ACCEPT_VERSION, flags & (CONN_FUNNEL | CONN_TLS)];
            again.extend_from_slice(m.remote.to_string().as_bytes());
            assert_eq!(parse_accept_payload(&again), Ok(m));
        }
        (Err(_), None) => {}
        (r, spec) => panic!("decoder {r:?} disagrees with the format {spec:?}"),
    }
});
