//! Playing on the Echo itself (Amazon's AudioPlayer and PlaybackController
//! interfaces): the directives the skill answers with (`AudioPlayer.Play`
//! with a relay URL, `Stop`, `ClearQueue`) and the requests the Echo sends
//! about its playback (`AudioPlayer.Playback*`, `PlaybackController.*`
//! from buttons), with `context.AudioPlayer`, what the Echo is playing.

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// What the Echo's screen shows while it plays (devices without a screen
/// ignore it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AudioMeta {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    /// An https URL of the cover (the relay's, or a public one).
    pub art: Option<String>,
}

/// An AudioPlayer directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioDirective {
    /// `AudioPlayer.Play`, `REPLACE_ALL`: stop what plays, clear the queue,
    /// play `url` (HTTPS) from `offset_ms`; `token` identifies the stream
    /// in the Echo's later requests.
    Play {
        url: String,
        token: String,
        offset_ms: u64,
        meta: AudioMeta,
    },
    /// `AudioPlayer.Stop` (also how the Echo pauses).
    Stop,
    /// `AudioPlayer.ClearQueue`: `CLEAR_ALL` (stops too) or `CLEAR_ENQUEUED`.
    ClearQueue { all: bool },
}

/// Longest stream token Amazon accepts.
pub const MAX_TOKEN: usize = 1024;

impl AudioDirective {
    pub fn json(&self) -> Value {
        match self {
            AudioDirective::Play {
                url,
                token,
                offset_ms,
                meta,
            } => {
                let mut item = Map::new();
                item.insert(
                    "stream".into(),
                    json!({"url": url, "token": token, "offsetInMilliseconds": offset_ms}),
                );
                let m = meta_json(meta);
                if !m.is_empty() {
                    item.insert("metadata".into(), Value::Object(m));
                }
                json!({"type": "AudioPlayer.Play", "playBehavior": "REPLACE_ALL", "audioItem": item})
            }
            AudioDirective::Stop => json!({"type": "AudioPlayer.Stop"}),
            AudioDirective::ClearQueue { all } => json!({"type": "AudioPlayer.ClearQueue",
                "clearBehavior": if *all { "CLEAR_ALL" } else { "CLEAR_ENQUEUED" }}),
        }
    }
}

fn meta_json(meta: &AudioMeta) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(t) = &meta.title {
        m.insert("title".into(), json!(t));
    }
    if let Some(s) = &meta.subtitle {
        m.insert("subtitle".into(), json!(s));
    }
    if let Some(a) = &meta.art {
        let image = json!({"sources": [{"url": a}]});
        m.insert("art".into(), image.clone());
        m.insert("backgroundImage".into(), image);
    }
    m
}

/// `context.AudioPlayer`: what the Echo's player is doing.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct AudioPlayerContext {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(rename = "offsetInMilliseconds", default)]
    pub offset_ms: Option<u64>,
    /// `IDLE`, `PAUSED`, `PLAYING`, `BUFFER_UNDERRUN`, `FINISHED`, `STOPPED`.
    #[serde(rename = "playerActivity", default)]
    pub activity: Option<String>,
}

impl AudioPlayerContext {
    /// The Echo is playing (or buffering) the stream `token`.
    pub fn playing(&self, token: &str) -> bool {
        self.token.as_deref() == Some(token)
            && matches!(
                self.activity.as_deref(),
                Some("PLAYING" | "BUFFER_UNDERRUN")
            )
    }
}

/// A request about the Echo's playback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioEvent {
    Started {
        token: Option<String>,
    },
    Finished {
        token: Option<String>,
    },
    Stopped {
        token: Option<String>,
        offset_ms: Option<u64>,
    },
    NearlyFinished {
        token: Option<String>,
    },
    Failed {
        token: Option<String>,
        error: Option<String>,
    },
    /// `PlaybackController.*CommandIssued` (a button).
    Button(Button),
}

/// A playback button on the Echo or its remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Play,
    Pause,
    Next,
    Previous,
}

