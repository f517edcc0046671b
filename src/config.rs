//! Runtime configuration of the server, built by the CLI (or by tests).

use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::throttle;

/// Connection and request limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once. When all are taken, a new connection
    /// gets the slot of one that has sent nothing yet, else of one idle
    /// between requests, else of one stalled (see `min_rate`); else it waits.
    pub max_connections: usize,
    /// Connections one client may hold at once (an IPv4 address, or an IPv6
    /// /64; trusted proxies have no share). A client at its share that
    /// connects again loses its own least useful connection, or is refused
    /// if all are busy. `None`: [`Limits::client_share`]'s default.
    pub max_connections_per_client: Option<usize>,
    /// Time allowed to send a request's headers: from accept for the first
    /// request, from its first byte for each later one on the connection.
    pub header_timeout: Duration,
    /// A connection with no traffic for this long is closed (also a
    /// keep-alive connection waiting for its next request).
    pub idle_timeout: Duration,
    /// Largest form body accepted (authorize POST, token, revoke, introspect).
    pub max_form_bytes: usize,
    /// Time allowed to send a whole request body once the headers are in.
    pub body_timeout: Duration,
    /// Bytes per second a client must move, on average, while the server
    /// waits on it in the middle of a request: for the rest of its header
    /// or body, or for it to take a response (a full socket buffer, a shut
    /// HTTP/2 window). HTTP/2 counts only HEADERS, CONTINUATION and DATA
    /// payloads; PINGs and other control frames are no progress.
    pub min_rate: u32,
    /// How far behind `min_rate` (in time at that rate) a client may fall
    /// before its connection counts as stalled. When every slot is taken,
    /// stalled connections make room (the furthest behind first), after
    /// silent and idle ones; a connection keeping up is never dropped.
    pub stall_grace: Duration,
    /// A connection whose client is this far behind `min_rate` is closed,
    /// slots short or not.
    pub stall_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            max_connections_per_client: None,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_form_bytes: 8 * 1024,
            body_timeout: Duration::from_secs(10),
            min_rate: 1024,
            stall_grace: Duration::from_secs(2),
            stall_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// Connections one client may hold: `max_connections_per_client`, or
    /// by default an eighth of `max_connections` (64 of 512), at least 4.
    pub fn client_share(&self) -> usize {
        self.max_connections_per_client
            .unwrap_or((self.max_connections / 8).max(4))
            .max(1)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The issuer: the public base URL, without a trailing slash.
    pub issuer: String,
    /// Access token lifetime in seconds.
    pub access_token_ttl: i64,
    /// Authorization code lifetime in seconds (at most 300).
    pub code_ttl: i64,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<Cidr>,
    pub limits: Limits,
    pub login_policy: throttle::Policy,
    /// Password hashes computed at once.
    pub hash_permits: usize,
    /// Music Assistant's base URL (`http://host:8095`). When set, logins are
    /// Music Assistant accounts (local accounts are not used) and `/ma/api` is served.
    pub music_assistant_url: Option<String>,
    /// Time allowed for each call to Music Assistant (connect to last byte).
    pub upstream_timeout: Duration,
    /// A link's Music Assistant token is renewed on use once it is this many seconds old.
    pub ma_token_renew_after: i64,
    /// Largest `/ma/api` request body.
    pub max_gateway_bytes: usize,
    /// The Alexa skill answers within this time, Music Assistant slow or not
    /// (Alexa gives up after about 8 s).
    pub skill_deadline: Duration,
    /// Playing on the Echo itself: the provider API and the stream relay.
    pub echo: EchoSettings,
}

/// A relay URL's maximum life from minting: 8 hours. Music Assistant's
/// Alexa provider plays a whole queue as one flow stream, and the Echo
/// fetches the URL again with every reconnect (a dropped connection, a
/// resume after pause), so the URL must outlive a long listening session
/// (a day's playlist or an audiobook); past it, asking Alexa again mints
/// a fresh one. A URL copied from the Echo's traffic is thus usable for at
/// most this long, and for less once the player stops or is given a new
/// stream (both revoke it).
pub const RELAY_MAX_LIFE: Duration = Duration::from_secs(8 * 3600);

/// Music Assistant's Alexa provider and the stream relay (`crate::echo`).
#[derive(Debug, Clone)]
pub struct EchoSettings {
    /// Hosts Music Assistant's stream URLs may name besides its own URL's
    /// host (`HOST[:PORT]`, port 8097 by default; checked by the CLI).
    pub stream_hosts: Vec<String>,
    /// Streams relayed at once.
    pub max_streams: usize,
    /// A relay URL's token takes new requests this long after it was made.
    pub token_ttl: Duration,
    /// ... and this long after a stream on it that delivered audio ended
    /// (an Echo reconnecting) ...
    pub reconnect: Duration,
    /// ... but never longer than this after it was made, however it is
    /// used (`crate::echo::grants`).
    pub max_life: Duration,
    /// The Echo taking nothing for this long ends its stream.
    pub stall: Duration,
    /// Music Assistant sending nothing for this long ends the stream.
    pub upstream_idle: Duration,
}

impl Default for EchoSettings {
    fn default() -> Self {
        EchoSettings {
            stream_hosts: Vec::new(),
            max_streams: 16,
            token_ttl: Duration::from_secs(600),
            reconnect: Duration::from_secs(60),
            max_life: RELAY_MAX_LIFE,
            stall: Duration::from_secs(20),
            upstream_idle: Duration::from_secs(20),
        }
    }
}

impl Config {
    pub fn new(issuer: impl Into<String>) -> Config {
        let mut issuer = issuer.into();
        while issuer.ends_with('/') {
            issuer.pop();
        }
        Config {
            issuer,
            access_token_ttl: 3600,
            code_ttl: 300,
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
            login_policy: throttle::Policy::default(),
            hash_permits: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            music_assistant_url: None,
            upstream_timeout: Duration::from_secs(10),
            ma_token_renew_after: 300 * 86_400,
            max_gateway_bytes: 64 * 1024,
            skill_deadline: Duration::from_secs(6),
            echo: EchoSettings::default(),
        }
    }

    /// The `aud` of our access tokens: this server, which also fronts Music Assistant.
    pub fn audience(&self) -> &str {
        &self.issuer
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path)
    }
}

/// An IP network in CIDR notation (a bare address is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => mask_eq(&a.octets(), &b.octets(), self.prefix),
            (IpAddr::V6(a), IpAddr::V6(b)) => mask_eq(&a.octets(), &b.octets(), self.prefix),
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses compare as IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn mask_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = (prefix / 8) as usize;
    let rest = prefix % 8;
    if !a.iter().zip(b).take(full).all(|(x, y)| x == y) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let m = 0xffu8 << (8 - rest);
    matches!((a.get(full), b.get(full)), (Some(x), Some(y)) if x & m == y & m)
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = canonical(
            a.parse::<IpAddr>()
                .map_err(|_| format!("{s:?} is not an IP address or CIDR"))?,
        );
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= max)
                .ok_or(format!("{s:?}: prefix must be 0-{max}"))?,
            None => max,
        };
        Ok(Cidr { addr, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_contains() {
        let c: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(c.contains("10.1.200.3".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!c.contains("10.2.0.1".parse().unwrap()));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        let odd: Cidr = "192.168.1.128/25".parse().unwrap();
        assert!(odd.contains("192.168.1.200".parse().unwrap()));
        assert!(!odd.contains("192.168.1.100".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("nonsense".parse::<Cidr>().is_err());
    }
}
