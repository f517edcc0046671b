//! Which intent and slots an interaction model gives an utterance, the way
//! Alexa's sample matching works, approximately: a sample matches when its
//! literal words are the utterance's words in order and each `{slot}` takes
//! 1..=[`MAX_SLOT_WORDS`] words (any words for custom and AMAZON.* list
//! types; for AMAZON.NUMBER, a number in words or digits, whose value is the
//! digits). Built-in intents also take the phrasings Amazon documents
//! (`coverage_lang.rs`). When several samples match, the one with more
//! literal words wins, then the one whose slot values are listed values of
//! their custom type, then the model's order. This is an approximation of
//! Alexa's statistical NLU: it never generalises beyond a sample, so what it
//! matches Alexa matches too, and some of what it misses Alexa may catch.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::coverage_lang::Lang;

/// The most words one slot takes.
pub const MAX_SLOT_WORDS: usize = 6;

pub const FALLBACK: &str = "AMAZON.FallbackIntent";
/// What an utterance gets when it names the skill in no supported phrase.
pub const NO_LAUNCH: &str = "(no launch phrase)";
/// The intent of an answer to the skill's question for a slot.
pub const ANSWER: &str = "(answer)";
/// How the corpus writes the invocation name, whatever the model's is.
pub const CORPUS_INVOCATION: &str = "music assistant";

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Word(String),
    Slot(String),
}

#[derive(Debug)]
struct Sample {
    intent: String,
    toks: Vec<Tok>,
    literals: usize,
}

/// What the model understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub intent: String,
    pub slots: BTreeMap<String, String>,
    /// Literal words of the winning sample.
    pub literals: usize,
    /// Another sample with the same score and another outcome existed.
    pub ambiguous: bool,
}

/// A model ready for matching in one language.
pub struct Model {
    samples: Vec<Sample>,
    /// slot name → its samples (the dialog's answers to the skill's
    /// question for that slot), from every intent that has them.
    answers: HashMap<String, Vec<Vec<Tok>>>,
    /// (intent, slot) → slot type.
    types: HashMap<(String, String), String>,
    /// custom type → its listed values (normalised).
    values: HashMap<String, HashSet<String>>,
    numbers: HashMap<String, u32>,
    lang: &'static Lang,
    invocation: Vec<String>,
}

/// Lower case, punctuation and hyphens as spaces, elided words split off
/// and read as the full word (`d'aurora` → `de aurora`).
pub fn words(text: &str, lang: &Lang) -> Vec<String> {
    let lower = text.to_lowercase();
    let cleaned: String = lower
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == '{' || c == '}' || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut out = Vec::new();
    for raw in cleaned.split_whitespace() {
        let mut rest = raw;
        'split: loop {
            for (elided, full) in lang.elisions {
                if let Some(after) = rest.strip_prefix(elided)
                    && !after.is_empty()
                {
                    out.push((*full).to_owned());
                    rest = after;
                    continue 'split;
                }
            }
            break;
        }
        let whole = lang
            .elisions
            .iter()
            .find(|(e, _)| *e == rest)
            .map_or(rest, |(_, f)| *f);
        out.push(whole.to_owned());
    }
    out
}

/// A sample's tokens.
pub fn tokens(sample: &str, lang: &Lang) -> Vec<Tok> {
    words(sample, lang)
        .into_iter()
        .map(
            |w| match w.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(slot) => Tok::Slot(slot.to_owned()),
                None => Tok::Word(w),
            },
        )
        .collect()
}

