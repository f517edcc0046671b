//! What a spoken name means. "Play X" is read several ways with the
//! language's words ([`crate::skill::phrases::Words`]): as said; without a
//! kind said before it ("the album Night Shift" is the album Night Shift);
//! split at "by" ("Yesterday by The Beatles": the song, by that artist);
//! without "music" after it ("jazz music" is the genre). Each reading is
//! matched against the library's names of its kinds (every kind, and the
//! genres, when none was said); the best score wins, an exact name scoring
//! 1, ties going to the most literal reading and then to the kind order of
//! [`Kind::ALL`] (artist, playlist, album, song, station), genres last. An
//! artist that was said must match the item's artist, or the item counts
//! for less.

use crate::skill::intents::Wanted;
use crate::skill::library::{Item, Kind, Library};
use crate::skill::matching::{self, normalize};
use crate::skill::phrases::Words;

/// An artist said with a name that does not match the item's own artist:
/// the item's score is multiplied by this.
const OTHER_ARTIST: f32 = 0.6;

/// One way of reading what was heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The name, normalized.
    pub query: String,
    /// The kind said (or the intent's), None: any.
    pub kind: Option<Kind>,
    pub artist: Option<String>,
    /// Only a genre ("jazz music").
    pub genre_only: bool,
}

/// What a reading found in the library.
#[derive(Debug, Clone, PartialEq)]
pub enum Target<'a> {
    Item(&'a Item),
    /// A genre of the library's tracks, as the library spells it.
    Genre(&'a str),
}

impl Target<'_> {
    pub fn name(&self) -> &str {
        match self {
            Target::Item(i) => &i.name,
            Target::Genre(g) => g,
        }
    }
}

/// The best match: the target, its score, and the reading that found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<'a> {
    pub target: Target<'a>,
    pub score: f32,
    pub reading: usize,
}

/// `text` without the phrase `prefix` at its start (normalized, whole
/// words), if it starts with it and something is left.
fn strip_prefix(text: &str, prefix: &str) -> Option<String> {
    let p = normalize(prefix);
    let rest = text.strip_prefix(&p)?.strip_prefix(' ')?;
    (!rest.is_empty()).then(|| rest.to_owned())
}

/// The readings of `wanted`, most literal first.
pub fn readings(words: &Words, wanted: &Wanted) -> Vec<Reading> {
    let q = normalize(&wanted.query);
    let artist = wanted.artist.as_deref().map(normalize);
    let mut out = vec![Reading {
        query: q.clone(),
        kind: wanted.kind,
        artist: artist.clone(),
        genre_only: false,
    }];
    if wanted.kind.is_none() {
        for (kind, prefixes) in words.kinds {
            if let Some(rest) = prefixes.iter().find_map(|p| strip_prefix(&q, p)) {
                out.push(Reading {
                    query: rest,
                    kind: Some(*kind),
                    artist: artist.clone(),
                    genre_only: false,
                });
            }
        }
    }
    if artist.is_none() {
        let mut by_split = Vec::new();
        for r in &out {
            for by in words.by {
                let by = format!(" {} ", normalize(by));
                for (at, _) in r.query.match_indices(&by) {
                    let title = r.query.get(..at).unwrap_or_default();
                    let artist = r.query.get(at + by.len()..).unwrap_or_default();
                    if !title.is_empty() && !artist.is_empty() {
                        by_split.push(Reading {
                            query: title.to_owned(),
                            kind: r.kind,
                            artist: Some(artist.to_owned()),
                            genre_only: false,
                        });
                    }
                }
            }
        }
        out.extend(by_split);
    }
    if wanted.kind.is_none() {
        for m in words.music {
            let m = normalize(m);
            // "jazz music", and the German compound "jazzmusik".
            let head = q
                .strip_suffix(&format!(" {m}"))
                .or_else(|| q.strip_suffix(m.as_str()).filter(|h| h.len() >= 3));
            if let Some(head) = head.map(str::trim).filter(|h| !h.is_empty()) {
                out.push(Reading {
                    query: head.to_owned(),
                    kind: None,
                    artist: None,
                    genre_only: true,
                });
            }
        }
    }
    out
}

