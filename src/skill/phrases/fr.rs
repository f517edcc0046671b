//! French (fr-FR, fr-CA), as people talk to an Echo in France and Quebec
//! ("mets", "joue", "lance", "fais jouer"; "demande à music assistant de
//! mettre ..."). The invocation name is "assistant musique" (in French,
//! as Amazon asks; said like a product name: "demande à assistant musique
//! de mettre ..."). Written by a non-native speaker at near-native level: a
//! native speaker from France and one from Quebec should review the samples
//! (`tests/corpus/fr.tsv` is the yardstick) and what the skill says.

use super::expand::samples;
use super::{Invocation, Phrases, Say, Words};
use crate::skill::library::Kind;

pub static PHRASES: Phrases = Phrases {
    invocation: Invocation {
        default: "assistant musique",
        launch_words: &[
            "ouvre", "ouvrir", "lance", "lancer", "démarre", "demande", "dis", "joue", "mets",
            "utilise", "active", "commence", "à", "de", "d'", "et", "si", "avec", "pour", "sur",
        ],
        small_words: &[
            "le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "à", "au", "aux",
            "pour", "avec", "sur", "dans", "en", "par",
        ],
        compound_word: false,
    },
    samples: &[
        (
            "PlayIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer",
                 "mets-moi", "mets-nous", "je veux écouter", "j'aimerais écouter", "tu peux mettre",
                 "fais-moi écouter", "écouter"]
                [" {query}", " {query} de {artist}", " {query} des {artist}", " {query} du {artist}"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"]
            ),
        ),
        (
            "PlayArtistIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer"]
                [" de la musique de {artist}", " de la musique des {artist}", " des chansons de {artist}",
                 " des chansons des {artist}", " quelque chose de {artist}", " quelque chose des {artist}",
                 " l'artiste {artist}", " le groupe {artist}", " n'importe quoi de {artist}",
                 " quelques chansons de {artist}"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"];
                ["quelque chose de {artist}", "quelque chose des {artist}", "de la musique de {artist}",
                 "des chansons de {artist}"] [""] [""]
            ),
        ),
        (
            "PlayAlbumIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer"]
                [" l'album {album}", " le disque {album}", " l'album qui s'appelle {album}",
                 " l'album {album} de {artist}", " l'album {album} des {artist}", " le disque {album} de {artist}"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"];
                ["l'album {album}", "le disque {album}", "l'album {album} de {artist}"] [""] [""]
            ),
        ),
        (
            "PlaySongIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer"]
                [" la chanson {song}", " le morceau {song}", " le titre {song}", " la toune {song}",
                 " la piste {song}", " la chanson qui s'appelle {song}", " la chanson {song} de {artist}",
                 " la chanson {song} des {artist}", " le morceau {song} de {artist}"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"];
                ["la chanson {song}", "le morceau {song}", "la chanson {song} de {artist}"] [""] [""]
            ),
        ),
        (
            "PlayPlaylistIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer"]
                [" la playlist {playlist}", " ma playlist {playlist}", " la liste de lecture {playlist}",
                 " ma liste de lecture {playlist}", " la playlist qui s'appelle {playlist}"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"];
                ["la playlist {playlist}", "ma playlist {playlist}"] [""] [""]
            ),
        ),
        (
            "PlayRadioIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer"]
                [" la radio {station}", " la station {station}", " la station de radio {station}",
                 " la radio"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"];
                ["la radio {station}", "la station {station}"] [""] [""]
            ),
        ),
        (
            "PlayGenreIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer",
                 "mets-nous", "mets-moi"]
                [" du {genre}", " de la {genre}", " de la musique {genre}", " un peu de {genre}"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"];
                ["du {genre}", "un peu de {genre}", "de la musique {genre}"] [""] [""]
            ),
        ),
        (
            "PlayMyMusicIntent",
            samples!(
                ["mets", "joue", "lance", "fais jouer", "mettre", "jouer", "lancer", "faire jouer"]
                [" ma musique", " de la musique", " un peu de musique", " de la musique au hasard",
                 " ma bibliothèque", " mes chansons"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " sur {room}"];
                ["mélange", "mélanger"] [" ma musique"] [""]
            ),
        ),
        (
            "PlayEverywhereIntent",
            samples!(
                ["mets", "joue", "lance", "mettre", "jouer", "fais jouer", "faire jouer"]
                [" de la musique", " ma musique", " {query}", " {query} de {artist}"]
                [" partout", " dans toute la maison", " dans toutes les pièces", " sur toutes les enceintes"]
            ),
        ),
        (
            "EnqueueIntent",
            samples!(
                ["ajoute", "ajouter"] [" {query} à la file d'attente", " {query} à la file",
                 " {query} de {artist} à la file d'attente"] ["", " dans la {room}", " dans le {room}"];
                ["mets", "mettre", "joue", "jouer"] [" {query} après", " {query} ensuite"] [""]
            ),
        ),
        (
            "StopMusicIntent",
            samples!(
                ["arrête", "arrêter", "éteins", "éteindre", "coupe", "couper", "stoppe"]
                [" la musique"]
                ["", " dans la {room}", " dans le {room}", " dans {room}", " {room}"];
                ["arrête de jouer", "arrêter de jouer", "arrête la lecture"] [""] [""]
            ),
        ),
        (
            "VolumeIntent",
            samples!(
                ["volume", "volume à", "mets le volume à", "mettre le volume à", "règle le volume sur",
                 "régler le volume sur", "règle le volume à", "mets le son à", "change le volume à",
                 "monte le volume à", "baisse le volume à"]
                [" {level}", " {percent} pour cent"]
                ["", " dans la {room}", " dans le {room}", " dans {room}"];
                ["mets le volume de la {room} à", "mets le volume du {room} à",
                 "règle le volume de la {room} sur", "règle le volume du {room} sur"]
                [" {level}"] [""]
            ),
        ),
        (
            "LouderIntent",
            samples!(
                ["plus fort", "un peu plus fort", "monte le son", "monte le volume", "augmente le volume",
                 "augmente le son", "monter le son", "monter le volume", "augmenter le volume", "monte",
                 "monte ça", "monte un peu", "mets plus fort", "plus fort s'il te plaît"]
                [""]
                ["", " dans la {room}", " dans le {room}", " dans {room}"];
                ["monte le son du {room}", "monte le son de la {room}", "monte la {room}",
                 "monte le {room}"] [""] [""]
            ),
        ),
        (
            "QuieterIntent",
            samples!(
                ["moins fort", "un peu moins fort", "baisse le son", "baisse le volume",
                 "diminue le volume", "diminue le son", "baisser le son", "baisser le volume",
                 "diminuer le volume", "baisse", "baisse ça", "baisse un peu", "mets moins fort",
                 "moins fort s'il te plaît"]
                [""]
                ["", " dans la {room}", " dans le {room}", " dans {room}"];
                ["baisse le son du {room}", "baisse le son de la {room}", "baisse la {room}",
                 "baisse le {room}"] [""] [""]
            ),
        ),
        (
            "MuteIntent",
            samples!(
                ["coupe le son", "couper le son", "sourdine", "mets en sourdine", "mets la sourdine",
                 "silence", "active la sourdine"]
                [""]
                ["", " dans la {room}", " dans le {room}", " dans {room}"];
                ["coupe le son du {room}", "coupe le son de la {room}"] [""] [""]
            ),
        ),
        (
            "UnmuteIntent",
            samples!(
                ["remets le son", "remettre le son", "réactive le son", "rétablis le son",
                 "enlève la sourdine", "désactive la sourdine", "enlever la sourdine"]
                [""]
                ["", " dans la {room}", " dans le {room}", " dans {room}"]
            ),
        ),
        (
            "WhatsPlayingIntent",
            samples!(
                ["qu'est-ce qui joue", "qu'est-ce qui passe", "ce qui joue", "ce qui passe",
                 "qu'est-ce qu'on écoute", "qu'est-ce que j'écoute", "c'est quoi cette chanson",
                 "c'est quoi ce morceau", "c'est quoi le titre", "quelle est cette chanson",
                 "quel est ce morceau", "quelle chanson joue", "c'est quoi ça", "c'est qui", "qui chante",
                 "qui chante ça", "c'est quelle chanson"]
                [""]
                ["", " dans la {room}", " dans le {room}", " dans {room}"]
            ),
        ),
        (
            "UseRoomIntent",
            samples!(
                ["utilise", "utiliser", "passe dans", "passer dans", "passe sur", "je suis dans",
                 "déplace la musique dans", "joue dans", "bascule sur", "celle de", "celui de"]
                [" la {room}", " le {room}", " {room}"]
                [""];
                ["celle du {room}", "celui du {room}", "dans la {room}", "dans le {room}", "la {room}",
                 "le {room}"] [""] [""]
            ),
        ),
        // Playing on the Echo itself (Music Assistant's Alexa provider).
        (
            "PlayAudioIntent",
            &["jouer l'audio", "joue l'audio", "lis l'audio"],
        ),
        (
            "PlayHereIntent",
            &[
                "mets {query} ici",
                "joue {query} ici",
                "joue {query} sur cet echo",
                "mets {query} sur cet appareil",
                "mets {query} de {artist} ici",
            ],
        ),
        (
            "ThisEchoIntent",
            &[
                "c'est le {room}",
                "c'est la {room}",
                "cet echo est le {room}",
                "cet echo est {room}",
                "cet appareil est {room}",
            ],
        ),
        (
            "AMAZON.PauseIntent",
            samples!(
                [
                    "pause",
                    "mets en pause",
                    "mets la musique en pause",
                    "mettre en pause",
                    "mettre la musique en pause",
                    "pause la musique",
                    "mets sur pause",
                    "attends",
                    "fais une pause",
                    "mets pause"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ResumeIntent",
            samples!(
                [
                    "reprends",
                    "reprendre",
                    "reprends la musique",
                    "reprends la lecture",
                    "continue",
                    "continuer",
                    "continue la lecture",
                    "continue la musique",
                    "remets la musique",
                    "relance la musique",
                    "relance",
                    "reprendre la musique"
                ][""][""]
            ),
        ),
        (
            "AMAZON.NextIntent",
            samples!(
                [
                    "suivant",
                    "suivante",
                    "la suivante",
                    "chanson suivante",
                    "la chanson suivante",
                    "morceau suivant",
                    "piste suivante",
                    "titre suivant",
                    "passe",
                    "passe à la suivante",
                    "passe à la chanson suivante",
                    "passer à la suivante",
                    "passer à la chanson suivante",
                    "passe cette chanson",
                    "saute cette chanson",
                    "mets la chanson suivante",
                    "mettre la chanson suivante",
                    "chanson d'après"
                ][""][""]
            ),
        ),
        (
            "AMAZON.PreviousIntent",
            samples!(
                [
                    "précédent",
                    "précédente",
                    "la précédente",
                    "chanson précédente",
                    "la chanson précédente",
                    "morceau précédent",
                    "piste précédente",
                    "reviens en arrière",
                    "revenir en arrière",
                    "retour",
                    "mets la chanson précédente",
                    "remets la chanson d'avant",
                    "la chanson d'avant",
                    "reviens à la chanson précédente"
                ][""][""]
            ),
        ),
        (
            "AMAZON.StartOverIntent",
            samples!(
                [
                    "recommence",
                    "recommencer",
                    "recommence la chanson",
                    "reprends depuis le début",
                    "reprends la chanson du début",
                    "reprends du début",
                    "au début",
                    "depuis le début",
                    "rejoue la chanson",
                    "recommence depuis le début",
                    "redémarre la chanson"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOnIntent",
            samples!(
                [
                    "lecture aléatoire",
                    "active la lecture aléatoire",
                    "mets la lecture aléatoire",
                    "mode aléatoire",
                    "active le mode aléatoire",
                    "aléatoire",
                    "mélange",
                    "mélange les chansons",
                    "mélanger",
                    "lecture aléatoire activée"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOffIntent",
            samples!(
                [
                    "désactive la lecture aléatoire",
                    "arrête la lecture aléatoire",
                    "enlève la lecture aléatoire",
                    "désactive le mode aléatoire",
                    "arrête le mode aléatoire",
                    "lecture dans l'ordre",
                    "joue dans l'ordre",
                    "lecture aléatoire désactivée"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOnIntent",
            samples!(
                [
                    "répète cette chanson",
                    "répète la chanson",
                    "active la répétition",
                    "mets en boucle",
                    "en boucle",
                    "répétition activée",
                    "répète",
                    "répète tout",
                    "joue en boucle"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOffIntent",
            samples!(
                [
                    "désactive la répétition",
                    "arrête la répétition",
                    "ne répète plus",
                    "arrête de répéter",
                    "répétition désactivée",
                    "enlève la boucle",
                    "arrête la boucle"
                ][""][""]
            ),
        ),
        (
            "AMAZON.HelpIntent",
            samples!(
                [
                    "aide",
                    "aide-moi",
                    "à l'aide",
                    "qu'est-ce que je peux dire",
                    "que puis-je dire",
                    "qu'est-ce que tu sais faire",
                    "comment ça marche",
                    "comment ça fonctionne"
                ][""][""]
            ),
        ),
        (
            "AMAZON.CancelIntent",
            samples!(["annule", "annuler", "laisse tomber", "oublie ça", "oublie"][""][""]),
        ),
        (
            "AMAZON.StopIntent",
            samples!(
                [
                    "stop",
                    "arrête",
                    "arrête-toi",
                    "tais-toi",
                    "stoppe",
                    "ça suffit"
                ][""][""]
            ),
        ),
    ],
    answers: &[
        (
            "query",
            &[
                "{query}",
                "mets {query}",
                "joue {query}",
                "{query} s'il te plaît",
                "je veux écouter {query}",
            ],
        ),
        (
            "artist",
            &[
                "{artist}",
                "de la musique de {artist}",
                "quelque chose de {artist}",
                "mets {artist}",
            ],
        ),
        (
            "album",
            &["{album}", "l'album {album}", "mets l'album {album}"],
        ),
        ("song", &["{song}", "la chanson {song}", "mets {song}"]),
        (
            "playlist",
            &[
                "{playlist}",
                "la playlist {playlist}",
                "ma playlist {playlist}",
            ],
        ),
        (
            "station",
            &["{station}", "la radio {station}", "la station {station}"],
        ),
        (
            "genre",
            &[
                "{genre}",
                "du {genre}",
                "de la musique {genre}",
                "un peu de {genre}",
            ],
        ),
        (
            "room",
            &[
                "{room}",
                "la {room}",
                "le {room}",
                "dans la {room}",
                "dans le {room}",
                "dans {room}",
                "sur {room}",
                "celle de la {room}",
                "celle du {room}",
                "{room} s'il te plaît",
            ],
        ),
    ],
    values: &[
        (
            "ROOM_NAME",
            &[
                "cuisine",
                "salon",
                "chambre",
                "bureau",
                "salle de bain",
                "salle à manger",
                "partout",
                "toute la maison",
                "toutes les pièces",
            ],
        ),
        (
            "ARTIST_NAME",
            &[
                "Stromae",
                "Indochine",
                "Céline Dion",
                "Angèle",
                "Les Cowboys Fringants",
                "The Beatles",
            ],
        ),
        (
            "ALBUM_NAME",
            &["Racine carrée", "Brol", "D'eux", "Abbey Road", "Paradize"],
        ),
        (
            "SONG_NAME",
            &[
                "Alors on danse",
                "La Bohème",
                "Balance ton quoi",
                "Yesterday",
                "L'aventurier",
            ],
        ),
        (
            "PLAYLIST_NAME",
            &["Mix du matin", "Mes favoris", "Soirée", "Sport"],
        ),
        (
            "STATION_NAME",
            &[
                "France Inter",
                "FIP",
                "RTL",
                "Nostalgie",
                "ICI Musique",
                "Rouge FM",
            ],
        ),
        (
            "GENRE_NAME",
            &[
                "jazz",
                "rock",
                "pop",
                "classique",
                "rap",
                "variété française",
                "électro",
                "blues",
                "reggae",
                "métal",
                "chanson française",
                "soul",
            ],
        ),
        (
            "MEDIA_NAME",
            &[
                "Stromae",
                "Racine carrée",
                "Alors on danse",
                "Mix du matin",
                "France Inter",
                "jazz",
            ],
        ),
    ],
    words: Words {
        kinds: &[
            (
                Kind::Artist,
                &[
                    "l'artiste",
                    "artiste",
                    "le groupe",
                    "de la musique de",
                    "des chansons de",
                    "quelque chose de",
                ],
            ),
            (Kind::Album, &["l'album", "album", "le disque"]),
            (
                Kind::Track,
                &[
                    "la chanson",
                    "le morceau",
                    "le titre",
                    "la toune",
                    "chanson",
                    "morceau",
                ],
            ),
            (
                Kind::Playlist,
                &[
                    "ma playlist",
                    "la playlist",
                    "playlist",
                    "la liste de lecture",
                    "ma liste de lecture",
                ],
            ),
            (
                Kind::Radio,
                &["la station de radio", "la station", "la radio", "radio"],
            ),
        ],
        by: &["de", "des", "du", "d'"],
        in_room: &[
            "dans la", "dans le", "dans l'", "dans", "sur la", "sur le", "sur",
        ],
        everywhere: &[
            "partout",
            "dans toute la maison",
            "toute la maison",
            "dans toutes les pièces",
            "toutes les pièces",
            "sur toutes les enceintes",
        ],
        music: &["musique", "de la musique"],
    },
    say: Say {
        launch: "Music Assistant est prêt. Qu'est-ce que vous voulez écouter ?",
        launch_reprompt: "Vous pouvez dire : mets un artiste, ou : qu'est-ce qui joue.",
        help: "Vous pouvez dire : mets de la musique d'un artiste, mets l'album ou la playlist de \
               votre choix, pause, suivant, volume à cinq, ou : qu'est-ce qui joue. Avec, dans la \
               cuisine, vous choisissez un lecteur. Qu'est-ce que vous voulez faire ?",
        goodbye: "Au revoir.",
        fallback: "Désolée, je n'ai pas compris. Dites par exemple : mets un artiste, ou : aide.",
        link_account: "Pour utiliser Music Assistant, ouvrez l'application Alexa et associez votre \
                       compte.",
        not_configured: "Ce serveur n'est pas relié à Music Assistant.",
        playing: "Je mets {what} sur {room}.",
        playing_by: "Je mets {what} de {artist} sur {room}.",
        playing_everywhere: "Je mets {what} sur {list}.",
        queued: "{what} est ajouté à la file d'attente sur {room}.",
        my_music: "Je mets votre musique en lecture aléatoire sur {room}.",
        my_music_everywhere: "Je mets votre musique en lecture aléatoire sur {list}.",
        genre: "Je mets du {genre} sur {room}.",
        not_found: "Je n'ai pas trouvé {what} dans votre musique.",
        did_you_mean: "Je n'ai pas trouvé {what}. Le plus proche est {name}.",
        which_name: "Qu'est-ce que vous voulez écouter ?",
        empty_library: "Votre bibliothèque musicale est vide.",
        no_players: "Music Assistant n'a aucun lecteur que je puisse utiliser.",
        which_room: "Sur quel lecteur ? {list}.",
        room_prompt: "Sur quel lecteur ?",
        which_room_reprompt: "Dites par exemple : utilise {first}.",
        unknown_room: "Je ne connais pas de lecteur appelé {room}. Vous avez {list}.",
        using_room: "C'est noté, cet Echo joue maintenant sur {room}.",
        paused: "En pause.",
        resumed: "C'est reparti.",
        stopped: "Arrêté.",
        next: "Chanson suivante.",
        previous: "Chanson précédente.",
        start_over: "Je reprends depuis le début.",
        shuffle_on: "Lecture aléatoire activée.",
        shuffle_off: "Lecture aléatoire désactivée.",
        repeat_on: "Répétition activée.",
        repeat_off: "Répétition désactivée.",
        volume: "Volume à {level} sur {room}.",
        bad_volume: "Dites un volume entre zéro et cent.",
        louder: "Plus fort.",
        quieter: "Moins fort.",
        muted: "Son coupé.",
        unmuted: "Le son est revenu.",
        now_playing: "{title} de {artist}, sur {room}.",
        now_playing_title: "{title}, sur {room}.",
        nothing_playing: "Rien ne joue sur {room} en ce moment.",
        ma_slow: "Music Assistant répond trop lentement. Réessayez dans un instant.",
        ma_down: "Je n'arrive pas à joindre Music Assistant. Vérifiez qu'il fonctionne.",
        ma_failed: "Music Assistant n'a pas pu le faire.",
        not_allowed: "Je n'ai pas le droit de faire ça.",
        relink_retry: "Music Assistant a hésité avec votre compte. Réessayez, s'il vous plaît.",
        echo_setup: "Pour jouer sur cet Echo, ajoutez le fournisseur Alexa dans les réglages de Music Assistant, avec l'adresse et le mot de passe qu'affiche la page de ce serveur.",
        echo_unknown: "Je ne sais pas encore quel lecteur de Music Assistant est cet Echo. Dites : c'est le, puis son nom dans Music Assistant.",
        echo_is: "D'accord, cet Echo est {room}.",
        echo_on_page: "Cet Echo a été réglé sur la page du module complémentaire ; changez-le là-bas.",
        echo_nothing: "Music Assistant n'a rien à jouer sur cet Echo pour l'instant.",
        or: "ou",
        and: "et",
    },
};
