//! Spanish (es-ES, es-MX, es-US), as people talk to an Echo in Spain and
//! the Americas ("pon", "ponme", "toca", "súbele"; "pide a music assistant
//! que ponga ..."). The invocation name is "asistente de música" (in
//! Spanish, as Amazon asks: "pide a asistente de música que ponga ..."). Written by a non-native speaker at near-native level: a
//! native speaker from Spain and one from Mexico should review the samples
//! (`tests/corpus/es.tsv` is the yardstick) and what the skill says.

use super::expand::samples;
use super::{Invocation, Phrases, Say, Words};
use crate::skill::library::Kind;

pub static PHRASES: Phrases = Phrases {
    invocation: Invocation {
        default: "asistente de música",
        launch_words: &[
            "abre",
            "abrir",
            "inicia",
            "empieza",
            "pide",
            "pídele",
            "dile",
            "pregunta",
            "pregúntale",
            "pon",
            "usa",
            "activa",
            "a",
            "al",
            "que",
            "y",
            "con",
            "para",
            "si",
        ],
        small_words: &[
            "el", "la", "los", "las", "un", "una", "de", "del", "a", "al", "en", "con", "para",
            "por",
        ],
        compound_word: false,
    },
    samples: &[
        (
            "PlayIntent",
            samples!(
                ["pon", "ponme", "ponnos", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner",
                 "quiero escuchar", "quiero oír", "me gustaría escuchar", "puedes poner"]
                [" {query}", " {query} de {artist}", " {query} del {artist}", " {query} de los {artist}"]
                ["", " en la {room}", " en el {room}", " en {room}"]
            ),
        ),
        (
            "PlayArtistIntent",
            samples!(
                ["pon", "ponme", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner"]
                [" música de {artist}", " canciones de {artist}", " algo de {artist}", " al artista {artist}",
                 " al grupo {artist}", " cualquier cosa de {artist}", " unas canciones de {artist}",
                 " música del grupo {artist}"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["algo de {artist}", "música de {artist}", "canciones de {artist}"] [""] [""]
            ),
        ),
        (
            "PlayAlbumIntent",
            samples!(
                ["pon", "ponme", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner"]
                [" el álbum {album}", " el disco {album}", " el álbum que se llama {album}",
                 " el álbum {album} de {artist}", " el disco {album} de {artist}"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["el álbum {album}", "el disco {album}"] [""] [""]
            ),
        ),
        (
            "PlaySongIntent",
            samples!(
                ["pon", "ponme", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner"]
                [" la canción {song}", " el tema {song}", " la rola {song}", " la canción que se llama {song}",
                 " la canción {song} de {artist}", " el tema {song} de {artist}"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["la canción {song}", "el tema {song}"] [""] [""]
            ),
        ),
        (
            "PlayPlaylistIntent",
            samples!(
                ["pon", "ponme", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner"]
                [" la playlist {playlist}", " mi playlist {playlist}", " la lista {playlist}",
                 " mi lista {playlist}", " la lista de reproducción {playlist}"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["la playlist {playlist}", "la lista {playlist}"] [""] [""]
            ),
        ),
        (
            "PlayRadioIntent",
            samples!(
                ["pon", "ponme", "reproduce", "ponga", "reproduzca", "poner"]
                [" la radio {station}", " la emisora {station}", " la estación {station}",
                 " la estación de radio {station}", " la radio"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["la radio {station}", "la emisora {station}"] [""] [""]
            ),
        ),
        (
            "PlayGenreIntent",
            samples!(
                ["pon", "ponme", "ponnos", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner"]
                [" música {genre}", " un poco de {genre}"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["un poco de {genre}", "música {genre}"] [""] [""]
            ),
        ),
        (
            "PlayMyMusicIntent",
            samples!(
                ["pon", "ponme", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner"]
                [" mi música", " música", " algo de música", " música aleatoria", " mi biblioteca"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["mezcla", "mezcle"] [" mi música"] [""]
            ),
        ),
        (
            "PlayEverywhereIntent",
            samples!(
                ["pon", "ponme", "reproduce", "toca", "ponga", "reproduzca", "toque", "poner"]
                [" música", " mi música", " {query}", " {query} de {artist}"]
                [" en toda la casa", " en todas partes", " en todas las habitaciones", " en todos los cuartos",
                 " por toda la casa"]
            ),
        ),
        (
            "EnqueueIntent",
            samples!(
                ["añade", "añada", "agrega", "agregue"] [" {query} a la cola", " {query} de {artist} a la cola"]
                ["", " en la {room}"];
                ["pon", "ponga"] [" {query} después", " {query} a continuación"] [""]
            ),
        ),
        (
            "StopMusicIntent",
            samples!(
                ["para", "pare", "detén", "detenga", "apaga", "apague", "quita", "quite"] [" la música"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["deja de sonar", "deja de tocar", "deje de sonar"] [""] [""]
            ),
        ),
        (
            "VolumeIntent",
            samples!(
                ["volumen", "volumen al", "volumen a", "volumen en", "pon el volumen a",
                 "pon el volumen al", "pon el volumen en", "ponga el volumen a", "ponga el volumen al",
                 "ponga el volumen en", "sube el volumen a", "sube el volumen al", "baja el volumen a",
                 "baja el volumen al", "cambia el volumen a", "cambia el volumen al"]
                [" {level}", " {percent} por ciento"]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["pon el volumen de la {room} a", "pon el volumen de la {room} al",
                 "pon el volumen del {room} a", "pon el volumen del {room} al"] [" {level}"] [""]
            ),
        ),
        (
            "LouderIntent",
            samples!(
                ["más alto", "un poco más alto", "más fuerte", "sube el volumen", "sube la música",
                 "súbele", "súbele al volumen", "sube un poco", "sube", "suba el volumen",
                 "subir el volumen", "sube el sonido"]
                [""]
                ["", " en la {room}", " en el {room}", " en {room}"]
            ),
        ),
        (
            "QuieterIntent",
            samples!(
                ["más bajo", "un poco más bajo", "más suave", "baja el volumen", "baja la música",
                 "bájale", "bájale al volumen", "baja un poco", "baja", "baje el volumen",
                 "bajar el volumen", "baja el sonido"]
                [""]
                ["", " en la {room}", " en el {room}", " en {room}"]
            ),
        ),
        (
            "MuteIntent",
            samples!(
                ["silencio", "silencia", "silencia la música", "silencie", "silencie la música", "mutea",
                 "quita el sonido", "quite el sonido"]
                [""]
                ["", " en la {room}", " en el {room}", " en {room}"];
                ["silencia la {room}", "silencia el {room}", "mutea la {room}", "mutea el {room}"] [""] [""]
            ),
        ),
        (
            "UnmuteIntent",
            samples!(
                ["quita el silencio", "quite el silencio", "activa el sonido", "active el sonido",
                 "vuelve a activar el sonido", "reactiva el sonido", "desmutea", "pon el sonido"]
                [""]
                ["", " en la {room}", " en el {room}", " en {room}"]
            ),
        ),
        (
            "WhatsPlayingIntent",
            samples!(
                ["qué está sonando", "qué suena", "qué canción es esta", "qué canción es", "quién canta",
                 "quién es", "cómo se llama esta canción", "qué es esto", "qué estoy escuchando",
                 "de quién es esta canción", "qué canción está sonando", "qué se está reproduciendo"]
                [""]
                ["", " en la {room}", " en el {room}", " en {room}"]
            ),
        ),
        (
            "UseRoomIntent",
            samples!(
                ["usa", "use", "estoy en", "cambia a", "cambie a", "pasa la música a", "el de", "en"]
                [" la {room}", " el {room}"]
                [""];
                ["cambia al {room}", "cambie al {room}", "pasa la música al {room}", "el del {room}",
                 "la {room}", "el {room}"] [""] [""]
            ),
        ),
        // Playing on the Echo itself (Music Assistant's Alexa provider).
        ("PlayAudioIntent", &["reproduzca audio", "reproduce audio"]),
        (
            "PlayHereIntent",
            &[
                "pon {query} aquí",
                "reproduce {query} aquí",
                "pon {query} en este echo",
                "reproduce {query} en este dispositivo",
                "pon {query} de {artist} aquí",
            ],
        ),
        (
            "ThisEchoIntent",
            &[
                "este es el {room}",
                "este es {room}",
                "este echo es el {room}",
                "este echo es {room}",
                "este dispositivo es {room}",
            ],
        ),
        (
            "AMAZON.PauseIntent",
            samples!(
                [
                    "pausa",
                    "pon pausa",
                    "pausa la música",
                    "pause la música",
                    "pausar",
                    "espera",
                    "detén un momento",
                    "para un momento",
                    "ponle pausa"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ResumeIntent",
            samples!(
                [
                    "continúa",
                    "continúe",
                    "continuar",
                    "reanuda",
                    "reanude",
                    "sigue",
                    "siga",
                    "reanuda la música",
                    "continúa la música",
                    "sigue tocando",
                    "sigue sonando",
                    "vuelve a poner la música",
                    "quita la pausa"
                ][""][""]
            ),
        ),
        (
            "AMAZON.NextIntent",
            samples!(
                [
                    "siguiente",
                    "siguiente canción",
                    "la siguiente",
                    "la siguiente canción",
                    "salta",
                    "salta esta canción",
                    "salte esta canción",
                    "pasa",
                    "pasa a la siguiente",
                    "pasa a la siguiente canción",
                    "otra canción",
                    "siguiente pista",
                    "pon la siguiente canción",
                    "ponga la siguiente canción",
                    "próxima canción"
                ][""][""]
            ),
        ),
        (
            "AMAZON.PreviousIntent",
            samples!(
                [
                    "anterior",
                    "canción anterior",
                    "la anterior",
                    "la canción anterior",
                    "pon la canción anterior",
                    "ponga la canción anterior",
                    "vuelve atrás",
                    "atrás",
                    "la de antes",
                    "regresa a la canción anterior",
                    "vuelve a la anterior"
                ][""][""]
            ),
        ),
        (
            "AMAZON.StartOverIntent",
            samples!(
                [
                    "vuelve a empezar",
                    "desde el principio",
                    "pon la canción desde el principio",
                    "empieza la canción otra vez",
                    "otra vez desde el principio",
                    "reinicia la canción",
                    "empieza de nuevo",
                    "ponla desde el principio"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOnIntent",
            samples!(
                [
                    "modo aleatorio",
                    "activa el modo aleatorio",
                    "pon el modo aleatorio",
                    "aleatorio",
                    "reproducción aleatoria",
                    "activa la reproducción aleatoria",
                    "mezcla las canciones",
                    "mezcla"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOffIntent",
            samples!(
                [
                    "desactiva el modo aleatorio",
                    "quita el modo aleatorio",
                    "desactiva la reproducción aleatoria",
                    "en orden",
                    "reproduce en orden"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOnIntent",
            samples!(
                [
                    "repite esta canción",
                    "repite la canción",
                    "activa la repetición",
                    "pon en bucle",
                    "repite",
                    "repite todo",
                    "repetir todo",
                    "en bucle"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOffIntent",
            samples!(
                [
                    "desactiva la repetición",
                    "quita la repetición",
                    "deja de repetir",
                    "no repitas"
                ][""][""]
            ),
        ),
        (
            "AMAZON.HelpIntent",
            samples!(
                [
                    "ayuda",
                    "ayúdame",
                    "qué puedo decir",
                    "qué puedes hacer",
                    "cómo funciona"
                ][""][""]
            ),
        ),
        (
            "AMAZON.CancelIntent",
            samples!(["cancela", "cancelar", "olvídalo", "déjalo"][""][""]),
        ),
        (
            "AMAZON.StopIntent",
            samples!(["para", "detente", "cállate", "alto", "para ya", "basta"][""][""]),
        ),
    ],
    answers: &[
        (
            "query",
            &[
                "{query}",
                "pon {query}",
                "{query} por favor",
                "quiero escuchar {query}",
            ],
        ),
        (
            "artist",
            &[
                "{artist}",
                "música de {artist}",
                "algo de {artist}",
                "pon {artist}",
            ],
        ),
        (
            "album",
            &["{album}", "el álbum {album}", "el disco {album}"],
        ),
        ("song", &["{song}", "la canción {song}", "pon {song}"]),
        (
            "playlist",
            &[
                "{playlist}",
                "la playlist {playlist}",
                "mi playlist {playlist}",
            ],
        ),
        (
            "station",
            &[
                "{station}",
                "la radio {station}",
                "la emisora {station}",
                "la estación {station}",
            ],
        ),
        (
            "genre",
            &["{genre}", "música {genre}", "un poco de {genre}"],
        ),
        (
            "room",
            &[
                "{room}",
                "la {room}",
                "el {room}",
                "en la {room}",
                "en el {room}",
                "en {room}",
                "el de la {room}",
                "el del {room}",
                "{room} por favor",
            ],
        ),
    ],
    values: &[
        (
            "ROOM_NAME",
            &[
                "cocina",
                "salón",
                "sala",
                "dormitorio",
                "recámara",
                "cuarto",
                "oficina",
                "baño",
                "comedor",
                "toda la casa",
                "todas partes",
            ],
        ),
        (
            "ARTIST_NAME",
            &[
                "Rosalía",
                "Luis Miguel",
                "Shakira",
                "Alejandro Sanz",
                "Maná",
                "The Beatles",
            ],
        ),
        (
            "ALBUM_NAME",
            &[
                "El mal querer",
                "Romance",
                "Sirope",
                "Abbey Road",
                "Dónde jugarán los niños",
            ],
        ),
        (
            "SONG_NAME",
            &[
                "Despacito",
                "Malamente",
                "La bamba",
                "Yesterday",
                "Corazón espinado",
            ],
        ),
        (
            "PLAYLIST_NAME",
            &["Mezcla matutina", "Favoritas", "Cena", "Deporte"],
        ),
        (
            "STATION_NAME",
            &[
                "Cadena SER",
                "Los 40",
                "Radio Nacional",
                "Cadena Dial",
                "W Radio",
                "Exa FM",
            ],
        ),
        (
            "GENRE_NAME",
            &[
                "jazz",
                "rock",
                "pop",
                "clásica",
                "reguetón",
                "flamenco",
                "salsa",
                "electrónica",
                "blues",
                "rancheras",
                "cumbia",
                "bachata",
            ],
        ),
        (
            "MEDIA_NAME",
            &[
                "Rosalía",
                "El mal querer",
                "Despacito",
                "Favoritas",
                "Cadena SER",
                "jazz",
            ],
        ),
    ],
    words: Words {
        kinds: &[
            (
                Kind::Artist,
                &[
                    "al artista",
                    "el artista",
                    "artista",
                    "al grupo",
                    "el grupo",
                    "música de",
                    "canciones de",
                ],
            ),
            (Kind::Album, &["el álbum", "álbum", "el disco", "disco"]),
            (
                Kind::Track,
                &["la canción", "el tema", "la rola", "canción", "tema"],
            ),
            (
                Kind::Playlist,
                &[
                    "mi playlist",
                    "la playlist",
                    "playlist",
                    "la lista de reproducción",
                    "la lista",
                ],
            ),
            (
                Kind::Radio,
                &[
                    "la estación de radio",
                    "la emisora",
                    "la estación",
                    "la radio",
                    "radio",
                ],
            ),
        ],
        by: &["de", "del", "de los", "de las"],
        in_room: &["en la", "en el", "en"],
        everywhere: &[
            "en toda la casa",
            "toda la casa",
            "en todas partes",
            "todas partes",
            "en todas las habitaciones",
            "todas las habitaciones",
            "en todos los cuartos",
        ],
        music: &["música"],
    },
    say: Say {
        launch: "Music Assistant está listo. ¿Qué quieres escuchar?",
        launch_reprompt: "Puedes decir: pon música de un artista, o: qué está sonando.",
        help: "Puedes decir: pon música de un artista, pon el álbum o la playlist que quieras, \
               pausa, siguiente, volumen al cinco, o: qué está sonando. Con, en la cocina, eliges \
               un reproductor. ¿Qué quieres hacer?",
        goodbye: "Adiós.",
        fallback: "Lo siento, no te he entendido. Di por ejemplo: pon música de un artista, o: \
                   ayuda.",
        link_account: "Para usar Music Assistant, abre la app de Alexa y vincula tu cuenta.",
        not_configured: "Este servidor no está conectado a Music Assistant.",
        playing: "Pongo {what} en {room}.",
        playing_by: "Pongo {what} de {artist} en {room}.",
        playing_everywhere: "Pongo {what} en {list}.",
        queued: "{what} está en la cola de {room}.",
        my_music: "Pongo tu música en modo aleatorio en {room}.",
        my_music_everywhere: "Pongo tu música en modo aleatorio en {list}.",
        genre: "Pongo {genre} en {room}.",
        not_found: "No he encontrado {what} en tu música.",
        did_you_mean: "No he encontrado {what}. Lo más parecido es {name}.",
        which_name: "¿Qué quieres escuchar?",
        empty_library: "Tu biblioteca de música está vacía.",
        no_players: "Music Assistant no tiene ningún reproductor que pueda usar.",
        which_room: "¿En qué reproductor? {list}.",
        room_prompt: "¿En qué reproductor?",
        which_room_reprompt: "Di por ejemplo: usa {first}.",
        unknown_room: "No conozco ningún reproductor que se llame {room}. Tienes {list}.",
        using_room: "Hecho, este Echo ahora suena en {room}.",
        paused: "En pausa.",
        resumed: "Seguimos.",
        stopped: "Detenido.",
        next: "Siguiente canción.",
        previous: "Canción anterior.",
        start_over: "Desde el principio.",
        shuffle_on: "Modo aleatorio activado.",
        shuffle_off: "Modo aleatorio desactivado.",
        repeat_on: "Repetición activada.",
        repeat_off: "Repetición desactivada.",
        volume: "Volumen al {level} en {room}.",
        bad_volume: "Dime un volumen entre cero y cien.",
        louder: "Más alto.",
        quieter: "Más bajo.",
        muted: "Silenciado.",
        unmuted: "El sonido ha vuelto.",
        now_playing: "{title} de {artist}, en {room}.",
        now_playing_title: "{title}, en {room}.",
        nothing_playing: "Ahora mismo no suena nada en {room}.",
        ma_slow: "Music Assistant está tardando demasiado. Inténtalo de nuevo en un momento.",
        ma_down: "No consigo conectar con Music Assistant. Comprueba que esté funcionando.",
        ma_failed: "Music Assistant no ha podido hacerlo.",
        not_allowed: "No tengo permiso para hacer eso.",
        relink_retry: "Music Assistant ha dudado con tu cuenta. Inténtalo otra vez, por favor.",
        echo_setup: "Para reproducir en este Echo, añade el proveedor de Alexa en los ajustes de Music Assistant, con la dirección y la contraseña que muestra la página de este servidor.",
        echo_unknown: "Todavía no sé qué reproductor de Music Assistant es este Echo. Di: este es el, y su nombre en Music Assistant.",
        echo_is: "Vale, este Echo es {room}.",
        echo_on_page: "Este Echo se configuró en la página del complemento; cámbialo allí.",
        echo_nothing: "Music Assistant no tiene nada para este Echo ahora mismo.",
        or: "o",
        and: "y",
    },
};
