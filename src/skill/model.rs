//! The interaction model for one locale, generated from the intent table
//! ([`crate::skill::intents::INTENTS`]) and the locale's phrase table: the
//! JSON the Alexa developer console's JSON editor takes
//! (`ma-alexa-oauth skill model --locale de-DE`). It holds the language
//! model (intents, samples, slot types with values, and each slot's
//! answers), a dialog model (the slot each play intent and "use the
//! kitchen" asks for when missing, so the skill can elicit it: see
//! [`crate::skill::dialog`]) and its prompts. With `--library`, the slot
//! types also hold the user's own names ([`LibraryValues`]).
//!
//! The invocation name is checked against Amazon's rules
//! ([`check_invocation`]); each refusal is one line saying which rule.

use serde_json::{Value, json};

use crate::skill::intents::{CUSTOM_TYPES, INTENTS, IntentDef};
use crate::skill::phrases::{self, Phrases};

/// Amazon's limit on custom slot values, summed over every custom slot
/// type of a skill.
pub const MAX_SLOT_VALUES: usize = 50_000;
/// The longest slot value taken.
pub const MAX_VALUE_CHARS: usize = 140;
/// The longest invocation name taken.
pub const MAX_INVOCATION_CHARS: usize = 50;

/// Alexa's wake words and the words "skill" and "app": never in an
/// invocation name, in any language.
const WAKE_WORDS: &[&str] = &[
    "alexa", "amazon", "echo", "computer", "ziggy", "skill", "app",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("no phrase table for the locale {0:?} (known: {1})")]
    Locale(String, String),
    /// The name and the rule it breaks, in words.
    #[error("the invocation name {0:?} {1}")]
    Invocation(String, String),
}

/// The language as the developer console names it ("English (CA)").
pub fn console_language(locale: &str) -> String {
    let (lang, country) = locale.split_once('-').unwrap_or((locale, ""));
    let language = match lang {
        "en" => "English",
        "de" => "German",
        "fr" => "French",
        "es" => "Spanish",
        "it" => "Italian",
        "nl" => "Dutch",
        "pt" => "Portuguese",
        "ja" => "Japanese",
        "hi" => "Hindi",
        "ar" => "Arabic",
        other => other,
    };
    let country = match (lang, country) {
        ("en", "GB") => "UK",
        (_, c) => c,
    };
    format!("{language} ({country})")
}

/// The invocation name `skill model` uses for `locale` unless told otherwise.
pub fn default_invocation(locale: &str) -> &'static str {
    phrases::for_locale(locale).invocation.default
}

fn refuse(name: &str, why: impl Into<String>) -> ModelError {
    ModelError::Invocation(name.to_owned(), why.into())
}

/// One word of an invocation name: lower-case letters, optionally a
/// possessive ("sam's", "kids'"); or one letter and a period, as in an
/// abbreviation ("a. b. c.").
fn word_shape(w: &str) -> bool {
    let letters =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphabetic() && c.is_lowercase());
    let mut chars = w.chars();
    let abbreviation = matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_alphabetic() && c.is_lowercase());
    abbreviation
        || letters(w)
        || w.strip_suffix("'s").is_some_and(letters)
        || w.strip_suffix("s'").is_some_and(letters)
}

/// Amazon's invocation name rules, as an accept-list: words of lower-case
/// letters (a possessive apostrophe, or one letter and a period for an
/// abbreviation), separated by single spaces, at most 50 characters; two or
/// more words (a German skill may use one compound word); none of them a
/// wake word or a word Alexa uses to open a skill or join a request to its
/// name; a two-word name without an article or a preposition. Numbers are
/// spelled out. The name that passes, spaces collapsed.
pub fn check_invocation(name: &str, table: &Phrases) -> Result<String, ModelError> {
    let n = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() {
        return Err(refuse(name, "is empty"));
    }
    if n.chars().count() > MAX_INVOCATION_CHARS {
        return Err(refuse(name, "is longer than 50 characters"));
    }
    if n.chars().any(|c| c.is_ascii_digit()) {
        return Err(refuse(
            name,
            "has a digit: spell numbers out (\"twenty one\")",
        ));
    }
    if n.chars().any(char::is_uppercase) {
        return Err(refuse(
            name,
            format!(
                "has capital letters: write it in lower case ({:?})",
                n.to_lowercase()
            ),
        ));
    }
    let words: Vec<&str> = n.split(' ').collect();
    if let Some(w) = words.iter().find(|w| !word_shape(w)) {
        let why = if w.contains('.') {
            format!(
                "has a period in {w:?}: periods only in abbreviations, one after each letter (\"a. b. c.\")"
            )
        } else {
            format!(
                "has {w:?}: only lower-case letters, spaces, a possessive apostrophe (\"sam's\") and the periods of an abbreviation (\"a. b. c.\")"
            )
        };
        return Err(refuse(name, why));
    }
    if let Some(w) = words.iter().find(|w| WAKE_WORDS.contains(w)) {
        return Err(refuse(
            name,
            format!(
                "contains {w:?}: Alexa's wake words (alexa, amazon, echo, computer, ziggy) and the words skill and app are not allowed"
            ),
        ));
    }
    let inv = &table.invocation;
    if let Some(w) = words.iter().find(|w| inv.launch_words.contains(w)) {
        return Err(refuse(
            name,
            format!(
                "contains {w:?}: Alexa uses it to open a skill or to join a request to the name (\"{}\")",
                inv.launch_words
                    .iter()
                    .take(6)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\", \"")
            ),
        ));
    }
    match words.as_slice() {
        [one] if inv.compound_word && one.chars().count() >= 8 => {}
        [_] => {
            let also = if inv.compound_word {
                " (or one compound word)"
            } else {
                ""
            };
            return Err(refuse(name, format!("is one word: use two or more{also}")));
        }
        [a, b] => {
            if let Some(w) = [a, b].into_iter().find(|w| inv.small_words.contains(w)) {
                return Err(refuse(
                    name,
                    format!(
                        "is two words, one of them {w:?}: a two-word name cannot hold an article or a preposition"
                    ),
                ));
            }
        }
        _ => {}
    }
    Ok(n)
}

