//! Which URLs Music Assistant may push, and what the relay then fetches.
//!
//! An accept-list, never a deny-list: a pushed stream URL is taken only if
//! it is `http://HOST:PORT/{flow|single}/SESSION/QUEUE/ITEM/PLAYER.FMT`
//! with `HOST:PORT` one of [`StreamHosts`] (Music Assistant's own host on its
//! stream port, plus hosts the operator named), and every id within a
//! bounded, safe character set; anything else is refused. The relay then
//! fetches exactly that stream, as MP3 (the extension is replaced), from
//! exactly that host, so whoever holds the provider credentials cannot make
//! this server fetch anything else.

use std::fmt::Write as _;

/// Music Assistant's stream server port (its default).
pub const DEFAULT_STREAM_PORT: u16 = 8097;
/// Longest pushed URL accepted.
pub const MAX_URL: usize = 2048;
/// Longest id (queue, player) accepted.
pub const MAX_ID: usize = 128;
/// Formats Music Assistant names in a stream URL that are taken (the relay
/// always asks for MP3).
const FORMATS: &[&str] = &["flac", "mp3", "aac", "wav", "ogg", "m4a"];

/// One `host:port` the relay may fetch from. Hosts are kept lowercase;
/// IPv6 addresses without brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl HostPort {
    /// `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT` (port default `default_port`).
    pub fn parse(s: &str, default_port: u16) -> Result<HostPort, String> {
        let s = s.trim();
        let (host, port) = split_host_port(s)
            .ok_or_else(|| "expected HOST or HOST:PORT (an IPv6 address in brackets)".to_owned())?;
        let port = match port {
            None => default_port,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| "the port must be a number from 1 to 65535".to_owned())?,
        };
        if !valid_host(host) {
            return Err("the host must be an IP address or a DNS name".into());
        }
        Ok(HostPort {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// `host:port` for a `Host` header or a connect call (IPv6 bracketed).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// `host` and the optional port text of `HOST[:PORT]` or `[V6][:PORT]`.
fn split_host_port(s: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        v6.parse::<std::net::Ipv6Addr>().ok()?;
        return match after {
            "" => Some((v6, None)),
            a => Some((v6, Some(a.strip_prefix(':')?))),
        };
    }
    match s.split_once(':') {
        Some((h, p)) => Some((h, Some(p))),
        None => Some((s, None)),
    }
}

/// An IP address (IPv6 unbracketed) or a DNS name: labels of letters,
/// digits and hyphens, at most 253 characters.
fn valid_host(h: &str) -> bool {
    if h.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The hosts the relay may fetch from: Music Assistant's own host (from
/// its URL) on the stream port, and the stream hosts the operator named
/// (Music Assistant may publish another address for its streams than the
/// one this server reaches its API at, e.g. the LAN address while the
/// add-on reaches it at 172.30.32.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamHosts {
    hosts: Vec<HostPort>,
}

impl StreamHosts {
    /// Music Assistant's URL's host on [`DEFAULT_STREAM_PORT`], and `extra`.
    pub fn new(ma_url: Option<&str>, extra: &[HostPort]) -> StreamHosts {
        let mut hosts = Vec::new();
        if let Some(h) = ma_url
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_owned()))
        {
            hosts.push(HostPort {
                host: h.to_ascii_lowercase(),
                port: DEFAULT_STREAM_PORT,
            });
        }
        for e in extra {
            if !hosts.contains(e) {
                hosts.push(e.clone());
            }
        }
        StreamHosts { hosts }
    }

    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }

    pub fn hosts(&self) -> &[HostPort] {
        &self.hosts
    }

    fn allows(&self, hp: &HostPort) -> bool {
        self.hosts.contains(hp)
    }
}

/// Music Assistant's two queue stream forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// The whole queue as one stream (what the Alexa provider uses).
    Flow,
    /// One queue item.
    Single,
}

/// A pushed stream URL that passed the accept-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSource {
    pub at: HostPort,
    pub kind: StreamKind,
    pub session: String,
    pub queue: String,
    pub item: String,
    pub player: String,
}

/// Why a pushed URL was refused (logged; the URL itself is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the URL is longer than 2048 characters")]
    TooLong,
    #[error("the URL is not http://HOST:PORT/...")]
    NotHttp,
    #[error("the URL's host and port are not Music Assistant's stream server")]
    OffHost,
    #[error("the path is not /flow/ or /single/ SESSION/QUEUE/ITEM/PLAYER.FORMAT")]
    Path,
    #[error("an id in the path has characters outside the accepted set or is too long")]
    Id,
    #[error("the stream format is not one Music Assistant streams")]
    Format,
}

