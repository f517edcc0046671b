//! What may name media in a forwarded argument: a Music Assistant URI of an
//! accepted form, or a provider and item id that form one. Nothing else
//! (no media item object, no URL, no path): Music Assistant hands item ids
//! of its `builtin` provider, and plain URLs and paths, to ffmpeg and its
//! own file reads, and ffmpeg opens far more than `http` (`async:`,
//! `cache:`, `tcp:`, `gopher:`, `tls:`, `httpproxy:`, `mmsh:`, `rtmpt:`,
//! `concat:`, `subfile:`, `pipe:`, ...), so only forms stated here pass.
//!
//! The forms (read from Music Assistant's `helpers/uri.py` `parse_uri`,
//! `controllers/music.py` `get_item`, `controllers/media/base.py` `get`,
//! and each accepted provider's `get_*` methods; ARCHITECTURE.md lists the
//! files and the commit):
//! - `library://TYPE/ID`: an item of the library; `ID` is the library's
//!   integer id (digits).
//! - `PROVIDER://TYPE/ID` where `PROVIDER` is `DOMAIN` or `DOMAIN--INSTANCE`
//!   (`INSTANCE`: letters and digits, as Music Assistant makes them) and
//!   `DOMAIN` is one of [`PROVIDERS`]; `ID` is what that provider's ids
//!   are: an opaque id (letters, digits, `.`, `_`, `~`, `=`, `-`; never
//!   only dots) for streaming and media-server providers, which put it into
//!   a request to their own API; a relative path inside the library folder
//!   for the file-system providers (segments of no control character, `\`
//!   or `:`, none empty, `.` or `..`: no absolute path, no climbing).
//! - `TYPE` is one of [`MEDIA_TYPES`].
//!
//! `builtin` is never a provider here: its item ids are URLs and absolute
//! paths it plays as they are. Providers not listed (Plex, whose ids are
//! paths of its API; podcast feeds; ...) are left out until their item ids
//! have been read: their items still play through `library://` once in the
//! library.

/// Media types a URI may name: what a voice skill plays.
pub const MEDIA_TYPES: &[&str] = &["artist", "album", "track", "playlist", "radio"];

/// What a provider's item ids are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// An id the provider sends to its own API (never a URL or a path).
    Opaque,
    /// A path relative to the provider's library folder.
    RelativePath,
}

/// The providers whose URIs are forwarded, and what their item ids are.
pub const PROVIDERS: &[(&str, Ids)] = &[
    ("filesystem_local", Ids::RelativePath),
    ("filesystem_smb", Ids::RelativePath),
    ("spotify", Ids::Opaque),
    ("tidal", Ids::Opaque),
    ("qobuz", Ids::Opaque),
    ("deezer", Ids::Opaque),
    ("ytmusic", Ids::Opaque),
    ("apple_music", Ids::Opaque),
    ("soundcloud", Ids::Opaque),
    ("jellyfin", Ids::Opaque),
    ("opensubsonic", Ids::Opaque),
    ("radiobrowser", Ids::Opaque),
    ("tunein", Ids::Opaque),
];

/// The library's own "provider".
pub const LIBRARY: &str = "library";

/// Longest item id accepted (a file-system path inside the library).
const MAX_ID: usize = 1024;
/// Longest provider instance suffix (Music Assistant makes 8 characters).
const MAX_INSTANCE: usize = 32;

/// Why a media reference was refused (a short, fixed text: never the value).
pub type Why = &'static str;

/// Checks `s` is a media URI of an accepted form.
pub fn check_uri(s: &str) -> Result<(), Why> {
    const FORM: Why = "not a media URI this gateway forwards: library://TYPE/ID, or PROVIDER://TYPE/ID of an accepted provider";
    let (provider, rest) = s.split_once("://").ok_or(FORM)?;
    let (media_type, id) = rest.split_once('/').ok_or(FORM)?;
    if !MEDIA_TYPES.contains(&media_type) {
        return Err("the URI's media type is not one of artist, album, track, playlist, radio");
    }
    check_item(provider, id)
}

/// Checks `provider` (as `provider_instance_id_or_domain`) is the library
/// or an accepted provider.
pub fn check_provider(provider: &str) -> Result<Ids, Why> {
    if provider == LIBRARY {
        return Ok(Ids::Opaque);
    }
    let (domain, instance) = match provider.split_once("--") {
        Some((d, i)) => (d, Some(i)),
        None => (provider, None),
    };
    if let Some(i) = instance
        && (i.is_empty() || i.len() > MAX_INSTANCE || !i.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err("not a provider instance this gateway forwards (DOMAIN--LETTERSANDDIGITS)");
    }
    PROVIDERS
        .iter()
        .find(|(d, _)| *d == domain)
        .map(|(_, ids)| *ids)
        .ok_or("not a provider this gateway forwards (library, or an accepted music provider; never builtin)")
}

