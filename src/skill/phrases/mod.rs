//! One phrase table per language: the sample utterances of every intent,
//! what people answer when the skill asks for a slot, example values of the
//! custom slot types, the words the skill itself reads in what Alexa heard
//! ("the album", "by", "in the", "everywhere"), the invocation name's rules,
//! and everything the skill says. Each table is written as a native speaker
//! talks to an Echo, not translated word for word; where its author was
//! unsure, its header says so for a native speaker to review.
//!
//! Adding a language is adding a table here (every field filled: the test
//! below checks each one) and its locales to [`LOCALES`]: `xx.rs` holds the
//! table (invocation rules, slot values, words, everything said) and
//! `xx_samples.rs` what people say (samples per intent, answers per slot). Templates hold
//! `{name}` placeholders; [`fill`] inserts SSML-escaped values.

mod de;
mod de_samples;
mod en;
mod en_samples;
mod es;
pub(crate) mod expand;
mod fr;
mod it;
mod nl;
mod pt;

use crate::skill::library::Kind;
use crate::skill::matching::normalize;
use crate::skill::response::ssml_escape;

/// What the skill says, per language. `{room}` is a player's name as Music
/// Assistant has it ("Kitchen"), `{what}` an item's name, `{list}` names
/// joined with [`Say::or`] or [`Say::and`].
#[derive(Debug)]
pub struct Say {
    pub launch: &'static str,
    pub launch_reprompt: &'static str,
    pub help: &'static str,
    pub goodbye: &'static str,
    pub fallback: &'static str,
    pub link_account: &'static str,
    pub not_configured: &'static str,
    pub playing: &'static str,
    pub playing_by: &'static str,
    /// Played on every player: `{what}`, `{list}` (the players).
    pub playing_everywhere: &'static str,
    pub queued: &'static str,
    pub my_music: &'static str,
    /// "My music" on every player: `{list}`.
    pub my_music_everywhere: &'static str,
    pub genre: &'static str,
    /// Nothing close to `{what}` in the library.
    pub not_found: &'static str,
    /// Nothing named `{what}`, but `{name}` is close.
    pub did_you_mean: &'static str,
    /// The question for a missing name (also the dialog model's prompt).
    pub which_name: &'static str,
    pub empty_library: &'static str,
    pub no_players: &'static str,
    /// "Which player? {list}."
    pub which_room: &'static str,
    /// The dialog model's prompt for a room, without the list.
    pub room_prompt: &'static str,
    pub which_room_reprompt: &'static str,
    pub unknown_room: &'static str,
    pub using_room: &'static str,
    pub paused: &'static str,
    pub resumed: &'static str,
    pub stopped: &'static str,
    pub next: &'static str,
    pub previous: &'static str,
    pub start_over: &'static str,
    pub shuffle_on: &'static str,
    pub shuffle_off: &'static str,
    pub repeat_on: &'static str,
    pub repeat_off: &'static str,
    pub volume: &'static str,
    pub bad_volume: &'static str,
    pub louder: &'static str,
    pub quieter: &'static str,
    pub muted: &'static str,
    pub unmuted: &'static str,
    pub now_playing: &'static str,
    pub now_playing_title: &'static str,
    pub nothing_playing: &'static str,
    pub ma_slow: &'static str,
    pub ma_down: &'static str,
    pub ma_failed: &'static str,
    pub not_allowed: &'static str,
    pub relink_retry: &'static str,
    /// "Play … here" without Music Assistant's Alexa provider set up: what
    /// to set up, in one sentence.
    pub echo_setup: &'static str,
    /// The provider is set up, but which player this Echo is is not known.
    pub echo_unknown: &'static str,
    /// "This is the Echo Kitchen" recorded: `{room}`.
    pub echo_is: &'static str,
    /// "This is the Echo Kitchen" not recorded: the add-on's page set
    /// this Echo (or that player) and only the page changes it.
    pub echo_on_page: &'static str,
    /// Music Assistant pushed nothing for this Echo.
    pub echo_nothing: &'static str,
    /// Joins the last two names of a choice ("Kitchen or Living Room").
    pub or: &'static str,
    /// Joins the last two names of a list ("Kitchen and Living Room").
    pub and: &'static str,
}

