//! The skill's intents (one table, shared by every locale's model) and what
//! each asks for ([`Action`]).

use crate::skill::library::Kind;
use crate::skill::request::Envelope;

/// Custom slot types (their values: the phrase tables; for the session:
/// dynamic entities).
pub const ROOM_TYPE: &str = "ROOM_NAME";
pub const ARTIST_TYPE: &str = "ARTIST_NAME";
pub const ALBUM_TYPE: &str = "ALBUM_NAME";
pub const SONG_TYPE: &str = "SONG_NAME";
pub const PLAYLIST_TYPE: &str = "PLAYLIST_NAME";
pub const STATION_TYPE: &str = "STATION_NAME";
pub const CUSTOM_TYPES: &[&str] = &[
    ROOM_TYPE,
    ARTIST_TYPE,
    ALBUM_TYPE,
    SONG_TYPE,
    PLAYLIST_TYPE,
    STATION_TYPE,
];

/// An intent of the interaction model: its name and slots (name, type).
#[derive(Debug)]
pub struct IntentDef {
    pub name: &'static str,
    pub slots: &'static [(&'static str, &'static str)],
}

const ROOM: (&str, &str) = ("room", ROOM_TYPE);

/// Every intent; built-in ones (`AMAZON.*`) get no sample utterances of ours
/// unless the phrase table gives some.
pub const INTENTS: &[IntentDef] = &[
    IntentDef {
        name: "PlayArtistIntent",
        slots: &[("artist", ARTIST_TYPE), ROOM],
    },
    IntentDef {
        name: "PlayAlbumIntent",
        slots: &[("album", ALBUM_TYPE), ROOM],
    },
    IntentDef {
        name: "PlaySongIntent",
        slots: &[("song", SONG_TYPE), ROOM],
    },
    IntentDef {
        name: "PlayPlaylistIntent",
        slots: &[("playlist", PLAYLIST_TYPE), ROOM],
    },
    IntentDef {
        name: "PlayRadioIntent",
        slots: &[("station", STATION_TYPE), ROOM],
    },
    IntentDef {
        name: "PlayGenreIntent",
        slots: &[("genre", "AMAZON.Genre"), ROOM],
    },
    IntentDef {
        name: "PlayMyMusicIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "EnqueueIntent",
        slots: &[("song", SONG_TYPE), ROOM],
    },
    IntentDef {
        name: "StopMusicIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "VolumeIntent",
        slots: &[("level", "AMAZON.NUMBER"), ROOM],
    },
    IntentDef {
        name: "LouderIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "QuieterIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "MuteIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "UnmuteIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "WhatsPlayingIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "UseRoomIntent",
        slots: &[ROOM],
    },
    IntentDef {
        name: "AMAZON.PauseIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.ResumeIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.NextIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.PreviousIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.StartOverIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.ShuffleOnIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.ShuffleOffIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.LoopOnIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.LoopOffIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.HelpIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.CancelIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.StopIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.FallbackIntent",
        slots: &[],
    },
    IntentDef {
        name: "AMAZON.NavigateHomeIntent",
        slots: &[],
    },
];

/// A player command without arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Stop,
    Next,
    Previous,
    StartOver,
    ShuffleOn,
    ShuffleOff,
    RepeatOn,
    RepeatOff,
    Louder,
    Quieter,
    Mute,
    Unmute,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Launch,
    Help,
    Goodbye,
    Fallback,
    SessionEnded,
    /// `kind: None`: anything that matches (add … to the queue).
    Play {
        kind: Option<Kind>,
        query: String,
        enqueue: bool,
    },
    Genre {
        genre: String,
    },
    MyMusic,
    Control(Control),
    /// Volume 0-100; None: Alexa heard no number.
    Volume(Option<i64>),
    WhatsPlaying,
    UseRoom,
    /// A play intent without its name slot: ask for it.
    MissingName,
    /// An intent this skill does not have (a model older or newer than us).
    Unknown,
}

impl Action {
    /// True if it needs no linked account and no Music Assistant.
    pub fn local(&self) -> bool {
        matches!(
            self,
            Action::Help
                | Action::Goodbye
                | Action::Fallback
                | Action::SessionEnded
                | Action::Unknown
        )
    }
}