impl StreamSource {
    /// Takes `url` only if it is a queue stream of an accepted host.
    pub fn parse(url: &str, hosts: &StreamHosts) -> Result<StreamSource, Refused> {
        if url.len() > MAX_URL {
            return Err(Refused::TooLong);
        }
        let rest = strip_prefix_ci(url, "http://").ok_or(Refused::NotHttp)?;
        let (authority, path) = rest.split_once('/').ok_or(Refused::Path)?;
        if authority.contains('@') {
            return Err(Refused::NotHttp);
        }
        let at = HostPort::parse(authority, 80).map_err(|_| Refused::NotHttp)?;
        if !hosts.allows(&at) {
            return Err(Refused::OffHost);
        }
        if path.contains(['?', '#']) {
            return Err(Refused::Path);
        }
        let parts: Vec<&str> = path.split('/').collect();
        let [kind, session, queue, item, last] = parts.as_slice() else {
            return Err(Refused::Path);
        };
        let kind = match *kind {
            "flow" => StreamKind::Flow,
            "single" => StreamKind::Single,
            _ => return Err(Refused::Path),
        };
        let (player, format) = last.rsplit_once('.').ok_or(Refused::Path)?;
        if !FORMATS.contains(&format.to_ascii_lowercase().as_str()) {
            return Err(Refused::Format);
        }
        Ok(StreamSource {
            at,
            kind,
            session: plain_id(session, 64)?,
            queue: name_id(queue)?,
            item: plain_id(item, 64)?,
            player: name_id(player)?,
        })
    }

    /// The path the relay asks for: the same stream as MP3, every id
    /// percent-encoded.
    pub fn mp3_path(&self) -> String {
        let kind = match self.kind {
            StreamKind::Flow => "flow",
            StreamKind::Single => "single",
        };
        format!(
            "/{kind}/{}/{}/{}/{}.mp3",
            encode(&self.session),
            encode(&self.queue),
            encode(&self.item),
            encode(&self.player)
        )
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// Session and queue item ids: ASCII letters, digits and hyphens.
fn plain_id(raw: &str, max: usize) -> Result<String, Refused> {
    let ok = !raw.is_empty()
        && raw.len() <= max
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then(|| raw.to_owned()).ok_or(Refused::Id)
}

/// Characters besides letters and digits a player or queue id may hold
/// (Echo names such as "Marie’s Echo Dot (2)").
const NAME_EXTRA: &[char] = &[' ', '-', '_', '.', ':', '\'', '’', '(', ')', '+', ','];

/// Queue and player ids (an Echo's name, with spaces): letters and digits
/// of any script and [`NAME_EXTRA`], at most [`MAX_ID`] characters, never
/// `.` or `..`; a percent-encoded id is decoded first.
fn name_id(raw: &str) -> Result<String, Refused> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Refused::Id)?;
    let ok = !decoded.trim().is_empty()
        && decoded.chars().count() <= MAX_ID
        && decoded != "."
        && decoded != ".."
        && decoded
            .chars()
            .all(|c| c.is_alphanumeric() || NAME_EXTRA.contains(&c));
    ok.then(|| decoded.into_owned()).ok_or(Refused::Id)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A cover image Music Assistant named, as the skill may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Art {
    /// Music Assistant's image proxy (`/imageproxy?...`) on one of its
    /// hosts: the relay fetches it (path and query as given).
    Relayed {
        at: HostPort,
        path_and_query: String,
    },
    /// A public https image the Echo can fetch itself.
    Public(String),
}

impl Art {
    /// The art for `url`, if it is MA's image proxy on an accepted host (its
    /// stream port, or the port of `web` as well), or a public https URL.
    pub fn parse(url: &str, hosts: &StreamHosts, web: Option<&HostPort>) -> Option<Art> {
        if url.len() > MAX_URL || url.chars().any(|c| c.is_control() || c == ' ') {
            return None;
        }
        if strip_prefix_ci(url, "https://").is_some() {
            return Art::public(url);
        }
        let rest = strip_prefix_ci(url, "http://")?;
        let (authority, path_and_query) = rest.split_at(rest.find('/')?);
        let at = HostPort::parse(authority, 80).ok()?;
        let known = hosts.allows(&at) || web == Some(&at);
        let (path, query) = path_and_query.split_once('?')?;
        if !known || path != "/imageproxy" {
            return None;
        }
        image_proxy(at, query)
    }

