//! The request corpus (`tests/corpus/<lang>.tsv`, format in its README) and
//! its score against a model: per locale, the share of everyday and of less
//! common lines that reach the intent and slot values they must, and the
//! misses.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::coverage_lang::{Lang, lang};
use super::coverage_match::{ANSWER, FALLBACK, Model, Outcome, bare};
use ma_alexa_oauth::skill::intents::Wanted;
use ma_alexa_oauth::skill::library::Kind;
use ma_alexa_oauth::skill::matching::normalize;
use ma_alexa_oauth::skill::phrases::Words;
use ma_alexa_oauth::skill::resolve::readings;

/// One outcome a line accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub intent: String,
    pub slots: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub everyday: bool,
    pub utterance: String,
    pub expect: Vec<Expect>,
    /// Empty: every locale of the language.
    pub locales: Vec<String>,
    pub line_no: usize,
}

impl Line {
    pub fn applies(&self, locale: &str) -> bool {
        self.locales.is_empty() || self.locales.iter().any(|l| l == locale)
    }
}

/// Intents the corpus names that the model calls otherwise: (corpus intent,
/// model intent, (corpus slot, model slot) renames). The corpus's
/// `PlayIntent` is the model's; its `RoomAnswerIntent` (a bare room) is an
/// answer to the skill's question for a room (see [`score`]); "add X to the
/// queue" takes any name (`query`), not only a song.
pub const ALIASES: &[Alias] = &[("EnqueueIntent", "EnqueueIntent", &[("song", "query")])];

/// Slots the model names more finely than the corpus: (model intent, model
/// slot, corpus slot). A volume said with "percent" ("fifty percent") comes
/// in `percent` (so "ten percent" is not Alexa's "volume ten"); the corpus
/// writes every volume number as `level`, the number said.
pub const FINER_SLOTS: &[(&str, &str, &str)] = &[("VolumeIntent", "percent", "level")];

/// A room that means every player ("everywhere", "überall", "partout"):
/// the table's own words for it.
const EVERYWHERE: &str = "(every player)";

/// (corpus intent, model intent, (corpus slot, model slot) renames).
pub type Alias = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The corpus file of `lang` ("en" → tests/corpus/en.tsv).
pub fn corpus_path(lang: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(format!("{lang}.tsv"))
}

/// The lines of a corpus file, or what is wrong with it (file:line).
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = raw.split('\t').collect();
        let [set, utterance, expect, rest @ ..] = cols.as_slice() else {
            return Err(format!("line {n}: fewer than three columns"));
        };
        let everyday = match *set {
            "everyday" => true,
            "less" => false,
            other => return Err(format!("line {n}: set {other:?}")),
        };
        let mut alternatives = Vec::new();
        for alt in expect.split(" | ") {
            let alt = alt.trim();
            let (intent, slots) = alt.split_once(' ').unwrap_or((alt, ""));
            let mut map = BTreeMap::new();
            for pair in slots.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("line {n}: slot {pair:?} without ="))?;
                map.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            if intent.is_empty() {
                return Err(format!("line {n}: empty expectation"));
            }
            alternatives.push(Expect {
                intent: intent.to_owned(),
                slots: map,
            });
        }
        let locales = rest
            .first()
            .map(|l| {
                l.split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        out.push(Line {
            everyday,
            utterance: utterance.trim().to_owned(),
            expect: alternatives,
            locales,
            line_no: n,
        });
    }
    Ok(out)
}

