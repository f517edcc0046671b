//! English: what people say to the Echo, per intent, and their answers to
//! the skill's questions (the table itself, with its notes for reviewers:
//! `en.rs`). `samples!` writes every combination of its three lists (see
//! `expand.rs`): mostly the request, then the room endings.

use super::expand::samples;

/// (intent, sample utterances).
pub static SAMPLES: &[(&str, &[&str])] = &[
    (
        "PlayIntent",
        samples!(
            ["play", "put on", "play me", "play some", "play me some", "put on some", "can you play",
             "could you play", "can you put on"]
            [" {query}", " {query} by {artist}"]
            ["", " in the {room}", " on the {room}"];
            ["i want to hear", "i'd like to hear", "let me hear", "listen to", "i want to listen to",
             "let's hear", "let's listen to", "i want to hear some", "i'd like to hear some",
             "let's hear some", "let's listen to some", "play a bit of", "play a little"]
            [" {query}"] [""];
            ["play {query} in {room}", "play {query} please", "i want to hear {query} by {artist}"]
            [""] [""]
        ),
    ),
    (
        "PlayArtistIntent",
        samples!(
            ["play", "play some", "shuffle"] [" music by {artist}", " songs by {artist}"]
            ["", " in the {room}", " on the {room}"];
            ["play"]
            [" something by {artist}", " anything by {artist}", " the artist {artist}",
             " the band {artist}", " songs of {artist}", " some songs from {artist}",
             " some music from {artist}", " music from {artist}", " songs from {artist}"]
            ["", " in the {room}", " on the {room}"];
            ["play some songs of {artist}", "play the songs of {artist}", "play all songs by {artist}",
             "play everything by {artist}", "music by {artist}", "something by {artist}",
             "songs by {artist}", "anything by {artist}"] [""] [""]
        ),
    ),
    (
        "PlayAlbumIntent",
        samples!(
            ["play the album", "play the record", "put on the album", "play the album called",
             "play an album called"]
            [" {album}", " {album} by {artist}"]
            ["", " in the {room}", " on the {room}"];
            ["play album {album}", "play the whole album {album}", "the album {album}",
             "the album {album} by {artist}"] [""] [""]
        ),
    ),
    (
        "PlaySongIntent",
        samples!(
            ["play the song", "play the track", "play the song called", "play a song called",
             "play the track called", "play the tune"]
            [" {song}", " {song} by {artist}"]
            ["", " in the {room}", " on the {room}"];
            ["the song {song}", "the song {song} by {artist}"] [""] [""]
        ),
    ),
    (
        "PlayPlaylistIntent",
        samples!(
            ["play the playlist", "play playlist", "play my playlist", "shuffle the playlist",
             "shuffle my playlist", "play the playlist called", "play my playlist called",
             "put on the playlist"]
            [" {playlist}"]
            ["", " in the {room}", " on the {room}"];
            ["play my", "play the", "shuffle my", "put on my"] [" {playlist} playlist"]
            ["", " in the {room}", " on the {room}"];
            ["the playlist {playlist}"] [""] [""]
        ),
    ),
    (
        "PlayRadioIntent",
        samples!(
            ["play the radio station", "play the station", "play radio station", "tune in to",
             "tune to", "listen to the station"]
            [" {station}"]
            ["", " in the {room}", " on the {room}"];
            ["play the radio", "play radio", "put on the radio", "turn on the radio"] [""]
            ["", " in the {room}", " on the {room}"];
            ["the station {station}", "put the radio on"] [""] [""]
        ),
    ),
    (
        "PlayGenreIntent",
        samples!(
            ["play some", "put on some", "i want to hear some"] [" {genre} music"]
            ["", " in the {room}", " on the {room}"];
            ["some {genre}", "some {genre} music"] [""] [""]
        ),
    ),
    (
        "PlayMyMusicIntent",
        samples!(
            ["play my music", "play music", "play some music", "shuffle my music", "play random music",
             "play some random music", "put on some music", "put on my music", "play all my music"]
            [""]
            ["", " in the {room}", " on the {room}"];
            ["play my library", "play my songs", "shuffle my library", "play anything",
             "play something", "play random songs", "shuffle some music", "shuffle all my music",
             "shuffle all my songs", "put some music on"] [""] [""]
        ),
    ),
    (
        "PlayEverywhereIntent",
        samples!(
            ["play music", "play my music", "play some music", "play {query}",
             "play {query} by {artist}"]
            [" everywhere", " in every room", " in all rooms", " on all speakers",
             " all over the house"]
            [""]
        ),
    ),
    (
        "EnqueueIntent",
        &[
            "add {query} to the queue",
            "add {query} by {artist} to the queue",
            "queue {query}",
            "queue up {query}",
            "put {query} in the queue",
            "play {query} next",
            "add {query} to the queue in the {room}",
        ],
    ),
    (
        "StopMusicIntent",
        samples!(
            ["stop the music", "stop playing", "turn off the music", "turn the music off"]
            [""] ["", " in the {room}", " on the {room}"];
            ["stop playback", "turn it off", "stop the music {room}", "stop all the music"]
            [""] [""]
        ),
    ),
    (
        "VolumeIntent",
        samples!(
            ["volume", "volume to", "set the volume to", "set volume to", "turn the volume to",
             "change the volume to", "put the volume on"]
            [" {level}", " {percent} percent"]
            ["", " in the {room}"];
            ["set the volume in the {room} to", "turn the volume in the {room} to",
             "set the {room} volume to", "turn the {room} volume to"]
            [" {level}", " {percent} percent"] [""];
            ["turn the volume up to", "turn the volume down to", "turn it up to", "turn it down to",
             "volume at", "set volume"] [" {level}"] [""]
        ),
    ),
    (
        "LouderIntent",
        samples!(
            ["louder", "a bit louder", "a little louder", "turn it up", "make it louder",
             "turn up the volume", "turn the volume up", "turn up the music", "turn the music up",
             "increase the volume", "raise the volume", "volume up"]
            [""] ["", " in the {room}", " on the {room}"];
            ["make the {room} louder", "turn up the {room}", "turn the {room} up", "louder please",
             "turn it up a bit", "turn it up a little", "crank it up", "crank up the volume",
             "pump up the volume", "it's too quiet"] [""] [""]
        ),
    ),
    (
        "QuieterIntent",
        samples!(
            ["quieter", "a bit quieter", "a little quieter", "softer", "turn it down",
             "make it quieter", "turn down the volume", "turn the volume down", "turn down the music",
             "turn the music down", "lower the volume", "decrease the volume", "reduce the volume",
             "volume down"]
            [""] ["", " in the {room}", " on the {room}"];
            ["make the {room} quieter", "turn down the {room}", "turn the {room} down",
             "quieter please", "a bit softer", "a little softer", "turn it down a bit",
             "turn it down a little", "it's too loud", "not so loud"] [""] [""]
        ),
    ),
    (
        "MuteIntent",
        samples!(
            ["mute the music", "mute the sound"] [""] ["", " in the {room}", " on the {room}"];
            ["mute", "mute it", "mute the {room}", "silence", "mute the volume"] [""] [""]
        ),
    ),
    (
        "UnmuteIntent",
        samples!(
            ["unmute the music", "turn the sound back on", "unmute the sound"] [""]
            ["", " in the {room}", " on the {room}"];
            ["unmute", "unmute it", "unmute the {room}", "turn the sound on", "sound on",
             "unmute the volume"] [""] [""]
        ),
    ),
    (
        "WhatsPlayingIntent",
        samples!(
            ["what's playing", "what is playing", "what's playing right now", "what's playing now"]
            [""] ["", " in the {room}", " on the {room}"];
            ["what's this song", "what song is this", "what song is playing", "what is this",
             "what's this", "what is this song", "what song is that", "what track is this",
             "what am i listening to", "what am i hearing", "what's the name of this song",
             "what is the name of this song", "what's the name of this track",
             "what's this song called", "what is this song called", "what's the song called",
             "who is this", "who's this", "who is this by", "who's this by", "who is singing",
             "who's singing", "who is singing this", "who's singing this", "who sings this",
             "who sings this song", "who is playing"] [""] [""]
        ),
    ),
    (
        "UseRoomIntent",
        &[
            "use the {room}",
            "use {room}",
            "switch to the {room}",
            "switch to {room}",
            "play in the {room}",
            "play on the {room}",
            "in the {room}",
            "on the {room}",
            "i'm in the {room}",
            "i am in the {room}",
            "use the {room} speaker",
            "switch to the {room} speaker",
        ],
    ),
    // Music Assistant's Alexa provider says "ask music assistant to play
    // audio" to an Echo to have it play the stream it pushed.
    ("PlayAudioIntent", &["play audio", "play the audio"]),
    (
        "PlayHereIntent",
        &[
            "play {query} here",
            "play {query} on this echo",
            "play {query} on this device",
            "play {query} by {artist} here",
            "play {query} by {artist} on this echo",
            "put on {query} here",
        ],
    ),
    (
        "ThisEchoIntent",
        &[
            "this is the {room}",
            "this is {room}",
            "this echo is the {room}",
            "this echo is {room}",
            "you are the {room}",
            "this device is the {room}",
        ],
    ),
    (
        "AMAZON.PauseIntent",
        samples!(
            ["pause"] ["", " the music", " music", " the song", " this song", " the track", " it",
             " playback", " the playback", " for a moment", " for a second"] [""];
            ["hold on", "hang on"] [""] [""]
        ),
    ),
    (
        "AMAZON.ResumeIntent",
        samples!(
            [
                "resume",
                "resume the music",
                "resume the song",
                "resume playing",
                "continue playing",
                "continue the music",
                "continue the song",
                "keep playing",
                "carry on",
                "carry on playing",
                "unpause",
                "unpause the music",
                "start playing again",
                "start the music again",
                "turn the music back on"
            ][""][""]
        ),
    ),
    (
        "AMAZON.NextIntent",
        samples!(
            [
                "next",
                "next song",
                "next track",
                "the next song",
                "next one",
                "next please",
                "next one please",
                "next song please",
                "skip",
                "skip ahead",
                "skip this song",
                "skip this track",
                "skip this one",
                "skip the song",
                "skip song",
                "skip to the next song",
                "skip to the next track",
                "go to the next song",
                "play the next song",
                "play next song",
                "play the next track",
                "play the next one"
            ][""][""]
        ),
    ),
    (
        "AMAZON.PreviousIntent",
        samples!(
            [
                "previous",
                "previous song",
                "previous track",
                "previous one",
                "the previous song",
                "last song",
                "back",
                "back one",
                "go back",
                "go back one",
                "go back a song",
                "go back one song",
                "go back a track",
                "go to the previous song",
                "play the previous song",
                "play the previous track",
                "play the last song again",
                "play the last one again"
            ][""][""]
        ),
    ),
    (
        "AMAZON.StartOverIntent",
        samples!(
            [
                "restart this song",
                "restart the song",
                "restart the track",
                "start the song again",
                "start this song over",
                "start it over",
                "play this song again",
                "play that song again",
                "play that again",
                "play it again",
                "play this again",
                "from the beginning",
                "from the top",
                "start from the top",
                "start from the beginning",
                "play this song from the beginning",
                "play the song from the beginning",
                "back to the beginning"
            ][""][""]
        ),
    ),
    (
        "AMAZON.ShuffleOnIntent",
        samples!(
            [
                "shuffle",
                "shuffle on",
                "shuffle it",
                "shuffle mode on",
                "turn on shuffle",
                "turn shuffle on",
                "turn on shuffle mode",
                "shuffle the songs",
                "shuffle these songs",
                "mix it up",
                "play in random order",
                "play them in random order"
            ][""][""]
        ),
    ),
    (
        "AMAZON.ShuffleOffIntent",
        samples!(
            [
                "shuffle off",
                "shuffle mode off",
                "turn off shuffle",
                "turn shuffle off",
                "turn off shuffle mode",
                "stop shuffling",
                "stop shuffle",
                "play in order",
                "play them in order"
            ][""][""]
        ),
    ),
    (
        "AMAZON.LoopOnIntent",
        samples!(
            [
                "repeat",
                "repeat on",
                "repeat all",
                "turn on repeat",
                "turn repeat on",
                "repeat the playlist",
                "repeat this song",
                "repeat the song",
                "repeat this track",
                "repeat this one",
                "keep repeating",
                "put it on repeat",
                "put this on repeat",
                "put this song on repeat",
                "loop the music",
                "loop this song",
                "loop this"
            ][""][""]
        ),
    ),
    (
        "AMAZON.LoopOffIntent",
        samples!(
            [
                "repeat off",
                "turn off repeat",
                "turn repeat off",
                "stop repeating",
                "no more repeat",
                "loop off",
                "turn off loop",
                "stop looping"
            ][""][""]
        ),
    ),
    (
        "AMAZON.StopIntent",
        &["stop", "stop it", "that's enough", "stop everything"],
    ),
    (
        "AMAZON.HelpIntent",
        samples!(
            [
                "help",
                "what can i say",
                "what do i say",
                "what can i ask",
                "what can i do",
                "what can you do",
                "how does this work",
                "how do i use this",
                "what are the commands",
                "what are my options"
            ][""][""]
        ),
    ),
];

/// (slot, answers when the skill asks for it).
pub static ANSWERS: &[(&str, &[&str])] = &[
    (
        "query",
        &[
            "{query}",
            "play {query}",
            "how about {query}",
            "i'd like to hear {query}",
        ],
    ),
    (
        "artist",
        &[
            "{artist}",
            "music by {artist}",
            "something by {artist}",
            "play {artist}",
        ],
    ),
    (
        "album",
        &["{album}", "the album {album}", "play the album {album}"],
    ),
    ("song", &["{song}", "the song {song}", "play {song}"]),
    (
        "playlist",
        &[
            "{playlist}",
            "the playlist {playlist}",
            "my playlist {playlist}",
        ],
    ),
    (
        "station",
        &["{station}", "the station {station}", "radio {station}"],
    ),
    ("genre", &["{genre}", "some {genre}", "{genre} music"]),
    (
        "room",
        &[
            "{room}",
            "the {room}",
            "in the {room}",
            "on the {room}",
            "the {room} please",
            "use the {room}",
            "the one in the {room}",
            "the one on the {room}",
        ],
    ),
];
