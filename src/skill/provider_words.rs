//! What Music Assistant's Alexa provider has an Echo say, per language
//! (its fixed "play audio" texts), and what `GET /alexa/intents` tells it
//! to have the Echo say for pause, resume and stop.

use serde_json::json;

/// What Music Assistant's Alexa provider has an Echo say, per language
/// (its own play text, fixed in the provider), and what this server's
/// `/alexa/intents` tells it to say for pause, resume and stop: the
/// provider says `"{invocationName} {first utterance}"`, so the
/// invocation name given is the language's way to address the skill
/// ("ask music assistant to"), and each utterance a sample of the intent
/// in this language's table. The skill's invocation name must be "music
/// assistant": the provider's play texts say it.
#[derive(Debug)]
pub struct ProviderLanguage {
    /// Language code of the provider's "Alexa Language" (en-US → en).
    pub lang: &'static str,
    /// The provider's play text (its `ALEXA_LANGUAGE_COMMANDS`).
    pub play_text: &'static str,
    /// `PlayAudioIntent`'s sample in it (None: the text is a launch).
    pub play: Option<&'static str>,
    pub invocation: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub stop: &'static str,
}

const ENGLISH: ProviderLanguage = ProviderLanguage {
    lang: "en",
    play_text: "ask music assistant to play audio",
    play: Some("play audio"),
    invocation: "ask music assistant to",
    pause: "pause the music",
    resume: "resume the music",
    stop: "stop the music",
};

/// The provider's languages (en-US, de-DE, es-ES, fr-FR, it-IT).
pub const PROVIDER_LANGUAGES: &[ProviderLanguage] = &[
    ENGLISH,
    ProviderLanguage {
        lang: "de",
        play_text: "sag music assistant spiele audio",
        play: Some("spiele audio"),
        invocation: "sag music assistant",
        pause: "pausiere die musik",
        resume: "spiel weiter",
        stop: "stoppe die musik",
    },
    ProviderLanguage {
        lang: "es",
        play_text: "pídele a music assistant que reproduzca audio",
        play: Some("reproduzca audio"),
        invocation: "pídele a music assistant que",
        pause: "pause la música",
        resume: "reanude",
        stop: "detenga la música",
    },
    ProviderLanguage {
        lang: "fr",
        play_text: "music assistant",
        play: None,
        invocation: "demande à music assistant de",
        pause: "mettre la musique en pause",
        resume: "reprendre la musique",
        stop: "arrêter la musique",
    },
    ProviderLanguage {
        lang: "it",
        play_text: "chiedi a music assistant di riprodurre audio",
        play: Some("riprodurre audio"),
        invocation: "chiedi a music assistant di",
        pause: "mettere in pausa",
        resume: "riprendere",
        stop: "fermare la musica",
    },
];

/// The provider's language for `locale` (English for any other).
pub fn provider_language(locale: &str) -> &'static ProviderLanguage {
    let lang = locale.split(['-', '_']).next().unwrap_or("");
    PROVIDER_LANGUAGES
        .iter()
        .find(|l| l.lang.eq_ignore_ascii_case(lang))
        .unwrap_or(&ENGLISH)
}

/// `GET /alexa/intents` for `locale`: what the provider reads.
pub fn provider_intents(locale: &str) -> serde_json::Value {
    let l = provider_language(locale);
    json!({
        "invocationName": l.invocation,
        "intents": [
            {"intent": "PlayAudioIntent", "utterances": [l.play.unwrap_or("")]},
            {"intent": "AMAZON.PauseIntent", "utterances": [l.pause]},
            {"intent": "AMAZON.ResumeIntent", "utterances": [l.resume]},
            {"intent": "AMAZON.StopIntent", "utterances": [l.stop]},
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::phrases;

    /// Each provider language with a phrase table: the words its Echos are
    /// told are samples of the intended intents there.
    #[test]
    fn the_providers_words_are_samples_of_the_intended_intents() {
        let mut checked = 0;
        for l in PROVIDER_LANGUAGES {
            let locale = phrases::LOCALES
                .iter()
                .find(|(loc, _)| loc.split('-').next() == Some(l.lang));
            let Some((locale, table)) = locale else {
                continue;
            };
            let has = |intents: &[&str], text: &str| {
                table
                    .samples
                    .iter()
                    .any(|(i, samples)| intents.contains(i) && samples.contains(&text))
            };
            if let Some(play) = l.play {
                assert!(has(&["PlayAudioIntent"], play), "{locale}: {play:?}");
                assert!(l.play_text.ends_with(play), "{locale}");
            }
            assert!(
                has(&["AMAZON.PauseIntent"], l.pause),
                "{locale}: {:?}",
                l.pause
            );
            assert!(
                has(&["AMAZON.ResumeIntent"], l.resume),
                "{locale}: {:?}",
                l.resume
            );
            assert!(
                has(&["StopMusicIntent", "AMAZON.StopIntent"], l.stop),
                "{locale}: {:?}",
                l.stop
            );
            let doc = provider_intents(locale);
            assert_eq!(doc["invocationName"], l.invocation);
            assert_eq!(doc["intents"][1]["utterances"][0], l.pause);
            checked += 1;
        }
        assert!(checked >= 2, "English and German at least");
        assert_eq!(provider_language("nl-NL").lang, "en");
        assert_eq!(provider_language("de-AT").lang, "de");
    }
}