/// Whether `got` is what `want` asks for (aliases applied, values compared
/// without a leading article, a room meaning every player compared as
/// such). "Play X everywhere" may also reach the model's
/// `PlayEverywhereIntent` (X, or nothing for "music").
pub fn satisfies(got: &Outcome, want: &Expect, lang: &Lang, words: &Words) -> bool {
    let everywhere = words.everywhere;
    let (intent, renames): (&str, &[(&str, &str)]) = ALIASES
        .iter()
        .find(|(c, _, _)| *c == want.intent)
        .map_or((want.intent.as_str(), &[]), |(_, m, r)| (*m, *r));
    let every: Vec<String> = everywhere.iter().map(|w| bare(w, lang)).collect();
    let value = |k: &str, v: &str| {
        let v = bare(v, lang);
        let with_prep = |p: &&str| every.contains(&bare(&format!("{p} {v}"), lang));
        if k == "room" && (every.contains(&v) || words.in_room.iter().any(with_prep)) {
            EVERYWHERE.to_owned()
        } else {
            v
        }
    };
    let wanted: BTreeMap<String, String> = want
        .slots
        .iter()
        .map(|(k, v)| {
            let k = renames
                .iter()
                .find(|(c, _)| c == k)
                .map_or(k.as_str(), |(_, m)| m);
            (k.to_owned(), value(k, v))
        })
        .collect();
    let heard: BTreeMap<String, String> = got
        .slots
        .iter()
        .map(|(k, v)| {
            let k = FINER_SLOTS
                .iter()
                .find(|(i, m, _)| *i == got.intent && m == k)
                .map_or(k.as_str(), |(_, _, c)| c);
            (k.to_owned(), value(k, v))
        })
        .collect();
    if got.intent == intent && heard == wanted {
        return true;
    }
    let everywhere_play = matches!(intent, "PlayIntent" | "PlayMyMusicIntent")
        && wanted.get("room").map(String::as_str) == Some(EVERYWHERE);
    if everywhere_play && got.intent == "PlayEverywhereIntent" {
        let mut rest = wanted.clone();
        rest.remove("room");
        return heard == rest;
    }
    got.intent == "PlayIntent" && read_as_typed(got, &heard, intent, &wanted, words)
}

/// Whether the skill reads an untyped "play {query}" as the typed request
/// `intent` wants: its own readings of the query (`resolve::readings`: the
/// kind words said first, "X by Y", "jazz music") hold one of that kind,
/// name and artist ("play the playlist Morning Mix" heard as `PlayIntent`
/// with query "the playlist morning mix" plays the playlist).
fn read_as_typed(
    got: &Outcome,
    heard: &BTreeMap<String, String>,
    intent: &str,
    wanted: &BTreeMap<String, String>,
    words: &Words,
) -> bool {
    let (kind, slot) = match intent {
        "PlayArtistIntent" => (Some(Kind::Artist), "artist"),
        "PlayAlbumIntent" => (Some(Kind::Album), "album"),
        "PlaySongIntent" => (Some(Kind::Track), "song"),
        "PlayPlaylistIntent" => (Some(Kind::Playlist), "playlist"),
        "PlayRadioIntent" => (Some(Kind::Radio), "station"),
        "PlayGenreIntent" => (None, "genre"),
        _ => return false,
    };
    let (Some(name), Some(query)) = (wanted.get(slot), got.slots.get("query")) else {
        return false;
    };
    if heard.get("room") != wanted.get("room") {
        return false;
    }
    let artist_wanted = if slot == "artist" {
        None
    } else {
        wanted.get("artist").map(|a| normalize(a))
    };
    let w = Wanted {
        kind: None,
        query: query.clone(),
        artist: got.slots.get("artist").cloned(),
    };
    readings(words, &w).iter().any(|r| {
        let name_ok = normalize(&r.query) == normalize(name);
        let artist_ok = r.artist.as_deref().map(normalize) == artist_wanted;
        let kind_ok = match kind {
            Some(k) => r.kind == Some(k),
            None => r.genre_only,
        };
        name_ok && artist_ok && kind_ok
    })
}

/// A locale's score.
#[derive(Debug, Default)]
pub struct Score {
    pub everyday: (usize, usize),
    pub less: (usize, usize),
    /// (line, what the model gave).
    pub misses: Vec<(Line, Outcome)>,
}

impl Score {
    pub fn everyday_pct(&self) -> f64 {
        pct(self.everyday)
    }
    pub fn less_pct(&self) -> f64 {
        pct(self.less)
    }
}

fn pct((hit, total): (usize, usize)) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * hit as f64 / total as f64
    }
}

