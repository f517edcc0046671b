//! The stand-in's library, players and queues, behaving like the real server
//! with `real-music-assistant/run --library` (../shared/facts/music-assistant-auth.md):
//! the same twelve tracks by three artists, the playlist "Morning Mix",
//! players "Kitchen" and "Living Room" (and a hidden protocol player also
//! called "Kitchen", as `players/get_by_name` trips over), plus what the
//! real library lacks, for tests that skip against it: two radio stations,
//! names with symbols ("Simon & Garfunkel", "AC/DC", the playlist "Rock &
//! Roll … Mix"), and two songs called "Yesterday" by different artists.
//! `music/search` is a case-insensitive substring match on names, exact
//! matches first, an artist's tracks included; `play_media` takes URIs or
//! item objects, never a plain name; a failing command is a bare 500.
//! Players can be grouped (`players/cmd/set_members`), as the real
//! server's universal players can: a group's members play what its leader
//! plays.

use serde_json::{Value, json};

/// (artist, album, genre, [tracks]).
pub const LIBRARY: &[(&str, &str, &str, [&str; 2])] = &[
    (
        "Aurora Lane",
        "Northern Lights",
        "Pop",
        ["First Snow", "Polar Night"],
    ),
    (
        "Aurora Lane",
        "Open Water",
        "Pop",
        ["Harbor Song", "Low Tide"],
    ),
    (
        "The Midnight Owls",
        "Night Shift",
        "Rock",
        ["Street Lamps", "Last Bus Home"],
    ),
    (
        "The Midnight Owls",
        "Dawn Chorus",
        "Rock",
        ["Early Bird", "Coffee Time"],
    ),
    (
        "Blue Harbor Trio",
        "Late Sessions",
        "Jazz",
        ["Smoky Room", "Blue Hour"],
    ),
    (
        "Blue Harbor Trio",
        "Live at the Pier",
        "Jazz",
        ["Opening Set", "Encore"],
    ),
    // Not in the real library.
    (
        "The Beatles",
        "Help!",
        "Rock",
        ["Yesterday", "Ticket to Ride"],
    ),
    (
        "Simon & Garfunkel",
        "Bookends",
        "Folk",
        ["Mrs. Robinson", "Yesterday"],
    ),
    (
        "AC/DC",
        "Back in Black",
        "Rock",
        ["Hells Bells", "Shoot to Thrill"],
    ),
];
/// The tracks the real `--library` has (the first six albums').
pub const REAL_TRACKS: usize = 12;
/// (name, tracks); the first is the real library's.
pub const PLAYLISTS: &[(&str, &[&str])] = &[
    ("Morning Mix", &["First Snow", "Early Bird", "Blue Hour"]),
    ("Rock & Roll … Mix", &["Hells Bells", "Street Lamps"]),
];
pub const RADIOS: &[&str] = &["Harbor FM", "BBC Radio 6 Music"];

/// A player's state, as the tests inspect it.
#[derive(Debug, Clone)]
pub struct PlayerState {
    pub id: String,
    pub name: String,
    pub hidden: bool,
    pub state: String,
    pub volume: i64,
    pub muted: bool,
    /// Track URIs in the queue.
    pub queue: Vec<String>,
    pub index: usize,
    pub shuffle: bool,
    pub repeat: String,
    /// A group leader's members (itself first), as `group_members`.
    pub members: Vec<String>,
    pub synced_to: Option<String>,
}

impl PlayerState {
    pub fn new(id: &str, name: &str, hidden: bool) -> PlayerState {
        PlayerState {
            id: id.into(),
            name: name.into(),
            hidden,
            state: "idle".into(),
            volume: 20,
            muted: false,
            queue: Vec::new(),
            index: 0,
            shuffle: false,
            repeat: "off".into(),
            members: Vec::new(),
            synced_to: None,
        }
    }
    pub fn current(&self) -> Option<Value> {
        self.queue.get(self.index).and_then(|u| item_by_uri(u))
    }
}