/// The kind words said at the start of `text` ("the album X"), if any.
pub fn said_kind(words: &Words, text: &str) -> Option<Kind> {
    let t = normalize(text);
    words
        .kinds
        .iter()
        .find(|(_, ps)| ps.iter().any(|p| strip_prefix(&t, p).is_some()))
        .map(|(k, _)| *k)
}

fn scored(reading: &Reading, name: &str, artist: Option<&str>, kind: Option<Kind>) -> f32 {
    let s = matching::score(&reading.query, name);
    match (&reading.artist, kind) {
        (None, _) => s,
        (Some(said), Some(Kind::Track | Kind::Album)) => {
            match artist.map(|a| matching::score(said, a)) {
                Some(a) if a >= matching::ACCEPT => s,
                _ => s * OTHER_ARTIST,
            }
        }
        (Some(_), _) => s * OTHER_ARTIST,
    }
}

/// The best library match over `readings`.
pub fn best<'a>(lib: &'a Library, genres: &[&'a str], readings: &[Reading]) -> Option<Found<'a>> {
    let mut top: Option<Found<'a>> = None;
    let mut consider = |target: Target<'a>, score: f32, reading: usize| {
        if top.as_ref().is_none_or(|t| score > t.score) {
            top = Some(Found {
                target,
                score,
                reading,
            });
        }
    };
    for (i, r) in readings.iter().enumerate() {
        if !r.genre_only {
            for kind in Kind::ALL {
                if r.kind.is_some_and(|k| k != kind) {
                    continue;
                }
                for item in lib.of(kind) {
                    let s = scored(r, &item.name, item.artist.as_deref(), Some(kind));
                    consider(Target::Item(item), s, i);
                }
            }
        }
        if r.kind.is_none() {
            for g in genres {
                consider(Target::Genre(g), scored(r, g, None, None), i);
            }
        }
    }
    top
}

