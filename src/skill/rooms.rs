//! Which Music Assistant player a request means. A ROOM slot is matched
//! against the players' names (case, accents and punctuation ignored, groups
//! too), and a word for every room ("everywhere", "überall": the phrase
//! table's) means all of them; without one, the player this Echo last used
//! or was told to use ("use the kitchen", remembered per `deviceId` in
//! [`DeviceRooms`]), else the only player, else (for a control such as
//! "pause") the only player playing, else the person is asked which one.

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
    /// Music Assistant's `supported_features` ("set_members": it can lead a group).
    pub features: Vec<String>,
    /// The players it can be grouped with (`can_group_with`).
    pub can_group_with: Vec<String>,
}

impl Player {
    /// Whether other players can be joined to it (`players/cmd/set_members`).
    pub fn can_lead_group(&self) -> bool {
        self.features.iter().any(|f| f == "set_members")
    }
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
            let strings = |k: &str| -> Vec<String> {
                p.get(k)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            };
            Some(Player {
                features: strings("supported_features"),
                can_group_with: strings("can_group_with"),
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
    /// Every player ("everywhere").
    Everywhere,
    /// A room was named that matches no player.
    Unknown(String),
    /// No room named, nothing remembered, several players: ask.
    Ask,
    /// Music Assistant has no player at all.
    None,
}

/// How to choose.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// The room slot as heard.
    pub room: Option<&'a str>,
    /// The player this Echo remembers.
    pub remembered: Option<&'a str>,
    /// Room words meaning every player (the phrase table's).
    pub everywhere: &'a [&'a str],
    /// A control ("pause", "next"): with nothing else to go by, the only
    /// player playing (or paused) is the one meant.
    pub control: bool,
}

/// The player for `room` (spoken), else the remembered player id, else the
/// only one, else (for a control) the only active one.
pub fn choose(list: &[Player], h: Hints<'_>) -> Choice {
    if list.is_empty() {
        return Choice::None;
    }
    if let Some(room) = h.room {
        let said = matching::normalize(room);
        if h.everywhere.iter().any(|w| matching::normalize(w) == said) {
            return Choice::Everywhere;
        }
        return match matching::best(room, list.iter(), |p| p.name.as_str()) {
            Some((p, s)) if s >= matching::ACCEPT => Choice::Player(p.clone()),
            _ => Choice::Unknown(room.to_owned()),
        };
    }
    if let Some(p) = h.remembered.and_then(|id| list.iter().find(|p| p.id == id)) {
        return Choice::Player(p.clone());
    }
    if let [only] = list {
        return Choice::Player(only.clone());
    }
    if h.control {
        let active: Vec<&Player> = list
            .iter()
            .filter(|p| matches!(p.state.as_str(), "playing" | "paused"))
            .collect();
        if let [only] = active.as_slice() {
            return Choice::Player((*only).clone());
        }
    }
    Choice::Ask
}

/// The player named at the end of `text` after one of `prepositions`
/// ("play jazz in the living room"): (the text before, the player). Only
/// a name that matches a player well counts, so "songs in the key of
/// life" keeps its words.
pub fn trailing_room<'a>(
    text: &str,
    prepositions: &[&str],
    list: &'a [Player],
) -> Option<(String, &'a Player)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    // The longest room name first: "in the living room", then "in room".
    for start in 1..words.len() {
        let (head, tail) = words.split_at(start);
        for prep in prepositions {
            let prep_words: Vec<&str> = prep.split_whitespace().collect();
            let Some(name) = tail.strip_prefix(prep_words.as_slice()) else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            let name = name.join(" ");
            if let Some((p, s)) = matching::best(&name, list.iter(), |p| p.name.as_str())
                && s >= matching::ACCEPT
            {
                return Some((head.join(" "), p));
            }
        }
    }
    None
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
             "supported_features": ["set_members", "volume_set"], "can_group_with": ["lr"],
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
        let room = |r: &'static str| Hints {
            room: Some(r),
            everywhere: &["everywhere", "every room"],
            ..Hints::default()
        };
        let remembered = |r: &'static str| Hints {
            remembered: Some(r),
            ..Hints::default()
        };
        assert_eq!(id(choose(&l, room("kitchen"))), "k");
        assert_eq!(id(choose(&l, room("the living-room"))), "lr");
        assert_eq!(id(choose(&l, room("kuche und bad"))), "grp");
        assert_eq!(choose(&l, room("garage")), Choice::Unknown("garage".into()));
        assert_eq!(choose(&l, room("Every Room")), Choice::Everywhere);
        assert_eq!(id(choose(&l, remembered("lr"))), "lr");
        assert_eq!(choose(&l, remembered("gone")), Choice::Ask);
        assert_eq!(
            choose(&l[..1], Hints::default()),
            Choice::Player(l[0].clone())
        );
        assert_eq!(choose(&[], Hints::default()), Choice::None);
        assert_eq!(l[0].title.as_deref(), Some("Early Bird"));
        // A control with nothing else to go by: the only player playing.
        let control = Hints {
            control: true,
            ..Hints::default()
        };
        assert_eq!(id(choose(&l, control)), "k");
        assert_eq!(choose(&l, Hints::default()), Choice::Ask);
    }

    #[test]
    fn a_room_said_at_the_end_of_a_name_is_split_off_only_if_it_is_a_player() {
        let l = list();
        let preps = ["in the", "on the", "in", "on"];
        let (head, p) = trailing_room("blue harbor trio in the living room", &preps, &l).unwrap();
        assert_eq!((head.as_str(), p.id.as_str()), ("blue harbor trio", "lr"));
        let (head, p) = trailing_room("jazz in kitchen", &preps, &l).unwrap();
        assert_eq!((head.as_str(), p.id.as_str()), ("jazz", "k"));
        assert!(trailing_room("songs in the key of life", &preps, &l).is_none());
        assert!(trailing_room("in the kitchen", &preps, &l).is_none());
        let de = ["im", "in der", "auf dem"];
        let wohnzimmer = [Player {
            name: "Wohnzimmer".into(),
            ..l[1].clone()
        }];
        let (head, p) = trailing_room("blue harbor trio im wohnzimmer", &de, &wohnzimmer).unwrap();
        assert_eq!((head.as_str(), p.id.as_str()), ("blue harbor trio", "lr"));
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