/// Words the skill reads in what Alexa heard, in this language. Each list
/// is lower case; longer phrases before shorter ones they start with.
#[derive(Debug)]
pub struct Words {
    /// Said before a name to give its kind: (kind, ["the album", "album"]).
    /// "Play the album X" said to the untyped "play {query}" plays an album.
    pub kinds: &'static [(Kind, &'static [&'static str])],
    /// Between a title and its artist ("Yesterday by The Beatles").
    pub by: &'static [&'static str],
    /// Before a room's name ("in the", "on the", "im", "in der").
    pub in_room: &'static [&'static str],
    /// A room slot holding one of these means every player ("everywhere").
    pub everywhere: &'static [&'static str],
    /// Said after a genre ("jazz music"): "play jazz music" is the genre.
    pub music: &'static [&'static str],
}

/// The invocation name: the default for `skill model`, and the words
/// Amazon keeps out of invocation names in this language (besides the
/// wake words, which are the same everywhere: [`crate::skill::model`]).
#[derive(Debug)]
pub struct Invocation {
    pub default: &'static str,
    /// Words Alexa uses to open a skill or to join a request to its name
    /// ("open", "ask", "tell", "launch", "to", "for", "and"): never in a name.
    pub launch_words: &'static [&'static str],
    /// Articles and prepositions: a two-word name may not contain one.
    pub small_words: &'static [&'static str],
    /// Amazon allows a one-word name that is a compound word (German only).
    pub compound_word: bool,
}

/// A language's table.
#[derive(Debug)]
pub struct Phrases {
    pub invocation: Invocation,
    /// (intent, sample utterances with `{slot}` placeholders). Built-in
    /// intents' samples extend Amazon's own.
    pub samples: &'static [(&'static str, &'static [&'static str])],
    /// (slot name, what people answer when the skill asks for that slot:
    /// "{room}", "in the {room}"). The dialog model's slot samples: Alexa
    /// uses them only while it waits for that slot, so a bare "kitchen"
    /// never competes with the intents' samples.
    pub answers: &'static [(&'static str, &'static [&'static str])],
    /// (custom slot type, example values).
    pub values: &'static [(&'static str, &'static [&'static str])],
    pub words: Words,
    pub say: Say,
}

/// Locales with a table: (locale, table).
/// An Echo reaches a skill only in the language the Echo is set to, so
/// each English locale has its model (the same table).
pub const LOCALES: &[(&str, &Phrases)] = &[
    ("en-US", &en::PHRASES),
    ("en-GB", &en::PHRASES),
    ("en-CA", &en::PHRASES),
    ("en-AU", &en::PHRASES),
    ("en-IN", &en::PHRASES),
    ("de-DE", &de::PHRASES),
    ("fr-FR", &fr::PHRASES),
    ("fr-CA", &fr::PHRASES),
    ("es-ES", &es::PHRASES),
    ("es-MX", &es::PHRASES),
    ("es-US", &es::PHRASES),
    ("it-IT", &it::PHRASES),
    ("nl-NL", &nl::PHRASES),
    ("pt-BR", &pt::PHRASES),
];

/// The table of `locale`: exact, else the same language, else English.
pub fn for_locale(locale: &str) -> &'static Phrases {
    let lang = locale.split(['-', '_']).next().unwrap_or("");
    LOCALES
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(locale))
        .or_else(|| {
            LOCALES.iter().find(|(l, _)| {
                l.split('-')
                    .next()
                    .is_some_and(|x| x.eq_ignore_ascii_case(lang))
            })
        })
        .map(|(_, p)| *p)
        .unwrap_or(&en::PHRASES)
}