pub fn players() -> Vec<PlayerState> {
    vec![
        PlayerState::new("kitchen", "Kitchen", false),
        PlayerState::new("livingroom", "Living Room", false),
        PlayerState::new("kitchen_sendspin", "Kitchen", true),
    ]
}

fn artist_uri(i: usize) -> String {
    format!("library://artist/{i}")
}

/// Every item of the library, as Music Assistant serialises them.
pub fn all_items() -> Vec<Value> {
    let mut out = Vec::new();
    let mut artists: Vec<&str> = LIBRARY.iter().map(|l| l.0).collect();
    artists.dedup();
    for (i, a) in artists.iter().enumerate() {
        out.push(
            json!({"item_id": (i + 1).to_string(), "provider": "library", "name": a,
            "media_type": "artist", "uri": artist_uri(i + 1)}),
        );
    }
    let mut t = 0;
    for (ai, (artist, album, genre, tracks)) in LIBRARY.iter().enumerate() {
        let a_idx = artists.iter().position(|x| x == artist).unwrap() + 1;
        let artist_ref =
            json!([{"name": artist, "uri": artist_uri(a_idx), "media_type": "artist"}]);
        out.push(
            json!({"item_id": (ai + 1).to_string(), "provider": "library", "name": album,
            "media_type": "album", "uri": format!("library://album/{}", ai + 1),
            "artists": artist_ref, "metadata": {"genres": [genre]}}),
        );
        for name in tracks {
            t += 1;
            out.push(
                json!({"item_id": t.to_string(), "provider": "library", "name": name,
                "media_type": "track", "uri": format!("library://track/{t}"),
                "artists": artist_ref, "album": {"name": album},
                "metadata": {"genres": [genre]}}),
            );
        }
    }
    for (i, (name, _)) in PLAYLISTS.iter().enumerate() {
        out.push(
            json!({"item_id": (i + 1).to_string(), "provider": "library", "name": name,
            "media_type": "playlist", "uri": format!("library://playlist/{}", i + 1)}),
        );
    }
    // As the real server lists them (checked): the playlists Music
    // Assistant makes up itself, with library URIs, not editable, mapped
    // to the `builtin` provider; no name of the person's.
    for (j, (id, name)) in [
        ("recently_played", "Recently played tracks"),
        ("random_tracks", "500 Random tracks (from library)"),
    ]
    .iter()
    .enumerate()
    {
        let n = PLAYLISTS.len() + 1 + j;
        out.push(
            json!({"item_id": n.to_string(), "provider": "library", "name": name,
            "media_type": "playlist", "uri": format!("library://playlist/{n}"),
            "owner": "Music Assistant", "is_editable": false,
            "provider_mappings": [{"item_id": id, "provider_domain": "builtin",
                "provider_instance": "builtin", "available": true, "in_library": true}]}),
        );
    }
    for (i, name) in RADIOS.iter().enumerate() {
        out.push(
            json!({"item_id": (i + 1).to_string(), "provider": "library", "name": name,
            "media_type": "radio", "uri": format!("library://radio/{}", i + 1)}),
        );
    }
    out
}

