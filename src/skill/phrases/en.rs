//! English (en-US, en-GB, en-CA, en-AU, en-IN): one table for every
//! English Echo. Written as people talk to an Echo ("play Abbey Road in the
//! kitchen", "skip this song", "who is this"), not as a command language.
//! Player names are inserted as Music Assistant has them, after "in the"
//! ("in the Living Room"). British and American usage differ little here
//! ("favourites"/"favorites" are only example values). Unsure, for a
//! native speaker of the region to review: "play songs of X" (en-IN),
//! "put the radio on" and "carry on playing" (en-GB, en-AU), "no more
//! repeat". A number said with "percent" fills VolumeIntent's `percent`
//! ("ten percent" is 10 %), a bare number its `level` (Alexa's 0-10 scale).

use super::{Invocation, Phrases, Say, Words};
use crate::skill::library::Kind;

pub static PHRASES: Phrases = Phrases {
    invocation: Invocation {
        default: "music assistant",
        // Amazon's launch phrases and connecting words (Understand How
        // Users Invoke Custom Skills), never part of a name.
        launch_words: &[
            "open", "ask", "tell", "launch", "load", "begin", "enable", "start", "run", "use",
            "talk", "resume", "play", "to", "from", "in", "using", "with", "about", "for", "that",
            "by", "if", "and", "whether",
        ],
        small_words: &[
            "the", "a", "an", "for", "to", "of", "in", "on", "at", "by", "with", "from", "about",
            "up", "off", "into",
        ],
        compound_word: false,
    },
    samples: super::en_samples::SAMPLES,
    answers: super::en_samples::ANSWERS,
    values: &[
        (
            "ROOM_NAME",
            &[
                "kitchen",
                "living room",
                "bedroom",
                "office",
                "bathroom",
                "garden",
                "everywhere",
                "every room",
                "all rooms",
                "the whole house",
            ],
        ),
        (
            "ARTIST_NAME",
            &[
                "The Beatles",
                "Radiohead",
                "Miles Davis",
                "Taylor Swift",
                "Daft Punk",
                "Simon and Garfunkel",
                "a. c. d. c.",
            ],
        ),
        (
            "ALBUM_NAME",
            &[
                "Abbey Road",
                "Kind of Blue",
                "OK Computer",
                "Random Access Memories",
            ],
        ),
        (
            "SONG_NAME",
            &[
                "Yesterday",
                "So What",
                "Karma Police",
                "Get Lucky",
                "Bohemian Rhapsody",
            ],
        ),
        (
            "PLAYLIST_NAME",
            &[
                "Morning Mix",
                "Favourites",
                "Dinner Party",
                "Workout",
                "Rock and Roll Mix",
            ],
        ),
        (
            "STATION_NAME",
            &["BBC Radio 6 Music", "Jazz FM", "KEXP", "Radio Paradise"],
        ),
        (
            "GENRE_NAME",
            &[
                "jazz",
                "rock",
                "pop",
                "classical",
                "blues",
                "hip hop",
                "country",
                "electronic",
                "soul",
                "folk",
                "metal",
                "reggae",
            ],
        ),
        (
            "MEDIA_NAME",
            &[
                "The Beatles",
                "Abbey Road",
                "Yesterday",
                "Morning Mix",
                "BBC Radio 6 Music",
                "Kind of Blue",
                "jazz",
            ],
        ),
    ],
    words: Words {
        kinds: &[
            (
                Kind::Artist,
                &[
                    "the artist",
                    "artist",
                    "the band",
                    "music by",
                    "music from",
                    "songs by",
                    "songs from",
                    "songs of",
                    "something by",
                    "anything by",
                ],
            ),
            (
                Kind::Album,
                &[
                    "the album called",
                    "an album called",
                    "the album",
                    "album",
                    "the record",
                ],
            ),
            (
                Kind::Track,
                &[
                    "the song called",
                    "a song called",
                    "the track called",
                    "the song",
                    "the track",
                    "the tune",
                    "song",
                    "track",
                ],
            ),
            (
                Kind::Playlist,
                &[
                    "my playlist called",
                    "the playlist called",
                    "my playlist",
                    "the playlist",
                    "playlist",
                ],
            ),
            (
                Kind::Radio,
                &[
                    "the radio station",
                    "radio station",
                    "the station",
                    "station",
                    "radio",
                ],
            ),
        ],
        by: &["by"],
        in_room: &["in the", "on the", "in", "on"],
        everywhere: &[
            "everywhere",
            "every room",
            "all rooms",
            "in every room",
            "in all rooms",
            "all speakers",
            "on all speakers",
            "the whole house",
            "whole house",
            "all over the house",
            "all of them",
        ],
        music: &["music"],
    },
    say: Say {
        launch: "Music Assistant is ready. What would you like to play?",
        launch_reprompt: "You can say an artist, an album, a song or a playlist, or, what's playing.",
        help: "You can say: play, and an artist, an album, a song or a playlist; play some jazz; \
               pause; next song; volume five; what's playing; or play music everywhere. \
               Add, in the kitchen, to choose a player. What would you like?",
        goodbye: "Goodbye.",
        fallback: "Sorry, I didn't get that. You can say, play, and an artist or an album, or, help.",
        link_account: "To use Music Assistant, open the Alexa app and link your account.",
        not_configured: "This server is not connected to Music Assistant.",
        playing: "Playing {what} in the {room}.",
        playing_by: "Playing {what} by {artist} in the {room}.",
        playing_everywhere: "Playing {what} on {list}.",
        queued: "Added {what} to the queue in the {room}.",
        my_music: "Shuffling your music in the {room}.",
        my_music_everywhere: "Shuffling your music on {list}.",
        genre: "Playing {genre} in the {room}.",
        not_found: "I couldn't find {what} in your music.",
        did_you_mean: "I couldn't find {what}. The closest I have is {name}.",
        which_name: "What would you like to play?",
        empty_library: "Your music library is empty.",
        no_players: "Music Assistant has no players I can use.",
        which_room: "Which player? {list}.",
        room_prompt: "Which player?",
        which_room_reprompt: "Which player should play? For example, {first}.",
        unknown_room: "I don't know a player called {room}. You have {list}.",
        using_room: "OK, this Echo now plays in the {room}.",
        paused: "Paused.",
        resumed: "Resuming.",
        stopped: "Stopped.",
        next: "Next.",
        previous: "Going back.",
        start_over: "Starting over.",
        shuffle_on: "Shuffle is on.",
        shuffle_off: "Shuffle is off.",
        repeat_on: "Repeat is on.",
        repeat_off: "Repeat is off.",
        volume: "Volume {level} in the {room}.",
        bad_volume: "Please say a volume between zero and ten, or up to one hundred percent.",
        louder: "Louder.",
        quieter: "Quieter.",
        muted: "Muted.",
        unmuted: "Unmuted.",
        now_playing: "{title} by {artist}, in the {room}.",
        now_playing_title: "{title}, in the {room}.",
        nothing_playing: "Nothing is playing in the {room}.",
        ma_slow: "Music Assistant is taking too long to answer. Please try again in a moment.",
        ma_down: "I can't reach Music Assistant right now. Please check that it is running.",
        ma_failed: "Music Assistant couldn't do that right now.",
        not_allowed: "I'm not allowed to do that.",
        relink_retry: "Music Assistant hesitated over your account. Please try again.",
        echo_setup: "To play on this Echo, add Music Assistant's Alexa provider in Music Assistant's settings, with the address and password this server's page shows.",
        echo_unknown: "I don't know which Music Assistant player this Echo is yet. Say: this is the, and its name in Music Assistant.",
        echo_is: "OK, this Echo is {room}.",
        echo_on_page: "This Echo's player was set on the add-on's page; change it there.",
        echo_nothing: "Music Assistant has nothing to play on this Echo right now.",
        or: "or",
        and: "and",
    },
};