/// Whether the model can be generated for `locale`.
pub fn supported(locale: &str) -> bool {
    LOCALES.iter().any(|(l, _)| *l == locale)
}

/// `template` with each `{key}` replaced by its value, SSML-escaped.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), &ssml_escape(v));
    }
    out
}

/// "A, B or C" in the language of `say`.
pub fn list(say: &Say, names: &[String]) -> String {
    join(say.or, names)
}

/// "A, B and C" in the language of `say`.
pub fn list_all(say: &Say, names: &[String]) -> String {
    join(say.and, names)
}

fn join(word: &str, names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// The intent one of whose slot-less samples `text` is, said alone or
/// after the verb of an untyped "play {query}" sample ("the next song",
/// "play the next song": the next song, not a title); play intents are
/// left out.
pub fn exact_intent(p: &Phrases, text: &str) -> Option<&'static str> {
    let t = normalize(text);
    if t.is_empty() {
        return None;
    }
    let mut said = vec![t.clone()];
    for (intent, samples) in p.samples {
        if *intent != "PlayIntent" {
            continue;
        }
        for s in samples.iter() {
            if let Some(verb) = s.strip_suffix("{query}")
                && !verb.contains('{')
                && !verb.trim().is_empty()
            {
                said.push(normalize(&format!("{verb}{t}")));
            }
        }
    }
    p.samples
        .iter()
        .filter(|(intent, _)| !intent.starts_with("Play") && *intent != "EnqueueIntent")
        .find(|(_, samples)| {
            samples
                .iter()
                .any(|s| !s.contains('{') && said.contains(&normalize(s)))
        })
        .map(|(intent, _)| *intent)
}

impl Say {
    /// Every sentence with the placeholders it must hold (and may hold:
    /// none other), for the tables' test.
    pub fn templates(&self) -> Vec<(&'static str, &'static str, &'static [&'static str])> {
        vec![
            ("launch", self.launch, &[]),
            ("launch_reprompt", self.launch_reprompt, &[]),
            ("help", self.help, &[]),
            ("goodbye", self.goodbye, &[]),
            ("fallback", self.fallback, &[]),
            ("link_account", self.link_account, &[]),
            ("not_configured", self.not_configured, &[]),
            ("playing", self.playing, &["what", "room"]),
            ("playing_by", self.playing_by, &["what", "artist", "room"]),
            (
                "playing_everywhere",
                self.playing_everywhere,
                &["what", "list"],
            ),
            ("queued", self.queued, &["what", "room"]),
            ("my_music", self.my_music, &["room"]),
            ("my_music_everywhere", self.my_music_everywhere, &["list"]),
            ("genre", self.genre, &["genre", "room"]),
            ("not_found", self.not_found, &["what"]),
            ("did_you_mean", self.did_you_mean, &["what", "name"]),
            ("which_name", self.which_name, &[]),
            ("empty_library", self.empty_library, &[]),
            ("no_players", self.no_players, &[]),
            ("which_room", self.which_room, &["list"]),
            ("room_prompt", self.room_prompt, &[]),
            ("which_room_reprompt", self.which_room_reprompt, &["first"]),
            ("unknown_room", self.unknown_room, &["room", "list"]),
            ("using_room", self.using_room, &["room"]),
            ("paused", self.paused, &[]),
            ("resumed", self.resumed, &[]),
            ("stopped", self.stopped, &[]),
            ("next", self.next, &[]),
            ("previous", self.previous, &[]),
            ("start_over", self.start_over, &[]),
            ("shuffle_on", self.shuffle_on, &[]),
            ("shuffle_off", self.shuffle_off, &[]),
            ("repeat_on", self.repeat_on, &[]),
            ("repeat_off", self.repeat_off, &[]),
            ("volume", self.volume, &["level", "room"]),
            ("bad_volume", self.bad_volume, &[]),
            ("louder", self.louder, &[]),
            ("quieter", self.quieter, &[]),
            ("muted", self.muted, &[]),
            ("unmuted", self.unmuted, &[]),
            (
                "now_playing",
                self.now_playing,
                &["title", "artist", "room"],
            ),
            (
                "now_playing_title",
                self.now_playing_title,
                &["title", "room"],
            ),
            ("nothing_playing", self.nothing_playing, &["room"]),
            ("ma_slow", self.ma_slow, &[]),
            ("ma_down", self.ma_down, &[]),
            ("ma_failed", self.ma_failed, &[]),
            ("not_allowed", self.not_allowed, &[]),
            ("relink_retry", self.relink_retry, &[]),
            ("echo_setup", self.echo_setup, &[]),
            ("echo_unknown", self.echo_unknown, &[]),
            ("echo_is", self.echo_is, &["room"]),
            ("echo_on_page", self.echo_on_page, &[]),
            ("echo_nothing", self.echo_nothing, &[]),
            ("or", self.or, &[]),
            ("and", self.and, &[]),
        ]
    }
}

