//! The library's names, cached for matching what people say and for
//! dynamic entities: artists, albums, tracks (with their artists and
//! genres), playlists and radio stations, read with `music/*/library_items`
//! most-played first. One Music Assistant server has one library, so one
//! cache serves every link.
//!
//! The first request waits for the read; after that a request never waits
//! for it again: a copy older than [`REFRESH`] is used while one read in
//! the background replaces it (stale-while-revalidate), so the person does
//! not pay for a library read every ten minutes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::ma::client::MaClient;
use crate::skill::backend::{Backend, Command, Failure};
use crate::util::Secret;

/// A cached library is used this long before it is read again.
pub const REFRESH: Duration = Duration::from_secs(600);
/// Items read per media type for the cache.
pub const LIMIT: u64 = 500;
/// A background read gives up after this long.
const BACKGROUND_DEADLINE: Duration = Duration::from_secs(20);

/// What is searched for and played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Artist,
    Album,
    Track,
    Playlist,
    Radio,
}

impl Kind {
    /// Music Assistant's media type name (search's `media_types`).
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Artist => "artist",
            Kind::Album => "album",
            Kind::Track => "track",
            Kind::Playlist => "playlist",
            Kind::Radio => "radio",
        }
    }
    /// The member of `music/search`'s answer holding this kind.
    pub fn result_key(self) -> &'static str {
        match self {
            Kind::Artist => "artists",
            Kind::Album => "albums",
            Kind::Track => "tracks",
            Kind::Playlist => "playlists",
            Kind::Radio => "radio",
        }
    }
    pub fn listing(self) -> Command {
        match self {
            Kind::Artist => Command::Artists,
            Kind::Album => Command::Albums,
            Kind::Track => Command::Tracks,
            Kind::Playlist => Command::Playlists,
            Kind::Radio => Command::Radios,
        }
    }
    /// Every kind, in the order that wins a tie between equally good
    /// names: an artist, then a playlist (the person's own), an album, a
    /// song, a station.
    pub const ALL: [Kind; 5] = [
        Kind::Artist,
        Kind::Playlist,
        Kind::Album,
        Kind::Track,
        Kind::Radio,
    ];
}

/// One item: a name to match, a URI to play.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: Kind,
    pub name: String,
    pub uri: String,
    pub artist: Option<String>,
    pub genres: Vec<String>,
}

/// Whether `uri` may be sent as `player_queues/play_media`'s `media`: a
/// Music Assistant URI of a form the gateway's shapes accept
/// ([`crate::ma::uri::check_uri`]: `library://` or an accepted provider,
/// never `builtin`, a URL or a path outside the library) naming one of the
/// five kinds this skill plays. Items with any other URI (the built-in
/// "recently played" playlists) are left out.
pub fn playable_uri(uri: &str) -> bool {
    let kind_ok = uri
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .is_some_and(|(kind, _)| Kind::ALL.iter().any(|k| k.media_type() == kind));
    kind_ok && crate::ma::uri::check_uri(uri).is_ok()
}

/// Whether a listed item is one Music Assistant makes up itself (the
/// built-in "Recently played tracks", "500 Random tracks" …): the real
/// server lists them among the library's playlists with a `library://`
/// URI, not editable, and every provider mapping the `builtin`
/// provider's. A playlist a person made in Music Assistant is `builtin`
/// too but editable, so it stays.
fn made_by_music_assistant(v: &Value) -> bool {
    let mappings = v.get("provider_mappings").and_then(Value::as_array);
    let all_builtin = mappings.is_some_and(|m| {
        !m.is_empty()
            && m.iter()
                .all(|p| p.get("provider_domain").and_then(Value::as_str) == Some("builtin"))
    });
    all_builtin && v.get("is_editable").and_then(Value::as_bool) == Some(false)
}

