//! The interaction model for one locale, generated from the intent table
//! ([`crate::skill::intents::INTENTS`]) and the locale's phrase table: the
//! JSON the Alexa developer console's JSON editor takes
//! (`ma-alexa-oauth skill model --locale de-DE`).

use serde_json::{Value, json};

use crate::skill::intents::{CUSTOM_TYPES, INTENTS};
use crate::skill::phrases;

pub const DEFAULT_INVOCATION: &str = "music assistant";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("no phrase table for the locale {0:?} (known: {1})")]
    Locale(String, String),
    #[error(
        "the invocation name must be two or more words of lower-case letters and spaces, \
         without \"alexa\", \"skill\" or \"app\" (got {0:?})"
    )]
    Invocation(String),
}

/// Amazon's main rules for an invocation name.
fn check_invocation(name: &str) -> Result<String, ModelError> {
    let n = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = n.split(' ').collect();
    let ok = words.len() >= 2
        && n.len() <= 50
        && n.chars()
            .all(|c| c == ' ' || c == '.' || c == '\'' || c.is_lowercase())
        && !words
            .iter()
            .any(|w| matches!(*w, "alexa" | "skill" | "app" | "echo"));
    if ok {
        Ok(n)
    } else {
        Err(ModelError::Invocation(name.to_owned()))
    }
}

/// The model document for `locale`.
pub fn model(locale: &str, invocation: &str) -> Result<Value, ModelError> {
    if !phrases::supported(locale) {
        let known: Vec<&str> = phrases::LOCALES.iter().map(|(l, _)| *l).collect();
        return Err(ModelError::Locale(locale.to_owned(), known.join(", ")));
    }
    let invocation = check_invocation(invocation)?;
    let table = phrases::for_locale(locale);
    let intents: Vec<Value> = INTENTS
        .iter()
        .map(|def| {
            let samples = table
                .samples
                .iter()
                .find(|(i, _)| *i == def.name)
                .map(|(_, s)| *s)
                .unwrap_or_default();
            let slots: Vec<Value> = def
                .slots
                .iter()
                .map(|(name, kind)| json!({"name": name, "type": kind, "samples": []}))
                .collect();
            json!({"name": def.name, "slots": slots, "samples": samples})
        })
        .collect();
    let types: Vec<Value> = CUSTOM_TYPES
        .iter()
        .map(|t| {
            let values = table
                .values
                .iter()
                .find(|(n, _)| n == t)
                .map(|(_, v)| *v)
                .unwrap_or_default();
            let values: Vec<Value> = values
                .iter()
                .map(|v| json!({"name": {"value": v}}))
                .collect();
            json!({"name": t, "values": values})
        })
        .collect();
    Ok(json!({"interactionModel": {"languageModel": {
        "invocationName": invocation,
        "intents": intents,
        "types": types,
    }}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_every_locale_and_refuses_bad_input() {
        for (locale, _) in phrases::LOCALES {
            let m = model(locale, DEFAULT_INVOCATION).unwrap();
            let lm = &m["interactionModel"]["languageModel"];
            assert_eq!(lm["invocationName"], "music assistant");
            let intents = lm["intents"].as_array().unwrap();
            assert_eq!(intents.len(), INTENTS.len());
            assert!(intents.iter().any(|i| i["name"] == "AMAZON.FallbackIntent"));
            let play = intents
                .iter()
                .find(|i| i["name"] == "PlayArtistIntent")
                .unwrap();
            assert!(play["samples"].as_array().unwrap().len() >= 4);
        }
        assert_eq!(
            model("en-GB", "  my  music ").unwrap()["interactionModel"]["languageModel"]["invocationName"],
            "my music"
        );
        assert!(matches!(
            model("xx-XX", DEFAULT_INVOCATION),
            Err(ModelError::Locale(..))
        ));
        for bad in ["music", "Music Assistant", "alexa music", "music app"] {
            assert_eq!(
                model("en-US", bad),
                Err(ModelError::Invocation(bad.into())),
                "{bad}"
            );
        }
    }
}
