//! The skill's intents (one table, shared by every locale's model) and what
//! each asks for ([`Action`]).

use crate::skill::library::Kind;
use crate::skill::request::Envelope;

/// Custom slot types (their values: the phrase tables, and with `skill
/// model --library` the library's own names; for the session: dynamic
/// entities).
pub const ROOM_TYPE: &str = "ROOM_NAME";
pub const ARTIST_TYPE: &str = "ARTIST_NAME";
pub const ALBUM_TYPE: &str = "ALBUM_NAME";
pub const SONG_TYPE: &str = "SONG_NAME";
pub const PLAYLIST_TYPE: &str = "PLAYLIST_NAME";
pub const STATION_TYPE: &str = "STATION_NAME";
pub const GENRE_TYPE: &str = "GENRE_NAME";
/// Anything that can be played: artists, albums, songs, playlists,
/// stations, genres ("play X" without saying which kind).
pub const MEDIA_TYPE: &str = "MEDIA_NAME";
/// Every custom slot type, in the order the library's names fill Amazon's
/// limit on slot values (`skill model --library`): songs and the catch-all
/// last.
pub const CUSTOM_TYPES: &[&str] = &[
    ROOM_TYPE,
    ARTIST_TYPE,
    ALBUM_TYPE,
    PLAYLIST_TYPE,
    STATION_TYPE,
    GENRE_TYPE,
    SONG_TYPE,
    MEDIA_TYPE,
];

/// An intent of the interaction model: its name, slots (name, type), and
/// the slot the skill asks for when it is missing (`required`: the dialog
/// model's elicitation, see [`crate::skill::model`]).
#[derive(Debug)]
pub struct IntentDef {
    pub name: &'static str,
    pub slots: &'static [(&'static str, &'static str)],
    pub required: Option<&'static str>,
}

const ROOM: (&str, &str) = ("room", ROOM_TYPE);
const BY: (&str, &str) = ("artist", ARTIST_TYPE);

const fn custom(
    name: &'static str,
    slots: &'static [(&'static str, &'static str)],
    required: Option<&'static str>,
) -> IntentDef {
    IntentDef {
        name,
        slots,
        required,
    }
}

const fn built_in(name: &'static str) -> IntentDef {
    IntentDef {
        name,
        slots: &[],
        required: None,
    }
}

/// Every intent. Built-in ones (`AMAZON.*`) take no slots; their samples,
/// if a phrase table gives some, extend Amazon's own.
pub const INTENTS: &[IntentDef] = &[
    // "play X": any kind, the best match wins (exact names first).
    custom(
        "PlayIntent",
        &[("query", MEDIA_TYPE), BY, ROOM],
        Some("query"),
    ),
    custom("PlayArtistIntent", &[BY, ROOM], Some("artist")),
    custom(
        "PlayAlbumIntent",
        &[("album", ALBUM_TYPE), BY, ROOM],
        Some("album"),
    ),
    custom(
        "PlaySongIntent",
        &[("song", SONG_TYPE), BY, ROOM],
        Some("song"),
    ),
    custom(
        "PlayPlaylistIntent",
        &[("playlist", PLAYLIST_TYPE), ROOM],
        Some("playlist"),
    ),
    custom(
        "PlayRadioIntent",
        &[("station", STATION_TYPE), ROOM],
        Some("station"),
    ),
    custom(
        "PlayGenreIntent",
        &[("genre", GENRE_TYPE), ROOM],
        Some("genre"),
    ),
    custom("PlayMyMusicIntent", &[ROOM], None),
    // "play X everywhere", "play music everywhere": every player, grouped.
    custom("PlayEverywhereIntent", &[("query", MEDIA_TYPE), BY], None),
    custom(
        "EnqueueIntent",
        &[("query", MEDIA_TYPE), BY, ROOM],
        Some("query"),
    ),
    custom("StopMusicIntent", &[ROOM], None),
    // "volume five" (`level`, Alexa's 0-10 scale) or "fifty percent" (`percent`).
    custom(
        "VolumeIntent",
        &[
            ("level", "AMAZON.NUMBER"),
            ("percent", "AMAZON.NUMBER"),
            ROOM,
        ],
        None,
    ),
    custom("LouderIntent", &[ROOM], None),
    custom("QuieterIntent", &[ROOM], None),
    custom("MuteIntent", &[ROOM], None),
    custom("UnmuteIntent", &[ROOM], None),
    custom("WhatsPlayingIntent", &[ROOM], None),
    custom("UseRoomIntent", &[ROOM], Some("room")),
    // Playing on the Echo itself (Music Assistant's Alexa provider): its
    // own "… play audio", "play X here", "this is the Echo Kitchen".
    custom("PlayAudioIntent", &[], None),
    custom(
        "PlayHereIntent",
        &[("query", MEDIA_TYPE), BY],
        Some("query"),
    ),
    custom("ThisEchoIntent", &[ROOM], Some("room")),
    built_in("AMAZON.PauseIntent"),
    built_in("AMAZON.ResumeIntent"),
    built_in("AMAZON.NextIntent"),
    built_in("AMAZON.PreviousIntent"),
    built_in("AMAZON.StartOverIntent"),
    built_in("AMAZON.ShuffleOnIntent"),
    built_in("AMAZON.ShuffleOffIntent"),
    built_in("AMAZON.LoopOnIntent"),
    built_in("AMAZON.LoopOffIntent"),
    built_in("AMAZON.HelpIntent"),
    built_in("AMAZON.CancelIntent"),
    built_in("AMAZON.StopIntent"),
    built_in("AMAZON.FallbackIntent"),
    built_in("AMAZON.NavigateHomeIntent"),
];

