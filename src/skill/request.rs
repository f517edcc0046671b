//! The parts of Alexa's request envelope the skill reads. Every field is
//! optional or defaulted and unknown fields are ignored: Amazon adds fields
//! over time, and a request that verified must never fail to parse over one.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub context: Option<Context>,
    pub request: Request,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Session {
    #[serde(default)]
    pub new: bool,
    #[serde(default)]
    pub attributes: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    pub user: Option<User>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Context {
    #[serde(rename = "System", default)]
    pub system: Option<System>,
    /// What the Echo's audio player is doing (sent once the skill used it).
    #[serde(rename = "AudioPlayer", default)]
    pub audio_player: Option<crate::skill::audio::AudioPlayerContext>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct System {
    #[serde(default)]
    pub application: Option<Application>,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub device: Option<Device>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Application {
    #[serde(rename = "applicationId", default)]
    pub application_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct User {
    #[serde(rename = "accessToken", default)]
    pub access_token: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Device {
    #[serde(rename = "deviceId", default)]
    pub device_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Request {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub intent: Option<Intent>,
    /// `AudioPlayer.*` requests: the stream's token, the offset, the error.
    #[serde(default)]
    pub token: Option<String>,
    #[serde(rename = "offsetInMilliseconds", default)]
    pub offset_ms: Option<u64>,
    #[serde(default)]
    pub error: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Intent {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slots: BTreeMap<String, Slot>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Slot {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub resolutions: Option<Value>,
}

impl Slot {
    /// The resolved value's name (`ER_SUCCESS_MATCH`, from the model's or a
    /// dynamic entity's values), else what Alexa heard.
    pub fn best(&self) -> Option<String> {
        let resolved = self
            .resolutions
            .as_ref()
            .and_then(|r| r.get("resolutionsPerAuthority"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|a| {
                a.pointer("/status/code").and_then(Value::as_str) == Some("ER_SUCCESS_MATCH")
            })
            .find_map(|a| a.pointer("/values/0/value/name").and_then(Value::as_str));
        resolved
            .or(self.value.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

impl Envelope {
    /// The linked access token (`context.System.user`, else `session.user`).
    pub fn access_token(&self) -> Option<&str> {
        let sys = self
            .context
            .as_ref()
            .and_then(|c| c.system.as_ref())
            .and_then(|s| s.user.as_ref())
            .and_then(|u| u.access_token.as_deref());
        let ses = self
            .session
            .as_ref()
            .and_then(|s| s.user.as_ref())
            .and_then(|u| u.access_token.as_deref());
        sys.or(ses).filter(|t| !t.is_empty())
    }

    /// The Echo's opaque id (stable per device and skill).
    pub fn device_id(&self) -> Option<&str> {
        self.context
            .as_ref()
            .and_then(|c| c.system.as_ref())
            .and_then(|s| s.device.as_ref())
            .and_then(|d| d.device_id.as_deref())
            .filter(|d| !d.is_empty())
    }

    pub fn locale(&self) -> &str {
        self.request.locale.as_deref().unwrap_or("en-US")
    }

    /// A slot's best value, if the request is an intent that carries it.
    pub fn slot(&self, name: &str) -> Option<String> {
        self.request.intent.as_ref()?.slots.get(name)?.best()
    }

    /// An `AudioPlayer.*` or `PlaybackController.*` request's event.
    pub fn audio_event(&self) -> Option<crate::skill::audio::AudioEvent> {
        let r = &self.request;
        crate::skill::audio::event(&r.kind, r.token.clone(), r.offset_ms, r.error.as_ref())
    }

    /// `context.AudioPlayer`, if the Echo sent it.
    pub fn audio_player(&self) -> Option<&crate::skill::audio::AudioPlayerContext> {
        self.context.as_ref()?.audio_player.as_ref()
    }

    /// The session attribute `key`, if any.
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        self.session.as_ref()?.attributes.as_ref()?.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_needs_and_ignores_the_rest() {
        let e: Envelope = serde_json::from_value(serde_json::json!({
            "version": "1.0",
            "session": {"new": true, "user": {"userId": "u", "accessToken": "s-tok"}, "x": 1},
            "context": {"System": {"user": {"accessToken": "c-tok"},
                "device": {"deviceId": "dev1", "supportedInterfaces": {}},
                "application": {"applicationId": "amzn1.ask.skill.1"}}, "Viewport": {}},
            "request": {"type": "IntentRequest", "locale": "de-DE", "timestamp": "t",
                "intent": {"name": "PlayArtistIntent", "confirmationStatus": "NONE", "slots": {
                    "artist": {"name": "artist", "value": "midnite owls", "resolutions": {
                        "resolutionsPerAuthority": [
                            {"status": {"code": "ER_SUCCESS_NO_MATCH"}},
                            {"status": {"code": "ER_SUCCESS_MATCH"},
                             "values": [{"value": {"name": "The Midnight Owls", "id": "a1"}}]}]}},
                    "room": {"name": "room"}}}}
        }))
        .unwrap();
        assert_eq!(e.access_token(), Some("c-tok"));
        assert_eq!(e.device_id(), Some("dev1"));
        assert_eq!(e.locale(), "de-DE");
        assert_eq!(e.slot("artist").as_deref(), Some("The Midnight Owls"));
        assert_eq!(e.slot("room"), None);
        assert_eq!(e.slot("nope"), None);
        let bare: Envelope =
            serde_json::from_value(serde_json::json!({"request": {"type": "LaunchRequest"}}))
                .unwrap();
        assert_eq!(bare.access_token(), None);
        assert_eq!(bare.locale(), "en-US");
    }
}