/// The URI of the item of `media_type` called `name`.
pub fn item_by_name(media_type: &str, name: &str) -> String {
    all_items()
        .into_iter()
        .find(|i| i["media_type"] == media_type && i["name"] == name)
        .and_then(|i| i["uri"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no {media_type} {name}"))
}

pub fn item_by_uri(uri: &str) -> Option<Value> {
    all_items().into_iter().find(|i| i["uri"] == uri)
}

fn of_type(t: &str) -> Vec<Value> {
    all_items()
        .into_iter()
        .filter(|i| i["media_type"] == t)
        .collect()
}

/// The tracks an item stands for (an artist's, an album's, a playlist's).
fn tracks_of(item: &Value) -> Vec<String> {
    let tracks = of_type("track");
    let name = item["name"].as_str().unwrap_or("");
    let uris = |f: &dyn Fn(&Value) -> bool| -> Vec<String> {
        tracks
            .iter()
            .filter(|t| f(t))
            .map(|t| t["uri"].as_str().unwrap().to_owned())
            .collect()
    };
    match item["media_type"].as_str() {
        Some("track") | Some("radio") => vec![item["uri"].as_str().unwrap().to_owned()],
        Some("artist") => uris(&|t| t["artists"][0]["name"] == name),
        Some("album") => uris(&|t| t["album"]["name"] == name),
        Some("playlist") => PLAYLISTS
            .iter()
            .filter(|(p, _)| *p == name)
            .flat_map(|(_, tracks)| tracks.iter())
            .flat_map(|n| uris(&|t| t["name"] == *n))
            .collect(),
        _ => Vec::new(),
    }
}

/// `music/search`: case-insensitive substring on names, exact matches first,
/// tracks by a matching artist included.
pub fn search(args: &Value) -> Value {
    let q = args["search_query"].as_str().unwrap_or("").to_lowercase();
    let types: Vec<String> = match args["media_types"].as_array() {
        Some(a) => a
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        None => ["artist", "album", "track", "playlist", "radio"]
            .map(String::from)
            .to_vec(),
    };
    let limit = args["limit"].as_u64().unwrap_or(25) as usize;
    let mut out = json!({"artists": [], "albums": [], "tracks": [], "playlists": [], "radio": []});
    for (t, key) in [
        ("artist", "artists"),
        ("album", "albums"),
        ("track", "tracks"),
        ("playlist", "playlists"),
        ("radio", "radio"),
    ] {
        if !types.iter().any(|x| x == t) || q.is_empty() {
            continue;
        }
        let mut hits: Vec<Value> = of_type(t)
            .into_iter()
            .filter(|i| {
                let name = i["name"].as_str().unwrap().to_lowercase();
                let by = i["artists"][0]["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_lowercase();
                name.contains(&q) || (t == "track" && !by.is_empty() && by.contains(&q))
            })
            .collect();
        hits.sort_by_key(|i| i["name"].as_str().unwrap().to_lowercase() != q);
        hits.truncate(limit);
        out[key] = Value::Array(hits);
    }
    out
}

pub fn library_items(kind: &str) -> Value {
    Value::Array(of_type(kind))
}

/// `player_queues/play_media`'s media: URIs or item objects; anything that
/// names no item (a plain name) fails.
pub fn resolve_media(media: &Value) -> Option<Vec<String>> {
    let one = |m: &Value| -> Option<Vec<String>> {
        let uri = m.as_str().or_else(|| m["uri"].as_str())?;
        Some(tracks_of(&item_by_uri(uri)?))
    };
    match media {
        Value::Array(list) => {
            let mut all = Vec::new();
            for m in list {
                all.extend(one(m)?);
            }
            Some(all)
        }
        m => one(m),
    }
}

/// A player as `players/all` shows it.
pub fn player_json(p: &PlayerState, all: &[PlayerState]) -> Value {
    let media = p.current().map(|c| {
        json!({"uri": c["uri"], "media_type": "track", "title": c["name"],
            "artist": c["artists"][0]["name"], "album": c["album"]["name"], "queue_id": p.id})
    });
    let others: Vec<&str> = all
        .iter()
        .filter(|o| o.id != p.id && o.hidden == p.hidden)
        .map(|o| o.id.as_str())
        .collect();
    json!({"player_id": p.id, "provider": "universal_player", "type": "player", "name": p.name,
        "available": true, "enabled": true, "hide_in_ui": p.hidden,
        "playback_state": p.state, "volume_level": p.volume, "volume_muted": p.muted,
        "supported_features": ["volume_mute", "set_members", "volume_set"],
        "can_group_with": others, "synced_to": p.synced_to,
        "current_media": media, "group_members": p.members})
}

/// The queue `player_queues/get_active_queue` answers.
pub fn queue_json(p: &PlayerState) -> Value {
    json!({"queue_id": p.id, "display_name": p.name, "active": !p.queue.is_empty(),
        "shuffle_enabled": p.shuffle, "repeat_mode": p.repeat, "state": p.state,
        "current_index": p.index,
        "current_item": p.current().map(|c| json!({"queue_id": p.id, "name": c["name"], "media_item": c}))})
}