    /// The public https art for `url` (shape only: an https URL whose host
    /// is a DNS name with a dot, port 443 or none, no user info).
    fn public(url: &str) -> Option<Art> {
        let rest = strip_prefix_ci(url, "https://")?;
        let authority = rest.split(['/', '?', '#']).next()?;
        let at = HostPort::parse(authority, 443).ok()?;
        let public = at.host.parse::<std::net::IpAddr>().is_err() && at.host.contains('.');
        (public && at.port == 443 && !authority.contains('@')).then(|| Art::Public(url.to_owned()))
    }
}

/// Image formats Music Assistant names in its image URLs for queue items
/// (`_detect_image_format`: `jpg` or `png`; `jpeg` when asked for; `svg`
/// is not shown on an Echo).
const IMAGE_FORMATS: &[&str] = &["jpg", "jpeg", "png"];
/// The size Music Assistant asks for in its image URLs for players.
const IMAGE_SIZE: &str = "500";
/// Longest decoded image path taken.
const MAX_IMAGE_PATH: usize = 1024;

/// Music Assistant's image URL for a queue item, as its metadata
/// controller makes it (`get_image_url(image, size=500)`):
/// `/imageproxy?provider=P&size=500&fmt=F&path=X`, each key once, where
/// - `provider` is a provider instance id: `[a-z][a-z0-9_]*` (≤ 64), with
///   an optional `--` and 1 to 32 letters and digits;
/// - `size` is `500` and `fmt` one of [`IMAGE_FORMATS`];
/// - `path`, double-encoded (`quote_plus` twice), decodes to either a
///   public https URL (then the Echo is given that URL and Music Assistant
///   fetches nothing: [`Art::Public`]), or a provider-relative path
///   (what its file system providers give): 1 to [`MAX_IMAGE_PATH`]
///   bytes, no leading `/`, no `\`, no `:`, no empty, `.` or `..`
///   segment, no control character.
///
/// Anything else is refused: Music Assistant's image proxy fetches any URL
/// and reads local files, so whoever holds the provider credentials must
/// not steer it.
fn image_proxy(at: HostPort, query: &str) -> Option<Art> {
    let charset_ok = !query.is_empty()
        && query
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%&=+".contains(&b));
    if !charset_ok {
        return None;
    }
    let (mut provider, mut size, mut fmt, mut path) = (None, None, None, None);
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=')?;
        let slot = match k {
            "provider" => &mut provider,
            "size" => &mut size,
            "fmt" => &mut fmt,
            "path" => &mut path,
            _ => return None,
        };
        if slot.replace(v).is_some() {
            return None;
        }
    }
    let (provider, size, fmt, raw_path) = (provider?, size?, fmt?, path?);
    if !provider_id(provider) || size != IMAGE_SIZE || !IMAGE_FORMATS.contains(&fmt) {
        return None;
    }
    let decoded = unquote_plus(&unquote_plus(raw_path)?)?;
    if strip_prefix_ci(&decoded, "https://").is_some() {
        return Art::public(&decoded);
    }
    if !relative_image_path(&decoded) {
        return None;
    }
    Some(Art::Relayed {
        at,
        path_and_query: format!(
            "/imageproxy?provider={provider}&size={size}&fmt={fmt}&path={raw_path}"
        ),
    })
}

