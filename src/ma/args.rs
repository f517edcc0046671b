//! The arguments each forwarded command may take ([`super::commands::COMMANDS`]
//! gives every command one of these shapes): Music Assistant's own argument
//! names (its `api_command` signatures at the commit ARCHITECTURE.md names),
//! narrowed to what a voice skill needs, with the JSON type and bounds of
//! each. What is left out on purpose is said beside each shape.
//!
//! Ids Music Assistant only looks up (players, queues, queue items,
//! sources) are [`Shape::Id`]; anything that names media is a URI string of
//! an accepted form ([`Shape::MediaUri`]) or a provider + item id pair
//! ([`Args::item`]), never an object, a URL or a path; words a person said
//! are [`Shape::Text`].

use super::shape::{Args, ITEM_ID, PROVIDER, Shape, opt, req};
use super::uri::MEDIA_TYPES;

/// Longest search or name, in characters.
const TEXT: Shape = Shape::Text(500);
/// A position or a skip in seconds: up to a week (audiobooks are long).
const SECONDS: i64 = 7 * 86_400;
/// Most URIs in one `play_media` (the skill sends up to 100).
pub const MAX_MEDIA: usize = 200;
/// Most players joined or left at once.
const MAX_PLAYERS: usize = 32;
/// A queue's length, as far as an index goes.
const MAX_INDEX: i64 = 100_000;

/// `QueueOption` (player_queues.py `play_media`).
pub const QUEUE_OPTIONS: &[&str] = &["play", "replace", "next", "replace_next", "add"];
/// `RepeatMode`.
pub const REPEAT_MODES: &[&str] = &["off", "one", "all"];
/// `MediaType.ALL`: what `music/search` and `recently_played_items` filter on.
pub const SEARCH_TYPES: &[&str] = &[
    "artist",
    "album",
    "track",
    "playlist",
    "radio",
    "audiobook",
    "podcast",
    "genre",
];
/// `SORT_KEYS` of controllers/media/base.py (`library_items`' `order_by`).
pub const ORDER_BY: &[&str] = &[
    "name",
    "name_desc",
    "duration",
    "duration_desc",
    "sort_name",
    "sort_name_desc",
    "timestamp_added",
    "timestamp_added_desc",
    "timestamp_modified",
    "timestamp_modified_desc",
    "last_played",
    "last_played_desc",
    "play_count",
    "play_count_desc",
    "year",
    "year_desc",
    "position",
    "position_desc",
    "artist_name",
    "artist_name_desc",
    "random",
    "random_play_count",
];

/// `players/all` (`all_player_states`): `provider_filter` left out.
pub const PLAYERS_ALL: Args = Args::new(&[
    opt("return_unavailable", Shape::Bool),
    opt("return_disabled", Shape::Bool),
    opt("return_protocol_players", Shape::Bool),
]);
/// `players/get`.
pub const PLAYER_GET: Args = Args::new(&[
    req("player_id", Shape::Id),
    opt("raise_unavailable", Shape::Bool),
]);
/// `players/get_by_name`.
pub const PLAYER_BY_NAME: Args = Args::new(&[req("name", TEXT)]);
/// One player: the player commands without arguments of their own. For
/// `players/cmd/resume`, `source` and `media` are left out: `media` is a
/// player media object whose `uri` Music Assistant plays as it is.
pub const PLAYER: Args = Args::new(&[req("player_id", Shape::Id)]);
/// `players/cmd/seek`.
pub const PLAYER_SEEK: Args = Args::new(&[
    req("player_id", Shape::Id),
    req("position", Shape::Int(0, SECONDS)),
]);
/// `players/cmd/power`.
pub const PLAYER_POWER: Args =
    Args::new(&[req("player_id", Shape::Id), req("powered", Shape::Bool)]);
/// `players/cmd/select_source`: one of the player's own sources, by id.
pub const PLAYER_SOURCE: Args = Args::new(&[req("player_id", Shape::Id), req("source", Shape::Id)]);
/// `players/cmd/volume_set`, `players/cmd/group_volume`: 0 to 100.
pub const PLAYER_VOLUME: Args = Args::new(&[
    req("player_id", Shape::Id),
    req("volume_level", Shape::Int(0, 100)),
]);
/// `players/cmd/volume_mute`, `players/cmd/group_volume_mute`.
pub const PLAYER_MUTE: Args = Args::new(&[req("player_id", Shape::Id), req("muted", Shape::Bool)]);
/// `players/cmd/group`.
pub const PLAYER_GROUP: Args =
    Args::new(&[req("player_id", Shape::Id), req("target_player", Shape::Id)]);
/// `players/cmd/set_members`.
pub const PLAYER_MEMBERS: Args = Args::new(&[
    req("target_player", Shape::Id),
    opt("player_ids_to_add", Shape::List(&Shape::Id, 0, MAX_PLAYERS)),
    opt(
        "player_ids_to_remove",
        Shape::List(&Shape::Id, 0, MAX_PLAYERS),
    ),
]);
/// `music/favorites/remove_item`: a library item, by type and number.
pub const FAVORITE_REMOVE: Args = Args::new(&[
    req("media_type", Shape::OneOf(MEDIA_TYPES)),
    req("library_item_id", Shape::LibraryId),
]);

