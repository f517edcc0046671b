//! Which Music Assistant player a request means. A ROOM slot is matched
//! against the players' names (case, accents and punctuation ignored, groups
//! too); without one, the player this Echo last used or was told to use
//! ("use the kitchen", remembered per `deviceId` in [`DeviceRooms`]), else
//! the only player, else the person is asked which one.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::skill::matching;

/// A player as `players/all` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Player {
    pub id: String,
    pub name: String,
    /// `playing`, `paused`, `idle` (`playback_state`, older servers `state`).
    pub state: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub volume: Option<i64>,
}

/// The visible, enabled, available players of a `players/all` answer
/// (hidden protocol players are skipped: the facts file).
pub fn players(all: &Value) -> Vec<Player> {
    let Some(list) = all.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter(|p| p.get("hide_in_ui").and_then(Value::as_bool) != Some(true))
        .filter(|p| p.get("hidden").and_then(Value::as_bool) != Some(true))
        .filter(|p| p.get("enabled").and_then(Value::as_bool) != Some(false))
        .filter(|p| p.get("available").and_then(Value::as_bool) != Some(false))
        .filter_map(|p| {
            let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
            let id = s("player_id")?;
            let name = s("display_name")
                .or_else(|| s("name"))
                .unwrap_or_else(|| id.clone());
            let media = p.get("current_media");
            let m = |k: &str| {
                media
                    .and_then(|m| m.get(k))
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            Some(Player {
                state: s("playback_state")
                    .or_else(|| s("state"))
                    .unwrap_or_default(),
                title: m("title"),
                artist: m("artist"),
                volume: p.get("volume_level").and_then(Value::as_i64),
                id,
                name,
            })
        })
        .collect()
}

/// The outcome of choosing a player.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    Player(Player),
    /// A room was named that matches no player.
    Unknown(String),
    /// No room named, nothing remembered, several players: ask.
    Ask,
    /// Music Assistant has no player at all.
    None,
}

/// The player for `room` (spoken), else the remembered player id, else the
/// only one.
pub fn choose(list: &[Player], room: Option<&str>, remembered: Option<&str>) -> Choice {
    if list.is_empty() {
        return Choice::None;
    }
    if let Some(room) = room {
        return match matching::best(room, list.iter(), |p| p.name.as_str()) {
            Some((p, s)) if s >= matching::ACCEPT => Choice::Player(p.clone()),
            _ => Choice::Unknown(room.to_owned()),
        };
    }
    if let Some(p) = remembered.and_then(|id| list.iter().find(|p| p.id == id)) {
        return Choice::Player(p.clone());
    }
    match list {
        [only] => Choice::Player(only.clone()),
        _ => Choice::Ask,
    }
}

/// Which player each Echo (`deviceId`) uses. Kept in memory, bounded: a
/// household has a handful of Echos; after a restart (or eviction) an Echo
/// with one player still needs nothing, and with several the person is
/// asked once again. Entries are keyed by a hash of the device id.
#[derive(Debug, Default)]
pub struct DeviceRooms {
    map: Mutex<HashMap<[u8; 32], (String, u64)>>,
}

/// Echos remembered at most; past this the least recently used is forgotten.
pub const MAX_DEVICES: usize = 10_000;

impl DeviceRooms {
    pub fn get(&self, device: &str) -> Option<String> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&crate::util::sha256(device.as_bytes()))
            .map(|(p, _)| p.clone())
    }

    pub fn set(&self, device: &str, player_id: &str) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let tick = map.values().map(|(_, t)| *t).max().unwrap_or(0) + 1;
        if map.len() >= MAX_DEVICES {
            let oldest = map.iter().min_by_key(|(_, (_, t))| *t).map(|(k, _)| *k);
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        map.insert(
            crate::util::sha256(device.as_bytes()),
            (player_id.to_owned(), tick),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list() -> Vec<Player> {
        players(&json!([
            {"player_id": "k", "name": "Kitchen", "playback_state": "playing",
             "current_media": {"title": "Early Bird", "artist": "The Midnight Owls"}},
            {"player_id": "lr", "display_name": "Living Room", "state": "idle"},
            {"player_id": "grp", "name": "Küche & Bad", "type": "group"},
            {"player_id": "hidden", "name": "Kitchen", "hide_in_ui": true},
            {"player_id": "off", "name": "Office", "available": false},
        ]))
    }

    #[test]
    fn names_match_ignoring_case_accents_punctuation() {
        let l = list();
        assert_eq!(l.len(), 3);
        let id = |c: Choice| match c {
            Choice::Player(p) => p.id,
            other => format!("{other:?}"),
        };
        assert_eq!(id(choose(&l, Some("kitchen"), None)), "k");
        assert_eq!(id(choose(&l, Some("the living-room"), None)), "lr");
        assert_eq!(id(choose(&l, Some("kuche und bad"), None)), "grp");
        assert_eq!(
            choose(&l, Some("garage"), None),
            Choice::Unknown("garage".into())
        );
        assert_eq!(id(choose(&l, None, Some("lr"))), "lr");
        assert_eq!(choose(&l, None, Some("gone")), Choice::Ask);
        assert_eq!(choose(&l[..1], None, None), Choice::Player(l[0].clone()));
        assert_eq!(choose(&[], None, None), Choice::None);
        assert_eq!(l[0].title.as_deref(), Some("Early Bird"));
    }

    #[test]
    fn devices_remember_their_player_bounded() {
        let d = DeviceRooms::default();
        d.set("echo-1", "k");
        d.set("echo-2", "lr");
        d.set("echo-1", "grp");
        assert_eq!(d.get("echo-1").as_deref(), Some("grp"));
        assert_eq!(d.get("echo-2").as_deref(), Some("lr"));
        assert_eq!(d.get("echo-3"), None);
    }
}
