//! Which Music Assistant commands the gateway forwards, the scopes each
//! needs, and the arguments each may take: the one allowlist, every command
//! named in full (no wildcards), each with its argument shape
//! ([`super::args`], in the language of [`super::shape`]). Everything not
//! listed is refused and never forwarded, and so is a listed command with
//! any argument its shape does not state. README's scope table is generated
//! from [`COMMANDS`] (`scope_table_markdown`) and a test keeps the two equal.
//!
//! What is left out on purpose (command names from Music Assistant's
//! `api_command(...)` registrations):
//! - anything that makes Music Assistant fetch a URL the caller chooses, from
//!   inside the home network: `players/cmd/play_announcement` (`url`),
//!   `music/item_by_uri` and `music/item` (a plain `http://` URI goes to the
//!   builtin provider, which probes it), `music/tracks/get` and
//!   `music/radios/get` (with provider `builtin` the item id is a URL; the
//!   shapes could now close that, but a voice skill does not need them),
//!   `music/favorites/add_item` (takes a URI, and adds to the library),
//!   `music/browse` (paths), `music/tracks/preview`;
//! - configuration and settings: `config/*`, `players/cmd/set_option`,
//!   `players/cmd/select_sound_mode`, group players (`players/create_group_player`,
//!   `players/remove_group_player`), `players/remove`;
//! - users, tokens, providers, logs: `auth/*`, `providers/*`, `logging/*`;
//! - library changes: `music/library/*`, `music/sync`,
//!   `player_queues/save_as_playlist`, playlist editing;
//! - deprecated aliases: `players/cmd/group_many`, `players/cmd/ungroup_many`
//!   (use `players/cmd/set_members`).
//!
//! Every command on the list could be given a shape that makes it safe, so
//! none was dropped. Arguments left out of a command's shape (and why) are
//! said in [`super::args`]: `media` of `players/cmd/resume` (a player media
//! object whose `uri` Music Assistant plays as it is), `username` of
//! `player_queues/play_media`, `userid` of `music/recently_played_items`,
//! provider and genre filters.

use serde_json::Value;

use super::args;
use super::shape::{Args, Kind, Refusal};

/// `music:read`: library, search, player and queue state.
pub const READ: &[&str] = &["music:read"];
/// `music:control`: player and queue commands, favourites of what is
/// playing; they also need `music:read`.
pub const CONTROL: &[&str] = &["music:read", "music:control"];