impl Model {
    /// `doc` is the JSON of `skill model`; `lang` its language.
    pub fn new(doc: &Value, lang: &'static Lang) -> Model {
        let lm = &doc["interactionModel"]["languageModel"];
        let mut samples = Vec::new();
        let mut types = HashMap::new();
        let mut answers: HashMap<String, Vec<Vec<Tok>>> = HashMap::new();
        let empty = Vec::new();
        let intents = lm["intents"].as_array().unwrap_or(&empty);
        for intent in intents {
            let name = intent["name"].as_str().unwrap_or_default().to_owned();
            for slot in intent["slots"].as_array().unwrap_or(&empty) {
                let (n, t) = (slot["name"].as_str(), slot["type"].as_str());
                if let (Some(n), Some(t)) = (n, t) {
                    types.insert((name.clone(), n.to_owned()), t.to_owned());
                    let list = answers.entry(n.to_owned()).or_default();
                    for a in slot["samples"].as_array().unwrap_or(&empty) {
                        let toks = tokens(a.as_str().unwrap_or_default(), lang);
                        if !list.contains(&toks) {
                            list.push(toks);
                        }
                    }
                }
            }
            let own = intent["samples"].as_array().unwrap_or(&empty);
            let documented = lang
                .builtins
                .iter()
                .filter(|(b, _)| *b == name)
                .flat_map(|(_, s)| s.iter());
            let texts = own
                .iter()
                .filter_map(Value::as_str)
                .chain(documented.copied());
            for text in texts {
                let toks = tokens(text, lang);
                let literals = toks.iter().filter(|t| matches!(t, Tok::Word(_))).count();
                samples.push(Sample {
                    intent: name.clone(),
                    toks,
                    literals,
                });
            }
        }
        let mut values = HashMap::new();
        for t in lm["types"].as_array().unwrap_or(&empty) {
            let set = t["values"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .flat_map(|v| {
                    let syn = v["name"]["synonyms"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    std::iter::once(v["name"]["value"].clone()).chain(syn)
                })
                .filter_map(|v| v.as_str().map(|s| words(s, lang).join(" ")))
                .collect();
            values.insert(t["name"].as_str().unwrap_or_default().to_owned(), set);
        }
        let numbers = (lang.numbers)()
            .into_iter()
            .map(|(n, w)| (words(&w, lang).join(" "), n))
            .collect();
        let invocation = words(lm["invocationName"].as_str().unwrap_or_default(), lang);
        Model {
            samples,
            answers,
            types,
            values,
            numbers,
            lang,
            invocation,
        }
    }

    /// The value of `span` for AMAZON.NUMBER.
    pub fn number(&self, span: &[String]) -> Option<u32> {
        if let [one] = span
            && one.chars().all(|c| c.is_ascii_digit())
        {
            return one.parse().ok();
        }
        self.numbers.get(&span.join(" ")).copied()
    }

    /// The requests `utterance` can carry to the skill: after a launch phrase
    /// when it names the skill, else the whole utterance (inside a session).
    pub fn requests(&self, utterance: &[String]) -> Option<Vec<Vec<String>>> {
        let inv = &self.invocation;
        let names_skill = utterance.windows(inv.len().max(1)).any(|w| w == &inv[..]);
        if !names_skill {
            return Some(vec![utterance.to_vec()]);
        }
        let mut out = Vec::new();
        for pattern in self.lang.launch {
            let (before, after) = pattern.split_once("{req}").expect("launch pattern");
            let side = |s: &str| -> Vec<String> {
                s.split_whitespace()
                    .flat_map(|w| {
                        if w == "{inv}" {
                            inv.clone()
                        } else {
                            words(w, self.lang)
                        }
                    })
                    .collect()
            };
            let (pre, post) = (side(before), side(after));
            if utterance.len() > pre.len() + post.len()
                && utterance.starts_with(&pre)
                && utterance.ends_with(&post)
            {
                out.push(utterance[pre.len()..utterance.len() - post.len()].to_vec());
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// `utterance`'s words, the corpus's invocation name replaced by the
    /// model's.
    fn heard(&self, utterance: &str) -> Vec<String> {
        let said = words(utterance, self.lang);
        let placeholder = words(CORPUS_INVOCATION, self.lang);
        let mut out = Vec::new();
        let mut i = 0;
        while i < said.len() {
            if said[i..].starts_with(&placeholder) {
                out.extend(self.invocation.iter().cloned());
                i += placeholder.len();
            } else {
                out.push(said[i].clone());
                i += 1;
            }
        }
        out
    }

    /// `utterance` as an answer to the skill's question for `slot` (inside
    /// a dialog, Alexa matches the slot's own samples): the slot's value.
    pub fn answer(&self, utterance: &str, slot: &str) -> Option<Outcome> {
        let words = self.heard(utterance);
        let intent = self
            .types
            .keys()
            .find(|(_, s)| s == slot)
            .map(|(i, _)| i.clone())?;
        let mut best: Option<(usize, usize, Outcome)> = None;
        for toks in self.answers.get(slot)? {
            let mut found = Vec::new();
            self.match_at(&intent, toks, &words, &mut Vec::new(), &mut found);
            let literals = toks.iter().filter(|t| matches!(t, Tok::Word(_))).count();
            for slots in found {
                let outcome = Outcome {
                    intent: ANSWER.into(),
                    slots: slots.into_iter().collect(),
                    literals,
                    ambiguous: false,
                };
                best = Some(pick(best, (literals, 0, outcome)));
            }
        }
        best.map(|(_, _, o)| o)
    }

    /// What the model gives `utterance` (as Alexa transcribes it).
    pub fn understand(&self, utterance: &str) -> Outcome {
        let words = self.heard(utterance);
        let Some(requests) = self.requests(&words) else {
            return Outcome {
                intent: NO_LAUNCH.into(),
                slots: BTreeMap::new(),
                literals: 0,
                ambiguous: false,
            };
        };
        let mut best: Option<(usize, usize, Outcome)> = None;
        for request in &requests {
            for s in &self.samples {
                let mut found = Vec::new();
                self.match_at(&s.intent, &s.toks, request, &mut Vec::new(), &mut found);
                for slots in found {
                    let known = self.known(&s.intent, &slots);
                    let outcome = Outcome {
                        intent: s.intent.clone(),
                        slots: slots.into_iter().collect(),
                        literals: s.literals,
                        ambiguous: false,
                    };
                    best = Some(pick(best, (s.literals, known, outcome)));
                }
            }
        }
        best.map(|(_, _, o)| o).unwrap_or(Outcome {
            intent: FALLBACK.into(),
            slots: BTreeMap::new(),
            literals: 0,
            ambiguous: false,
        })
    }

    /// How many of `slots` hold a listed value of their custom type.
    fn known(&self, intent: &str, slots: &[(String, String)]) -> usize {
        slots
            .iter()
            .filter(|(n, v)| {
                self.types
                    .get(&(intent.to_owned(), n.clone()))
                    .and_then(|t| self.values.get(t))
                    .is_some_and(|set| set.contains(v))
            })
            .count()
    }

    /// Every way `toks` matches all of `words`, as slot fillings.
    fn match_at(
        &self,
        intent: &str,
        toks: &[Tok],
        words: &[String],
        slots: &mut Vec<(String, String)>,
        found: &mut Vec<Vec<(String, String)>>,
    ) {
        match toks.first() {
            None => {
                if words.is_empty() {
                    found.push(slots.clone());
                }
            }
            Some(Tok::Word(w)) => {
                if words.first() == Some(w) {
                    self.match_at(intent, &toks[1..], &words[1..], slots, found);
                }
            }
            Some(Tok::Slot(name)) => {
                let number = self
                    .types
                    .get(&(intent.to_owned(), name.clone()))
                    .is_some_and(|t| t == "AMAZON.NUMBER");
                for k in 1..=MAX_SLOT_WORDS.min(words.len()) {
                    let span = &words[..k];
                    let value = if number {
                        match self.number(span) {
                            Some(n) => n.to_string(),
                            None => continue,
                        }
                    } else {
                        span.join(" ")
                    };
                    slots.push((name.clone(), value));
                    self.match_at(intent, &toks[1..], &words[k..], slots, found);
                    slots.pop();
                }
            }
        }
    }
}

/// The better of the best so far and a new (literals, known, outcome).
fn pick(
    best: Option<(usize, usize, Outcome)>,
    new: (usize, usize, Outcome),
) -> (usize, usize, Outcome) {
    match best {
        None => new,
        Some(b) => {
            let (bk, nk) = ((b.0, b.1), (new.0, new.1));
            if nk > bk {
                new
            } else if nk == bk && (new.2.intent != b.2.intent || new.2.slots != b.2.slots) {
                let mut b = b;
                b.2.ambiguous = true;
                b
            } else {
                b
            }
        }
    }
}

/// `value` without a leading article of `lang`, normalised.
pub fn bare(value: &str, lang: &Lang) -> String {
    let w = words(value, lang);
    match w.split_first() {
        Some((first, rest)) if !rest.is_empty() && lang.articles.contains(&first.as_str()) => {
            rest.join(" ")
        }
        _ => w.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::super::coverage_lang::lang;
    use super::*;
    use serde_json::json;

    fn model(locale: &str, intents: Value, types: Value) -> Model {
        let doc = json!({"interactionModel": {"languageModel": {
            "invocationName": "music assistant", "intents": intents, "types": types}}});
        Model::new(&doc, lang(locale).unwrap())
    }

    fn en() -> Model {
        model(
            "en-US",
            json!([
                {"name": "PlayIntent", "slots": [{"name": "query", "type": "QUERY"},
                    {"name": "room", "type": "ROOM_NAME"}],
                 "samples": ["play {query}", "play {query} in the {room}"]},
                {"name": "PlayAlbumIntent", "slots": [{"name": "album", "type": "ALBUM_NAME"}],
                 "samples": ["play the album {album}"]},
                {"name": "PlayArtistIntent", "slots": [{"name": "artist", "type": "ARTIST_NAME"}],
                 "samples": ["play {artist}"]},
                {"name": "VolumeIntent", "slots": [{"name": "level", "type": "AMAZON.NUMBER"}],
                 "samples": ["set the volume to {level}", "volume {level}"]},
                {"name": "AMAZON.PauseIntent", "samples": []},
                {"name": "AMAZON.NextIntent", "samples": ["next song"]},
            ]),
            json!([{"name": "ARTIST_NAME", "values": [{"name": {"value": "Aurora Lane"}}]}]),
        )
    }

    fn slots(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_slot_takes_one_to_six_words_and_no_more() {
        let m = en();
        let o = m.understand("play blue harbor trio");
        assert_eq!(o.slots, slots(&[("query", "blue harbor trio")]));
        assert_eq!(m.understand("play a b c d e f").slots.len(), 1);
        assert_eq!(m.understand("play a b c d e f g").intent, FALLBACK);
        assert_eq!(m.understand("play").intent, FALLBACK, "a slot takes a word");
    }

    #[test]
    fn literal_words_must_match_in_order() {
        let m = en();
        assert_eq!(m.understand("set volume to five").intent, FALLBACK);
        assert_eq!(m.understand("set the volume five").intent, FALLBACK);
        assert_eq!(m.understand("next song").intent, "AMAZON.NextIntent");
        assert_eq!(m.understand("song next").intent, FALLBACK);
    }

    #[test]
    fn more_literal_words_win_then_listed_values() {
        let m = en();
        let o = m.understand("play the album night shift");
        assert_eq!(o.intent, "PlayAlbumIntent");
        assert_eq!(o.slots, slots(&[("album", "night shift")]));
        let o = m.understand("play aurora lane in the kitchen");
        assert_eq!(
            o.slots,
            slots(&[("query", "aurora lane"), ("room", "kitchen")])
        );
        // "play {artist}" and "play {query}" tie on literals: the listed
        // artist wins; an unlisted name stays with the first in order.
        assert_eq!(m.understand("play aurora lane").intent, "PlayArtistIntent");
        let o = m.understand("play the beatles");
        assert_eq!(o.intent, "PlayIntent");
        assert!(o.ambiguous);
    }

    #[test]
    fn numbers_in_words_fill_number_slots_as_digits() {
        let m = en();
        let o = m.understand("set the volume to twenty five");
        assert_eq!(o.slots, slots(&[("level", "25")]));
        assert_eq!(m.understand("volume 7").slots, slots(&[("level", "7")]));
        assert_eq!(m.understand("volume loud").intent, FALLBACK);
        for (locale, text, n) in [
            ("de-DE", "fünfundzwanzig", 25),
            ("de-DE", "dreißig", 30),
            ("fr-FR", "soixante et onze", 71),
            ("fr-FR", "quatre-vingt-dix-neuf", 99),
            ("fr-CA", "vingt et un", 21),
            ("es-ES", "treinta y cinco", 35),
            ("es-MX", "veintidós", 22),
            ("it-IT", "ventotto", 28),
            ("it-IT", "trentatré", 33),
            ("nl-NL", "tweeëntwintig", 22),
            ("nl-NL", "vijfentwintig", 25),
            ("pt-BR", "vinte e cinco", 25),
            ("pt-BR", "duas", 2),
        ] {
            let m = model(locale, json!([]), json!([]));
            let l = lang(locale).unwrap();
            assert_eq!(m.number(&words(text, l)), Some(n), "{locale} {text}");
        }
    }

    #[test]
    fn built_ins_take_their_documented_phrasings_and_the_models_own() {
        let m = en();
        assert_eq!(m.understand("pause").intent, "AMAZON.PauseIntent");
        assert_eq!(m.understand("pause that").intent, "AMAZON.PauseIntent");
        assert_eq!(m.understand("skip forward").intent, "AMAZON.NextIntent");
        assert_eq!(m.understand("next song").intent, "AMAZON.NextIntent");
        // Only intents the model declares.
        assert_eq!(m.understand("shuffle").intent, FALLBACK);
    }

    #[test]
    fn launch_phrases_are_stripped_and_unknown_ones_refused() {
        let m = en();
        let o = m.understand("ask music assistant to play the album open water");
        assert_eq!(o.intent, "PlayAlbumIntent");
        assert_eq!(
            m.understand("tell music assistant to pause").intent,
            "AMAZON.PauseIntent"
        );
        assert_eq!(
            m.understand("play aurora lane using music assistant")
                .intent,
            "PlayArtistIntent"
        );
        assert_eq!(
            m.understand("music assistant please pause").intent,
            NO_LAUNCH
        );
    }

    #[test]
    fn answers_match_only_their_slots_samples_and_the_invocation_is_the_models() {
        let doc = json!({"interactionModel": {"languageModel": {
            "invocationName": "musik assistent",
            "intents": [{"name": "UseRoomIntent",
                "slots": [{"name": "room", "type": "ROOM_NAME", "samples": ["{room}", "in der {room}"]}],
                "samples": ["nimm die {room}"]}],
            "types": []}}});
        let m = Model::new(&doc, lang("de-DE").unwrap());
        assert_eq!(
            m.understand("küche").intent,
            FALLBACK,
            "slot samples are no intent samples"
        );
        let a = m.answer("in der küche", "room").unwrap();
        assert_eq!(
            (a.intent.as_str(), a.slots),
            (ANSWER, slots(&[("room", "küche")]))
        );
        assert!(m.answer("küche", "artist").is_none());
        let o = m.understand("sag music assistant nimm die küche");
        assert_eq!(
            o.intent, "UseRoomIntent",
            "the corpus's invocation is the model's"
        );
        assert_eq!(
            m.understand("sag musik assistent nimm die küche").intent,
            "UseRoomIntent"
        );
    }

    #[test]
    fn french_elisions_read_as_full_words_and_articles_are_ignored() {
        let l = lang("fr-FR").unwrap();
        assert_eq!(
            words("Mets l'album d'Aurora Lane", l),
            ["mets", "le", "album", "de", "aurora", "lane"]
        );
        assert_eq!(
            tokens("mets de la musique d'{artist}", l).last(),
            Some(&Tok::Slot("artist".into()))
        );
        assert_eq!(bare("la cuisine", l), "cuisine");
        assert_eq!(bare("la", l), "la");
        let it = lang("it-IT").unwrap();
        assert_eq!(words("dall'inizio", it), ["dallo", "inizio"]);
        assert_eq!(words("di' a", it), ["di'", "a"]);
    }
}
