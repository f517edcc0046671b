//! The library's names, cached for fuzzy matching and dynamic entities:
//! artists, albums, tracks (with their artists and genres), playlists and
//! radio stations, read with `music/*/library_items` and refreshed when
//! older than [`REFRESH`]. One Music Assistant server has one library, so
//! one cache serves every link.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::skill::backend::{Backend, Command, Failure};

/// A cached library is used this long before it is read again.
pub const REFRESH: Duration = Duration::from_secs(600);
/// Items read per media type.
pub const LIMIT: u64 = 500;

/// What is searched for and played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    fn listing(self) -> Command {
        match self {
            Kind::Artist => Command::Artists,
            Kind::Album => Command::Albums,
            Kind::Track => Command::Tracks,
            Kind::Playlist => Command::Playlists,
            Kind::Radio => Command::Radios,
        }
    }
    pub const ALL: [Kind; 5] = [
        Kind::Artist,
        Kind::Album,
        Kind::Track,
        Kind::Playlist,
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

/// Reads a media item (library listing or search result).
pub fn item(kind: Kind, v: &Value) -> Option<Item> {
    let name = v.get("name")?.as_str()?.trim().to_owned();
    let uri = v.get("uri")?.as_str()?.to_owned();
    if name.is_empty() || uri.is_empty() {
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
    pub items: Vec<Item>,
}

impl Library {
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.kind == kind)
    }
}

/// The cache: the last library read, and when.
#[derive(Debug, Default)]
pub struct LibraryCache {
    last: Mutex<Option<(Instant, Arc<Library>)>>,
}

impl LibraryCache {
    /// The cached library if fresh, else reads it (all kinds at once). A
    /// failed read answers the stale copy if there is one.
    pub async fn get(&self, ma: &Backend<'_>) -> Result<Arc<Library>, Failure> {
        let cached = self.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some((at, lib)) = &cached
            && at.elapsed() < REFRESH
        {
            return Ok(Arc::clone(lib));
        }
        let reads = Kind::ALL.map(|k| async move {
            let v = ma
                .call(k.listing(), json!({"limit": LIMIT, "offset": 0}))
                .await?;
            Ok::<_, Failure>(items(k, &v))
        });
        let [a, b, c, d, e] = reads;
        let (a, b, c, d, e) = tokio::join!(a, b, c, d, e);
        let mut all = Vec::new();
        for r in [a, b, c, d, e] {
            match r {
                Ok(v) => all.extend(v),
                Err(f) => {
                    return match cached {
                        Some((_, lib)) => Ok(lib),
                        None => Err(f),
                    };
                }
            }
        }
        let lib = Arc::new(Library { items: all });
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), Arc::clone(&lib)));
        Ok(lib)
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
}
