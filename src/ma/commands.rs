//! Which Music Assistant commands the gateway forwards, and the scopes each
//! needs: the one allowlist, every command named in full (no wildcards).
//! Everything not listed is refused and never forwarded. README's scope table
//! is generated from [`COMMANDS`] (`scope_table_markdown`) and a test keeps
//! the two equal.
//!
//! What is left out on purpose (command names from Music Assistant's
//! `api_command(...)` registrations):
//! - anything that makes Music Assistant fetch a URL the caller chooses, from
//!   inside the home network: `players/cmd/play_announcement` (`url`),
//!   `music/item_by_uri` and `music/item` (a plain `http://` URI goes to the
//!   builtin provider, which probes it), `music/tracks/get` and
//!   `music/radios/get` (with provider `builtin` the item id is a URL),
//!   `music/favorites/add_item` (takes a URI, and adds to the library);
//! - configuration and settings: `config/*`, `players/cmd/set_option`,
//!   `players/cmd/select_sound_mode`, group players (`players/create_group_player`,
//!   `players/remove_group_player`), `players/remove`;
//! - users, tokens, providers, logs: `auth/*`, `providers/*`, `logging/*`;
//! - library changes: `music/library/*`, `music/sync`,
//!   `player_queues/save_as_playlist`, playlist editing;
//! - deprecated aliases: `players/cmd/group_many`, `players/cmd/ungroup_many`
//!   (use `players/cmd/set_members`).
//!
//! Not closed by a list of names: `player_queues/play_media` takes `media` as
//! URIs or item objects, and a plain URL (or a `builtin://` URI) among them is
//! fetched by Music Assistant too. [`fetchable_url`] closes that for every
//! command: the gateway refuses any argument, at any depth, that is a URL
//! Music Assistant could fetch (`http`, `https`, `builtin`, `file`, ...);
//! provider URIs such as `library://track/12` or `spotify://album/x` pass.

/// `music:read`: library, search, player and queue state.
pub const READ: &[&str] = &["music:read"];
/// `music:control`: player and queue commands, favourites of what is
/// playing; they also need `music:read`.
pub const CONTROL: &[&str] = &["music:read", "music:control"];

/// (command, scopes needed). Each entry says why a voice skill needs it.
pub const COMMANDS: &[(&str, &[&str])] = &[
    // players: state
    ("players/all", READ),         // every player, to match a spoken room name
    ("players/get", READ),         // one player: what is playing, volume, power
    ("players/get_by_name", READ), // a player by name (may be a hidden one: prefer players/all)
    // players: playback
    ("players/cmd/play", CONTROL),  // "play" / "resume" on a player
    ("players/cmd/pause", CONTROL), // "pause"
    ("players/cmd/play_pause", CONTROL), // toggle, for a single "play/pause" intent
    ("players/cmd/stop", CONTROL),  // "stop"
    ("players/cmd/resume", CONTROL), // carry on where the player stopped
    ("players/cmd/next", CONTROL),  // "next song"
    ("players/cmd/previous", CONTROL), // "previous song"
    ("players/cmd/seek", CONTROL),  // "go to 2 minutes in"
    ("players/cmd/power", CONTROL), // "turn the kitchen speaker off"
    ("players/cmd/select_source", CONTROL), // switch to one of the player's own sources, by id
    // players: volume
    ("players/cmd/volume_set", CONTROL),        // "volume 30"
    ("players/cmd/volume_up", CONTROL),         // "louder" (Music Assistant's step)
    ("players/cmd/volume_down", CONTROL),       // "quieter"
    ("players/cmd/volume_mute", CONTROL),       // "mute" / "unmute"
    ("players/cmd/group_volume", CONTROL),      // the same for a group of players
    ("players/cmd/group_volume_up", CONTROL),   // "louder" for a group
    ("players/cmd/group_volume_down", CONTROL), // "quieter" for a group
    ("players/cmd/group_volume_mute", CONTROL), // "mute" a group
    // players: grouping at run time (not group players' configuration)
    ("players/cmd/group", CONTROL),       // "play in the kitchen too"
    ("players/cmd/ungroup", CONTROL),     // "stop playing in the kitchen"
    ("players/cmd/set_members", CONTROL), // join and leave several players at once
    // favourites
    ("players/add_currently_playing_to_favorites", CONTROL), // "I like this song"
    ("music/favorites/remove_item", CONTROL), // "remove this from my favourites" (a library id)
    // queues: state
    ("player_queues/all", READ),   // every queue, to find the one playing
    ("player_queues/get", READ),   // one queue: current item, shuffle, repeat
    ("player_queues/items", READ), // "what's next?"
    ("player_queues/get_active_queue", READ), // the queue a player is playing from
    // queues: playback
    ("player_queues/play_media", CONTROL), // "play X" (never a fetchable URL: fetchable_url)
    ("player_queues/play", CONTROL),       // "play"
    ("player_queues/pause", CONTROL),      // "pause"
    ("player_queues/play_pause", CONTROL), // toggle
    ("player_queues/stop", CONTROL),       // "stop"
    ("player_queues/resume", CONTROL),     // "resume"
    ("player_queues/next", CONTROL),       // "next"
    ("player_queues/previous", CONTROL),   // "previous"
    ("player_queues/skip", CONTROL),       // "skip 30 seconds"
    ("player_queues/seek", CONTROL),       // "go to 2 minutes"
    ("player_queues/play_index", CONTROL), // "play the third song in the queue"
    ("player_queues/shuffle", CONTROL),    // "shuffle on/off"
    ("player_queues/repeat", CONTROL),     // "repeat this song / all / off"
    ("player_queues/dont_stop_the_music", CONTROL), // "keep playing similar music"
    ("player_queues/transfer", CONTROL),   // "move the music to the kitchen"
    ("player_queues/clear", CONTROL),      // "clear the queue"
    ("player_queues/move_item", CONTROL),  // "play this next"
    ("player_queues/delete_item", CONTROL), // "remove this from the queue"
    // library and search: reads of the person's own library only
    ("music/search", READ), // "play X": find X (a share link resolves by id only)
    ("music/recently_played_items", READ), // "play what I listened to last"
    ("music/artists/library_items", READ), // the library's artists
    ("music/artists/get", READ), // one artist
    ("music/artists/artist_albums", READ), // an artist's albums
    ("music/artists/artist_tracks", READ), // an artist's songs
    ("music/albums/library_items", READ), // the library's albums
    ("music/albums/get", READ), // one album
    ("music/albums/album_tracks", READ), // an album's songs
    ("music/tracks/library_items", READ), // the library's songs
    ("music/playlists/library_items", READ), // the library's playlists
    ("music/playlists/get", READ), // one playlist
    ("music/playlists/playlist_tracks", READ), // a playlist's songs
    ("music/radios/library_items", READ), // the library's radio stations
];