/// Names of the user's own library for the slot types (`skill model
/// --library`): (custom slot type, names), most-played first.
pub type LibraryValues = Vec<(&'static str, Vec<String>)>;

/// A library name as a slot value, or None: control characters and the
/// braces of sample syntax dropped, "&" and "+" said as the language's
/// "and", whitespace collapsed, 1 to 140 characters.
pub fn slot_value(name: &str, and: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '&' | '+' => {
                out.push(' ');
                out.push_str(and);
                out.push(' ');
            }
            '{' | '}' | '[' | ']' | '<' | '>' | '|' | '\\' | '"' | '*' | '#' | '@' | '~' | '^'
            | '=' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    let v = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!v.is_empty() && v.chars().count() <= MAX_VALUE_CHARS).then_some(v)
}

/// The model document for `locale` (the table's default invocation name
/// unless `invocation` is given).
pub fn model(locale: &str, invocation: Option<&str>) -> Result<Value, ModelError> {
    model_with(locale, invocation, &Vec::new())
}

/// The model document with the library's own names among the values.
pub fn model_with(
    locale: &str,
    invocation: Option<&str>,
    library: &LibraryValues,
) -> Result<Value, ModelError> {
    if !phrases::supported(locale) {
        let known: Vec<&str> = phrases::LOCALES.iter().map(|(l, _)| *l).collect();
        return Err(ModelError::Locale(locale.to_owned(), known.join(", ")));
    }
    let table = phrases::for_locale(locale);
    let invocation = check_invocation(invocation.unwrap_or(table.invocation.default), table)?;
    let intents: Vec<Value> = INTENTS.iter().map(|def| intent(table, def)).collect();
    let types = slot_types(table, library);
    let dialog: Vec<Value> = INTENTS
        .iter()
        .filter(|d| d.required.is_some())
        .map(|d| dialog_intent(d))
        .collect();
    let prompts: Vec<Value> = INTENTS
        .iter()
        .filter_map(|d| d.required.map(|slot| (d, slot)))
        .map(|(d, slot)| {
            let text = if slot == "room" {
                table.say.room_prompt
            } else {
                table.say.which_name
            };
            json!({"id": prompt_id(d.name, slot),
                "variations": [{"type": "PlainText", "value": text}]})
        })
        .collect();
    Ok(json!({"interactionModel": {
        "languageModel": {
            "invocationName": invocation,
            "intents": intents,
            "types": types,
        },
        "dialog": {"delegationStrategy": "SKILL_RESPONSE", "intents": dialog},
        "prompts": prompts,
    }}))
}

fn samples_of(
    list: &'static [(&'static str, &'static [&'static str])],
    key: &str,
) -> &'static [&'static str] {
    list.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, s)| *s)
        .unwrap_or_default()
}

fn intent(table: &Phrases, def: &IntentDef) -> Value {
    let slots: Vec<Value> = def
        .slots
        .iter()
        .map(|(name, kind)| {
            json!({"name": name, "type": kind, "samples": samples_of(table.answers, name)})
        })
        .collect();
    json!({"name": def.name, "slots": slots, "samples": samples_of(table.samples, def.name)})
}

fn prompt_id(intent: &str, slot: &str) -> String {
    format!("Elicit.Slot.{intent}.{slot}")
}

