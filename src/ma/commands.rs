//! Which Music Assistant commands the gateway forwards, and the scopes each
//! needs: the one allowlist. Everything not listed (configuration, users,
//! providers, tokens, ...) is refused and never forwarded. README's scope
//! table is generated from [`COMMANDS`] (`scope_table_markdown`) and a test
//! keeps the two equal.

/// `music:read`: library, search, player and queue state.
pub const READ: &[&str] = &["music:read"];
/// `music:control`: player and queue commands; they also need `music:read`.
pub const CONTROL: &[&str] = &["music:read", "music:control"];

/// (command, scopes needed). A name ending in `/` is a prefix: it covers
/// every command below it. Exact names win over prefixes.
pub const COMMANDS: &[(&str, &[&str])] = &[
    // players: state
    ("players/all", READ),
    ("players/get", READ),
    ("players/get_by_name", READ),
    // players: commands (play, pause, stop, next, previous, volume_set, volume_up,
    // volume_down, volume_mute, power, seek, group, ungroup, ...)
    ("players/cmd/", CONTROL),
    // queues: state
    ("player_queues/all", READ),
    ("player_queues/get", READ),
    ("player_queues/items", READ),
    ("player_queues/get_active_queue", READ),
    // queues: commands
    ("player_queues/play_media", CONTROL),
    ("player_queues/play", CONTROL),
    ("player_queues/pause", CONTROL),
    ("player_queues/play_pause", CONTROL),
    ("player_queues/stop", CONTROL),
    ("player_queues/resume", CONTROL),
    ("player_queues/next", CONTROL),
    ("player_queues/previous", CONTROL),
    ("player_queues/skip", CONTROL),
    ("player_queues/seek", CONTROL),
    ("player_queues/play_index", CONTROL),
    ("player_queues/shuffle", CONTROL),
    ("player_queues/repeat", CONTROL),
    ("player_queues/clear", CONTROL),
    ("player_queues/move_item", CONTROL),
    ("player_queues/delete_item", CONTROL),
    // library and search: reads only
    ("music/search", READ),
    ("music/item_by_uri", READ),
    ("music/recently_played_items", READ),
    ("music/artists/library_items", READ),
    ("music/artists/get", READ),
    ("music/artists/artist_albums", READ),
    ("music/artists/artist_tracks", READ),
    ("music/albums/library_items", READ),
    ("music/albums/get", READ),
    ("music/albums/album_tracks", READ),
    ("music/tracks/library_items", READ),
    ("music/tracks/get", READ),
    ("music/playlists/library_items", READ),
    ("music/playlists/get", READ),
    ("music/playlists/playlist_tracks", READ),
    ("music/radios/library_items", READ),
    ("music/radios/get", READ),
];

/// The scopes `command` needs, or None if it is not forwarded at all.
pub fn required_scopes(command: &str) -> Option<&'static [&'static str]> {
    if let Some((_, s)) = COMMANDS
        .iter()
        .find(|(c, _)| *c == command && !c.ends_with('/'))
    {
        return Some(s);
    }
    COMMANDS
        .iter()
        .filter(|(c, _)| {
            c.ends_with('/')
                && command.len() > c.len()
                && command.starts_with(c)
                && !command.contains("..")
        })
        .max_by_key(|(c, _)| c.len())
        .map(|(_, s)| *s)
}

/// README's scope table, generated from [`COMMANDS`].
pub fn scope_table_markdown() -> String {
    let mut out = String::from("| Command | Scopes needed |\n|---|---|\n");
    for (c, scopes) in COMMANDS {
        let shown = if c.ends_with('/') {
            format!("`{c}*`")
        } else {
            format!("`{c}`")
        };
        let s: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
        out.push_str(&format!("| {shown} | {} |\n", s.join(" + ")));
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
        assert_eq!(required_scopes("players/cmd/"), None);
        assert_eq!(required_scopes("player_queues/play_media"), Some(CONTROL));
        assert_eq!(required_scopes("music/search"), Some(READ));
        for refused in [
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
}