/// The event of a request of type `kind` (None: not an audio request).
pub fn event(
    kind: &str,
    token: Option<String>,
    offset_ms: Option<u64>,
    error: Option<&Value>,
) -> Option<AudioEvent> {
    Some(match kind {
        "AudioPlayer.PlaybackStarted" => AudioEvent::Started { token },
        "AudioPlayer.PlaybackFinished" => AudioEvent::Finished { token },
        "AudioPlayer.PlaybackStopped" => AudioEvent::Stopped { token, offset_ms },
        "AudioPlayer.PlaybackNearlyFinished" => AudioEvent::NearlyFinished { token },
        "AudioPlayer.PlaybackFailed" => AudioEvent::Failed {
            token,
            error: error
                .and_then(|e| e.get("type"))
                .and_then(Value::as_str)
                .map(|s| s.chars().take(64).collect()),
        },
        "PlaybackController.PlayCommandIssued" => AudioEvent::Button(Button::Play),
        "PlaybackController.PauseCommandIssued" => AudioEvent::Button(Button::Pause),
        "PlaybackController.NextCommandIssued" => AudioEvent::Button(Button::Next),
        "PlaybackController.PreviousCommandIssued" => AudioEvent::Button(Button::Previous),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn play_stop_and_clear_are_amazons_shapes() {
        let play = AudioDirective::Play {
            url: "https://ma.example.ts.net/alexa/stream/T.mp3".into(),
            token: "ma:abc".into(),
            offset_ms: 0,
            meta: AudioMeta {
                title: Some("Smoky Room".into()),
                subtitle: Some("Blue Harbor Trio".into()),
                art: Some("https://ma.example.ts.net/alexa/art/T".into()),
            },
        }
        .json();
        assert_eq!(play["type"], "AudioPlayer.Play");
        assert_eq!(play["playBehavior"], "REPLACE_ALL");
        let s = &play["audioItem"]["stream"];
        assert_eq!(s["url"], "https://ma.example.ts.net/alexa/stream/T.mp3");
        assert_eq!(s["token"], "ma:abc");
        assert_eq!(s["offsetInMilliseconds"], 0);
        assert!(
            s.get("expectedPreviousToken").is_none(),
            "REPLACE_ALL has none"
        );
        let m = &play["audioItem"]["metadata"];
        assert_eq!(m["title"], "Smoky Room");
        assert_eq!(m["subtitle"], "Blue Harbor Trio");
        assert_eq!(
            m["art"]["sources"][0]["url"],
            "https://ma.example.ts.net/alexa/art/T"
        );
        let bare = AudioDirective::Play {
            url: "https://x/alexa/stream/T.mp3".into(),
            token: "t".into(),
            offset_ms: 5,
            meta: AudioMeta::default(),
        }
        .json();
        assert!(bare["audioItem"].get("metadata").is_none());
        assert_eq!(
            AudioDirective::Stop.json(),
            json!({"type": "AudioPlayer.Stop"})
        );
        assert_eq!(
            AudioDirective::ClearQueue { all: true }.json()["clearBehavior"],
            "CLEAR_ALL"
        );
    }

    #[test]
    fn playback_requests_and_the_players_context_parse() {
        assert_eq!(
            event(
                "AudioPlayer.PlaybackStopped",
                Some("ma:1".into()),
                Some(4200),
                None
            ),
            Some(AudioEvent::Stopped {
                token: Some("ma:1".into()),
                offset_ms: Some(4200)
            })
        );
        let err = json!({"type": "MEDIA_ERROR_SERVICE_UNAVAILABLE", "message": "x"});
        assert_eq!(
            event("AudioPlayer.PlaybackFailed", None, None, Some(&err)),
            Some(AudioEvent::Failed {
                token: None,
                error: Some("MEDIA_ERROR_SERVICE_UNAVAILABLE".into())
            })
        );
        assert_eq!(
            event("PlaybackController.NextCommandIssued", None, None, None),
            Some(AudioEvent::Button(Button::Next))
        );
        assert_eq!(event("IntentRequest", None, None, None), None);
        let c: AudioPlayerContext = serde_json::from_value(
            json!({"token": "ma:1", "offsetInMilliseconds": 10, "playerActivity": "PLAYING", "x": 1}),
        )
        .unwrap();
        assert!(c.playing("ma:1"));
        assert!(!c.playing("ma:2"));
        let paused = AudioPlayerContext {
            activity: Some("PAUSED".into()),
            ..c
        };
        assert!(!paused.playing("ma:1"));
    }
}