/// Among search results (any kinds), the one `reading` names: an exact
/// name first, then the closest good match (an artist said must match),
/// then Music Assistant's first result of the first kind that has one
/// (its search is a substring match, so every result holds the name).
pub fn pick<'a>(results: &'a [Item], reading: &Reading) -> Option<&'a Item> {
    let by_kind = || {
        Kind::ALL
            .iter()
            .flat_map(move |k| results.iter().filter(move |i| i.kind == *k))
    };
    let mut best: Option<(&Item, f32)> = None;
    for item in by_kind() {
        let s = scored(reading, &item.name, item.artist.as_deref(), Some(item.kind));
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((item, s));
        }
    }
    match best {
        Some((item, s)) if s >= matching::ACCEPT => Some(item),
        _ if reading.artist.is_none() => by_kind().next(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::phrases;
    use serde_json::json;

    fn words(locale: &str) -> &'static Words {
        &phrases::for_locale(locale).words
    }

    fn lib() -> Library {
        let mut items = Vec::new();
        let add = |items: &mut Vec<Item>, kind: Kind, v: serde_json::Value| {
            items.extend(crate::skill::library::items(kind, &v));
        };
        add(
            &mut items,
            Kind::Artist,
            json!([{"name": "Blue Harbor Trio", "uri": "library://artist/3"},
                   {"name": "The Beatles", "uri": "library://artist/9"},
                   {"name": "Simon & Garfunkel", "uri": "library://artist/10"},
                   {"name": "AC/DC", "uri": "library://artist/11"}]),
        );
        add(
            &mut items,
            Kind::Album,
            json!([{"name": "Night Shift", "uri": "library://album/3",
                    "artists": [{"name": "The Midnight Owls"}], "metadata": {"genres": ["Rock"]}},
                   {"name": "Abbey Road", "uri": "library://album/9", "artists": [{"name": "The Beatles"}]}]),
        );
        add(
            &mut items,
            Kind::Track,
            json!([{"name": "Yesterday", "uri": "library://track/90", "artists": [{"name": "The Beatles"}]},
                   {"name": "Yesterday", "uri": "library://track/91", "artists": [{"name": "Leona Lewis"}]},
                   {"name": "Stand by Me", "uri": "library://track/92", "artists": [{"name": "Ben E. King"}]},
                   {"name": "Blue Hour", "uri": "library://track/12", "artists": [{"name": "Blue Harbor Trio"}],
                    "metadata": {"genres": ["Jazz"]}}]),
        );
        add(
            &mut items,
            Kind::Playlist,
            json!([{"name": "Morning Mix", "uri": "library://playlist/1"},
                   {"name": "Rock & Roll … Mix", "uri": "library://playlist/2"}]),
        );
        add(
            &mut items,
            Kind::Radio,
            json!([{"name": "BBC Radio 6 Music", "uri": "tunein://radio/6"}]),
        );
        Library { items }
    }

    fn play(
        locale: &str,
        lib: &Library,
        query: &str,
        kind: Option<Kind>,
        artist: Option<&str>,
    ) -> String {
        let w = Wanted {
            kind,
            query: query.into(),
            artist: artist.map(str::to_owned),
        };
        let genres = lib.genres();
        let found = best(lib, &genres, &readings(words(locale), &w));
        match found {
            Some(f) if f.score >= matching::ACCEPT => match f.target {
                Target::Item(i) => i.uri.clone(),
                Target::Genre(g) => format!("genre {g}"),
            },
            other => format!("nothing ({other:?})"),
        }
    }

    #[test]
    fn an_untyped_play_searches_every_kind_exact_names_first() {
        let l = lib();
        let en = |q: &str| play("en-US", &l, q, None, None);
        assert_eq!(en("blue harbor trio"), "library://artist/3");
        assert_eq!(en("night shift"), "library://album/3");
        assert_eq!(en("morning mix"), "library://playlist/1");
        assert_eq!(en("blue hour"), "library://track/12");
        assert_eq!(en("bbc radio 6 music"), "tunein://radio/6");
        assert_eq!(en("jazz"), "genre Jazz");
        assert_eq!(en("jazz music"), "genre Jazz");
        assert_eq!(en("the album night shift"), "library://album/3");
        assert_eq!(en("the playlist morning mix"), "library://playlist/1");
        assert_eq!(
            en("stand by me"),
            "library://track/92",
            "a title holding \"by\""
        );
        let de = |q: &str| play("de-DE", &l, q, None, None);
        assert_eq!(de("das album night shift"), "library://album/3");
        assert_eq!(de("jazzmusik"), "genre Jazz");
        assert_eq!(de("jazz musik"), "genre Jazz");
    }

    #[test]
    fn by_picks_the_artists_version() {
        let l = lib();
        assert_eq!(
            play("en-US", &l, "yesterday by the beatles", None, None),
            "library://track/90"
        );
        assert_eq!(
            play("en-US", &l, "yesterday by leona lewis", None, None),
            "library://track/91"
        );
        assert_eq!(
            play(
                "en-US",
                &l,
                "yesterday",
                Some(Kind::Track),
                Some("Leona Lewis")
            ),
            "library://track/91"
        );
        assert_eq!(
            play(
                "en-US",
                &l,
                "abbey road",
                Some(Kind::Album),
                Some("the beatles")
            ),
            "library://album/9"
        );
        assert_eq!(
            play("de-DE", &l, "yesterday von leona lewis", None, None),
            "library://track/91"
        );
    }

    #[test]
    fn names_with_symbols_are_found() {
        let l = lib();
        let en = |q: &str| play("en-US", &l, q, None, None);
        assert_eq!(en("simon and garfunkel"), "library://artist/10");
        assert_eq!(en("ac dc"), "library://artist/11");
        assert_eq!(en("a. c. d. c."), "library://artist/11");
        assert_eq!(en("rock and roll mix"), "library://playlist/2");
    }

    #[test]
    fn kind_words_are_recognised() {
        assert_eq!(
            said_kind(words("en-US"), "the album Night Shift"),
            Some(Kind::Album)
        );
        assert_eq!(
            said_kind(words("de-DE"), "das Album Night Shift"),
            Some(Kind::Album)
        );
        assert_eq!(said_kind(words("en-US"), "kitchen"), None);
    }
}