/// A provider instance id: `[a-z][a-z0-9_]{0,63}`, optionally `--` and
/// 1 to 32 ASCII letters and digits.
fn provider_id(p: &str) -> bool {
    let (domain, instance) = match p.split_once("--") {
        Some((d, i)) => (d, Some(i)),
        None => (p, None),
    };
    let domain_ok = domain.len() <= 64
        && domain
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase())
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let instance_ok = instance.is_none_or(|i| {
        (1..=32).contains(&i.len()) && i.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    domain_ok && instance_ok
}

/// A provider-relative image path (see [`image_proxy`]).
fn relative_image_path(p: &str) -> bool {
    (1..=MAX_IMAGE_PATH).contains(&p.len())
        && !p.starts_with('/')
        && !p.contains(['\\', ':'])
        && !p.chars().any(char::is_control)
        && p.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a
/// space, `%XX` a byte; None unless the result is UTF-8.
fn unquote_plus(s: &str) -> Option<String> {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> StreamHosts {
        StreamHosts::new(
            Some("http://172.30.32.1:8095"),
            &[HostPort::parse("192.168.1.10", DEFAULT_STREAM_PORT).unwrap()],
        )
    }

    #[test]
    fn music_assistants_flow_and_single_urls_are_taken() {
        let u = "http://172.30.32.1:8097/flow/rrDxJUQS/Echo Kitchen/b948a5b226164b29aec0469d93df1705/Echo Kitchen.flac";
        let s = StreamSource::parse(u, &hosts()).unwrap();
        assert_eq!(s.kind, StreamKind::Flow);
        assert_eq!(s.player, "Echo Kitchen");
        assert_eq!(s.queue, "Echo Kitchen");
        assert_eq!(
            s.mp3_path(),
            "/flow/rrDxJUQS/Echo%20Kitchen/b948a5b226164b29aec0469d93df1705/Echo%20Kitchen.mp3"
        );
        let u = "HTTP://192.168.1.10:8097/single/abc/Marie%E2%80%99s%20Echo/1-2/Marie’s Echo.MP3";
        let s = StreamSource::parse(u, &hosts()).unwrap();
        assert_eq!(s.kind, StreamKind::Single);
        assert_eq!(s.queue, "Marie’s Echo");
        assert_eq!(s.at.authority(), "192.168.1.10:8097");
    }

    #[test]
    fn everything_else_is_refused_with_its_reason() {
        let h = hosts();
        let refused = |u: &str| StreamSource::parse(u, &h).unwrap_err();
        let ok_path = "flow/s/q/i/p.flac";
        assert_eq!(
            refused(&format!("https://172.30.32.1:8097/{ok_path}")),
            Refused::NotHttp
        );
        assert_eq!(
            refused(&format!("http://10.0.0.1:8097/{ok_path}")),
            Refused::OffHost
        );
        assert_eq!(
            refused(&format!("http://172.30.32.1:8095/{ok_path}")),
            Refused::OffHost
        );
        assert_eq!(
            refused(&format!("http://172.30.32.1/{ok_path}")),
            Refused::OffHost
        );
        assert_eq!(
            refused(&format!("http://evil@172.30.32.1:8097/{ok_path}")),
            Refused::NotHttp
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/announcement/p.mp3"),
            Refused::Path
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s/q/i/p.flac?x=1"),
            Refused::Path
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/imageproxy/s/q/i/p.flac"),
            Refused::Path
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s/q/i/p/x.flac"),
            Refused::Path
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s/../i/p.flac"),
            Refused::Id
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s/%2F/i/p.flac"),
            Refused::Id
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s/q/i/%0Ap.flac"),
            Refused::Id
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s!/q/i/p.flac"),
            Refused::Id
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s/q/i/p.exe"),
            Refused::Format
        );
        assert_eq!(
            refused("http://172.30.32.1:8097/flow/s/q/i/p"),
            Refused::Path
        );
        let long = format!(
            "http://172.30.32.1:8097/flow/s/q/i/{}.flac",
            "p".repeat(2100)
        );
        assert_eq!(refused(&long), Refused::TooLong);
        let many = format!(
            "http://172.30.32.1:8097/flow/s/q/i/{}.flac",
            "p".repeat(129)
        );
        assert_eq!(refused(&many), Refused::Id);
    }

    #[test]
    fn stream_hosts_parse_and_art_is_music_assistants_or_public() {
        assert_eq!(
            HostPort::parse("[::1]:9000", 8097).unwrap().authority(),
            "[::1]:9000"
        );
        assert_eq!(HostPort::parse("MA.local", 8097).unwrap().host, "ma.local");
        assert!(HostPort::parse("ma.local:0", 8097).is_err());
        assert!(HostPort::parse("a b", 8097).is_err());
        assert!(HostPort::parse("http://x", 8097).is_err());
        let h = hosts();
        let web = HostPort::parse("172.30.32.1:8095", 80).unwrap();
        let proxied = "http://172.30.32.1:8097/imageproxy?provider=library&size=500&fmt=jpeg&path=abc%252Fd.jpg";
        assert!(matches!(
            Art::parse(proxied, &h, Some(&web)),
            Some(Art::Relayed { .. })
        ));
        let on_web = "http://172.30.32.1:8095/imageproxy?provider=library&size=500&fmt=jpg&path=x";
        assert!(Art::parse(on_web, &h, Some(&web)).is_some());
        assert!(Art::parse(on_web, &h, None).is_none());
        let elsewhere = "http://10.0.0.9:8097/imageproxy?provider=library&size=500&fmt=jpg&path=x";
        assert!(Art::parse(elsewhere, &h, Some(&web)).is_none());
        assert!(Art::parse("http://172.30.32.1:8097/flow/a?path=x", &h, Some(&web)).is_none());
        assert!(Art::parse("https://example.com/logo.png", &h, None).is_some());
        assert!(Art::parse("https://10.0.0.1/logo.png", &h, None).is_none());
        assert!(Art::parse("file:///etc/passwd", &h, None).is_none());
    }

    #[test]
    fn image_proxy_urls_are_taken_only_as_music_assistant_makes_them_for_queue_items() {
        let h = hosts();
        let base = "http://172.30.32.1:8097/imageproxy?";
        let art = |q: &str| Art::parse(&format!("{base}{q}"), &h, None);
        // Music Assistant's own forms: a file system provider's relative
        // path (double-encoded), any key order.
        let ok = [
            "provider=filesystem_local--Xy12ab&size=500&fmt=jpg&path=Artist%252FAlbum%252Ffolder.jpg",
            "provider=library&size=500&fmt=png&path=a%2Bb%252Fc+d.png",
            "path=x%252Fy&fmt=jpeg&size=500&provider=spotify--A1",
        ];
        for q in ok {
            match art(q) {
                Some(Art::Relayed { path_and_query, .. }) => {
                    assert!(path_and_query.starts_with("/imageproxy?provider="), "{q}");
                }
                other => panic!("{q}: {other:?}"),
            }
        }
        // A remote cover: the Echo is given the https URL; Music Assistant
        // fetches nothing.
        assert_eq!(
            art(
                "provider=spotify--A1&size=500&fmt=jpg&path=https%253A%252F%252Fi.scdn.co%252Fimage%252Fab"
            ),
            Some(Art::Public("https://i.scdn.co/image/ab".into()))
        );
        // Everything else is refused.
        let refused = [
            // URLs Music Assistant would fetch for us: plain http, internal
            // addresses, other schemes.
            "provider=builtin&size=500&fmt=jpg&path=http%253A%252F%252F192.168.1.1%252Fadmin",
            "provider=builtin&size=500&fmt=jpg&path=https%253A%252F%252F127.0.0.1%252Fx.jpg",
            "provider=builtin&size=500&fmt=jpg&path=https%253A%252F%252Flocalhost%252Fx.jpg",
            "provider=builtin&size=500&fmt=jpg&path=https%253A%252F%252Fnas.lan%253A5000%252Fx.jpg",
            "provider=builtin&size=500&fmt=jpg&path=file%253A%252F%252F%252Fetc%252Fpasswd",
            "provider=builtin&size=500&fmt=jpg&path=data%253Aimage%252Fpng%253Bbase64%252CAAAA",
            // Local files outside a provider's folder.
            "provider=builtin&size=500&fmt=jpg&path=%252Fetc%252Fpasswd",
            "provider=filesystem_local--a&size=500&fmt=jpg&path=..%252F..%252Fetc%252Fshadow",
            "provider=filesystem_local--a&size=500&fmt=jpg&path=a%252F.%252Fb.jpg",
            "provider=filesystem_local--a&size=500&fmt=jpg&path=a%255Cb.jpg",
            "provider=filesystem_local--a&size=500&fmt=jpg&path=C%253A%252Fx.jpg",
            "provider=filesystem_local--a&size=500&fmt=jpg&path=a%250Ab.jpg",
            "provider=filesystem_local--a&size=500&fmt=jpg&path=",
            // Keys, providers, sizes and formats off the list.
            "path=x",
            "provider=library&size=500&fmt=jpg",
            "provider=library&size=500&fmt=jpg&path=x&path=y",
            "provider=library&size=500&fmt=jpg&path=x&extra=1",
            "provider=Library&size=500&fmt=jpg&path=x",
            "provider=a--b--c&size=500&fmt=jpg&path=x",
            "provider=library&size=5000&fmt=jpg&path=x",
            "provider=library&size=500&fmt=svg&path=x",
            "provider=library&size=500&fmt=jpg&path=%FF",
        ];
        for q in refused {
            assert_eq!(art(q), None, "{q}");
        }
    }
}