/// Checks `id` is an item id of `provider` (the library or an accepted provider).
pub fn check_item(provider: &str, id: &str) -> Result<(), Why> {
    let ids = check_provider(provider)?;
    if provider == LIBRARY {
        return library_id(id);
    }
    if id.is_empty() || id.len() > MAX_ID {
        return Err("the item id is empty or too long");
    }
    match ids {
        Ids::Opaque => opaque_id(id),
        Ids::RelativePath => relative_path(id),
    }
}

/// The library's ids: its database's integers, as digits.
pub fn library_id(id: &str) -> Result<(), Why> {
    if (1..=18).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("a library item id is its number (digits only)")
    }
}

fn opaque_id(id: &str) -> Result<(), Why> {
    let ok = id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'=' | b'-'))
        && !id.bytes().all(|b| b == b'.');
    if ok {
        Ok(())
    } else {
        Err("this provider's item ids are letters, digits and . _ ~ = - only")
    }
}

fn relative_path(id: &str) -> Result<(), Why> {
    for seg in id.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return Err(
                "a file item id is a path inside the library: no empty, . or .. segment, no leading /",
            );
        }
        if seg.chars().any(|c| c.is_control() || c == '\\' || c == ':') {
            return Err("a file item id has no control character, \\ or :");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_and_accepted_provider_uris_pass() {
        for ok in [
            "library://track/12",
            "library://album/1",
            "library://artist/3",
            "library://playlist/7",
            "library://radio/2",
            "spotify://track/4uLU6hMCjMI75M1A2tKUQC",
            "spotify--AbC12345://playlist/liked_songs-spotify--AbC12345",
            "filesystem_local--WH6TAEqp://track/Aurora Lane/Northern Lights/01 First Snow.mp3",
            "filesystem_local--x://playlist/Morning Mix.m3u",
            "filesystem_smb--y://track/a/b c/d (live) [2019] ~ é.flac",
            "radiobrowser://radio/9617a958-0601-11e8-ae97-52543be04c81",
            "tunein://radio/s24939",
            "apple_music://album/pl.u-abc_DEF",
            "soundcloud--z://playlist/soundcloud--z_123",
        ] {
            assert_eq!(check_uri(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn builtin_urls_paths_and_other_forms_are_refused() {
        for bad in [
            "builtin://track/http://10.0.0.1/x",
            "builtin://radio/x",
            "BUILTIN://track/x",
            "http://10.0.0.1/x.mp3",
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
            "async:http://10.0.0.1/x",
            "tcp://10.0.0.1:22",
            "/etc/passwd",
            "file:///etc/passwd",
            "//10.0.0.1/x",
            "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
            " library://track/1",
            "\u{a0}library://track/1",
            "library://track/1 ",
            "LIBRARY://track/1",
            "library://Track/1",
            "library://folder/1",
            "library://genre/1",
            "library://track/",
            "library://track/1/2",
            "library://track/-1",
            "library://track/1?x=http://h/",
            "library://track/http://10.0.0.1/",
            "library://track/../../etc/passwd",
            "library://track",
            "library:track/1",
            "database://track/1",
            "plex--x://track//library/metadata/1",
            "podcastfeed://podcast/http://10.0.0.1/feed",
            "spotify--://track/x",
            "spotify--a-b://track/x",
            "spotify://track/a/b",
            "spotify://track/http:x",
            "spotify://track/..",
            "spotify://track/.",
            "spotify://track/a%2fb",
            "tunein://radio/http://10.0.0.1/",
            "filesystem_local--x://track/../../etc/passwd",
            "filesystem_local--x://track/a/../../b.mp3",
            "filesystem_local--x://track//etc/passwd.mp3",
            "filesystem_local--x://track/./a.mp3",
            "filesystem_local--x://track/a/",
            "filesystem_local--x://track/a\\..\\..\\b.mp3",
            "filesystem_local--x://track/C:/x.mp3",
            "filesystem_local--x://track/async:http://h/x",
            "filesystem_local--x://track/a\u{0}b",
            "filesystem_local--x://track/a\nb",
            "filesystem_local--x://folder/a",
        ] {
            assert!(check_uri(bad).is_err(), "{bad:?}");
        }
        let long = format!("filesystem_local--x://track/{}", "a/".repeat(600));
        assert!(check_uri(&long).is_err());
    }

    #[test]
    fn builtin_is_never_an_accepted_provider() {
        assert!(
            PROVIDERS
                .iter()
                .all(|(d, _)| *d != "builtin" && *d != LIBRARY)
        );
        for p in ["builtin", "builtin--x", "Builtin", "", "--x", "library--x"] {
            assert!(check_provider(p).is_err(), "{p:?}");
        }
        assert_eq!(check_provider("library"), Ok(Ids::Opaque));
        assert_eq!(
            check_provider("filesystem_local--WH6TAEqp"),
            Ok(Ids::RelativePath)
        );
        assert_eq!(check_item("library", "12"), Ok(()));
        assert!(check_item("library", "/tmp/x.m3u").is_err());
        assert!(check_item("builtin", "/tmp/x.m3u").is_err());
        assert!(check_item("filesystem_local", "/tmp/x.m3u").is_err());
        assert_eq!(check_item("filesystem_local", "Aurora Lane"), Ok(()));
    }
}