/// Reads a media item (library listing or search result); None for an
/// item without a name or a playable URI, and for the playlists Music
/// Assistant makes up itself.
pub fn item(kind: Kind, v: &Value) -> Option<Item> {
    let name = v.get("name")?.as_str()?.trim().to_owned();
    let uri = v.get("uri")?.as_str()?.to_owned();
    if name.is_empty() || !playable_uri(&uri) || made_by_music_assistant(v) {
        return None;
    }
    let artist = v
        .get("artists")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|a| a.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let genres = v
        .pointer("/metadata/genres")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    Some(Item {
        kind,
        name,
        uri,
        artist,
        genres,
    })
}

/// Items of a listing answer: a list, or an object with `items`.
pub fn items(kind: Kind, v: &Value) -> Vec<Item> {
    let list = v
        .as_array()
        .or_else(|| v.get("items").and_then(Value::as_array));
    list.into_iter()
        .flatten()
        .filter_map(|i| item(kind, i))
        .collect()
}

#[derive(Debug, Default)]
pub struct Library {
    /// Per kind, most-played first.
    pub items: Vec<Item>,
}

impl Library {
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.kind == kind)
    }

    /// The genres of the library's tracks and albums, each once (the first
    /// spelling seen), most-played first.
    pub fn genres(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for g in self.items.iter().flat_map(|i| i.genres.iter()) {
            if !seen.iter().any(|s| s.eq_ignore_ascii_case(g)) {
                seen.push(g);
            }
        }
        seen
    }
}

/// Reads `limit` items of `kind`, most-played first, from `offset`.
pub async fn read(
    ma: &Backend<'_>,
    kind: Kind,
    limit: u64,
    offset: u64,
) -> Result<Vec<Item>, Failure> {
    let args = json!({"limit": limit, "offset": offset, "order_by": "play_count_desc"});
    let v = ma.call(kind.listing(), args).await?;
    Ok(items(kind, &v))
}

/// Every kind's first [`LIMIT`] items at once.
pub async fn read_all(ma: &Backend<'_>) -> Result<Library, Failure> {
    let [a, b, c, d, e] = Kind::ALL.map(|k| read(ma, k, LIMIT, 0));
    let (a, b, c, d, e) = tokio::join!(a, b, c, d, e);
    let mut all = Vec::new();
    for r in [a, b, c, d, e] {
        all.extend(r?);
    }
    Ok(Library { items: all })
}

/// What a background read needs: its own copy of the link's client,
/// token and scopes.
#[derive(Clone)]
pub struct Reader {
    pub client: MaClient,
    pub token: Secret,
    pub scopes: String,
}

#[derive(Debug, Default)]
struct Cached {
    at: Option<Instant>,
    library: Option<Arc<Library>>,
    /// When the last background read failed (it waits a while before the next).
    failed_at: Option<Instant>,
}

/// The cache: the last library read, and when.
#[derive(Debug, Default, Clone)]
pub struct LibraryCache {
    last: Arc<Mutex<Cached>>,
    reading: Arc<AtomicBool>,
}

/// After a failed background read, the next waits this long.
const RETRY_AFTER: Duration = Duration::from_secs(30);

impl LibraryCache {
    /// The cached library; read now only if there is none. A copy older
    /// than [`REFRESH`] is answered at once and replaced by a read in the
    /// background (`reader`), one at a time.
    pub async fn get(
        &self,
        ma: &Backend<'_>,
        reader: Option<Reader>,
    ) -> Result<Arc<Library>, Failure> {
        let (cached, fresh, may_retry) = {
            let c = self.last.lock().unwrap_or_else(|p| p.into_inner());
            let fresh = c.at.is_some_and(|at| at.elapsed() < REFRESH);
            let may_retry = c.failed_at.is_none_or(|t| t.elapsed() >= RETRY_AFTER);
            (c.library.clone(), fresh, may_retry)
        };
        if let Some(lib) = cached {
            if !fresh
                && may_retry
                && let Some(reader) = reader
            {
                self.refresh_in_background(reader);
            }
            return Ok(lib);
        }
        let lib = Arc::new(read_all(ma).await?);
        self.store(Arc::clone(&lib));
        Ok(lib)
    }

    fn store(&self, lib: Arc<Library>) {
        let mut c = self.last.lock().unwrap_or_else(|p| p.into_inner());
        c.at = Some(Instant::now());
        c.library = Some(lib);
        c.failed_at = None;
    }

