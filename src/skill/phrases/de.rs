//! German (de-DE). Written as people in Germany talk to an Echo: the
//! informal "du" Alexa uses, `spiel` as often as `spiele`, "mal" and "was"
//! ("spiel mal was von …"), rooms with their article ("im Wohnzimmer", "in
//! der Küche", "auf dem Balkon"). Player names are inserted as Music
//! Assistant has them, after "auf" ("auf Küche"), which reads as naming a
//! device; a native speaker may prefer another turn of phrase there.
//! Unsure, for review: "die Platte" for an album, "stummschaltung
//! aufheben" (heard more from menus than from people), "wiederholen
//! an/aus" and "schleife an" (menu words said aloud), "lass es" as a
//! cancel, and the indirect forms after the invocation ("sag Musik
//! Assistent, er soll X spielen", "bitte Musik Assistent, X zu spielen",
//! "frag Musik Assistent, ob er X spielen kann"): Amazon documents no
//! German connecting words beyond "frage … nach", so these samples carry
//! them.

use super::{Invocation, Phrases, Say, Words};
use crate::skill::library::Kind;

pub static PHRASES: Phrases = Phrases {
    invocation: Invocation {
        // What German speakers say; Amazon accepts two-word German names
        // (and German compounds such as "musikassistent").
        default: "musik assistent",
        launch_words: &[
            "öffne",
            "öffnen",
            "starte",
            "starten",
            "start",
            "frage",
            "frag",
            "sage",
            "sag",
            "bitte",
            "spiele",
            "spiel",
            "beginne",
            "lade",
            "aktiviere",
            "benutze",
            "verwende",
            "nutze",
            "mit",
            "nach",
            "ob",
            "zu",
            "von",
            "bei",
            "für",
            "und",
            "dass",
            "über",
        ],
        small_words: &[
            "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
            "für", "zu", "von", "mit", "aus", "bei", "nach", "im", "am", "zum", "zur", "in", "an",
            "auf", "um", "über",
        ],
        compound_word: true,
    },
    samples: super::de_samples::SAMPLES,
    answers: super::de_samples::ANSWERS,
    values: &[
        (
            "ROOM_NAME",
            &[
                "küche",
                "wohnzimmer",
                "schlafzimmer",
                "büro",
                "bad",
                "badezimmer",
                "kinderzimmer",
                "esszimmer",
                "garten",
                "terrasse",
                "überall",
                "alle räume",
                "ganzes haus",
            ],
        ),
        (
            "ARTIST_NAME",
            &[
                "Die Ärzte",
                "Herbert Grönemeyer",
                "Kraftwerk",
                "Helene Fischer",
                "The Beatles",
                "Simon und Garfunkel",
            ],
        ),
        (
            "ALBUM_NAME",
            &[
                "Mensch",
                "Die Mensch-Maschine",
                "Abbey Road",
                "Bleibt alles anders",
            ],
        ),
        (
            "SONG_NAME",
            &[
                "Atemlos durch die Nacht",
                "Das Model",
                "Männer",
                "Junge",
                "Yesterday",
            ],
        ),
        (
            "PLAYLIST_NAME",
            &["Morgenmix", "Lieblingslieder", "Abendessen", "Sport"],
        ),
        (
            "STATION_NAME",
            &[
                "Bayern 3",
                "SWR3",
                "Deutschlandfunk",
                "radioeins",
                "Antenne Bayern",
            ],
        ),
        (
            "GENRE_NAME",
            &[
                "jazz",
                "rock",
                "pop",
                "klassik",
                "schlager",
                "hip hop",
                "blues",
                "elektro",
                "soul",
                "volksmusik",
                "metal",
                "reggae",
            ],
        ),
        (
            "MEDIA_NAME",
            &[
                "Die Ärzte",
                "Mensch",
                "Atemlos durch die Nacht",
                "Morgenmix",
                "Bayern 3",
                "Abbey Road",
                "jazz",
            ],
        ),
    ],
    words: Words {
        kinds: &[
            (
                Kind::Artist,
                &[
                    "den künstler",
                    "die künstlerin",
                    "künstler",
                    "die band",
                    "musik von",
                    "lieder von",
                    "songs von",
                    "etwas von",
                    "irgendwas von",
                    "was von",
                    "ein paar lieder von",
                    "ein paar songs von",
                ],
            ),
            (Kind::Album, &["das album", "album", "die platte"]),
            (
                Kind::Track,
                &[
                    "das lied",
                    "den song",
                    "den titel",
                    "das stück",
                    "lied",
                    "song",
                    "titel",
                ],
            ),
            (
                Kind::Playlist,
                &[
                    "meine playlist",
                    "die playlist",
                    "playlist",
                    "die wiedergabeliste",
                    "wiedergabeliste",
                ],
            ),
            (
                Kind::Radio,
                &[
                    "den radiosender",
                    "radiosender",
                    "den sender",
                    "sender",
                    "radio",
                ],
            ),
        ],
        by: &["von"],
        in_room: &["im", "in der", "in dem", "auf der", "auf dem", "in", "auf"],
        everywhere: &[
            "überall",
            "in allen räumen",
            "in jedem raum",
            "alle räume",
            "auf allen lautsprechern",
            "alle lautsprecher",
            "im ganzen haus",
            "ganzen haus",
            "das ganze haus",
            "ganze haus",
            "alle",
        ],
        music: &["musik"],
    },
    say: Say {
        launch: "Music Assistant ist bereit. Was möchtest du hören?",
        launch_reprompt: "Sag zum Beispiel einen Künstler, ein Album, ein Lied oder eine Playlist, \
                          oder: was läuft.",
        help: "Du kannst sagen: spiel, und dann einen Künstler, ein Album, ein Lied oder eine \
               Playlist; spiel etwas Jazz; Pause; nächstes Lied; Lautstärke fünf; was läuft; oder: \
               spiel Musik überall. Mit, in der Küche, wählst du einen Player. Was möchtest du?",
        goodbye: "Tschüss.",
        fallback: "Das habe ich leider nicht verstanden. Sag zum Beispiel: spiel, und einen \
                   Künstler oder ein Album, oder: Hilfe.",
        link_account: "Um Music Assistant zu nutzen, öffne die Alexa App und verknüpfe dein Konto.",
        not_configured: "Dieser Server ist nicht mit Music Assistant verbunden.",
        playing: "Ich spiele {what} auf {room}.",
        playing_by: "Ich spiele {what} von {artist} auf {room}.",
        playing_everywhere: "Ich spiele {what} auf {list}.",
        queued: "{what} ist in der Warteschlange auf {room}.",
        my_music: "Ich spiele deine Musik gemischt auf {room}.",
        my_music_everywhere: "Ich spiele deine Musik gemischt auf {list}.",
        genre: "Ich spiele {genre} auf {room}.",
        not_found: "Ich habe {what} in deiner Musik nicht gefunden.",
        did_you_mean: "Ich habe {what} nicht gefunden. Am ähnlichsten ist {name}.",
        which_name: "Was möchtest du hören?",
        empty_library: "Deine Musikbibliothek ist leer.",
        no_players: "Music Assistant hat keinen Player, den ich benutzen kann.",
        which_room: "Auf welchem Player? {list}.",
        room_prompt: "Auf welchem Player?",
        which_room_reprompt: "Auf welchem Player soll ich spielen? Zum Beispiel {first}.",
        unknown_room: "Einen Player namens {room} kenne ich nicht. Du hast {list}.",
        using_room: "Alles klar, dieses Echo spielt jetzt auf {room}.",
        paused: "Pausiert.",
        resumed: "Weiter geht's.",
        stopped: "Gestoppt.",
        next: "Nächster Titel.",
        previous: "Vorheriger Titel.",
        start_over: "Von vorn.",
        shuffle_on: "Zufallswiedergabe ist an.",
        shuffle_off: "Zufallswiedergabe ist aus.",
        repeat_on: "Wiederholung ist an.",
        repeat_off: "Wiederholung ist aus.",
        volume: "Lautstärke {level} auf {room}.",
        bad_volume: "Bitte nenne eine Lautstärke zwischen null und zehn, oder bis hundert Prozent.",
        louder: "Lauter.",
        quieter: "Leiser.",
        muted: "Stumm geschaltet.",
        unmuted: "Ton ist wieder an.",
        now_playing: "{title} von {artist}, auf {room}.",
        now_playing_title: "{title}, auf {room}.",
        nothing_playing: "Auf {room} läuft gerade nichts.",
        ma_slow: "Music Assistant antwortet gerade zu langsam. Bitte versuch es gleich noch einmal.",
        ma_down: "Ich erreiche Music Assistant gerade nicht. Bitte prüfe, ob es läuft.",
        ma_failed: "Music Assistant konnte das gerade nicht ausführen.",
        not_allowed: "Das darf ich leider nicht.",
        relink_retry: "Music Assistant hat bei deinem Konto gezögert. Bitte versuch es noch einmal.",
        or: "oder",
        and: "und",
    },
};
