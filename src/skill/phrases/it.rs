//! Italian (it-IT), as people talk to an Echo in Italy ("metti",
//! "riproduci", "in cucina"; "chiedi ad assistente musicale di mettere ...":
//! the invocation name is "assistente musicale", in Italian as Amazon asks).
//! Written by a non-native speaker at near-native level: a native speaker
//! should review the samples (`tests/corpus/it.tsv` is the yardstick) and
//! what the skill says.

use super::expand::samples;
use super::{Invocation, Phrases, Say, Words};
use crate::skill::library::Kind;

pub static PHRASES: Phrases = Phrases {
    invocation: Invocation {
        default: "assistente musicale",
        launch_words: &[
            "apri", "avvia", "inizia", "chiedi", "domanda", "di'", "dì", "metti", "usa", "attiva",
            "a", "ad", "di", "e", "se", "con", "per",
        ],
        small_words: &[
            "il", "lo", "la", "i", "gli", "le", "l'", "un", "uno", "una", "di", "del", "della",
            "a", "ad", "al", "in", "con", "per", "su",
        ],
        compound_word: false,
    },
    samples: &[
        (
            "PlayIntent",
            samples!(
                ["metti", "mettimi", "mettici", "riproduci", "suona", "fammi sentire", "mettere",
                 "riprodurre", "suonare", "voglio ascoltare", "voglio sentire", "vorrei ascoltare",
                 "vorrei sentire", "puoi mettere"]
                [" {query}", " {query} di {artist}", " {query} dei {artist}", " {query} degli {artist}"]
                ["", " in {room}", " nella {room}", " nel {room}"]
            ),
        ),
        (
            "PlayArtistIntent",
            samples!(
                ["metti", "mettimi", "riproduci", "suona", "fammi sentire", "mettere", "riprodurre",
                 "suonare"]
                [" musica di {artist}", " musica dei {artist}", " le canzoni di {artist}",
                 " le canzoni dei {artist}", " canzoni di {artist}", " qualcosa di {artist}",
                 " qualcosa dei {artist}", " l'artista {artist}", " il gruppo {artist}",
                 " qualsiasi cosa di {artist}", " qualche canzone di {artist}"]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["qualcosa di {artist}", "qualcosa dei {artist}", "musica di {artist}"] [""] [""]
            ),
        ),
        (
            "PlayAlbumIntent",
            samples!(
                ["metti", "mettimi", "riproduci", "suona", "fammi sentire", "mettere", "riprodurre",
                 "suonare"]
                [" l'album {album}", " il disco {album}", " l'album che si chiama {album}",
                 " l'album {album} di {artist}", " l'album {album} dei {artist}"]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["l'album {album}", "il disco {album}"] [""] [""]
            ),
        ),
        (
            "PlaySongIntent",
            samples!(
                ["metti", "mettimi", "riproduci", "suona", "fammi sentire", "mettere", "riprodurre",
                 "suonare"]
                [" la canzone {song}", " il brano {song}", " il pezzo {song}",
                 " la canzone che si chiama {song}", " la canzone {song} di {artist}",
                 " la canzone {song} dei {artist}", " il brano {song} di {artist}"]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["la canzone {song}", "il brano {song}"] [""] [""]
            ),
        ),
        (
            "PlayPlaylistIntent",
            samples!(
                ["metti", "mettimi", "riproduci", "suona", "fammi sentire", "mettere", "riprodurre",
                 "suonare"]
                [" la playlist {playlist}", " la mia playlist {playlist}", " la lista {playlist}",
                 " la mia lista {playlist}"]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["la playlist {playlist}", "la lista {playlist}"] [""] [""]
            ),
        ),
        (
            "PlayRadioIntent",
            samples!(
                ["metti", "riproduci", "mettere", "riprodurre", "accendi"]
                [" la radio {station}", " la stazione {station}", " la stazione radio {station}",
                 " radio {station}", " la radio"]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["la radio {station}", "la stazione {station}"] [""] [""]
            ),
        ),
        (
            "PlayGenreIntent",
            samples!(
                ["metti", "mettimi", "mettici", "riproduci", "suona", "fammi sentire", "mettere",
                 "riprodurre", "suonare"]
                [" del {genre}", " un po' di {genre}", " musica {genre}"]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["un po' di {genre}", "del {genre}", "musica {genre}"] [""] [""]
            ),
        ),
        (
            "PlayMyMusicIntent",
            samples!(
                ["metti", "mettimi", "riproduci", "suona", "mettere", "riprodurre", "suonare"]
                [" la mia musica", " musica", " un po' di musica", " musica a caso", " la mia libreria"]
                ["", " in {room}", " nella {room}", " nel {room}", " {room}"];
                ["mescola", "mescolare"] [" la mia musica"] [""]
            ),
        ),
        (
            "PlayEverywhereIntent",
            samples!(
                ["metti", "mettimi", "riproduci", "suona", "mettere", "riprodurre", "suonare"]
                [" musica", " la mia musica", " {query}", " {query} di {artist}"]
                [" ovunque", " dappertutto", " in tutta la casa", " in tutte le stanze", " su tutte le casse"]
            ),
        ),
        (
            "EnqueueIntent",
            samples!(
                ["aggiungi", "aggiungere"] [" {query} alla coda", " {query} di {artist} alla coda"]
                ["", " in {room}"];
                ["metti", "mettere"] [" {query} dopo", " {query} come prossima"] [""]
            ),
        ),
        (
            "StopMusicIntent",
            samples!(
                ["ferma", "fermare", "spegni", "spegnere", "stoppa"] [" la musica"]
                ["", " in {room}", " nella {room}", " nel {room}", " {room}"];
                ["smetti di suonare", "smettere di suonare"] [""] [""]
            ),
        ),
        (
            "VolumeIntent",
            samples!(
                ["volume", "volume a", "volume al", "metti il volume a", "mettere il volume a",
                 "imposta il volume a", "impostare il volume a", "cambia il volume a", "alza il volume a",
                 "abbassa il volume a", "porta il volume a"]
                [" {level}", " {percent} per cento"]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["metti il volume della {room} a", "metti il volume del {room} a",
                 "metti il volume in {room} a"] [" {level}"] [""]
            ),
        ),
        (
            "LouderIntent",
            samples!(
                ["più forte", "un po' più forte", "alza il volume", "alza la musica", "alza un po'",
                 "alza", "alzare il volume", "aumenta il volume", "alza l'audio"]
                [""]
                ["", " in {room}", " nella {room}", " nel {room}"]
            ),
        ),
        (
            "QuieterIntent",
            samples!(
                ["più piano", "un po' più piano", "abbassa il volume", "abbassa la musica",
                 "abbassa un po'", "abbassa", "abbassare il volume", "diminuisci il volume",
                 "abbassa l'audio"]
                [""]
                ["", " in {room}", " nella {room}", " nel {room}"]
            ),
        ),
        (
            "MuteIntent",
            samples!(
                ["muto", "togli l'audio", "silenzio", "metti in muto", "disattiva l'audio", "azzera l'audio"]
                [""]
                ["", " in {room}", " nella {room}", " nel {room}"];
                ["metti in muto la {room}", "metti in muto il {room}"] [""] [""]
            ),
        ),
        (
            "UnmuteIntent",
            samples!(
                ["riattiva l'audio", "togli il muto", "rimetti l'audio", "riattiva il suono",
                 "rimetti il suono"]
                [""]
                ["", " in {room}", " nella {room}", " nel {room}"]
            ),
        ),
        (
            "WhatsPlayingIntent",
            samples!(
                ["cosa sta suonando", "che cosa sta suonando", "cosa suona", "che canzone è questa",
                 "che canzone è", "chi canta", "chi è", "cos'è questa canzone", "come si chiama questa canzone",
                 "cos'è questo", "cosa sto ascoltando", "di chi è questa canzone", "che brano è",
                 "cosa c'è in riproduzione"]
                [""]
                ["", " in {room}", " nella {room}", " nel {room}"]
            ),
        ),
        (
            "UseRoomIntent",
            samples!(
                ["usa", "usare", "passa alla", "sono nella", "sposta la musica nella", "quella nella"]
                [" {room}"] [""];
                ["usa la", "usa il", "usare la", "usare il", "passa al", "sono in", "sono nel",
                 "sposta la musica in", "sposta la musica nel", "quella in", "quello in", "in", "la", "il"]
                [" {room}"] [""]
            ),
        ),
        // Playing on the Echo itself (Music Assistant's Alexa provider).
        ("PlayAudioIntent", &["riprodurre audio", "riproduci audio"]),
        (
            "PlayHereIntent",
            &[
                "metti {query} qui",
                "riproduci {query} qui",
                "metti {query} su questo echo",
                "riproduci {query} su questo dispositivo",
                "metti {query} di {artist} qui",
            ],
        ),
        (
            "ThisEchoIntent",
            &[
                "questo è il {room}",
                "questo è {room}",
                "questo echo è il {room}",
                "questo echo è {room}",
                "questo dispositivo è {room}",
            ],
        ),
        (
            "AMAZON.PauseIntent",
            samples!(
                [
                    "pausa",
                    "metti in pausa",
                    "metti in pausa la musica",
                    "mettere in pausa",
                    "aspetta",
                    "fermati un attimo",
                    "pausa la musica",
                    "fai una pausa"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ResumeIntent",
            samples!(
                [
                    "riprendi",
                    "riprendere",
                    "continua",
                    "continuare",
                    "riprendi la musica",
                    "continua a suonare",
                    "rimetti la musica",
                    "fai ripartire la musica",
                    "riparti"
                ][""][""]
            ),
        ),
        (
            "AMAZON.NextIntent",
            samples!(
                [
                    "avanti",
                    "prossima",
                    "la prossima",
                    "prossima canzone",
                    "la prossima canzone",
                    "canzone successiva",
                    "la canzone successiva",
                    "salta",
                    "salta questa canzone",
                    "passa alla prossima",
                    "passa alla prossima canzone",
                    "passare alla prossima",
                    "passare alla prossima canzone",
                    "cambia canzone",
                    "traccia successiva",
                    "brano successivo",
                    "metti la prossima canzone"
                ][""][""]
            ),
        ),
        (
            "AMAZON.PreviousIntent",
            samples!(
                [
                    "indietro",
                    "torna indietro",
                    "canzone precedente",
                    "la precedente",
                    "la canzone precedente",
                    "metti la canzone precedente",
                    "quella di prima",
                    "rimetti la canzone di prima",
                    "brano precedente",
                    "traccia precedente"
                ][""][""]
            ),
        ),
        (
            "AMAZON.StartOverIntent",
            samples!(
                [
                    "ricomincia",
                    "ricomincia la canzone",
                    "dall'inizio",
                    "ricomincia da capo",
                    "riparti dall'inizio",
                    "da capo",
                    "rimetti la canzone dall'inizio"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOnIntent",
            samples!(
                [
                    "riproduzione casuale",
                    "attiva la riproduzione casuale",
                    "mescola",
                    "mescola le canzoni",
                    "modalità casuale",
                    "attiva la modalità casuale",
                    "casuale",
                    "ordine casuale"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOffIntent",
            samples!(
                [
                    "disattiva la riproduzione casuale",
                    "togli la riproduzione casuale",
                    "disattiva la modalità casuale",
                    "riproduci in ordine"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOnIntent",
            samples!(
                [
                    "ripeti questa canzone",
                    "ripeti la canzone",
                    "attiva la ripetizione",
                    "metti in loop",
                    "ripeti",
                    "ripetizione attiva",
                    "ripeti tutto"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOffIntent",
            samples!(
                [
                    "disattiva la ripetizione",
                    "togli la ripetizione",
                    "smetti di ripetere",
                    "non ripetere più"
                ][""][""]
            ),
        ),
        (
            "AMAZON.HelpIntent",
            samples!(
                [
                    "aiuto",
                    "aiutami",
                    "cosa posso dire",
                    "cosa sai fare",
                    "come funziona"
                ][""][""]
            ),
        ),
        (
            "AMAZON.CancelIntent",
            samples!(["annulla", "lascia perdere", "lascia stare", "niente"][""][""]),
        ),
        (
            "AMAZON.StopIntent",
            samples!(["stop", "ferma", "fermati", "basta", "zitta", "smettila"][""][""]),
        ),
    ],
    answers: &[
        (
            "query",
            &[
                "{query}",
                "metti {query}",
                "{query} per favore",
                "vorrei sentire {query}",
            ],
        ),
        (
            "artist",
            &[
                "{artist}",
                "musica di {artist}",
                "qualcosa di {artist}",
                "metti {artist}",
            ],
        ),
        ("album", &["{album}", "l'album {album}", "il disco {album}"]),
        ("song", &["{song}", "la canzone {song}", "metti {song}"]),
        (
            "playlist",
            &[
                "{playlist}",
                "la playlist {playlist}",
                "la mia playlist {playlist}",
            ],
        ),
        (
            "station",
            &[
                "{station}",
                "la radio {station}",
                "la stazione {station}",
                "radio {station}",
            ],
        ),
        (
            "genre",
            &[
                "{genre}",
                "del {genre}",
                "musica {genre}",
                "un po' di {genre}",
            ],
        ),
        (
            "room",
            &[
                "{room}",
                "in {room}",
                "nella {room}",
                "nel {room}",
                "la {room}",
                "il {room}",
                "quella in {room}",
                "{room} per favore",
            ],
        ),
    ],
    values: &[
        (
            "ROOM_NAME",
            &[
                "cucina",
                "soggiorno",
                "salotto",
                "camera da letto",
                "camera",
                "studio",
                "bagno",
                "ovunque",
                "tutta la casa",
                "tutte le stanze",
            ],
        ),
        (
            "ARTIST_NAME",
            &[
                "Vasco Rossi",
                "Laura Pausini",
                "Måneskin",
                "Lucio Dalla",
                "Mina",
                "The Beatles",
            ],
        ),
        (
            "ALBUM_NAME",
            &[
                "Bollicine",
                "La solitudine",
                "Teatro d'ira",
                "Abbey Road",
                "Anima latina",
            ],
        ),
        (
            "SONG_NAME",
            &["Albachiara", "Caruso", "Volare", "Yesterday", "Azzurro"],
        ),
        (
            "PLAYLIST_NAME",
            &["Mix del mattino", "Preferite", "Cena", "Allenamento"],
        ),
        (
            "STATION_NAME",
            &[
                "Radio Deejay",
                "RTL 102.5",
                "Radio 105",
                "Rai Radio 2",
                "Virgin Radio",
            ],
        ),
        (
            "GENRE_NAME",
            &[
                "jazz",
                "rock",
                "pop",
                "classica",
                "rap",
                "musica leggera",
                "elettronica",
                "blues",
                "lirica",
                "cantautori",
                "metal",
                "reggae",
            ],
        ),
        (
            "MEDIA_NAME",
            &[
                "Vasco Rossi",
                "Bollicine",
                "Albachiara",
                "Preferite",
                "Radio Deejay",
                "jazz",
            ],
        ),
    ],
    words: Words {
        kinds: &[
            (
                Kind::Artist,
                &[
                    "l'artista",
                    "artista",
                    "il gruppo",
                    "musica di",
                    "le canzoni di",
                    "qualcosa di",
                ],
            ),
            (Kind::Album, &["l'album", "album", "il disco"]),
            (
                Kind::Track,
                &["la canzone", "il brano", "il pezzo", "canzone", "brano"],
            ),
            (
                Kind::Playlist,
                &["la mia playlist", "la playlist", "playlist", "la lista"],
            ),
            (
                Kind::Radio,
                &["la stazione radio", "la stazione", "la radio", "radio"],
            ),
        ],
        by: &["di", "dei", "degli", "del", "della"],
        in_room: &["nella", "nel", "in"],
        everywhere: &[
            "ovunque",
            "dappertutto",
            "in tutta la casa",
            "tutta la casa",
            "in tutte le stanze",
            "tutte le stanze",
        ],
        music: &["musica"],
    },
    say: Say {
        launch: "Music Assistant è pronto. Cosa vuoi ascoltare?",
        launch_reprompt: "Puoi dire: metti un artista, oppure: cosa sta suonando.",
        help: "Puoi dire: metti musica di un artista, metti l'album o la playlist che vuoi, pausa, \
               avanti, volume a cinque, oppure: cosa sta suonando. Con, in cucina, scegli un \
               lettore. Cosa vuoi fare?",
        goodbye: "Ciao.",
        fallback: "Scusa, non ho capito. Di' per esempio: metti un artista, oppure: aiuto.",
        link_account: "Per usare Music Assistant, apri l'app Alexa e collega il tuo account.",
        not_configured: "Questo server non è collegato a Music Assistant.",
        playing: "Metto {what} su {room}.",
        playing_by: "Metto {what} di {artist} su {room}.",
        playing_everywhere: "Metto {what} su {list}.",
        queued: "{what} è in coda su {room}.",
        my_music: "Metto la tua musica in ordine casuale su {room}.",
        my_music_everywhere: "Metto la tua musica in ordine casuale su {list}.",
        genre: "Metto {genre} su {room}.",
        not_found: "Non ho trovato {what} nella tua musica.",
        did_you_mean: "Non ho trovato {what}. La cosa più simile è {name}.",
        which_name: "Cosa vuoi ascoltare?",
        empty_library: "La tua libreria musicale è vuota.",
        no_players: "Music Assistant non ha nessun lettore che io possa usare.",
        which_room: "Su quale lettore? {list}.",
        room_prompt: "Su quale lettore?",
        which_room_reprompt: "Di' per esempio: usa {first}.",
        unknown_room: "Non conosco nessun lettore che si chiami {room}. Hai {list}.",
        using_room: "Fatto, questo Echo adesso suona su {room}.",
        paused: "In pausa.",
        resumed: "Si riparte.",
        stopped: "Fermato.",
        next: "Canzone successiva.",
        previous: "Canzone precedente.",
        start_over: "Dall'inizio.",
        shuffle_on: "Riproduzione casuale attivata.",
        shuffle_off: "Riproduzione casuale disattivata.",
        repeat_on: "Ripetizione attivata.",
        repeat_off: "Ripetizione disattivata.",
        volume: "Volume a {level} su {room}.",
        bad_volume: "Dimmi un volume tra zero e cento.",
        louder: "Più forte.",
        quieter: "Più piano.",
        muted: "Audio disattivato.",
        unmuted: "L'audio è tornato.",
        now_playing: "{title} di {artist}, su {room}.",
        now_playing_title: "{title}, su {room}.",
        nothing_playing: "Su {room} non sta suonando niente.",
        ma_slow: "Music Assistant risponde troppo lentamente. Riprova tra un attimo.",
        ma_down: "Non riesco a raggiungere Music Assistant. Controlla che sia acceso.",
        ma_failed: "Music Assistant non è riuscito a farlo.",
        not_allowed: "Non ho il permesso di farlo.",
        relink_retry: "Music Assistant ha avuto un problema con il tuo account. Riprova, per favore.",
        echo_setup: "Per riprodurre su questo Echo, aggiungi il provider Alexa nelle impostazioni di Music Assistant, con l'indirizzo e la password che mostra la pagina di questo server.",
        echo_unknown: "Non so ancora quale lettore di Music Assistant sia questo Echo. Di': questo è il, e il suo nome in Music Assistant.",
        echo_is: "Va bene, questo Echo è {room}.",
        echo_on_page: "Questo Echo è stato impostato nella pagina del componente aggiuntivo; cambialo lì.",
        echo_nothing: "Music Assistant non ha niente per questo Echo in questo momento.",
        or: "o",
        and: "e",
    },
};