/// The definition of intent `name`.
pub fn def(name: &str) -> Option<&'static IntentDef> {
    INTENTS.iter().find(|d| d.name == name)
}

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

/// What is asked to play: a kind when the person named one ("the album
/// X"), else anything (`kind: None`: every kind is searched).
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub kind: Option<Kind>,
    pub query: String,
    /// "… by ARTIST": used to pick among names that match.
    pub artist: Option<String>,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Launch,
    Help,
    /// Cancel: goodbye, the music goes on.
    Goodbye,
    Fallback,
    /// A request that must get no response content at all
    /// (`SessionEndedRequest`, `System.ExceptionEncountered`, and any other
    /// request type this skill does not handle, such as `AudioPlayer.*`
    /// events until it plays on the Echo).
    NoAnswer,
    Play {
        wanted: Wanted,
        enqueue: bool,
        everywhere: bool,
    },
    Genre {
        genre: String,
    },
    /// `everywhere`: on every player, grouped.
    MyMusic {
        everywhere: bool,
    },
    Control(Control),
    /// "Stop" (Amazon's StopIntent): the music stops and the session ends;
    /// with no player known it is a goodbye.
    StopAll,
    /// Volume in percent ([`volume_percent`]); None: Alexa heard no number.
    Volume(Option<i64>),
    WhatsPlaying,
    UseRoom,
    /// Music Assistant's Alexa provider made this Echo say "play audio":
    /// play its pushed stream here (`crate::skill::echo`).
    PlayAudio,
    /// "Play X here", "… on this Echo": on the Echo itself.
    PlayHere {
        wanted: Wanted,
    },
    /// "This is the Echo Kitchen": which Music Assistant player this Echo
    /// is (None: not heard, the skill asks).
    ThisEcho(Option<String>),
    /// A play intent without its name slot: the slot to ask for.
    MissingName(&'static str),
    /// An intent this skill does not have (a model older or newer than us).
    Unknown,
}

impl Action {
    /// True if it needs no linked account and no Music Assistant.
    pub fn local(&self) -> bool {
        matches!(
            self,
            Action::Help | Action::Goodbye | Action::Fallback | Action::NoAnswer | Action::Unknown
        )
    }
}

/// The action of a request.
pub fn action(env: &Envelope) -> Action {
    match env.request.kind.as_str() {
        "LaunchRequest" => return Action::Launch,
        "IntentRequest" => {}
        _ => return Action::NoAnswer,
    }
    let name = env
        .request
        .intent
        .as_ref()
        .map(|i| i.name.as_str())
        .unwrap_or("");
    // "… by ARTIST" (not the artist intent's own name slot).
    let artist = env.slot("artist");
    let play = |kind: Option<Kind>, slot: &'static str, enqueue: bool| match env.slot(slot) {
        Some(query) => Action::Play {
            wanted: Wanted {
                kind,
                query,
                artist: artist.clone().filter(|_| slot != "artist"),
            },
            enqueue,
            everywhere: false,
        },
        None => Action::MissingName(slot),
    };
    match name {
        "PlayIntent" => play(None, "query", false),
        "PlayArtistIntent" => play(Some(Kind::Artist), "artist", false),
        "PlayAlbumIntent" => play(Some(Kind::Album), "album", false),
        "PlaySongIntent" => play(Some(Kind::Track), "song", false),
        "PlayPlaylistIntent" => play(Some(Kind::Playlist), "playlist", false),
        "PlayRadioIntent" => play(Some(Kind::Radio), "station", false),
        "EnqueueIntent" => play(None, "query", true),
        "PlayEverywhereIntent" => match play(None, "query", false) {
            Action::Play { wanted, .. } => Action::Play {
                wanted,
                enqueue: false,
                everywhere: true,
            },
            _ => Action::MyMusic { everywhere: true },
        },
        "PlayGenreIntent" => match env.slot("genre") {
            Some(genre) => Action::Genre { genre },
            None => Action::MissingName("genre"),
        },
        "PlayMyMusicIntent" => Action::MyMusic { everywhere: false },
        "VolumeIntent" => Action::Volume(volume_percent(env)),
        "WhatsPlayingIntent" => Action::WhatsPlaying,
        "UseRoomIntent" => Action::UseRoom,
        "PlayAudioIntent" => Action::PlayAudio,
        "PlayHereIntent" => match play(None, "query", false) {
            Action::Play { wanted, .. } => Action::PlayHere { wanted },
            other => other,
        },
        "ThisEchoIntent" => Action::ThisEcho(env.slot("room")),
        "AMAZON.HelpIntent" => Action::Help,
        "AMAZON.StopIntent" => Action::StopAll,
        "AMAZON.CancelIntent" | "AMAZON.NavigateHomeIntent" => Action::Goodbye,
        "AMAZON.FallbackIntent" => Action::Fallback,
        other => match control(other) {
            Some(c) => Action::Control(c),
            None => Action::Unknown,
        },
    }
}

