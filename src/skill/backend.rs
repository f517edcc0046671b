//! Music Assistant as the skill sees it: every call goes through
//! [`Backend::call`] with a [`Command`] from one closed list, checked
//! against the gateway's allowlist ([`crate::ma::commands`]: the command,
//! the link's scopes, the arguments' shape) before it is sent.
//! So the skill can never send what `/ma/api` would refuse. Each call is
//! bounded by the request's deadline.

use std::time::Duration;

use hyper::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::ma::client::{MaClient, MaError};
use crate::ma::commands;
use crate::util::{self, Secret};

/// Every command the skill sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    PlayersAll,
    ActiveQueue,
    Search,
    PlayMedia,
    Play,
    Pause,
    Stop,
    Next,
    Previous,
    Seek,
    VolumeSet,
    VolumeUp,
    VolumeDown,
    VolumeMute,
    Shuffle,
    Repeat,
    Artists,
    Albums,
    Tracks,
    Playlists,
    Radios,
    SetMembers,
}

impl Command {
    pub const ALL: &'static [Command] = &[
        Command::PlayersAll,
        Command::ActiveQueue,
        Command::Search,
        Command::PlayMedia,
        Command::Play,
        Command::Pause,
        Command::Stop,
        Command::Next,
        Command::Previous,
        Command::Seek,
        Command::VolumeSet,
        Command::VolumeUp,
        Command::VolumeDown,
        Command::VolumeMute,
        Command::Shuffle,
        Command::Repeat,
        Command::Artists,
        Command::Albums,
        Command::Tracks,
        Command::Playlists,
        Command::Radios,
        Command::SetMembers,
    ];

    /// Music Assistant's name for it (its `api_command` registration).
    pub fn name(self) -> &'static str {
        match self {
            Command::PlayersAll => "players/all",
            Command::ActiveQueue => "player_queues/get_active_queue",
            Command::Search => "music/search",
            Command::PlayMedia => "player_queues/play_media",
            Command::Play => "players/cmd/play",
            Command::Pause => "players/cmd/pause",
            Command::Stop => "players/cmd/stop",
            Command::Next => "players/cmd/next",
            Command::Previous => "players/cmd/previous",
            Command::Seek => "players/cmd/seek",
            Command::VolumeSet => "players/cmd/volume_set",
            Command::VolumeUp => "players/cmd/volume_up",
            Command::VolumeDown => "players/cmd/volume_down",
            Command::VolumeMute => "players/cmd/volume_mute",
            Command::Shuffle => "player_queues/shuffle",
            Command::Repeat => "player_queues/repeat",
            Command::Artists => "music/artists/library_items",
            Command::Albums => "music/albums/library_items",
            Command::Tracks => "music/tracks/library_items",
            Command::Playlists => "music/playlists/library_items",
            Command::Radios => "music/radios/library_items",
            Command::SetMembers => "players/cmd/set_members",
        }
    }
}

/// Why a call brought no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 401: Music Assistant refused the link's token (the caller confirms).
    Refused,
    /// Not answered before the deadline.
    Slow,
    /// Connection refused, reset, or no route.
    Unreachable,
    /// Any other answer (Music Assistant answers a bare 500 for every
    /// failed command: not found, unavailable player, bad argument).
    Failed(u16),
    /// The allowlist, the link's scopes or the argument shapes refuse it: never sent.
    NotAllowed(&'static str),
}

/// One request's view of Music Assistant: the link's token and scopes and
/// the time left.
#[derive(Clone, Copy)]
pub struct Backend<'a> {
    client: &'a MaClient,
    token: &'a Secret,
    scopes: &'a str,
    deadline: Instant,
}

/// The time kept back from the deadline to build and send the answer.
const MARGIN: Duration = Duration::from_millis(150);

impl<'a> Backend<'a> {
    pub fn new(
        client: &'a MaClient,
        token: &'a Secret,
        scopes: &'a str,
        deadline: Instant,
    ) -> Self {
        Backend {
            client,
            token,
            scopes,
            deadline,
        }
    }

    /// Whether `/ma/api` would forward this command with these arguments
    /// for a token with `scopes`.
    pub fn allowed(command: Command, args: &Value, scopes: &str) -> bool {
        let granted: Vec<&str> = scopes.split(' ').collect();
        commands::required_scopes(command.name())
            .is_some_and(|need| need.iter().all(|s| granted.contains(s)))
            && commands::check(command.name(), args).is_ok()
    }

