//! Dutch (nl-NL), as people talk to an Echo in the Netherlands ("speel",
//! "zet ... op", "draai"; "vraag muziek assistent om ... te spelen", whose
//! request part is the infinitive clause "... te spelen"; the invocation
//! name is "muziek assistent", in Dutch as Amazon asks). Written by a
//! non-native speaker at near-native level: a native speaker should review
//! the samples (`tests/corpus/nl.tsv` is the yardstick) and what the skill
//! says. Flemish forms are not covered.

use super::expand::samples;
use super::{Invocation, Phrases, Say, Words};
use crate::skill::library::Kind;

pub static PHRASES: Phrases = Phrases {
    invocation: Invocation {
        default: "muziek assistent",
        launch_words: &[
            "open", "openen", "start", "starten", "vraag", "zeg", "speel", "gebruik", "activeer",
            "om", "naar", "tegen", "aan", "en", "met", "dat", "of", "te",
        ],
        small_words: &[
            "de", "het", "een", "van", "voor", "met", "in", "op", "aan", "naar", "om", "bij", "uit",
        ],
        compound_word: false,
    },
    samples: &[
        (
            "PlayIntent",
            samples!(
                ["speel ", "draai "]
                ["{query}", "{query} van {artist}"]
                ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["{query}", "{query} van {artist}"] [" te spelen", " in de {room} te spelen", " in het {room} te spelen", " in {room} te spelen", " af te spelen", " op te zetten", " in de {room} af te spelen"];
                ["speel ", "zet "] ["{query}", "{query} van {artist}"] [" af", " op", " in de {room} af", " in de {room} op"];
                ["ik wil ", "ik wil graag ", "ik wil graag naar "] ["{query}", "{query} van {artist}"]
                [" horen", " luisteren"];
                ["kun je "] ["{query}", "{query} van {artist}"] [" spelen", " afspelen", " opzetten"]
            ),
        ),
        (
            "PlayArtistIntent",
            samples!(
                ["speel ", "draai "]
                ["muziek van {artist}", "nummers van {artist}", "liedjes van {artist}", "iets van {artist}", "wat van {artist}", "de artiest {artist}", "de band {artist}", "een paar nummers van {artist}"]
                ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["muziek van {artist}", "nummers van {artist}", "liedjes van {artist}", "iets van {artist}", "wat van {artist}", "de artiest {artist}", "de band {artist}", "een paar nummers van {artist}"] [" te spelen", " in de {room} te spelen", " in het {room} te spelen", " in {room} te spelen", " af te spelen", " op te zetten", " in de {room} af te spelen"];
                ["speel ", "zet "] ["muziek van {artist}", "nummers van {artist}", "liedjes van {artist}", "iets van {artist}", "wat van {artist}", "de artiest {artist}", "de band {artist}", "een paar nummers van {artist}"] [" af", " op", " in de {room} af", " in de {room} op"];
                ["muziek van {artist}", "iets van {artist}", "wat van {artist}", "nummers van {artist}"] [""] [""]
            ),
        ),
        (
            "PlayAlbumIntent",
            samples!(
                ["speel ", "draai "]
                ["het album {album}", "de plaat {album}", "album {album}", "het album {album} van {artist}"]
                ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["het album {album}", "de plaat {album}", "album {album}", "het album {album} van {artist}"] [" te spelen", " in de {room} te spelen", " in het {room} te spelen", " in {room} te spelen", " af te spelen", " op te zetten", " in de {room} af te spelen"];
                ["speel ", "zet "] ["het album {album}", "de plaat {album}", "album {album}", "het album {album} van {artist}"] [" af", " op", " in de {room} af", " in de {room} op"];
                ["het album {album}", "het album {album} van {artist}"] [""] [""]
            ),
        ),
        (
            "PlaySongIntent",
            samples!(
                ["speel ", "draai "]
                ["het nummer {song}", "het liedje {song}", "de track {song}", "het nummer {song} van {artist}"]
                ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["het nummer {song}", "het liedje {song}", "de track {song}", "het nummer {song} van {artist}"] [" te spelen", " in de {room} te spelen", " in het {room} te spelen", " in {room} te spelen", " af te spelen", " op te zetten", " in de {room} af te spelen"];
                ["speel ", "zet "] ["het nummer {song}", "het liedje {song}", "de track {song}", "het nummer {song} van {artist}"] [" af", " op", " in de {room} af", " in de {room} op"];
                ["het nummer {song}", "het nummer {song} van {artist}"] [""] [""]
            ),
        ),
        (
            "PlayPlaylistIntent",
            samples!(
                ["speel ", "draai "]
                ["de playlist {playlist}", "mijn playlist {playlist}", "de afspeellijst {playlist}", "mijn afspeellijst {playlist}", "de lijst {playlist}"]
                ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["de playlist {playlist}", "mijn playlist {playlist}", "de afspeellijst {playlist}", "mijn afspeellijst {playlist}", "de lijst {playlist}"] [" te spelen", " in de {room} te spelen", " in het {room} te spelen", " in {room} te spelen", " af te spelen", " op te zetten", " in de {room} af te spelen"];
                ["speel ", "zet "] ["de playlist {playlist}", "mijn playlist {playlist}", "de afspeellijst {playlist}", "mijn afspeellijst {playlist}", "de lijst {playlist}"] [" af", " op", " in de {room} af", " in de {room} op"];
                ["de playlist {playlist}", "mijn playlist {playlist}"] [""] [""]
            ),
        ),
        (
            "PlayRadioIntent",
            samples!(
                ["speel "] ["de zender {station}", "de radiozender {station}", "radio {station}",
                 "het radiostation {station}"] ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["de zender {station}", "de radiozender {station}", "radio {station}"]
                [" te spelen", " in de {room} te spelen"];
                ["zet "] ["de radio", "de zender {station}"] [" aan", " op", " in de {room} aan"];
                [""] ["de radio"] [" aan te zetten", " in de {room} aan te zetten"];
                ["de zender {station}", "radio {station}"] [""] [""]
            ),
        ),
        (
            "PlayGenreIntent",
            samples!(
                ["speel ", "draai "] ["{genre} muziek", "wat {genre}", "een beetje {genre}"] ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["{genre} muziek", "wat {genre}"] [" te spelen", " in de {room} te spelen"];
                ["wat {genre}", "{genre} muziek"] [""] [""]
            ),
        ),
        (
            "PlayMyMusicIntent",
            samples!(
                ["speel ", "draai "] ["mijn muziek", "muziek", "wat muziek", "willekeurige muziek",
                 "mijn bibliotheek"] ["", " in de {room}", " in het {room}", " in {room}", " op {room}"];
                [""] ["mijn muziek", "muziek", "wat muziek", "willekeurige muziek"]
                [" te spelen", " in de {room} te spelen", " in {room} te spelen"];
                ["zet muziek op", "zet wat muziek op", "zet muziek op in de {room}", "shuffle mijn muziek",
                 "mijn muziek te shuffelen"] [""] [""]
            ),
        ),
        (
            "PlayEverywhereIntent",
            samples!(
                ["speel overal ", "draai overal ", "overal "] ["muziek", "mijn muziek", "{query}",
                 "{query} van {artist}"] ["", " te spelen"];
                ["speel ", "draai ", ""] ["muziek", "mijn muziek", "{query}", "{query} van {artist}"]
                [" overal", " in het hele huis", " in alle kamers", " op alle speakers", " overal te spelen",
                 " in het hele huis te spelen", " in alle kamers te spelen"]
            ),
        ),
        (
            "EnqueueIntent",
            samples!(
                [
                    "voeg {query} toe aan de wachtrij",
                    "voeg {query} van {artist} toe aan de wachtrij",
                    "{query} aan de wachtrij toe te voegen",
                    "zet {query} in de wachtrij",
                    "speel hierna {query}",
                    "hierna {query} te spelen",
                    "speel {query} hierna"
                ][""][""]
            ),
        ),
        (
            "StopMusicIntent",
            samples!(
                ["stop de muziek", "zet de muziek uit", "stop met spelen", "hou op met spelen"]
                ["", " in de {room}", " in het {room}", " in {room}", " {room}"] [""];
                ["de muziek"] ["", " in de {room}", " in het {room}"] [" te stoppen", " uit te zetten"]
            ),
        ),
        (
            "VolumeIntent",
            samples!(
                ["volume ", "volume op ", "zet het volume op ", "zet het geluid op ",
                 "verander het volume naar ", "zet het volume in de {room} op ", "het volume op ",
                 "het volume in de {room} op "]
                ["{level}", "{percent} procent"]
                ["", " in de {room}", " te zetten", " in de {room} te zetten"]
            ),
        ),
        (
            "LouderIntent",
            samples!(
                ["harder", "zet het harder", "volume omhoog", "zet het geluid harder", "iets harder",
                 "een beetje harder", "harder zetten", "het harder te zetten", "zet de muziek harder",
                 "de muziek harder te zetten", "zet de {room} harder", "de {room} harder te zetten"]
                ["", " in de {room}", " in het {room}"] [""]
            ),
        ),
        (
            "QuieterIntent",
            samples!(
                ["zachter", "zet het zachter", "volume omlaag", "zet het geluid zachter", "iets zachter",
                 "een beetje zachter", "zachter zetten", "het zachter te zetten", "zet de muziek zachter",
                 "de muziek zachter te zetten", "zet de {room} zachter", "de {room} zachter te zetten"]
                ["", " in de {room}", " in het {room}"] [""]
            ),
        ),
        (
            "MuteIntent",
            samples!(
                ["dempen", "demp", "demp het geluid", "geluid uit", "zet het geluid uit", "stil",
                 "het geluid te dempen", "demp de {room}", "de {room} te dempen"]
                ["", " in de {room}"] [""]
            ),
        ),
        (
            "UnmuteIntent",
            samples!(
                ["geluid aan", "geluid weer aan", "dempen opheffen", "dempen uit", "zet het geluid aan",
                 "zet het geluid weer aan", "het geluid weer aan te zetten"]
                ["", " in de {room}"] [""]
            ),
        ),
        (
            "WhatsPlayingIntent",
            samples!(
                ["wat speelt er", "welk nummer speelt er", "wat is dit voor nummer", "welk nummer is dit",
                 "wie zingt dit", "wie is dit", "hoe heet dit nummer", "wat is dit", "waar luister ik naar",
                 "van wie is dit nummer"]
                ["", " in de {room}", " in het {room}"] [""];
                ["wat er speelt", "wat er in de {room} speelt", "wat er in het {room} speelt"] [""] [""]
            ),
        ),
        (
            "UseRoomIntent",
            samples!(
                ["gebruik ", "schakel over naar ", "ik ben in ", "verplaats de muziek naar ", "die in ", "in ", ""]
                ["de {room}", "het {room}"] [""];
                ["gebruik {room}", "de {room} te gebruiken", "het {room} te gebruiken"] [""] [""]
            ),
        ),
        // Playing on the Echo itself (Music Assistant's Alexa provider).
        ("PlayAudioIntent", &["speel audio af", "speel audio"]),
        (
            "PlayHereIntent",
            &[
                "speel {query} hier",
                "speel {query} hier af",
                "speel {query} op deze echo",
                "speel {query} op dit apparaat",
                "speel {query} van {artist} hier",
            ],
        ),
        (
            "ThisEchoIntent",
            &[
                "dit is de {room}",
                "dit is {room}",
                "deze echo is de {room}",
                "deze echo is {room}",
                "dit apparaat is {room}",
            ],
        ),
        (
            "AMAZON.PauseIntent",
            samples!(
                [
                    "pauze",
                    "pauzeer",
                    "pauzeren",
                    "pauzeer de muziek",
                    "te pauzeren",
                    "de muziek te pauzeren",
                    "wacht even",
                    "even pauze",
                    "zet op pauze"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ResumeIntent",
            samples!(
                [
                    "hervat",
                    "hervatten",
                    "ga verder",
                    "ga door",
                    "verder spelen",
                    "speel verder",
                    "hervat de muziek",
                    "verder te spelen",
                    "zet de muziek weer aan",
                    "de muziek te hervatten"
                ][""][""]
            ),
        ),
        (
            "AMAZON.NextIntent",
            samples!(
                [
                    "volgende",
                    "volgend nummer",
                    "volgende nummer",
                    "het volgende nummer",
                    "de volgende",
                    "overslaan",
                    "sla over",
                    "sla dit nummer over",
                    "speel het volgende nummer",
                    "het volgende nummer te spelen",
                    "ander nummer",
                    "volgende track",
                    "volgende graag",
                    "volgende nummer graag",
                    "dit nummer over te slaan"
                ][""][""]
            ),
        ),
        (
            "AMAZON.PreviousIntent",
            samples!(
                [
                    "vorige",
                    "vorig nummer",
                    "vorige nummer",
                    "het vorige nummer",
                    "terug",
                    "ga terug",
                    "een nummer terug",
                    "speel het vorige nummer",
                    "het vorige nummer te spelen"
                ][""][""]
            ),
        ),
        (
            "AMAZON.StartOverIntent",
            samples!(
                [
                    "opnieuw beginnen",
                    "begin opnieuw",
                    "speel dit nummer vanaf het begin",
                    "vanaf het begin",
                    "start het nummer opnieuw",
                    "begin het nummer opnieuw",
                    "speel het nummer opnieuw",
                    "het nummer opnieuw te beginnen"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOnIntent",
            samples!(
                [
                    "shuffle",
                    "shuffle aan",
                    "zet shuffle aan",
                    "shuffelen",
                    "willekeurige volgorde",
                    "willekeurig afspelen",
                    "schud de nummers door elkaar"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOffIntent",
            samples!(
                [
                    "shuffle uit",
                    "zet shuffle uit",
                    "speel op volgorde",
                    "willekeurige volgorde uit"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOnIntent",
            samples!(
                [
                    "herhaal dit nummer",
                    "herhaal het nummer",
                    "herhalen aan",
                    "zet herhalen aan",
                    "herhaal",
                    "herhaal alles"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOffIntent",
            samples!(
                [
                    "herhalen uit",
                    "zet herhalen uit",
                    "niet meer herhalen",
                    "stop met herhalen"
                ][""][""]
            ),
        ),
        (
            "AMAZON.HelpIntent",
            samples!(
                [
                    "help",
                    "help me",
                    "hulp",
                    "wat kan ik zeggen",
                    "wat kun je",
                    "hoe werkt het"
                ][""][""]
            ),
        ),
        (
            "AMAZON.CancelIntent",
            samples!(
                [
                    "annuleer",
                    "annuleren",
                    "laat maar",
                    "laat maar zitten",
                    "vergeet het"
                ][""][""]
            ),
        ),
        (
            "AMAZON.StopIntent",
            samples!(["stop", "stoppen", "hou op", "uit"][""][""]),
        ),
    ],
    answers: &[
        (
            "query",
            &[
                "{query}",
                "speel {query}",
                "{query} graag",
                "{query} alsjeblieft",
            ],
        ),
        (
            "artist",
            &[
                "{artist}",
                "muziek van {artist}",
                "iets van {artist}",
                "speel {artist}",
            ],
        ),
        (
            "album",
            &["{album}", "het album {album}", "de plaat {album}"],
        ),
        ("song", &["{song}", "het nummer {song}", "speel {song}"]),
        (
            "playlist",
            &[
                "{playlist}",
                "de playlist {playlist}",
                "mijn playlist {playlist}",
            ],
        ),
        (
            "station",
            &["{station}", "de zender {station}", "radio {station}"],
        ),
        ("genre", &["{genre}", "wat {genre}", "{genre} muziek"]),
        (
            "room",
            &[
                "{room}",
                "de {room}",
                "het {room}",
                "in de {room}",
                "in het {room}",
                "in {room}",
                "die in de {room}",
                "{room} graag",
            ],
        ),
    ],
    values: &[
        (
            "ROOM_NAME",
            &[
                "keuken",
                "woonkamer",
                "slaapkamer",
                "kantoor",
                "badkamer",
                "zolder",
                "overal",
                "het hele huis",
                "alle kamers",
            ],
        ),
        (
            "ARTIST_NAME",
            &[
                "Marco Borsato",
                "André Hazes",
                "Golden Earring",
                "Racoon",
                "Doe Maar",
                "The Beatles",
            ],
        ),
        (
            "ALBUM_NAME",
            &[
                "Radar Love",
                "Liefde voor muziek",
                "Lijf aan lijf",
                "Abbey Road",
                "Skunk",
            ],
        ),
        (
            "SONG_NAME",
            &[
                "Zij gelooft in mij",
                "Radar Love",
                "Dromen zijn bedrog",
                "Yesterday",
                "Oerend hard",
            ],
        ),
        (
            "PLAYLIST_NAME",
            &["Ochtendmix", "Favorieten", "Etentje", "Sport"],
        ),
        (
            "STATION_NAME",
            &[
                "Radio 2",
                "Radio 538",
                "Qmusic",
                "Sky Radio",
                "NPO Radio 1",
                "3FM",
            ],
        ),
        (
            "GENRE_NAME",
            &[
                "jazz",
                "rock",
                "pop",
                "klassiek",
                "nederpop",
                "hiphop",
                "dance",
                "blues",
                "reggae",
                "metal",
                "levenslied",
                "soul",
            ],
        ),
        (
            "MEDIA_NAME",
            &[
                "Marco Borsato",
                "Radar Love",
                "Dromen zijn bedrog",
                "Favorieten",
                "Radio 538",
                "jazz",
            ],
        ),
    ],
    words: Words {
        kinds: &[
            (
                Kind::Artist,
                &[
                    "de artiest",
                    "artiest",
                    "de band",
                    "muziek van",
                    "nummers van",
                    "iets van",
                    "wat van",
                ],
            ),
            (Kind::Album, &["het album", "album", "de plaat"]),
            (
                Kind::Track,
                &["het nummer", "het liedje", "de track", "nummer", "liedje"],
            ),
            (
                Kind::Playlist,
                &[
                    "mijn playlist",
                    "de playlist",
                    "playlist",
                    "de afspeellijst",
                    "afspeellijst",
                ],
            ),
            (
                Kind::Radio,
                &[
                    "de radiozender",
                    "radiozender",
                    "het radiostation",
                    "de zender",
                    "zender",
                    "radio",
                ],
            ),
        ],
        by: &["van"],
        in_room: &["in de", "in het", "op de", "op het", "in", "op"],
        everywhere: &[
            "overal",
            "in het hele huis",
            "het hele huis",
            "in alle kamers",
            "alle kamers",
            "op alle speakers",
        ],
        music: &["muziek"],
    },
    say: Say {
        launch: "Music Assistant staat klaar. Wat wil je horen?",
        launch_reprompt: "Je kunt zeggen: speel muziek van een artiest, of: wat speelt er.",
        help: "Je kunt zeggen: speel muziek van een artiest, speel het album of de playlist die je \
               wilt, pauze, volgende, volume op vijf, of: wat speelt er. Met, in de keuken, kies je \
               een speler. Wat wil je doen?",
        goodbye: "Doei.",
        fallback: "Sorry, dat heb ik niet begrepen. Zeg bijvoorbeeld: speel muziek van een artiest, \
                   of: help.",
        link_account: "Open de Alexa-app en koppel je account om Music Assistant te gebruiken.",
        not_configured: "Deze server is niet met Music Assistant verbonden.",
        playing: "Ik speel {what} op {room}.",
        playing_by: "Ik speel {what} van {artist} op {room}.",
        playing_everywhere: "Ik speel {what} op {list}.",
        queued: "{what} staat in de wachtrij op {room}.",
        my_music: "Ik speel je muziek in willekeurige volgorde op {room}.",
        my_music_everywhere: "Ik speel je muziek in willekeurige volgorde op {list}.",
        genre: "Ik speel {genre} op {room}.",
        not_found: "Ik heb {what} niet in je muziek gevonden.",
        did_you_mean: "Ik heb {what} niet gevonden. Het dichtst in de buurt is {name}.",
        which_name: "Wat wil je horen?",
        empty_library: "Je muziekbibliotheek is leeg.",
        no_players: "Music Assistant heeft geen speler die ik kan gebruiken.",
        which_room: "Welke speler? {list}.",
        room_prompt: "Welke speler?",
        which_room_reprompt: "Zeg bijvoorbeeld: gebruik {first}.",
        unknown_room: "Ik ken geen speler die {room} heet. Je hebt {list}.",
        using_room: "Oké, deze Echo speelt nu op {room}.",
        paused: "Gepauzeerd.",
        resumed: "We gaan verder.",
        stopped: "Gestopt.",
        next: "Volgend nummer.",
        previous: "Vorig nummer.",
        start_over: "Vanaf het begin.",
        shuffle_on: "Shuffle staat aan.",
        shuffle_off: "Shuffle staat uit.",
        repeat_on: "Herhalen staat aan.",
        repeat_off: "Herhalen staat uit.",
        volume: "Volume {level} op {room}.",
        bad_volume: "Noem een volume tussen nul en honderd.",
        louder: "Harder.",
        quieter: "Zachter.",
        muted: "Gedempt.",
        unmuted: "Het geluid staat weer aan.",
        now_playing: "{title} van {artist}, op {room}.",
        now_playing_title: "{title}, op {room}.",
        nothing_playing: "Er speelt nu niets op {room}.",
        ma_slow: "Music Assistant reageert te traag. Probeer het zo nog eens.",
        ma_down: "Ik kan Music Assistant niet bereiken. Controleer of het draait.",
        ma_failed: "Music Assistant kon dat niet doen.",
        not_allowed: "Dat mag ik helaas niet.",
        relink_retry: "Music Assistant aarzelde bij je account. Probeer het nog een keer.",
        echo_setup: "Om op deze Echo te spelen, voeg je in de instellingen van Music Assistant de Alexa-provider toe, met het adres en wachtwoord die de pagina van deze server toont.",
        echo_unknown: "Ik weet nog niet welke Music Assistant-speler deze Echo is. Zeg: dit is de, en de naam in Music Assistant.",
        echo_is: "Oké, deze Echo is {room}.",
        echo_on_page: "Deze Echo is ingesteld op de pagina van de add-on; wijzig het daar.",
        echo_nothing: "Music Assistant heeft nu niets voor deze Echo.",
        or: "of",
        and: "en",
    },
};