/// The action of a request.
pub fn action(env: &Envelope) -> Action {
    match env.request.kind.as_str() {
        "LaunchRequest" => return Action::Launch,
        "SessionEndedRequest" => return Action::SessionEnded,
        "IntentRequest" => {}
        _ => return Action::Unknown,
    }
    let name = env
        .request
        .intent
        .as_ref()
        .map(|i| i.name.as_str())
        .unwrap_or("");
    let play = |kind: Option<Kind>, slot: &str, enqueue: bool| match env.slot(slot) {
        Some(query) => Action::Play {
            kind,
            query,
            enqueue,
        },
        None => Action::MissingName,
    };
    match name {
        "PlayArtistIntent" => play(Some(Kind::Artist), "artist", false),
        "PlayAlbumIntent" => play(Some(Kind::Album), "album", false),
        "PlaySongIntent" => play(Some(Kind::Track), "song", false),
        "PlayPlaylistIntent" => play(Some(Kind::Playlist), "playlist", false),
        "PlayRadioIntent" => play(Some(Kind::Radio), "station", false),
        "EnqueueIntent" => play(None, "song", true),
        "PlayGenreIntent" => match env.slot("genre") {
            Some(genre) => Action::Genre { genre },
            None => Action::MissingName,
        },
        "PlayMyMusicIntent" => Action::MyMusic,
        "VolumeIntent" => Action::Volume(env.slot("level").and_then(|l| l.parse().ok())),
        "WhatsPlayingIntent" => Action::WhatsPlaying,
        "UseRoomIntent" => Action::UseRoom,
        "AMAZON.HelpIntent" => Action::Help,
        "AMAZON.CancelIntent" | "AMAZON.StopIntent" | "AMAZON.NavigateHomeIntent" => {
            Action::Goodbye
        }
        "AMAZON.FallbackIntent" => Action::Fallback,
        other => match control(other) {
            Some(c) => Action::Control(c),
            None => Action::Unknown,
        },
    }
}

fn control(intent: &str) -> Option<Control> {
    Some(match intent {
        "AMAZON.PauseIntent" => Control::Pause,
        "AMAZON.ResumeIntent" => Control::Resume,
        "StopMusicIntent" => Control::Stop,
        "AMAZON.NextIntent" => Control::Next,
        "AMAZON.PreviousIntent" => Control::Previous,
        "AMAZON.StartOverIntent" => Control::StartOver,
        "AMAZON.ShuffleOnIntent" => Control::ShuffleOn,
        "AMAZON.ShuffleOffIntent" => Control::ShuffleOff,
        "AMAZON.LoopOnIntent" => Control::RepeatOn,
        "AMAZON.LoopOffIntent" => Control::RepeatOff,
        "LouderIntent" => Control::Louder,
        "QuieterIntent" => Control::Quieter,
        "MuteIntent" => Control::Mute,
        "UnmuteIntent" => Control::Unmute,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intent(name: &str, slots: serde_json::Value) -> Envelope {
        serde_json::from_value(json!({"request": {"type": "IntentRequest",
            "intent": {"name": name, "slots": slots}}}))
        .unwrap()
    }

    #[test]
    fn every_intent_of_the_table_has_an_action() {
        for def in INTENTS {
            let slots: serde_json::Map<String, serde_json::Value> = def
                .slots
                .iter()
                .map(|(n, _)| (n.to_string(), json!({"name": n, "value": "7"})))
                .collect();
            let a = action(&intent(def.name, serde_json::Value::Object(slots)));
            assert_ne!(a, Action::Unknown, "{}", def.name);
            assert_ne!(a, Action::MissingName, "{}", def.name);
        }
        assert_eq!(
            action(&intent("PlayArtistIntent", json!({}))),
            Action::MissingName
        );
        assert_eq!(action(&intent("Nope", json!({}))), Action::Unknown);
        assert_eq!(
            action(&intent("VolumeIntent", json!({"level": {"value": "?"}}))),
            Action::Volume(None)
        );
    }
}