/// (command, scopes needed, its arguments). Each entry says why a voice
/// skill needs it.
pub const COMMANDS: &[(&str, &[&str], &Args)] = &[
    // players: state
    ("players/all", READ, &args::PLAYERS_ALL), // every player, to match a spoken room name
    ("players/get", READ, &args::PLAYER_GET),  // one player: what is playing, volume, power
    ("players/get_by_name", READ, &args::PLAYER_BY_NAME), // a player by name (may be a hidden one: prefer players/all)
    // players: playback
    ("players/cmd/play", CONTROL, &args::PLAYER), // "play" / "resume" on a player
    ("players/cmd/pause", CONTROL, &args::PLAYER), // "pause"
    ("players/cmd/play_pause", CONTROL, &args::PLAYER), // toggle, for a single "play/pause" intent
    ("players/cmd/stop", CONTROL, &args::PLAYER), // "stop"
    ("players/cmd/resume", CONTROL, &args::PLAYER), // carry on where the player stopped
    ("players/cmd/next", CONTROL, &args::PLAYER), // "next song"
    ("players/cmd/previous", CONTROL, &args::PLAYER), // "previous song"
    ("players/cmd/seek", CONTROL, &args::PLAYER_SEEK), // "go to 2 minutes in"
    ("players/cmd/power", CONTROL, &args::PLAYER_POWER), // "turn the kitchen speaker off"
    ("players/cmd/select_source", CONTROL, &args::PLAYER_SOURCE), // switch to one of the player's own sources, by id
    // players: volume
    ("players/cmd/volume_set", CONTROL, &args::PLAYER_VOLUME), // "volume 30"
    ("players/cmd/volume_up", CONTROL, &args::PLAYER),         // "louder" (Music Assistant's step)
    ("players/cmd/volume_down", CONTROL, &args::PLAYER),       // "quieter"
    ("players/cmd/volume_mute", CONTROL, &args::PLAYER_MUTE),  // "mute" / "unmute"
    ("players/cmd/group_volume", CONTROL, &args::PLAYER_VOLUME), // the same for a group of players
    ("players/cmd/group_volume_up", CONTROL, &args::PLAYER),   // "louder" for a group
    ("players/cmd/group_volume_down", CONTROL, &args::PLAYER), // "quieter" for a group
    ("players/cmd/group_volume_mute", CONTROL, &args::PLAYER_MUTE), // "mute" a group
    // players: grouping at run time (not group players' configuration)
    ("players/cmd/group", CONTROL, &args::PLAYER_GROUP), // "play in the kitchen too"
    ("players/cmd/ungroup", CONTROL, &args::PLAYER),     // "stop playing in the kitchen"
    ("players/cmd/set_members", CONTROL, &args::PLAYER_MEMBERS), // join and leave several players at once
    // favourites
    (
        "players/add_currently_playing_to_favorites",
        CONTROL,
        &args::PLAYER,
    ), // "I like this song"
    (
        "music/favorites/remove_item",
        CONTROL,
        &args::FAVORITE_REMOVE,
    ), // "remove this from my favourites" (a library id)
    // queues: state
    ("player_queues/all", READ, &args::NONE), // every queue, to find the one playing
    ("player_queues/get", READ, &args::QUEUE), // one queue: current item, shuffle, repeat
    ("player_queues/items", READ, &args::QUEUE_ITEMS), // "what's next?"
    (
        "player_queues/get_active_queue",
        READ,
        &args::QUEUE_OF_PLAYER,
    ), // the queue a player is playing from
    // queues: playback
    ("player_queues/play_media", CONTROL, &args::PLAY_MEDIA), // "play X" (media by URI only)
    ("player_queues/play", CONTROL, &args::QUEUE),            // "play"
    ("player_queues/pause", CONTROL, &args::QUEUE),           // "pause"
    ("player_queues/play_pause", CONTROL, &args::QUEUE),      // toggle
    ("player_queues/stop", CONTROL, &args::QUEUE),            // "stop"
    ("player_queues/resume", CONTROL, &args::QUEUE_RESUME),   // "resume"
    ("player_queues/next", CONTROL, &args::QUEUE),            // "next"
    ("player_queues/previous", CONTROL, &args::QUEUE),        // "previous"
    ("player_queues/skip", CONTROL, &args::QUEUE_SKIP),       // "skip 30 seconds"
    ("player_queues/seek", CONTROL, &args::QUEUE_SEEK),       // "go to 2 minutes"
    ("player_queues/play_index", CONTROL, &args::QUEUE_PLAY_INDEX), // "play the third song in the queue"
    ("player_queues/shuffle", CONTROL, &args::QUEUE_SHUFFLE),       // "shuffle on/off"
    ("player_queues/repeat", CONTROL, &args::QUEUE_REPEAT), // "repeat this song / all / off"
    (
        "player_queues/dont_stop_the_music",
        CONTROL,
        &args::QUEUE_DONT_STOP,
    ), // "keep playing similar music"
    ("player_queues/transfer", CONTROL, &args::QUEUE_TRANSFER), // "move the music to the kitchen"
    ("player_queues/clear", CONTROL, &args::QUEUE_CLEAR),   // "clear the queue"
    ("player_queues/move_item", CONTROL, &args::QUEUE_MOVE), // "play this next"
    ("player_queues/delete_item", CONTROL, &args::QUEUE_DELETE), // "remove this from the queue"
    // library and search: reads of the person's own library only
    ("music/search", READ, &args::SEARCH), // "play X": find X (a share link resolves by id only)
    ("music/recently_played_items", READ, &args::RECENTLY_PLAYED), // "play what I listened to last"
    ("music/artists/library_items", READ, &args::ARTIST_ITEMS), // the library's artists
    ("music/artists/get", READ, &args::ITEM), // one artist
    ("music/artists/artist_albums", READ, &args::ITEM_CHILDREN), // an artist's albums
    ("music/artists/artist_tracks", READ, &args::ITEM_CHILDREN), // an artist's songs
    ("music/albums/library_items", READ, &args::LIBRARY_ITEMS), // the library's albums
    ("music/albums/get", READ, &args::ITEM), // one album
    ("music/albums/album_tracks", READ, &args::ITEM_CHILDREN), // an album's songs
    ("music/tracks/library_items", READ, &args::LIBRARY_ITEMS), // the library's songs
    ("music/playlists/library_items", READ, &args::LIBRARY_ITEMS), // the library's playlists
    ("music/playlists/get", READ, &args::ITEM), // one playlist
    ("music/playlists/playlist_tracks", READ, &args::ITEM), // a playlist's songs
    ("music/radios/library_items", READ, &args::LIBRARY_ITEMS), // the library's radio stations
];

/// The scopes `command` needs, or None if it is not forwarded at all.
pub fn required_scopes(command: &str) -> Option<&'static [&'static str]> {
    COMMANDS
        .iter()
        .find(|(c, ..)| *c == command)
        .map(|(_, s, _)| *s)
}

/// The argument shape of `command`, or None if it is not forwarded at all.
pub fn shape(command: &str) -> Option<&'static Args> {
    COMMANDS
        .iter()
        .find(|(c, ..)| *c == command)
        .map(|(.., a)| *a)
}

/// Whether the gateway forwards `command` with `args`: the command is on
/// the allowlist and its arguments fit its shape. A command off the list is
/// a [`Kind::Forbidden`] refusal of the path `command`.
pub fn check(command: &str, args: &Value) -> Result<(), Refusal> {
    match shape(command) {
        Some(a) => a.check(args),
        None => Err(Refusal {
            kind: Kind::Forbidden,
            path: "command".into(),
            reason: "not available through this gateway".into(),
        }),
    }
}