    fn refresh_in_background(&self, r: Reader) {
        if self.reading.swap(true, Ordering::AcqRel) {
            return;
        }
        let cache = self.clone();
        tokio::spawn(async move {
            let deadline = Instant::now() + BACKGROUND_DEADLINE;
            let ma = Backend::new(&r.client, &r.token, &r.scopes, deadline);
            match read_all(&ma).await {
                Ok(lib) => cache.store(Arc::new(lib)),
                Err(f) => {
                    tracing::debug!(failure = ?f, "reading the library in the background failed");
                    let mut c = cache.last.lock().unwrap_or_else(|p| p.into_inner());
                    c.failed_at = Some(Instant::now());
                }
            }
            cache.reading.store(false, Ordering::Release);
        });
    }

    /// Forgets the cached library (tests).
    pub fn clear(&self) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Cached::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_items_from_listings_and_search_results() {
        let v = json!({"items": [
            {"name": "Early Bird", "uri": "library://track/7", "artists": [{"name": "The Midnight Owls"}],
             "metadata": {"genres": ["Rock"]}},
            {"name": "", "uri": "library://track/8"},
            {"uri": "library://track/9"}]});
        let got = items(Kind::Track, &v);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].artist.as_deref(), Some("The Midnight Owls"));
        assert_eq!(got[0].genres, vec!["Rock".to_string()]);
        assert_eq!(
            items(
                Kind::Artist,
                &json!([{"name": "A", "uri": "library://artist/1"}])
            )
            .len(),
            1
        );
    }

    #[test]
    fn only_music_assistant_uris_of_the_five_kinds_are_playable() {
        for good in [
            "library://track/12",
            "spotify://album/4aawyAB9vmqN3uQ7FjRGTy",
            "filesystem_local--AFjwwWLE://track/Blue Harbor Trio/Late Sessions/02 - Blue Hour.mp3",
            "tunein://radio/s24940",
        ] {
            assert!(playable_uri(good), "{good}");
        }
        for bad in [
            "builtin://playlist/recently_played",
            "http://192.168.1.1/x.mp3",
            "https://example.com/a",
            "file:///etc/passwd",
            "library://podcast/1",
            "library://track/",
            "library://track",
            "library:/track/1",
            "Morning Mix",
            "lib rary://track/1",
            "library://track/1\n2",
            "",
        ] {
            assert!(!playable_uri(bad), "{bad:?}");
        }
        let lib = Library {
            items: items(
                Kind::Playlist,
                &json!([{"name": "Recently played tracks", "uri": "builtin://playlist/recently_played"},
                        {"name": "Morning Mix", "uri": "library://playlist/1"}]),
            ),
        };
        assert_eq!(lib.items.len(), 1, "the built-in playlists are left out");
    }

    /// As the real server (checked) lists its own playlists: a library URI,
    /// not editable, mapped only to `builtin`. A person's own playlist made
    /// in Music Assistant is mapped to `builtin` too but editable.
    #[test]
    fn playlists_music_assistant_makes_up_itself_are_left_out_and_the_persons_own_kept() {
        let builtin = |id: &str| json!([{"item_id": id, "provider_domain": "builtin", "provider_instance": "builtin"}]);
        let listed = json!([
            {"name": "500 Random tracks (from library)", "uri": "library://playlist/5",
             "is_editable": false, "provider_mappings": builtin("random_tracks")},
            {"name": "Recently added tracks", "uri": "library://playlist/7",
             "is_editable": false, "provider_mappings": builtin("recently_added_tracks")},
            {"name": "Party", "uri": "library://playlist/8",
             "is_editable": true, "provider_mappings": builtin("a1b2c3")},
            {"name": "Discover Weekly", "uri": "library://playlist/9", "is_editable": false,
             "provider_mappings": [{"item_id": "37i9", "provider_domain": "spotify"}]},
            {"name": "Morning Mix", "uri": "library://playlist/1"},
        ]);
        let names: Vec<String> = items(Kind::Playlist, &listed)
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, ["Party", "Discover Weekly", "Morning Mix"]);
    }
}