    /// The request's deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Sends one command, within the deadline; a 2xx answer's JSON.
    pub async fn call(&self, command: Command, args: Value) -> Result<Value, Failure> {
        if !Self::allowed(command, &args, self.scopes) {
            if let Err(r) = commands::check(command.name(), &args) {
                // Never the value: the refusal names the argument only.
                tracing::warn!(command = command.name(), refusal = %r, "not sent: outside the gateway's argument shapes");
            }
            return Err(Failure::NotAllowed(command.name()));
        }
        let body =
            json!({"message_id": util::random_token(6), "command": command.name(), "args": args});
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let until = self.deadline.checked_sub(MARGIN).unwrap_or(self.deadline);
        let call = crate::skill::timing::waiting(
            command.name(),
            self.client.command_raw(self.token, body),
        );
        let answer = match tokio::time::timeout_at(until, call).await {
            Err(_) | Ok(Err(MaError::Timeout(_))) => return Err(Failure::Slow),
            Ok(Err(MaError::Unreachable(_))) => return Err(Failure::Unreachable),
            Ok(Err(_)) => return Err(Failure::Failed(502)),
            Ok(Ok(a)) => a,
        };
        tracing::debug!(
            command = command.name(),
            status = answer.status.as_u16(),
            "skill call"
        );
        match answer.status {
            StatusCode::UNAUTHORIZED => Err(Failure::Refused),
            s if s.is_success() => Ok(serde_json::from_slice(&answer.body).unwrap_or(Value::Null)),
            s => Err(Failure::Failed(s.as_u16())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The link's scopes as `client add alexa` grants them.
    const LINK_SCOPES: &str = "music:read music:control";

    /// Arguments of the kind the skill builds for `c` (perform.rs, library.rs).
    fn sample_args(c: Command) -> Value {
        let player = json!({"player_id": "upkitchen"});
        match c {
            Command::PlayersAll => json!({}),
            Command::Search => {
                json!({"search_query": "Aurora Lane", "media_types": ["track", "album"], "limit": 10})
            }
            Command::PlayMedia => json!({"queue_id": "upkitchen",
                "media": ["library://track/3", "library://track/4"], "option": "replace"}),
            Command::Seek => json!({"player_id": "upkitchen", "position": 0}),
            Command::VolumeSet => json!({"player_id": "upkitchen", "volume_level": 50}),
            Command::VolumeMute => json!({"player_id": "upkitchen", "muted": true}),
            Command::Shuffle => json!({"queue_id": "upkitchen", "shuffle_enabled": false}),
            Command::Repeat => json!({"queue_id": "upkitchen", "repeat_mode": "off"}),
            Command::Artists
            | Command::Albums
            | Command::Tracks
            | Command::Playlists
            | Command::Radios => json!({"limit": 500, "offset": 0, "order_by": "play_count_desc"}),
            Command::SetMembers => {
                json!({"target_player": "upkitchen", "player_ids_to_add": ["uplivingroom"]})
            }
            _ => player,
        }
    }

    #[test]
    fn every_command_the_skill_sends_is_on_the_allowlist_with_the_links_scopes() {
        for c in Command::ALL {
            let need = commands::required_scopes(c.name())
                .unwrap_or_else(|| panic!("{} is not on the allowlist", c.name()));
            for s in need {
                assert!(LINK_SCOPES.split(' ').any(|g| g == *s), "{}: {s}", c.name());
            }
            assert!(
                Backend::allowed(*c, &sample_args(*c), LINK_SCOPES),
                "{}",
                c.name()
            );
        }
        assert!(!Backend::allowed(
            Command::Pause,
            &sample_args(Command::Pause),
            "music:read"
        ));
    }

    #[test]
    fn the_skill_is_held_to_the_gateways_argument_shapes() {
        for media in [
            json!(["http://192.168.1.1/x.mp3"]),
            json!([{"media_type": "track", "provider": "builtin", "item_id": "tcp://10.0.0.1:22"}]),
            json!("/etc/passwd"),
            json!("filesystem_local--x://track/../../etc/passwd"),
        ] {
            let args = json!({"queue_id": "upkitchen", "media": media});
            assert!(
                !Backend::allowed(Command::PlayMedia, &args, LINK_SCOPES),
                "{args}"
            );
        }
        let args = json!({"player_id": "upkitchen", "volume_level": 500});
        assert!(!Backend::allowed(Command::VolumeSet, &args, LINK_SCOPES));
        let args = json!({"player_id": "upkitchen", "url": "http://10.0.0.1/"});
        assert!(!Backend::allowed(Command::Pause, &args, LINK_SCOPES));
    }
}
