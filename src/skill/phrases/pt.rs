//! Brazilian Portuguese (pt-BR), as people talk to an Echo in Brazil
//! ("toca", "coloca", "bota"; "pede pro assistente de música tocar ...",
//! whose request part is the infinitive "tocar ..."; the invocation name is
//! "assistente de música", in Portuguese as Amazon asks). Written by a non-native
//! speaker at near-native level: a Brazilian native speaker should review
//! the samples (`tests/corpus/pt.tsv` is the yardstick) and what the skill
//! says.

use super::expand::samples;
use super::{Invocation, Phrases, Say, Words};
use crate::skill::library::Kind;

pub static PHRASES: Phrases = Phrases {
    invocation: Invocation {
        default: "assistente de música",
        launch_words: &[
            "abre", "abra", "abrir", "inicia", "comece", "pede", "peça", "pergunta", "pergunte",
            "toca", "usa", "ativa", "pro", "pra", "ao", "para", "e", "se", "com",
        ],
        small_words: &[
            "o", "a", "os", "as", "um", "uma", "de", "do", "da", "dos", "das", "no", "na", "em",
            "com", "para", "pro", "pra", "por",
        ],
        compound_word: false,
    },
    samples: &[
        (
            "PlayIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar", "quero ouvir", "eu quero ouvir",
                 "eu queria ouvir", "você pode tocar", "pode tocar"]
                [" {query}", " {query} de {artist}", " {query} do {artist}", " {query} da {artist}",
                 " {query} dos {artist}"]
                ["", " na {room}", " no {room}", " em {room}"]
            ),
        ),
        (
            "PlayArtistIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar"]
                [" música de {artist}", " músicas de {artist}", " música do {artist}", " músicas do {artist}",
                 " música da {artist}", " músicas dos {artist}", " alguma coisa de {artist}",
                 " alguma coisa do {artist}", " o artista {artist}", " a banda {artist}",
                 " qualquer coisa de {artist}", " umas músicas de {artist}"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["alguma coisa de {artist}", "alguma coisa do {artist}", "música de {artist}"] [""] [""]
            ),
        ),
        (
            "PlayAlbumIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar"]
                [" o álbum {album}", " o disco {album}", " o álbum que se chama {album}",
                 " o álbum {album} de {artist}", " o álbum {album} do {artist}"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["o álbum {album}", "o disco {album}"] [""] [""]
            ),
        ),
        (
            "PlaySongIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar"]
                [" a música {song}", " a canção {song}", " a faixa {song}", " a música que se chama {song}",
                 " a música {song} de {artist}", " a música {song} do {artist}"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["a música {song}", "a canção {song}"] [""] [""]
            ),
        ),
        (
            "PlayPlaylistIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar"]
                [" a playlist {playlist}", " minha playlist {playlist}", " a minha playlist {playlist}",
                 " a lista {playlist}", " a lista de reprodução {playlist}"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["a playlist {playlist}", "a lista {playlist}"] [""] [""]
            ),
        ),
        (
            "PlayRadioIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar", "liga"]
                [" a rádio {station}", " a estação {station}", " rádio {station}", " a rádio", " rádio"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["a rádio {station}", "rádio {station}"] [""] [""]
            ),
        ),
        (
            "PlayGenreIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar"]
                [" um {genre}", " música {genre}", " um pouco de {genre}"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["um {genre}", "um pouco de {genre}", "música {genre}"] [""] [""]
            ),
        ),
        (
            "PlayMyMusicIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar"]
                [" minhas músicas", " minha música", " música", " uma música", " alguma coisa",
                 " músicas aleatórias"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["embaralha", "embaralhar"] [" minhas músicas"] [""]
            ),
        ),
        (
            "PlayEverywhereIntent",
            samples!(
                ["toca", "coloca", "bota", "põe", "tocar", "colocar"]
                [" música", " minhas músicas", " {query}", " {query} de {artist}"]
                [" em todo lugar", " na casa toda", " na casa inteira", " em todos os cômodos",
                 " em todas as caixas"]
            ),
        ),
        (
            "EnqueueIntent",
            samples!(
                ["adiciona", "adicionar", "coloca", "colocar"] [" {query} na fila", " {query} à fila",
                 " {query} de {artist} na fila"] ["", " na {room}"];
                ["toca", "tocar"] [" {query} depois", " {query} em seguida"] [""]
            ),
        ),
        (
            "StopMusicIntent",
            samples!(
                ["para", "parar", "desliga", "desligar"] [" a música"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["para de tocar", "parar de tocar"] [""] [""]
            ),
        ),
        (
            "VolumeIntent",
            samples!(
                ["volume", "volume no", "volume em", "coloca o volume em", "coloca o volume no",
                 "colocar o volume em", "colocar o volume no", "põe o volume no", "muda o volume para",
                 "coloca o som no", "aumenta o volume para", "abaixa o volume para"]
                [" {level}", " {percent} por cento"]
                ["", " na {room}", " no {room}", " em {room}"];
                ["coloca o volume da {room} no", "coloca o volume do {room} no",
                 "coloca o volume da {room} em", "coloca o volume do {room} em"] [" {level}"] [""]
            ),
        ),
        (
            "LouderIntent",
            samples!(
                ["mais alto", "um pouco mais alto", "aumenta o volume", "aumenta o som", "aumentar o volume",
                 "aumenta um pouco", "aumenta", "sobe o volume"]
                [""]
                ["", " na {room}", " no {room}", " em {room}"]
            ),
        ),
        (
            "QuieterIntent",
            samples!(
                ["mais baixo", "um pouco mais baixo", "abaixa o volume", "abaixa o som", "diminui o volume",
                 "diminui o som", "abaixar o volume", "abaixa um pouco", "abaixa", "baixa o volume"]
                [""]
                ["", " na {room}", " no {room}", " em {room}"]
            ),
        ),
        (
            "MuteIntent",
            samples!(
                ["mudo", "silencia", "silêncio", "fica mudo", "tira o som", "coloca no mudo"]
                [""]
                ["", " na {room}", " no {room}", " em {room}"];
                ["silencia a {room}", "silencia o {room}"] [""] [""]
            ),
        ),
        (
            "UnmuteIntent",
            samples!(
                ["tira do mudo", "volta o som", "liga o som de novo", "liga o som", "desativa o mudo"]
                [""]
                ["", " na {room}", " no {room}", " em {room}"]
            ),
        ),
        (
            "WhatsPlayingIntent",
            samples!(
                ["o que está tocando", "o que tá tocando", "que música é essa", "qual música é essa",
                 "quem canta essa", "quem canta", "quem é esse", "quem é", "qual é o nome dessa música",
                 "o que é isso", "o que eu estou ouvindo", "de quem é essa música", "que música está tocando"]
                [""]
                ["", " na {room}", " no {room}", " em {room}"]
            ),
        ),
        (
            "UseRoomIntent",
            samples!(
                ["usa", "usar", "muda para", "estou", "passa a música para", "a da", "o do"]
                [" a {room}", " o {room}"] [""];
                ["muda pra {room}", "estou na {room}", "estou no {room}", "passa a música pra {room}",
                 "passa a música pro {room}", "a {room}", "o {room}", "na {room}", "no {room}",
                 "a da {room}", "o do {room}"] [""] [""]
            ),
        ),
        // Playing on the Echo itself (Music Assistant's Alexa provider).
        ("PlayAudioIntent", &["toque áudio", "reproduza áudio"]),
        (
            "PlayHereIntent",
            &[
                "toque {query} aqui",
                "coloque {query} aqui",
                "toque {query} neste echo",
                "toque {query} neste aparelho",
                "toque {query} de {artist} aqui",
            ],
        ),
        (
            "ThisEchoIntent",
            &[
                "este é o {room}",
                "este é {room}",
                "este echo é o {room}",
                "este echo é {room}",
                "este aparelho é {room}",
            ],
        ),
        (
            "AMAZON.PauseIntent",
            samples!(
                [
                    "pausa",
                    "pausar",
                    "pausa a música",
                    "pausar a música",
                    "espera",
                    "dá uma pausa"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ResumeIntent",
            samples!(
                [
                    "continua",
                    "continuar",
                    "retoma",
                    "retoma a música",
                    "volta a tocar",
                    "continua tocando",
                    "liga a música de novo",
                    "despausa"
                ][""][""]
            ),
        ),
        (
            "AMAZON.NextIntent",
            samples!(
                [
                    "próxima",
                    "próxima música",
                    "a próxima",
                    "a próxima música",
                    "pula",
                    "pula essa",
                    "pula essa música",
                    "passa",
                    "passa essa",
                    "passa pra próxima",
                    "passa para a próxima",
                    "outra música",
                    "próxima faixa",
                    "toca a próxima música",
                    "tocar a próxima música"
                ][""][""]
            ),
        ),
        (
            "AMAZON.PreviousIntent",
            samples!(
                [
                    "anterior",
                    "música anterior",
                    "a anterior",
                    "volta",
                    "volta uma",
                    "volta a música",
                    "toca a música anterior",
                    "toca a de antes",
                    "tocar a música anterior"
                ][""][""]
            ),
        ),
        (
            "AMAZON.StartOverIntent",
            samples!(
                [
                    "começa de novo",
                    "recomeça",
                    "toca essa música do começo",
                    "do começo",
                    "começa a música de novo",
                    "reinicia a música",
                    "toca de novo do começo"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOnIntent",
            samples!(
                [
                    "modo aleatório",
                    "ativa o modo aleatório",
                    "liga o aleatório",
                    "aleatório",
                    "embaralha",
                    "embaralha as músicas",
                    "mistura as músicas"
                ][""][""]
            ),
        ),
        (
            "AMAZON.ShuffleOffIntent",
            samples!(
                [
                    "desativa o modo aleatório",
                    "desliga o modo aleatório",
                    "desliga o aleatório",
                    "toca em ordem"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOnIntent",
            samples!(
                [
                    "repete essa música",
                    "repete",
                    "repete tudo",
                    "repetir tudo",
                    "ativa a repetição",
                    "coloca no repeat"
                ][""][""]
            ),
        ),
        (
            "AMAZON.LoopOffIntent",
            samples!(
                [
                    "desativa a repetição",
                    "desliga a repetição",
                    "para de repetir",
                    "não repete mais"
                ][""][""]
            ),
        ),
        (
            "AMAZON.HelpIntent",
            samples!(
                [
                    "ajuda",
                    "me ajuda",
                    "o que eu posso falar",
                    "o que eu posso dizer",
                    "o que você sabe fazer",
                    "como funciona"
                ][""][""]
            ),
        ),
        (
            "AMAZON.CancelIntent",
            samples!(["cancela", "cancelar", "esquece", "deixa pra lá"][""][""]),
        ),
        (
            "AMAZON.StopIntent",
            samples!(["para", "parar", "chega", "cala a boca", "desliga"][""][""]),
        ),
    ],
    answers: &[
        (
            "query",
            &[
                "{query}",
                "toca {query}",
                "{query} por favor",
                "quero ouvir {query}",
            ],
        ),
        (
            "artist",
            &[
                "{artist}",
                "música de {artist}",
                "alguma coisa de {artist}",
                "toca {artist}",
            ],
        ),
        ("album", &["{album}", "o álbum {album}", "o disco {album}"]),
        ("song", &["{song}", "a música {song}", "toca {song}"]),
        (
            "playlist",
            &[
                "{playlist}",
                "a playlist {playlist}",
                "minha playlist {playlist}",
            ],
        ),
        (
            "station",
            &["{station}", "a rádio {station}", "rádio {station}"],
        ),
        ("genre", &["{genre}", "um {genre}", "música {genre}"]),
        (
            "room",
            &[
                "{room}",
                "a {room}",
                "o {room}",
                "na {room}",
                "no {room}",
                "em {room}",
                "a da {room}",
                "o do {room}",
                "{room} por favor",
            ],
        ),
    ],
    values: &[
        (
            "ROOM_NAME",
            &[
                "cozinha",
                "sala",
                "quarto",
                "escritório",
                "banheiro",
                "varanda",
                "todo lugar",
                "casa toda",
                "todos os cômodos",
            ],
        ),
        (
            "ARTIST_NAME",
            &[
                "Marisa Monte",
                "Caetano Veloso",
                "Anitta",
                "Legião Urbana",
                "Jorge Ben Jor",
                "The Beatles",
            ],
        ),
        (
            "ALBUM_NAME",
            &["Acabou Chorare", "Tropicália", "Dois", "Abbey Road", "Mais"],
        ),
        (
            "SONG_NAME",
            &[
                "Garota de Ipanema",
                "Aquarela",
                "Evidências",
                "Yesterday",
                "País Tropical",
            ],
        ),
        (
            "PLAYLIST_NAME",
            &["Mix da manhã", "Favoritas", "Jantar", "Academia"],
        ),
        (
            "STATION_NAME",
            &[
                "Antena 1",
                "Jovem Pan",
                "CBN",
                "Rádio Globo",
                "Mix FM",
                "Band News",
            ],
        ),
        (
            "GENRE_NAME",
            &[
                "jazz",
                "rock",
                "pop",
                "clássica",
                "samba",
                "bossa nova",
                "sertanejo",
                "forró",
                "mpb",
                "funk",
                "pagode",
                "eletrônica",
            ],
        ),
        (
            "MEDIA_NAME",
            &[
                "Marisa Monte",
                "Tropicália",
                "Garota de Ipanema",
                "Favoritas",
                "Antena 1",
                "jazz",
            ],
        ),
    ],
    words: Words {
        kinds: &[
            (
                Kind::Artist,
                &[
                    "o artista",
                    "artista",
                    "a banda",
                    "música de",
                    "músicas de",
                    "alguma coisa de",
                ],
            ),
            (Kind::Album, &["o álbum", "álbum", "o disco"]),
            (
                Kind::Track,
                &["a música", "a canção", "a faixa", "música", "faixa"],
            ),
            (
                Kind::Playlist,
                &[
                    "a minha playlist",
                    "minha playlist",
                    "a playlist",
                    "playlist",
                    "a lista",
                ],
            ),
            (Kind::Radio, &["a estação", "a rádio", "rádio"]),
        ],
        by: &["de", "do", "da", "dos", "das"],
        in_room: &["na", "no", "em"],
        everywhere: &[
            "em todo lugar",
            "todo lugar",
            "na casa toda",
            "casa toda",
            "em todos os cômodos",
            "todos os cômodos",
        ],
        music: &["música"],
    },
    say: Say {
        launch: "O Music Assistant está pronto. O que você quer ouvir?",
        launch_reprompt: "Você pode dizer: toca música de um artista, ou: o que está tocando.",
        help: "Você pode dizer: toca música de um artista, toca o álbum ou a playlist que quiser, \
               pausa, próxima, volume no cinco, ou: o que está tocando. Com, na cozinha, você \
               escolhe um player. O que você quer fazer?",
        goodbye: "Tchau.",
        fallback: "Desculpe, não entendi. Diga por exemplo: toca música de um artista, ou: ajuda.",
        link_account: "Para usar o Music Assistant, abra o app Alexa e vincule a sua conta.",
        not_configured: "Este servidor não está conectado ao Music Assistant.",
        playing: "Tocando {what} em {room}.",
        playing_by: "Tocando {what} de {artist} em {room}.",
        playing_everywhere: "Tocando {what} em {list}.",
        queued: "{what} está na fila em {room}.",
        my_music: "Tocando as suas músicas no modo aleatório em {room}.",
        my_music_everywhere: "Tocando as suas músicas no modo aleatório em {list}.",
        genre: "Tocando {genre} em {room}.",
        not_found: "Não encontrei {what} nas suas músicas.",
        did_you_mean: "Não encontrei {what}. O mais parecido é {name}.",
        which_name: "O que você quer ouvir?",
        empty_library: "A sua biblioteca de músicas está vazia.",
        no_players: "O Music Assistant não tem nenhum player que eu possa usar.",
        which_room: "Em qual player? {list}.",
        room_prompt: "Em qual player?",
        which_room_reprompt: "Diga por exemplo: usa {first}.",
        unknown_room: "Não conheço nenhum player chamado {room}. Você tem {list}.",
        using_room: "Pronto, este Echo agora toca em {room}.",
        paused: "Pausado.",
        resumed: "Continuando.",
        stopped: "Parado.",
        next: "Próxima música.",
        previous: "Música anterior.",
        start_over: "Do começo.",
        shuffle_on: "Modo aleatório ativado.",
        shuffle_off: "Modo aleatório desativado.",
        repeat_on: "Repetição ativada.",
        repeat_off: "Repetição desativada.",
        volume: "Volume {level} em {room}.",
        bad_volume: "Diga um volume entre zero e cem.",
        louder: "Mais alto.",
        quieter: "Mais baixo.",
        muted: "No mudo.",
        unmuted: "O som voltou.",
        now_playing: "{title} de {artist}, em {room}.",
        now_playing_title: "{title}, em {room}.",
        nothing_playing: "Nada está tocando em {room} agora.",
        ma_slow: "O Music Assistant está demorando demais. Tente de novo daqui a pouco.",
        ma_down: "Não consigo falar com o Music Assistant. Verifique se ele está funcionando.",
        ma_failed: "O Music Assistant não conseguiu fazer isso.",
        not_allowed: "Não tenho permissão para fazer isso.",
        relink_retry: "O Music Assistant teve um problema com a sua conta. Tente de novo, por favor.",
        echo_setup: "Para tocar neste Echo, adicione o provedor Alexa nas configurações do Music Assistant, com o endereço e a senha que a página deste servidor mostra.",
        echo_unknown: "Ainda não sei qual player do Music Assistant é este Echo. Diga: este é o, e o nome dele no Music Assistant.",
        echo_is: "Certo, este Echo é {room}.",
        echo_on_page: "Este Echo foi definido na página do complemento; altere-o lá.",
        echo_nothing: "O Music Assistant não tem nada para este Echo agora.",
        or: "ou",
        and: "e",
    },
};
