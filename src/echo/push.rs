//! `POST /ma/push-url`'s body, as Music Assistant's Alexa provider sends it:
//! `{"streamUrl": URL}` when it starts playing on an Echo, then about a
//! second later `{"streamUrl", "title", "artist", "album", "imageUrl"}`
//! (any of the last four may be null). Unknown fields are ignored; the
//! stream URL must pass the accept-list ([`super::source`]); names are
//! trimmed, stripped of control characters and cut to a bounded length.

use serde::Deserialize;

use super::source::{Art, HostPort, Refused, StreamHosts, StreamSource};

/// Largest body accepted.
pub const MAX_BODY: usize = 16 * 1024;
/// Longest title, artist or album kept (characters).
pub const MAX_NAME: usize = 256;

#[derive(Debug, Deserialize)]
struct Raw {
    #[serde(rename = "streamUrl")]
    stream_url: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    artist: Option<String>,
    #[serde(default)]
    album: Option<String>,
    #[serde(rename = "imageUrl", default)]
    image_url: Option<String>,
}

/// What the stream is, for the Echo's screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub art: Option<Art>,
}

/// An accepted push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// The URL as pushed (for `GET /ma/latest-url`, which answers it back).
    pub stream_url: String,
    pub source: StreamSource,
    pub meta: Metadata,
    /// The metadata fields were present (the provider's second push).
    pub has_meta: bool,
    /// The image URL as pushed, if any (answered back by `latest-url`).
    pub image_url: Option<String>,
}

/// Why a push was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("the body is not a JSON object with a streamUrl string")]
    Shape,
    #[error("streamUrl refused: {0}")]
    Refused(Refused),
}

impl PushError {
    /// The short code answered in the JSON error.
    pub fn code(&self) -> &'static str {
        match self {
            PushError::Shape => "invalid_request",
            PushError::Refused(_) => "stream_url_refused",
        }
    }
}

/// A name for the screen: trimmed, control characters dropped, at most
/// [`MAX_NAME`] characters; None when empty.
fn name(v: Option<String>) -> Option<String> {
    let s: String = v?
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Parses and checks a push body. `web`: Music Assistant's own web server
/// (its image proxy may be there).
pub fn parse(body: &[u8], hosts: &StreamHosts, web: Option<&HostPort>) -> Result<Push, PushError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| PushError::Shape)?;
    if !value.is_object() {
        return Err(PushError::Shape);
    }
    let raw: Raw = serde_json::from_value(value).map_err(|_| PushError::Shape)?;
    let stream_url = raw.stream_url.ok_or(PushError::Shape)?;
    let source = StreamSource::parse(&stream_url, hosts).map_err(PushError::Refused)?;
    let has_meta = raw.title.is_some() || raw.artist.is_some() || raw.album.is_some();
    let image_url = raw.image_url.filter(|u| u.len() <= super::source::MAX_URL);
    let art = image_url.as_deref().and_then(|u| {
        let a = Art::parse(u, hosts, web);
        if a.is_none() {
            tracing::info!("the pushed image URL is not Music Assistant's image proxy or a public https URL: no cover art");
        }
        a
    });
    Ok(Push {
        stream_url,
        source,
        meta: Metadata {
            title: name(raw.title),
            artist: name(raw.artist),
            album: name(raw.album),
            art,
        },
        has_meta,
        image_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> StreamHosts {
        StreamHosts::new(Some("http://127.0.0.1:8095"), &[])
    }

    const URL: &str = "http://127.0.0.1:8097/flow/rrDxJUQS/Echo Kitchen/b948a5b2/Echo Kitchen.flac";

    #[test]
    fn the_providers_two_pushes_parse() {
        let first = format!(r#"{{"streamUrl": "{URL}"}}"#);
        let p = parse(first.as_bytes(), &hosts(), None).unwrap();
        assert!(!p.has_meta);
        assert_eq!(p.source.player, "Echo Kitchen");
        assert_eq!(p.meta, Metadata::default());
        let second = format!(
            r#"{{"streamUrl": "{URL}", "title": " Smoky\u0007 Room ", "artist": "Blue Harbor Trio",
               "album": "", "imageUrl": null, "extra": 1}}"#
        );
        let p = parse(second.as_bytes(), &hosts(), None).unwrap();
        assert!(p.has_meta);
        assert_eq!(p.meta.title.as_deref(), Some("Smoky Room"));
        assert_eq!(p.meta.album, None);
        assert_eq!(p.meta.art, None);
        let long = format!(
            r#"{{"streamUrl": "{URL}", "title": "{}"}}"#,
            "x".repeat(1000)
        );
        let p = parse(long.as_bytes(), &hosts(), None).unwrap();
        assert_eq!(p.meta.title.unwrap().chars().count(), MAX_NAME);
    }

    #[test]
    fn bad_bodies_and_urls_are_refused() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"streamUrl": 5}"#,
            r#"{"streamUrl": null}"#,
        ] {
            assert_eq!(
                parse(bad.as_bytes(), &hosts(), None),
                Err(PushError::Shape),
                "{bad}"
            );
        }
        let off = r#"{"streamUrl": "http://127.0.0.1:22/flow/a/b/c/d.flac"}"#;
        assert_eq!(
            parse(off.as_bytes(), &hosts(), None).unwrap_err().code(),
            "stream_url_refused"
        );
        let art = format!(r#"{{"streamUrl": "{URL}", "imageUrl": "http://10.1.1.1/x.jpg"}}"#);
        let p = parse(art.as_bytes(), &hosts(), None).unwrap();
        assert_eq!(
            p.meta.art, None,
            "an image elsewhere is dropped, the push kept"
        );
    }
}