/// README's scope table, generated from [`COMMANDS`].
pub fn scope_table_markdown() -> String {
    let mut out =
        String::from("| Command | Scopes needed | Arguments ([optional]) |\n|---|---|---|\n");
    for (c, scopes, a) in COMMANDS {
        let s: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
        out.push_str(&format!("| `{c}` | {} | {} |\n", s.join(" + "), a.names()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for (c, scopes, _) in COMMANDS {
            assert!(seen.insert(c), "{c} listed twice");
            assert!(!c.ends_with('/') && !c.contains('*'), "{c}: no wildcards");
            assert!(
                !c.starts_with("config/") && !c.starts_with("auth/"),
                "{c}: never configuration or accounts"
            );
            assert!(scopes.contains(&"music:read"), "{c}");
        }
    }

    #[test]
    fn every_command_has_a_shape_naming_media_only_by_uri() {
        use super::super::shape::{ITEM_ID, PROVIDER, Shape};
        for (c, _, a) in COMMANDS {
            let mut names = std::collections::HashSet::new();
            for arg in a.args {
                assert!(names.insert(arg.name), "{c}: {} twice", arg.name);
                assert!(
                    !arg.name.is_empty()
                        && arg
                            .name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{c}: {:?}",
                    arg.name
                );
                assert!(
                    !["url", "uri", "path", "item", "username", "userid"].contains(&arg.name),
                    "{c}: never an argument {:?}",
                    arg.name
                );
                let media = matches!(
                    arg.shape,
                    Shape::MediaUri
                        | Shape::OneOrList(Shape::MediaUri, _)
                        | Shape::ItemId
                        | Shape::Provider
                );
                let names_media = ["media", "start_item", ITEM_ID, PROVIDER].contains(&arg.name);
                assert_eq!(media, names_media, "{c}: {}", arg.name);
                if matches!(arg.shape, Shape::ItemId | Shape::Provider) {
                    assert!(
                        a.item_ref && arg.required,
                        "{c}: {} outside an item pair",
                        arg.name
                    );
                }
            }
            if a.item_ref {
                assert!(names.contains(ITEM_ID) && names.contains(PROVIDER), "{c}");
            }
        }
    }

    #[test]
    fn what_the_skill_sends_fits_and_attacks_do_not() {
        use serde_json::json;
        for (c, args) in [
            ("players/all", json!({})),
            (
                "players/cmd/volume_set",
                json!({"player_id": "upkitchen", "volume_level": 30}),
            ),
            (
                "players/cmd/volume_mute",
                json!({"player_id": "Echo Kitchen", "muted": true}),
            ),
            (
                "players/cmd/seek",
                json!({"player_id": "kitchen", "position": 0}),
            ),
            (
                "player_queues/shuffle",
                json!({"queue_id": "kitchen", "shuffle_enabled": true}),
            ),
            (
                "player_queues/repeat",
                json!({"queue_id": "kitchen", "repeat_mode": "all"}),
            ),
            (
                "player_queues/get_active_queue",
                json!({"player_id": "kitchen"}),
            ),
            (
                "music/search",
                json!({"search_query": "AC/DC", "media_types": ["artist", "track"], "limit": 10}),
            ),
            (
                "music/tracks/library_items",
                json!({"limit": 500, "offset": 0}),
            ),
            (
                "player_queues/play_media",
                json!({"queue_id": "kitchen",
                "media": ["library://track/3", "library://track/9"], "option": "replace"}),
            ),
            (
                "music/playlists/playlist_tracks",
                json!({"item_id": "1",
                "provider_instance_id_or_domain": "library"}),
            ),
            (
                "music/favorites/remove_item",
                json!({"media_type": "track", "library_item_id": 3}),
            ),
        ] {
            assert_eq!(check(c, &args), Ok(()), "{c} {args}");
        }
        for (c, args, kind) in [
            (
                "players/cmd/play_announcement",
                json!({"player_id": "k", "url": "x"}),
                Kind::Forbidden,
            ),
            (
                "player_queues/play_media",
                json!({"queue_id": "k",
                "media": [{"media_type": "track", "provider": "builtin", "item_id": "async:http://h/x"}]}),
                Kind::Forbidden,
            ),
            (
                "player_queues/play_media",
                json!({"queue_id": "k", "media": "/etc/passwd"}),
                Kind::Forbidden,
            ),
            (
                "music/playlists/playlist_tracks",
                json!({"item_id": "/etc/passwd",
                "provider_instance_id_or_domain": "builtin"}),
                Kind::Forbidden,
            ),
            (
                "players/cmd/resume",
                json!({"player_id": "k", "media": {"uri": "tcp://h:1"}}),
                Kind::Forbidden,
            ),
            (
                "players/cmd/volume_set",
                json!({"player_id": "k", "volume_level": 150}),
                Kind::Malformed,
            ),
            ("players/cmd/power", json!({}), Kind::Malformed),
        ] {
            assert_eq!(check(c, &args).map_err(|r| r.kind), Err(kind), "{c} {args}");
        }
    }
}