/// The `{name}`s in `text`, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((_, after)) = rest.split_once('{') {
        let Some((name, tail)) = after.split_once('}') else {
            break;
        };
        out.push(name);
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::intents::{CUSTOM_TYPES, INTENTS};

    fn samples_of<'a>(list: &'a [(&str, &'a [&'a str])], key: &str) -> &'a [&'a str] {
        list.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }

    /// Every custom intent has samples using only its slots; built-in ones
    /// take no slots; every intent named exists.
    fn check_samples(locale: &str, p: &Phrases) {
        for def in INTENTS.iter().filter(|d| !d.name.starts_with("AMAZON.")) {
            let samples = samples_of(p.samples, def.name);
            assert!(!samples.is_empty(), "{locale}: {} has no samples", def.name);
            for s in samples {
                for slot in placeholders(s) {
                    assert!(
                        def.slots.iter().any(|(n, _)| *n == slot),
                        "{locale}: {}: unknown slot {slot} in {s:?}",
                        def.name
                    );
                }
                assert_eq!(s.trim(), *s, "{locale}: {s:?}");
                assert_eq!(
                    s.to_lowercase(),
                    *s,
                    "{locale}: samples are lower case: {s:?}"
                );
            }
        }
        for (intent, samples) in p.samples {
            let def = INTENTS.iter().find(|d| d.name == *intent);
            let def = def.unwrap_or_else(|| panic!("{locale}: {intent} is no intent"));
            if def.name.starts_with("AMAZON.") {
                assert!(
                    samples.iter().all(|s| placeholders(s).is_empty()),
                    "{locale}: {intent}: built-in intents take no slots"
                );
            }
        }
    }

    /// Every slot the skill may ask for has answers holding that slot alone.
    fn check_answers(locale: &str, p: &Phrases) {
        let asked = INTENTS
            .iter()
            .flat_map(|d| d.slots.iter().map(|(n, _)| *n))
            .filter(|n| !matches!(*n, "level" | "percent"));
        for slot in asked {
            let answers = samples_of(p.answers, slot);
            assert!(!answers.is_empty(), "{locale}: no answers for {slot}");
            assert!(
                answers.iter().all(|a| placeholders(a) == [slot]),
                "{locale}: answers for {slot} hold that slot alone: {answers:?}"
            );
        }
    }

    /// Values for every custom slot type, every word list, every sentence
    /// with exactly its placeholders.
    fn check_values_words_and_sentences(locale: &str, p: &Phrases) {
        for t in CUSTOM_TYPES {
            assert!(
                p.values.iter().any(|(n, v)| n == t && !v.is_empty()),
                "{locale}: {t}"
            );
        }
        let w = &p.words;
        for k in Kind::ALL {
            let said = w.kinds.iter().find(|(x, _)| *x == k).map(|(_, s)| *s);
            assert!(
                said.is_some_and(|s| !s.is_empty()),
                "{locale}: words for {k:?}"
            );
        }
        for (name, list) in [
            ("by", w.by),
            ("in_room", w.in_room),
            ("everywhere", w.everywhere),
            ("music", w.music),
            ("launch_words", p.invocation.launch_words),
            ("small_words", p.invocation.small_words),
        ] {
            assert!(!list.is_empty(), "{locale}: words.{name}");
            assert!(
                list.iter().all(|x| !x.is_empty() && x.to_lowercase() == *x),
                "{locale}: {name}"
            );
        }
        for (name, text, want) in p.say.templates() {
            assert!(!text.trim().is_empty(), "{locale}: say.{name} is empty");
            let mut got = placeholders(text);
            got.sort_unstable();
            got.dedup();
            let mut want = want.to_vec();
            want.sort_unstable();
            assert_eq!(got, want, "{locale}: say.{name} = {text:?}");
        }
    }

    /// The test a new language's table must pass: every custom intent has
    /// samples using only its slots; every slot the skill asks for has
    /// answers holding that slot alone; every custom slot type has values;
    /// every word list and sentence is there, with exactly its placeholders.
    #[test]
    fn every_table_covers_every_custom_intent_and_type_with_known_slots() {
        for (locale, p) in LOCALES {
            check_samples(locale, p);
            check_answers(locale, p);
            check_values_words_and_sentences(locale, p);
        }
    }

    /// The same words in two intents are an utterance conflict (Amazon's
    /// "Test Utterances and Improve Your Interaction Model": Alexa cannot
    /// tell which intent is meant), and the same sample twice is noise:
    /// every sample of a table is in one intent, once; every answer of a
    /// slot is there once.
    #[test]
    fn every_sample_is_said_once_in_one_intent() {
        let key = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        for (locale, p) in LOCALES {
            let mut seen = std::collections::HashMap::new();
            for (intent, samples) in p.samples {
                for s in samples.iter() {
                    if let Some(other) = seen.insert(key(s), *intent) {
                        panic!("{locale}: {s:?} in {other} and {intent}");
                    }
                }
            }
            for (slot, answers) in p.answers {
                let mut once = std::collections::HashSet::new();
                for a in answers.iter() {
                    assert!(
                        once.insert(key(a)),
                        "{locale}: answer {a:?} of {slot} twice"
                    );
                }
            }
        }
    }

    #[test]
    fn fills_escaped_and_falls_back() {
        assert_eq!(
            fill("Playing {what}.", &[("what", "R&B <Hits>")]),
            "Playing R&amp;B &lt;Hits&gt;."
        );
        assert!(std::ptr::eq(for_locale("de-AT"), for_locale("de-DE")));
        assert!(std::ptr::eq(for_locale("xx-XX"), for_locale("en-US")));
        assert!(std::ptr::eq(for_locale("en-IN"), for_locale("en-US")));
        assert!(std::ptr::eq(for_locale("fr-BE"), for_locale("fr-FR")));
        let say = &for_locale("en-GB").say;
        assert_eq!(
            list(say, &["A".into(), "B".into(), "C".into()]),
            "A, B or C"
        );
        assert_eq!(list_all(say, &["A".into(), "B".into()]), "A and B");
    }

    #[test]
    fn words_of_another_intent_said_to_play_are_that_intent() {
        let en = for_locale("en-US");
        assert_eq!(exact_intent(en, "the next song"), Some("AMAZON.NextIntent"));
        assert_eq!(exact_intent(en, "next song"), Some("AMAZON.NextIntent"));
        assert_eq!(exact_intent(en, "pause"), Some("AMAZON.PauseIntent"));
        assert_eq!(exact_intent(en, "Abbey Road"), None);
        assert_eq!(
            exact_intent(en, "my music"),
            None,
            "play intents are left out"
        );
        let de = for_locale("de-DE");
        assert_eq!(
            exact_intent(de, "das nächste lied"),
            Some("AMAZON.NextIntent")
        );
        assert_eq!(exact_intent(de, "stopp"), Some("AMAZON.StopIntent"));
    }
}