/// No arguments (`player_queues/all`).
pub const NONE: Args = Args::NONE;
/// One queue: the queue commands without arguments of their own.
pub const QUEUE: Args = Args::new(&[req("queue_id", Shape::Id)]);
/// `player_queues/get_active_queue`.
pub const QUEUE_OF_PLAYER: Args = PLAYER;
/// `player_queues/items`.
pub const QUEUE_ITEMS: Args = Args::new(&[
    req("queue_id", Shape::Id),
    opt("limit", Shape::Int(1, 500)),
    opt("offset", Shape::Int(0, MAX_INDEX)),
]);
/// `player_queues/play_media`: `media` and `start_item` are URIs of an
/// accepted form, never item objects; `username` (plays as another user)
/// is left out.
pub const PLAY_MEDIA: Args = Args::new(&[
    req("queue_id", Shape::Id),
    req("media", Shape::OneOrList(&Shape::MediaUri, MAX_MEDIA)),
    opt("option", Shape::OneOf(QUEUE_OPTIONS)),
    opt("radio_mode", Shape::Bool),
    opt("start_item", Shape::MediaUri),
]);
/// `player_queues/resume`.
pub const QUEUE_RESUME: Args =
    Args::new(&[req("queue_id", Shape::Id), opt("fade_in", Shape::Bool)]);
/// `player_queues/skip`: seconds forward (negative: back).
pub const QUEUE_SKIP: Args = Args::new(&[
    req("queue_id", Shape::Id),
    opt("seconds", Shape::Int(-SECONDS, SECONDS)),
]);
/// `player_queues/seek`.
pub const QUEUE_SEEK: Args = Args::new(&[
    req("queue_id", Shape::Id),
    opt("position", Shape::Int(0, SECONDS)),
]);
/// `player_queues/play_index`: an index or a queue item id.
pub const QUEUE_PLAY_INDEX: Args = Args::new(&[
    req("queue_id", Shape::Id),
    req("index", Shape::IntOrId(0, MAX_INDEX)),
    opt("seek_position", Shape::Int(0, SECONDS)),
    opt("fade_in", Shape::Bool),
]);
/// `player_queues/shuffle`.
pub const QUEUE_SHUFFLE: Args = Args::new(&[
    req("queue_id", Shape::Id),
    req("shuffle_enabled", Shape::Bool),
]);
/// `player_queues/repeat`.
pub const QUEUE_REPEAT: Args = Args::new(&[
    req("queue_id", Shape::Id),
    req("repeat_mode", Shape::OneOf(REPEAT_MODES)),
]);
/// `player_queues/dont_stop_the_music`.
pub const QUEUE_DONT_STOP: Args = Args::new(&[
    req("queue_id", Shape::Id),
    req("dont_stop_the_music_enabled", Shape::Bool),
]);
/// `player_queues/transfer`.
pub const QUEUE_TRANSFER: Args = Args::new(&[
    req("source_queue_id", Shape::Id),
    req("target_queue_id", Shape::Id),
    opt("auto_play", Shape::Bool),
]);
/// `player_queues/clear`.
pub const QUEUE_CLEAR: Args =
    Args::new(&[req("queue_id", Shape::Id), opt("skip_stop", Shape::Bool)]);
/// `player_queues/move_item`.
pub const QUEUE_MOVE: Args = Args::new(&[
    req("queue_id", Shape::Id),
    req("queue_item_id", Shape::Id),
    opt("pos_shift", Shape::Int(-MAX_INDEX, MAX_INDEX)),
]);
/// `player_queues/delete_item`: an index or a queue item id.
pub const QUEUE_DELETE: Args = Args::new(&[
    req("queue_id", Shape::Id),
    req("item_id_or_index", Shape::IntOrId(0, MAX_INDEX)),
]);

/// `music/search`: words, never a URI (Music Assistant resolves share
/// links and URIs given as a query).
pub const SEARCH: Args = Args::new(&[
    req("search_query", TEXT),
    opt(
        "media_types",
        Shape::List(&Shape::OneOf(SEARCH_TYPES), 0, 8),
    ),
    opt("limit", Shape::Int(1, 50)),
    opt("library_only", Shape::Bool),
]);
/// `music/recently_played_items`: the caller's own history (`userid`, which
/// reads another user's, is left out).
pub const RECENTLY_PLAYED: Args = Args::new(&[
    opt("limit", Shape::Int(1, 100)),
    opt(
        "media_types",
        Shape::List(&Shape::OneOf(SEARCH_TYPES), 0, 8),
    ),
    opt("queue_id", Shape::Id),
    opt("fully_played_only", Shape::Bool),
    opt("user_initiated_only", Shape::Bool),
]);
/// `music/*/library_items` (controllers/media/base.py `library_items`):
/// `provider` and `genre` filters left out.
pub const LIBRARY_ITEMS: Args = Args::new(&[
    opt("favorite", Shape::Bool),
    opt("search", TEXT),
    opt("limit", Shape::Int(1, 500)),
    opt("offset", Shape::Int(0, 1_000_000)),
    opt("order_by", Shape::OneOf(ORDER_BY)),
]);
/// `music/artists/library_items`: also `album_artists_only`.
pub const ARTIST_ITEMS: Args = Args::new(&[
    opt("favorite", Shape::Bool),
    opt("search", TEXT),
    opt("limit", Shape::Int(1, 500)),
    opt("offset", Shape::Int(0, 1_000_000)),
    opt("order_by", Shape::OneOf(ORDER_BY)),
    opt("album_artists_only", Shape::Bool),
]);
/// `music/{artists,albums,playlists}/get` and `music/playlists/playlist_tracks`:
/// one item, by provider and id (never `builtin`, never a path outside
/// the library: [`super::uri::check_item`]); `force_refresh` left out.
pub const ITEM: Args = Args::item(&[req(ITEM_ID, Shape::ItemId), req(PROVIDER, Shape::Provider)]);
/// `music/artists/artist_albums`, `artist_tracks`, `music/albums/album_tracks`:
/// one item, optionally only what is in the library (`provider_filter` left out).
pub const ITEM_CHILDREN: Args = Args::item(&[
    req(ITEM_ID, Shape::ItemId),
    req(PROVIDER, Shape::Provider),
    opt("in_library_only", Shape::Bool),
]);