/// The scopes `command` needs, or None if it is not forwarded at all.
pub fn required_scopes(command: &str) -> Option<&'static [&'static str]> {
    COMMANDS
        .iter()
        .find(|(c, _)| *c == command)
        .map(|(_, s)| *s)
}

/// URI schemes Music Assistant (or a library it uses) would fetch or open:
/// never accepted in a forwarded argument.
const FETCHED_SCHEMES: &[&str] = &[
    "http", "https", "builtin", "file", "ftp", "ftps", "sftp", "rtsp", "rtsps", "rtmp", "rtmps",
    "mms", "ws", "wss", "data", "smb", "nfs",
];

/// The first string in `args` (at any depth, keys excluded) that names a
/// URL Music Assistant could fetch from inside the home network, if any.
pub fn fetchable_url(args: &serde_json::Value) -> Option<&str> {
    use serde_json::Value;
    match args {
        Value::String(s) => is_fetchable(s).then_some(s.as_str()),
        Value::Array(items) => items.iter().find_map(fetchable_url),
        Value::Object(members) => members.values().find_map(fetchable_url),
        _ => None,
    }
}

fn is_fetchable(s: &str) -> bool {
    let s = s.trim_start();
    if s.starts_with("//") || s.starts_with("\\\\") {
        return true; // scheme-relative URL or a UNC path
    }
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    FETCHED_SCHEMES
        .iter()
        .any(|f| scheme.trim().eq_ignore_ascii_case(f))
}

/// README's scope table, generated from [`COMMANDS`].
pub fn scope_table_markdown() -> String {
    let mut out = String::from("| Command | Scopes needed |\n|---|---|\n");
    for (c, scopes) in COMMANDS {
        let s: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
        out.push_str(&format!("| `{c}` | {} |\n", s.join(" + ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetchable_urls_are_found_at_any_depth_and_provider_uris_pass() {
        use serde_json::json;
        for bad in [
            json!({"queue_id": "q", "media": "http://192.168.1.1/admin"}),
            json!({"media": ["library://track/1", " HTTPS://example.com/x.mp3"]}),
            json!({"media": {"item_id": "1", "uri": "builtin://http://10.0.0.1/"}}),
            json!({"media": [{"provider_mappings": [{"url": "file:///etc/passwd"}]}]}),
            json!({"media": "//10.0.0.1/share"}),
            json!({"media": "data:text/plain,hi"}),
        ] {
            assert!(fetchable_url(&bad).is_some(), "{bad}");
        }
        for good in [
            json!({"queue_id": "kitchen", "media": "library://album/12", "option": "replace"}),
            json!({"media": ["spotify://track/abc", "filesystem_local--x://track/9"]}),
            json!({"search_query": "The Midnight Owls", "media_types": ["artist"], "limit": 5}),
            json!({"media": {"name": "http lives in the name: ok", "uri": "library://track/3"}}),
            json!({"volume_level": 30}),
        ] {
            assert_eq!(fetchable_url(&good), None, "{good}");
        }
    }

    #[test]
    fn allowlist_lookup() {
        assert_eq!(required_scopes("players/all"), Some(READ));
        assert_eq!(required_scopes("players/cmd/play"), Some(CONTROL));
        assert_eq!(required_scopes("player_queues/play_media"), Some(CONTROL));
        assert_eq!(required_scopes("player_queues/transfer"), Some(CONTROL));
        assert_eq!(required_scopes("music/search"), Some(READ));
        for refused in [
            "players/cmd/play_announcement",
            "players/cmd/set_option",
            "players/cmd/",
            "players/cmd/play/",
            "music/item_by_uri",
            "music/tracks/get",
            "config/players/save",
            "auth/token/create",
            "auth/tokens",
            "users/all",
            "providers/add",
            "music/library/add_item",
            "players/all/",
            "",
        ] {
            assert_eq!(required_scopes(refused), None, "{refused}");
        }
    }

    #[test]
    fn every_entry_is_one_full_command_name_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (c, scopes) in COMMANDS {
            assert!(seen.insert(c), "{c} listed twice");
            assert!(!c.ends_with('/') && !c.contains('*'), "{c}: no wildcards");
            assert!(
                !c.starts_with("config/") && !c.starts_with("auth/"),
                "{c}: never configuration or accounts"
            );
            assert!(scopes.contains(&"music:read"), "{c}");
        }
    }
}
