//! One phrase table per language: the sample utterances of every intent,
//! example values of the custom slot types, and everything the skill says.
//! Adding a language is adding a table here and its locales to [`LOCALES`].
//! Templates hold `{name}` placeholders; [`fill`] inserts SSML-escaped
//! values.

mod de;
mod en;
mod es;
pub(crate) mod expand;
mod fr;
mod it;
mod nl;
mod pt;

use crate::skill::response::ssml_escape;

/// What the skill says, per language.
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
    pub queued: &'static str,
    pub my_music: &'static str,
    pub genre: &'static str,
    pub not_found: &'static str,
    pub did_you_mean: &'static str,
    pub which_name: &'static str,
    pub empty_library: &'static str,
    pub no_players: &'static str,
    pub which_room: &'static str,
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
    /// Joins the last two names of a list ("Kitchen or Living Room").
    pub or: &'static str,
}

/// A language's table.
#[derive(Debug)]
pub struct Phrases {
    /// (intent, sample utterances with `{slot}` placeholders).
    pub samples: &'static [(&'static str, &'static [&'static str])],
    /// (custom slot type, example values).
    pub values: &'static [(&'static str, &'static [&'static str])],
    pub say: Say,
}

/// Locales with a table: (locale, table).
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
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), say.or),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::intents::{CUSTOM_TYPES, INTENTS};

    #[test]
    fn every_table_covers_every_custom_intent_and_type_with_known_slots() {
        for (locale, p) in LOCALES {
            for def in INTENTS.iter().filter(|d| !d.name.starts_with("AMAZON.")) {
                let samples = p
                    .samples
                    .iter()
                    .find(|(i, _)| *i == def.name)
                    .map(|(_, s)| *s)
                    .unwrap_or_default();
                assert!(!samples.is_empty(), "{locale}: {} has no samples", def.name);
                for s in samples {
                    let mut rest = *s;
                    while let Some((_, after)) = rest.split_once('{') {
                        let (slot, tail) = after.split_once('}').unwrap();
                        assert!(
                            def.slots.iter().any(|(n, _)| *n == slot),
                            "{locale}: {}: unknown slot {slot} in {s:?}",
                            def.name
                        );
                        rest = tail;
                    }
                }
            }
            for (intent, _) in p.samples {
                assert!(
                    INTENTS.iter().any(|d| d.name == *intent),
                    "{locale}: {intent}"
                );
            }
            for t in CUSTOM_TYPES {
                assert!(
                    p.values.iter().any(|(n, v)| n == t && !v.is_empty()),
                    "{locale}: {t}"
                );
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
        assert!(std::ptr::eq(for_locale("ja-JP"), for_locale("en-US")));
        assert!(std::ptr::eq(for_locale("fr-BE"), for_locale("fr-FR")));
        let say = &for_locale("en-GB").say;
        assert_eq!(
            list(say, &["A".into(), "B".into(), "C".into()]),
            "A, B or C"
        );
    }
}