/// The volume asked for, in percent: a number said with "percent"
/// (`percent`) as said; a bare number (`level`) from 0 to 10 on Alexa's own
/// scale ("volume five": 50), above 10 as percent ("volume thirty"). Out
/// of range stays out of range for the caller to refuse.
pub fn volume_percent(env: &Envelope) -> Option<i64> {
    if let Some(p) = env.slot("percent") {
        return p.parse().ok();
    }
    let level: i64 = env.slot("level")?.parse().ok()?;
    Some(if (0..=10).contains(&level) {
        level * 10
    } else {
        level
    })
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
            assert!(!matches!(a, Action::MissingName(_)), "{}", def.name);
            if let Some(r) = def.required {
                assert!(def.slots.iter().any(|(n, _)| *n == r), "{}", def.name);
            }
        }
        assert_eq!(
            action(&intent("PlayArtistIntent", json!({}))),
            Action::MissingName("artist")
        );
        assert_eq!(action(&intent("Nope", json!({}))), Action::Unknown);
        assert_eq!(
            action(&intent("VolumeIntent", json!({"level": {"value": "?"}}))),
            Action::Volume(None)
        );
        assert_eq!(
            action(&intent("PlayEverywhereIntent", json!({}))),
            Action::MyMusic { everywhere: true }
        );
        // The artist intent's name is no "by".
        let a = action(&intent(
            "PlayArtistIntent",
            json!({"artist": {"value": "midnite owls"}}),
        ));
        assert!(
            matches!(
                a,
                Action::Play {
                    wanted: Wanted { artist: None, .. },
                    ..
                }
            ),
            "{a:?}"
        );
    }

    #[test]
    fn a_volume_said_in_percent_is_that_percent_and_a_bare_level_is_alexas_scale() {
        let v = |slots: serde_json::Value| action(&intent("VolumeIntent", slots));
        // "ten percent" is 10 %, not Alexa's "volume ten" (100 %).
        assert_eq!(
            v(json!({"percent": {"value": "10"}})),
            Action::Volume(Some(10))
        );
        assert_eq!(
            v(json!({"percent": {"value": "5"}})),
            Action::Volume(Some(5))
        );
        assert_eq!(
            v(json!({"percent": {"value": "50"}})),
            Action::Volume(Some(50))
        );
        assert_eq!(
            v(json!({"level": {"value": "5"}})),
            Action::Volume(Some(50))
        );
        assert_eq!(
            v(json!({"level": {"value": "10"}})),
            Action::Volume(Some(100))
        );
        assert_eq!(v(json!({"level": {"value": "0"}})), Action::Volume(Some(0)));
        assert_eq!(
            v(json!({"level": {"value": "30"}})),
            Action::Volume(Some(30))
        );
        // Out of range is left for the skill to refuse with a question.
        assert_eq!(
            v(json!({"percent": {"value": "150"}})),
            Action::Volume(Some(150))
        );
        assert_eq!(
            v(json!({"level": {"value": "-3"}})),
            Action::Volume(Some(-3))
        );
        assert_eq!(v(json!({"percent": {"value": "?"}})), Action::Volume(None));
        assert_eq!(v(json!({})), Action::Volume(None));
    }

    #[test]
    fn requests_that_take_no_answer_are_recognised() {
        for kind in [
            "SessionEndedRequest",
            "System.ExceptionEncountered",
            "AudioPlayer.PlaybackStarted",
            "PlaybackController.NextCommandIssued",
            "Something.New",
        ] {
            let env: Envelope = serde_json::from_value(json!({"request": {"type": kind}})).unwrap();
            assert_eq!(action(&env), Action::NoAnswer, "{kind}");
        }
    }
}