/// The dialog model of an intent with a slot the skill asks for; the skill
/// manages the dialog itself (`SKILL_RESPONSE`: no automatic delegation).
fn dialog_intent(def: &IntentDef) -> Value {
    let slots: Vec<Value> = def
        .slots
        .iter()
        .map(|(name, kind)| {
            let asked = def.required == Some(*name);
            let prompts = if asked {
                json!({"elicitation": prompt_id(def.name, name)})
            } else {
                json!({})
            };
            json!({"name": name, "type": kind, "elicitationRequired": asked,
                "confirmationRequired": false, "prompts": prompts})
        })
        .collect();
    json!({"name": def.name, "delegationStrategy": "SKILL_RESPONSE",
        "confirmationRequired": false, "prompts": {}, "slots": slots})
}

/// Every custom slot type with its values: the library's own names first
/// (most-played first), then the table's examples, each once; the
/// library's names stop where [`MAX_SLOT_VALUES`] (less the examples,
/// which always stay) is reached.
fn slot_types(table: &Phrases, library: &LibraryValues) -> Vec<Value> {
    let examples_of = |t: &str| -> Vec<&'static str> {
        table
            .values
            .iter()
            .filter(|(n, _)| *n == t)
            .flat_map(|(_, v)| v.iter().copied())
            .collect()
    };
    let examples: usize = CUSTOM_TYPES.iter().map(|t| examples_of(t).len()).sum();
    let mut own_budget = MAX_SLOT_VALUES.saturating_sub(examples);
    CUSTOM_TYPES
        .iter()
        .map(|t| {
            let mut seen = std::collections::HashSet::new();
            let mut values = Vec::new();
            let mut add = |v: &str, values: &mut Vec<Value>| -> bool {
                let Some(v) = slot_value(v, table.say.and) else {
                    return false;
                };
                if !seen.insert(v.to_lowercase()) {
                    return false;
                }
                values.push(json!({"name": {"value": v}}));
                true
            };
            let own = library
                .iter()
                .filter(|(n, _)| n == t)
                .flat_map(|(_, v)| v.iter());
            for v in own {
                if own_budget == 0 {
                    break;
                }
                if add(v, &mut values) {
                    own_budget -= 1;
                }
            }
            for v in examples_of(t) {
                add(v, &mut values);
            }
            json!({"name": t, "values": values})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test per name issue 18 found accepted: each refused with one
    /// line naming the rule.
    macro_rules! refused {
        ($($test:ident: $locale:literal, $name:literal, $says:literal;)*) => {$(
            #[test]
            fn $test() {
                let table = phrases::for_locale($locale);
                let err = check_invocation($name, table).unwrap_err();
                let line = err.to_string();
                assert!(!line.contains('\n'), "{line}");
                assert!(line.contains($name), "{line}");
                assert!(line.contains($says), "{line}");
                assert!(model($locale, Some($name)).is_err());
            }
        )*};
    }

    refused! {
        invocation_amazon_music_is_refused: "en-US", "amazon music", "wake words";
        invocation_computer_music_is_refused: "en-US", "computer music", "wake words";
        invocation_open_music_box_is_refused: "en-US", "open music box", "\"open\": Alexa uses it";
        invocation_ask_music_box_is_refused: "en-US", "ask music box", "\"ask\": Alexa uses it";
        invocation_launch_music_box_is_refused: "en-GB", "launch music box", "\"launch\": Alexa uses it";
        invocation_tell_music_box_is_refused: "en-US", "tell music box", "\"tell\": Alexa uses it";
        invocation_oeffne_musik_box_is_refused: "de-DE", "öffne musik box", "\"öffne\": Alexa uses it";
        invocation_frage_musik_box_is_refused: "de-DE", "frage musik box", "\"frage\": Alexa uses it";
        invocation_music_for_kids_is_refused: "en-US", "music for kids", "\"for\": Alexa uses it";
        invocation_musik_fuer_kinder_is_refused: "de-DE", "musik für kinder", "\"für\": Alexa uses it";
        invocation_the_music_is_refused: "en-US", "the music", "article or a preposition";
        invocation_die_musik_is_refused: "de-DE", "die musik", "article or a preposition";
        invocation_music_box_with_a_period_is_refused: "en-US", "music box.", "periods only in abbreviations";
        invocation_with_a_digit_is_refused: "en-US", "music 4 you", "spell numbers out";
        invocation_with_capitals_is_refused: "en-US", "Music Assistant", "lower case";
        invocation_of_one_word_is_refused: "en-US", "music", "one word";
        invocation_with_app_is_refused: "en-US", "music app", "skill and app";
        invocation_with_alexa_is_refused: "en-IN", "alexa music", "wake words";
    }

    #[test]
    fn invocation_names_amazon_takes_are_accepted() {
        for (locale, name) in [
            ("en-US", "music assistant"),
            ("en-AU", "sam's music box"),
            ("en-US", "a. b. c. radio"),
            ("en-CA", "my music"),
            ("de-DE", "musik assistent"),
            ("de-DE", "musikassistent"),
            ("de-DE", "music assistant"),
        ] {
            let table = phrases::for_locale(locale);
            assert_eq!(
                check_invocation(name, table).as_deref(),
                Ok(name),
                "{locale} {name}"
            );
        }
        let en = phrases::for_locale("en-US");
        assert!(
            check_invocation("musikassistent", en).is_err(),
            "one word: German only"
        );
    }

    #[test]
    fn generates_every_locale_and_refuses_bad_input() {
        for (locale, table) in phrases::LOCALES {
            let m = model(locale, None).unwrap();
            let lm = &m["interactionModel"]["languageModel"];
            assert_eq!(lm["invocationName"], table.invocation.default);
            let intents = lm["intents"].as_array().unwrap();
            assert_eq!(intents.len(), INTENTS.len());
            assert!(intents.iter().any(|i| i["name"] == "AMAZON.FallbackIntent"));
            let play = intents.iter().find(|i| i["name"] == "PlayIntent").unwrap();
            assert!(play["samples"].as_array().unwrap().len() >= 4);
            let room = play["slots"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == "room")
                .unwrap();
            assert!(
                room["samples"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("{room}"))
            );
            let dialog = &m["interactionModel"]["dialog"];
            assert_eq!(dialog["delegationStrategy"], "SKILL_RESPONSE");
            let use_room = dialog["intents"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["name"] == "UseRoomIntent")
                .unwrap();
            assert_eq!(use_room["slots"][0]["elicitationRequired"], true);
            let prompts = m["interactionModel"]["prompts"].as_array().unwrap();
            assert!(
                prompts
                    .iter()
                    .any(|p| p["id"] == "Elicit.Slot.PlayIntent.query")
            );
            check_invocation(table.invocation.default, table).unwrap();
        }
        assert_eq!(default_invocation("de-DE"), "musik assistent");
        assert_eq!(console_language("en-GB"), "English (UK)");
        assert_eq!(console_language("en-IN"), "English (IN)");
        assert_eq!(console_language("de-DE"), "German (DE)");
        assert_eq!(default_invocation("en-IN"), "music assistant");
        assert_eq!(
            model("en-GB", Some("  my  music ")).unwrap()["interactionModel"]["languageModel"]["invocationName"],
            "my music"
        );
        assert!(matches!(model("xx-XX", None), Err(ModelError::Locale(..))));
    }

    #[test]
    fn library_names_become_slot_values_within_amazons_limits() {
        let lib: LibraryValues = vec![
            (
                "ARTIST_NAME",
                vec![
                    "Simon & Garfunkel".into(),
                    "AC/DC".into(),
                    "simon & garfunkel".into(),
                ],
            ),
            (
                "PLAYLIST_NAME",
                vec!["Rock + Roll {Mix}".into(), "\u{7}".into(), "x".repeat(141)],
            ),
            (
                "SONG_NAME",
                (0..60_000).map(|i| format!("Song {i}")).collect(),
            ),
        ];
        let m = model_with("en-US", None, &lib).unwrap();
        let types = m["interactionModel"]["languageModel"]["types"]
            .as_array()
            .unwrap();
        let values = |t: &str| -> Vec<String> {
            types.iter().find(|x| x["name"] == t).unwrap()["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"]["value"].as_str().unwrap().to_owned())
                .collect()
        };
        let artists = values("ARTIST_NAME");
        assert_eq!(
            artists[0], "Simon and Garfunkel",
            "most-played first, & said as and"
        );
        assert_eq!(artists[1], "AC/DC");
        assert_eq!(
            artists
                .iter()
                .filter(|a| a.to_lowercase() == "simon and garfunkel")
                .count(),
            1
        );
        assert!(
            artists.contains(&"The Beatles".to_string()),
            "the examples stay"
        );
        let playlists = values("PLAYLIST_NAME");
        assert_eq!(playlists[0], "Rock and Roll Mix");
        assert!(
            playlists
                .iter()
                .all(|p| p.chars().count() <= MAX_VALUE_CHARS && !p.trim().is_empty())
        );
        let total: usize = types
            .iter()
            .map(|t| t["values"].as_array().unwrap().len())
            .sum();
        assert!(
            (MAX_SLOT_VALUES - 5..=MAX_SLOT_VALUES).contains(&total),
            "the rest is cut at Amazon's limit: {total}"
        );
        assert!(
            values("MEDIA_NAME").contains(&"jazz".to_string()),
            "every type keeps its examples"
        );
        let de = model_with("de-DE", None, &lib).unwrap();
        assert!(de.to_string().contains("Simon und Garfunkel"));
    }
}