/// The lines of `locale`'s language that apply to it.
pub fn lines_for(locale: &str) -> Result<(Vec<Line>, &'static Lang), String> {
    let l = lang(locale).ok_or_else(|| format!("no language data for {locale}"))?;
    let path = corpus_path(l.code);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lines = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((lines.into_iter().filter(|x| x.applies(locale)).collect(), l))
}

/// `model` (the JSON of `skill model --locale locale`) scored on the corpus.
///
/// A line no intent sample matches is also tried as an answer to the
/// skill's question for the slot its expectation names alone (the corpus's
/// bare answers: "kitchen" after "Which player?", "jazz" after "What would
/// you like to play?"): Alexa then matches that slot's samples.
pub fn score(locale: &str, model: &serde_json::Value) -> Result<Score, String> {
    let (lines, l) = lines_for(locale)?;
    let m = Model::new(model, l);
    let words = &ma_alexa_oauth::skill::phrases::for_locale(locale).words;
    let mut s = Score::default();
    for line in lines {
        let mut got = m.understand(&line.utterance);
        let mut ok = line.expect.iter().any(|e| satisfies(&got, e, l, words));
        if !ok && got.intent == FALLBACK {
            for e in line.expect.iter().filter(|e| e.slots.len() == 1) {
                let slot = e.slots.keys().next().expect("one slot");
                if let Some(a) = m.answer(&line.utterance, slot) {
                    let as_answer = Expect {
                        intent: ANSWER.into(),
                        slots: e.slots.clone(),
                    };
                    if satisfies(&a, &as_answer, l, words) {
                        ok = true;
                        got = a;
                        break;
                    }
                }
            }
        }
        let tally = if line.everyday {
            &mut s.everyday
        } else {
            &mut s.less
        };
        tally.1 += 1;
        if ok {
            tally.0 += 1;
        } else {
            s.misses.push((line, got));
        }
    }
    Ok(s)
}

/// The report of one locale: figures, then each miss.
pub fn report(locale: &str, s: &Score, misses: bool) -> String {
    let mut out = format!(
        "{locale}: everyday {:.1} % ({}/{}), less common {:.1} % ({}/{})\n",
        s.everyday_pct(),
        s.everyday.0,
        s.everyday.1,
        s.less_pct(),
        s.less.0,
        s.less.1
    );
    if misses {
        for (line, got) in &s.misses {
            let want: Vec<String> = line
                .expect
                .iter()
                .map(|e| format!("{} {:?}", e.intent, e.slots))
                .collect();
            let _ = writeln!(
                out,
                "  miss [{} l.{}] {:?}\n       want {}\n       got  {} {:?}{}",
                if line.everyday { "everyday" } else { "less" },
                line.line_no,
                line.utterance,
                want.join(" | "),
                got.intent,
                got.slots,
                if got.ambiguous { " (ambiguous)" } else { "" }
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::coverage_lang::lang;
    use super::*;

    fn outcome(intent: &str, slots: &[(&str, &str)]) -> Outcome {
        Outcome {
            intent: intent.into(),
            slots: slots
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            literals: 0,
            ambiguous: false,
        }
    }

    #[test]
    fn a_volume_in_percent_is_the_corpus_level_and_nothing_else_is_renamed() {
        let l = lang("en-US").unwrap();
        let words = &ma_alexa_oauth::skill::phrases::for_locale("en-US").words;
        let want = &parse("everyday\tx\tVolumeIntent level=50\t").unwrap()[0].expect[0];
        assert!(satisfies(
            &outcome("VolumeIntent", &[("percent", "50")]),
            want,
            l,
            words
        ));
        assert!(satisfies(
            &outcome("VolumeIntent", &[("level", "50")]),
            want,
            l,
            words
        ));
        assert!(!satisfies(
            &outcome("VolumeIntent", &[("percent", "5")]),
            want,
            l,
            words
        ));
        let other = &parse("everyday\tx\tMuteIntent\t").unwrap()[0].expect[0];
        assert!(!satisfies(
            &outcome("MuteIntent", &[("percent", "5")]),
            other,
            l,
            words
        ));
    }
}
