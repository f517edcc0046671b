//! German: what people say to the Echo, per intent, and their answers to
//! the skill's questions (the table itself, with its notes for reviewers:
//! `de.rs`). `samples!` writes every combination of its three lists (see
//! `expand.rs`): mostly the request, then the room endings. The indirect
//! forms ("er soll … spielen", "… zu spielen", "er … spielen kann") are
//! what Alexa passes on after "sag Musik Assistent, er soll …", "bitte
//! Musik Assistent, … zu spielen" and "frag Musik Assistent, ob er …".

use super::expand::samples;

/// (intent, sample utterances).
pub static SAMPLES: &[(&str, &[&str])] = &[
    (
        "PlayIntent",
        samples!(
            ["spiel", "spiele", "spiel mal", "spiel mir", "spiel mir mal", "spiel bitte",
             "spiele bitte", "bitte spiel"]
            [" {query}", " {query} von {artist}"]
            ["", " im {room}", " in der {room}", " auf dem {room}", " auf der {room}"];
            ["mach", "mach mal"] [" {query}", " {query} von {artist}"] [" an"];
            ["leg", "leg mal"] [" {query}"] [" auf"];
            ["lass", "lass mal"] [" {query}", " {query} von {artist}"]
            [" laufen", " im {room} laufen", " in der {room} laufen"];
            ["ich möchte", "ich will", "ich möchte gern", "ich würde gern"]
            [" {query}", " {query} von {artist}"] [" hören", " im {room} hören", " in der {room} hören"];
            ["kannst du", "kannst du mal", "kannst du mir", "er soll"]
            [" {query}", " {query} von {artist}"]
            [" spielen", " im {room} spielen", " in der {room} spielen"];
            ["kannst du {query} abspielen", "{query} zu spielen", "er {query} spielen kann",
             "er {query} spielen soll"] [""] [""]
        ),
    ),
    (
        "PlayArtistIntent",
        samples!(
            ["spiel", "spiele"]
            [" musik von {artist}", " lieder von {artist}", " songs von {artist}", " etwas von {artist}",
             " was von {artist}", " irgendwas von {artist}", " ein paar lieder von {artist}",
             " ein paar songs von {artist}", " den künstler {artist}", " die künstlerin {artist}",
             " die band {artist}"]
            ["", " im {room}", " in der {room}"];
            ["spiel mal", "spiel mir"]
            [" musik von {artist}", " lieder von {artist}", " etwas von {artist}", " was von {artist}",
             " irgendwas von {artist}", " ein paar lieder von {artist}"] [""];
            ["musik von {artist}", "lieder von {artist}", "etwas von {artist}", "was von {artist}",
             "irgendwas von {artist}"] [""] [""]
        ),
    ),
    (
        "PlayAlbumIntent",
        samples!(
            ["spiel", "spiele"]
            [" das album {album}", " album {album}", " die platte {album}", " das album {album} von {artist}",
             " die platte {album} von {artist}"]
            ["", " im {room}", " in der {room}"];
            ["leg"] [" das album {album}", " die platte {album}"] [" auf"];
            ["das album {album}", "das album {album} von {artist}", "die platte {album}"] [""] [""]
        ),
    ),
    (
        "PlaySongIntent",
        samples!(
            ["spiel", "spiele"]
            [" das lied {song}", " den song {song}", " den titel {song}", " das stück {song}",
             " das lied {song} von {artist}", " den song {song} von {artist}",
             " den titel {song} von {artist}"]
            ["", " im {room}", " in der {room}"];
            ["das lied {song}", "den song {song}", "das lied {song} von {artist}"] [""] [""]
        ),
    ),
    (
        "PlayPlaylistIntent",
        samples!(
            ["spiel", "spiele"]
            [" die playlist {playlist}", " playlist {playlist}", " meine playlist {playlist}",
             " meine {playlist} playlist", " die wiedergabeliste {playlist}"]
            ["", " im {room}", " in der {room}"];
            ["misch die playlist {playlist}", "misch meine playlist {playlist}", "die playlist {playlist}",
             "meine playlist {playlist}"] [""] [""]
        ),
    ),
    (
        "PlayRadioIntent",
        samples!(
            ["spiel", "spiele"] [" den sender {station}", " den radiosender {station}", " radio {station}"]
            ["", " im {room}", " in der {room}"];
            ["spiel radio", "spiele radio", "spiel das radio"] [""] ["", " im {room}", " in der {room}"];
            ["schalte den sender {station} ein", "schalt den sender {station} ein",
             "mach den sender {station} an", "mach das radio an", "mach radio an",
             "schalte das radio ein", "radio an", "den sender {station}"] [""] [""]
        ),
    ),
    (
        "PlayGenreIntent",
        samples!(
            ["spiel", "spiele", "spiel mal"] [" etwas {genre}", " ein bisschen {genre}", " etwas {genre} musik"]
            ["", " im {room}", " in der {room}"];
            ["etwas {genre}"] [""] [""]
        ),
    ),
    (
        "PlayMyMusicIntent",
        samples!(
            ["spiel", "spiele"]
            [" meine musik", " musik", " irgendwas", " irgendeine musik", " irgendwelche musik",
             " zufällige musik", " zufällige lieder", " meine lieder", " meine bibliothek"]
            ["", " im {room}", " in der {room}"];
            ["misch meine musik", "leg musik auf", "leg mal musik auf", "leg meine musik auf",
             "mach musik an", "mach mal musik an", "mach meine musik an", "lass musik laufen",
             "lass mal musik laufen", "spiel mal musik", "spiel mal irgendwas"] [""] [""]
        ),
    ),
    (
        "PlayEverywhereIntent",
        samples!(
            ["spiel musik", "spiele musik", "spiel meine musik", "spiel {query}", "spiele {query}",
             "spiel {query} von {artist}"]
            [" überall", " in allen räumen", " in jedem raum", " auf allen lautsprechern",
             " im ganzen haus"]
            [""];
            ["spiel überall musik"] [""] [""]
        ),
    ),
    (
        "EnqueueIntent",
        samples!(
            ["füge", "füg"] [" {query}", " {query} von {artist}"]
            [" zur warteschlange hinzu", " zur warteschlange im {room} hinzu"];
            ["spiel", "spiele"] [" {query} als nächstes", " als nächstes {query}"] [""];
            ["{query} zur warteschlange hinzufügen", "pack {query} in die warteschlange",
             "als nächstes {query}"] [""] [""]
        ),
    ),
    (
        "StopMusicIntent",
        samples!(
            ["stopp die musik", "stoppe die musik", "beende die musik"] [""]
            ["", " im {room}", " in der {room}", " {room}"];
            ["mach die musik"] ["", " im {room}", " in der {room}", " {room}"] [" aus"];
            ["musik aus", "musik stoppen", "hör auf zu spielen", "musik aus im {room}",
             "musik aus in der {room}"] [""] [""]
        ),
    ),
    (
        "VolumeIntent",
        samples!(
            ["lautstärke", "lautstärke auf", "stell die lautstärke auf", "stelle die lautstärke auf",
             "mach die lautstärke auf", "setz die lautstärke auf", "dreh die lautstärke auf",
             "ändere die lautstärke auf", "änder die lautstärke auf", "stell auf lautstärke",
             "stelle auf lautstärke"]
            [" {level}", " {percent} prozent"]
            ["", " im {room}", " in der {room}"];
            ["stell die lautstärke im {room} auf", "stelle die lautstärke im {room} auf",
             "stell die lautstärke in der {room} auf", "stelle die lautstärke in der {room} auf",
             "ändere die lautstärke im {room} auf", "lautstärke im {room} auf",
             "lautstärke in der {room} auf", "{room} lautstärke auf"]
            [" {level}", " {percent} prozent"] [""]
        ),
    ),
    (
        "LouderIntent",
        samples!(
            ["lauter", "mach lauter", "mach es lauter", "mach mal lauter", "mach die musik lauter",
             "etwas lauter", "ein bisschen lauter", "noch lauter", "dreh lauter", "dreh die musik lauter",
             "lautstärke hoch", "lautstärke erhöhen"]
            [""] ["", " im {room}", " in der {room}"];
            ["mach die {room} lauter", "mach das {room} lauter", "mach den {room} lauter",
             "mach die musik im {room} lauter", "mach die musik in der {room} lauter",
             "dreh im {room} lauter", "dreh in der {room} lauter", "dreh auf", "dreh mal auf",
             "dreh die musik auf", "dreh die lautstärke hoch", "lautstärke rauf", "lauter machen",
             "lauter bitte", "mach es etwas lauter", "mach mal etwas lauter", "noch etwas lauter",
             "zu leise", "das ist zu leise"] [""] [""]
        ),
    ),
    (
        "QuieterIntent",
        samples!(
            ["leiser", "mach leiser", "mach es leiser", "mach mal leiser", "mach die musik leiser",
             "etwas leiser", "ein bisschen leiser", "noch leiser", "dreh leiser", "dreh die musik leiser",
             "lautstärke runter", "lautstärke verringern"]
            [""] ["", " im {room}", " in der {room}"];
            ["mach die {room} leiser", "mach das {room} leiser", "mach den {room} leiser",
             "mach die musik im {room} leiser", "mach die musik in der {room} leiser",
             "dreh im {room} leiser", "dreh in der {room} leiser", "dreh runter", "dreh mal runter",
             "dreh die musik runter", "dreh die lautstärke runter", "leiser machen", "leiser bitte",
             "mach es etwas leiser", "mach mal etwas leiser", "noch etwas leiser", "zu laut",
             "das ist zu laut"] [""] [""]
        ),
    ),
    (
        "MuteIntent",
        samples!(
            ["stumm", "stummschalten", "schalte stumm", "schalt stumm", "ton aus", "mach den ton aus",
             "mach stumm", "schalte die musik stumm", "mach die musik stumm"]
            [""] ["", " im {room}", " in der {room}"];
            ["schalte die {room} stumm", "schalte das {room} stumm", "schalte den {room} stumm",
             "mach die {room} stumm", "mach das {room} stumm", "mach den {room} stumm"] [""] [""]
        ),
    ),
    (
        "UnmuteIntent",
        samples!(
            ["ton an", "ton wieder an", "mach den ton an", "mach den ton wieder an",
             "schalte den ton wieder ein", "stummschaltung aus", "stummschaltung aufheben",
             "stummschaltung beenden", "laut schalten"]
            [""] ["", " im {room}", " in der {room}"]
        ),
    ),
    (
        "WhatsPlayingIntent",
        samples!(
            ["was läuft", "was läuft gerade", "was spielt", "was spielt gerade"] [""]
            ["", " im {room}", " in der {room}"];
            ["was gerade", "was"] [" im {room}", " in der {room}"] [" läuft"];
            ["was läuft da", "was läuft da gerade", "was gerade läuft", "was ist das",
             "was ist das für ein lied", "was ist das für ein song", "was für ein lied ist das",
             "welches lied ist das", "welcher song ist das", "welcher titel ist das",
             "wie heißt das lied", "wie heißt dieses lied", "wie heißt der song", "wer singt das",
             "wer singt das lied", "wer ist das", "wer spielt das", "von wem ist das",
             "von wem ist das lied", "von wem ist dieses lied", "was höre ich gerade",
             "was hör ich gerade", "was hören wir gerade"] [""] [""]
        ),
    ),
    (
        "UseRoomIntent",
        samples!(
            ["nimm", "benutze", "benutz", "nutze"] [" die {room}", " das {room}", " den {room}"] [""];
            ["wechsle", "wechsel"] [" in die {room}", " ins {room}", " in den {room}", " zur {room}",
             " zum {room}"] [""];
            ["spiel", "spiele"] [" im {room}", " in der {room}"] [""];
            ["im {room}", "in der {room}", "auf der {room}", "auf dem {room}", "ich bin im {room}",
             "ich bin in der {room}"] [""] [""]
        ),
    ),
    // Music Assistant's Alexa provider sagt einem Echo "sag music assistant
    // spiele audio", damit es den übergebenen Stream spielt.
    ("PlayAudioIntent", &["spiele audio", "spiel audio"]),
    (
        "PlayHereIntent",
        &[
            "spiele {query} hier",
            "spiel {query} hier",
            "spiele {query} auf diesem echo",
            "spiel {query} auf diesem gerät",
            "spiele {query} von {artist} hier",
            "spiel {query} von {artist} hier",
        ],
    ),
    (
        "ThisEchoIntent",
        &[
            "das ist der {room}",
            "das ist die {room}",
            "das ist {room}",
            "dieser echo ist der {room}",
            "dieser echo ist {room}",
            "dieses gerät ist {room}",
        ],
    ),
    (
        "AMAZON.PauseIntent",
        samples!(
            [
                "pause",
                "pausiere",
                "pausier",
                "pausieren",
                "pausier mal",
                "pausiere mal",
                "pausier die musik",
                "pausiere die musik",
                "pausier das lied",
                "musik pausieren",
                "lied pausieren",
                "mach pause",
                "mach mal pause",
                "halt an",
                "halt mal an",
                "anhalten",
                "musik anhalten",
                "halt die musik an",
                "halte die musik an",
                "er soll pausieren"
            ][""][""]
        ),
    ),
    (
        "AMAZON.ResumeIntent",
        samples!(
            [
                "weiter",
                "weiterspielen",
                "spiel weiter",
                "spiele weiter",
                "spiel die musik weiter",
                "mach weiter",
                "weitermachen",
                "fortsetzen",
                "fortfahren",
                "musik fortsetzen",
                "wiedergabe fortsetzen",
                "setz fort",
                "setze fort",
                "setz die musik fort",
                "setze die wiedergabe fort",
                "weiter abspielen",
                "er soll weiterspielen"
            ][""][""]
        ),
    ),
    (
        "AMAZON.NextIntent",
        samples!(
            [
                "nächstes",
                "nächster",
                "nächstes lied",
                "nächster song",
                "nächster titel",
                "das nächste",
                "der nächste",
                "das nächste lied",
                "das nächste bitte",
                "nächstes bitte",
                "nächstes lied bitte",
                "spiel das nächste",
                "spiel das nächste lied",
                "spiel den nächsten song",
                "spiel den nächsten titel",
                "überspringen",
                "überspring",
                "überspringe",
                "überspring das",
                "lied überspringen",
                "überspring das lied",
                "überspringe das lied",
                "weiter zum nächsten lied",
                "weiter zum nächsten titel",
                "spring zum nächsten lied"
            ][""][""]
        ),
    ),
    (
        "AMAZON.PreviousIntent",
        samples!(
            [
                "zurück",
                "eins zurück",
                "geh zurück",
                "geh eins zurück",
                "spring zurück",
                "ein lied zurück",
                "vorheriges lied",
                "voriges lied",
                "letztes lied",
                "vorheriger titel",
                "vorheriger song",
                "das vorherige lied",
                "das letzte lied",
                "spiel das vorherige lied",
                "spiel das letzte lied nochmal",
                "spiel das letzte lied noch mal",
                "noch mal das letzte lied",
                "nochmal das letzte lied",
                "das letzte lied nochmal",
                "zurück zum letzten lied",
                "zurück zum vorherigen lied"
            ][""][""]
        ),
    ),
    (
        "AMAZON.StartOverIntent",
        samples!(
            [
                "von vorne",
                "von vorn",
                "von anfang an",
                "noch mal von vorne",
                "nochmal von vorne",
                "noch mal von vorn",
                "nochmal von vorn",
                "das lied von vorne",
                "das lied nochmal",
                "lied nochmal von vorne",
                "spiel das lied von vorne",
                "spiel das lied nochmal",
                "spiel das lied nochmal von vorne",
                "fang von vorne an",
                "fang nochmal von vorne an",
                "fang das lied von vorne an",
                "fang das lied nochmal an",
                "lied neu starten",
                "das lied neu starten",
                "starte das lied neu",
                "zurück zum anfang"
            ][""][""]
        ),
    ),
    (
        "AMAZON.ShuffleOnIntent",
        samples!(
            ["zufallswiedergabe", "zufallsmodus"] [" an", " ein"] [""];
            ["schalte die", "schalte", "schalt die", "schalt"] [" zufallswiedergabe"] [" ein", " an"];
            ["mach die", "mach"] [" zufallswiedergabe"] [" an"];
            ["zufallswiedergabe", "zufallswiedergabe einschalten", "mische", "misch", "mischen",
             "mische die lieder", "misch die lieder", "lieder mischen", "zufällige reihenfolge",
             "zufällig abspielen", "zufällig spielen", "spiel zufällig",
             "in zufälliger reihenfolge spielen", "shuffle", "shuffle an"] [""] [""]
        ),
    ),
    (
        "AMAZON.ShuffleOffIntent",
        samples!(
            ["zufallswiedergabe", "zufallsmodus", "shuffle"] [" aus"] [""];
            ["schalte die", "schalte", "schalt die", "schalt", "mach die", "mach"]
            [" zufallswiedergabe"] [" aus"];
            ["zufallswiedergabe ausschalten", "nicht mehr mischen", "nicht mehr zufällig",
             "der reihe nach", "der reihe nach abspielen", "der reihe nach spielen",
             "in der richtigen reihenfolge spielen"] [""] [""]
        ),
    ),
    (
        "AMAZON.LoopOnIntent",
        samples!(
            [
                "wiederholung an",
                "wiederholung ein",
                "wiederholung einschalten",
                "schalte die wiederholung ein",
                "schalt die wiederholung ein",
                "wiederholen",
                "wiederholen an",
                "wiederhole das lied",
                "wiederhol das lied",
                "wiederhole dieses lied",
                "das lied wiederholen",
                "lied wiederholen",
                "wiederhole die playlist",
                "endlosschleife an",
                "dauerschleife an",
                "schleife an",
                "in schleife spielen",
                "in dauerschleife spielen",
                "in endlosschleife spielen"
            ][""][""]
        ),
    ),
    (
        "AMAZON.LoopOffIntent",
        samples!(
            [
                "wiederholung aus",
                "wiederholung ausschalten",
                "schalte die wiederholung aus",
                "schalt die wiederholung aus",
                "wiederholen aus",
                "nicht mehr wiederholen",
                "endlosschleife aus",
                "dauerschleife aus",
                "schleife aus"
            ][""][""]
        ),
    ),
    (
        "AMAZON.StopIntent",
        &["stopp", "stop", "halt", "aus", "hör auf", "aufhören"],
    ),
    (
        "AMAZON.CancelIntent",
        &["lass gut sein", "schon gut", "lass es"],
    ),
    (
        "AMAZON.HelpIntent",
        samples!(
            [
                "hilfe",
                "hilf mir",
                "was kann ich sagen",
                "was kann ich machen",
                "was kannst du",
                "was kannst du alles",
                "wie funktioniert das",
                "wie geht das",
                "welche befehle gibt es"
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
            "spiel {query}",
            "spiele {query}",
            "{query} bitte",
            "ich möchte {query} hören",
        ],
    ),
    (
        "artist",
        &[
            "{artist}",
            "musik von {artist}",
            "was von {artist}",
            "etwas von {artist}",
        ],
    ),
    ("album", &["{album}", "das album {album}"]),
    ("song", &["{song}", "das lied {song}", "den song {song}"]),
    (
        "playlist",
        &[
            "{playlist}",
            "die playlist {playlist}",
            "meine playlist {playlist}",
        ],
    ),
    (
        "station",
        &["{station}", "den sender {station}", "radio {station}"],
    ),
    ("genre", &["{genre}", "etwas {genre}", "{genre} musik"]),
    (
        "room",
        &[
            "{room}",
            "im {room}",
            "in der {room}",
            "auf der {room}",
            "auf dem {room}",
            "die {room}",
            "das {room}",
            "den {room}",
            "{room} bitte",
            "der im {room}",
            "der in der {room}",
            "die im {room}",
            "die in der {room}",
            "das im {room}",
            "das in der {room}",
            "den im {room}",
            "den in der {room}",
        ],
    ),
];
