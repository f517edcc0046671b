//! What the coverage matcher (`coverage_match.rs`) knows of each language:
//! how people wrap a request around the invocation name, the phrasings
//! Amazon documents for its built-in intents, the articles a name may start
//! with, and the numbers AMAZON.NUMBER understands in words.
//!
//! Sources, one place:
//! - Launch phrases: Amazon, "Understand How Users Invoke Custom Skills"
//!   (developer.amazon.com/docs/custom-skills/understanding-how-users-invoke-custom-skills.html:
//!   English "Ask <name> to/for/about ...", "Tell <name> to/that ...",
//!   "Use <name> to ...", "Open/Start/Launch <name> and ...", "<request>
//!   using/with/from <name>") and "Choose the Invocation Name for a Custom
//!   Skill" (its examples "frage Tageshoroskop nach ...", "demande à signe
//!   astrologique ...", "vraag Dagelijkse Horoscoop naar ..."). The stored
//!   copies of those pages show only the Arabic and English tables, so the
//!   other languages' lists are ours, from how their speakers address
//!   skills; a native reviewer should check them with the corpus.
//! - Built-in phrasings: Amazon, "Standard Built-in Intents"
//!   (developer.amazon.com/docs/custom-skills/standard-built-in-intents.html),
//!   its "Common Utterances" column: English in full; German only where the
//!   older bilingual page shows it (Cancel, Help, LoopOff). For French,
//!   Spanish, Italian, Dutch and Portuguese no stored page lists them, so
//!   the matcher credits those built-ins with the model's own samples only
//!   (a lower bound: Alexa surely understands more).

/// A language for the matcher.
pub struct Lang {
    pub code: &'static str,
    /// Patterns with `{inv}` (the invocation name) and `{req}` (what the
    /// skill's model has to understand).
    pub launch: &'static [&'static str],
    /// (built-in intent, documented phrasings).
    pub builtins: &'static [(&'static str, &'static [&'static str])],
    /// Articles a slot value may start with (ignored when comparing).
    pub articles: &'static [&'static str],
    /// Elided words as they are written before a vowel, and the full word
    /// the matcher reads them as ("d'aurora" is "de aurora").
    pub elisions: &'static [(&'static str, &'static str)],
    /// (value, words) for 0..=100.
    pub numbers: fn() -> Vec<(u32, String)>,
}

/// The language of `locale` ("fr-CA" → French).
pub fn lang(locale: &str) -> Option<&'static Lang> {
    let code = locale.split(['-', '_']).next()?;
    LANGS.iter().find(|l| l.code == code)
}

pub const LANGS: &[Lang] = &[EN, DE, FR, ES, IT, NL, PT];

const EN: Lang = Lang {
    code: "en",
    launch: &[
        "ask {inv} to {req}",
        "ask {inv} for {req}",
        "ask {inv} about {req}",
        "ask {inv} {req}",
        "tell {inv} to {req}",
        "tell {inv} that {req}",
        "tell {inv} {req}",
        "use {inv} to {req}",
        "open {inv} and {req}",
        "start {inv} and {req}",
        "launch {inv} and {req}",
        "{req} using {inv}",
        "{req} with {inv}",
        "{req} from {inv}",
    ],
    builtins: &[
        (
            "AMAZON.CancelIntent",
            &["cancel", "never mind", "forget it"],
        ),
        ("AMAZON.HelpIntent", &["help", "help me", "can you help me"]),
        ("AMAZON.LoopOffIntent", &["loop off"]),
        (
            "AMAZON.LoopOnIntent",
            &["loop", "loop on", "keep repeating this song"],
        ),
        ("AMAZON.NextIntent", &["next", "skip", "skip forward"]),
        ("AMAZON.PauseIntent", &["pause", "pause that"]),
        (
            "AMAZON.PreviousIntent",
            &["go back", "skip back", "back up", "previous"],
        ),
        ("AMAZON.RepeatIntent", &["repeat", "say that again"]),
        ("AMAZON.ResumeIntent", &["resume", "continue", "keep going"]),
        (
            "AMAZON.ShuffleOffIntent",
            &["stop shuffling", "shuffle off", "turn off shuffle"],
        ),
        (
            "AMAZON.ShuffleOnIntent",
            &["shuffle", "shuffle on", "shuffle the music", "shuffle mode"],
        ),
        (
            "AMAZON.StartOverIntent",
            &["start over", "restart", "start again"],
        ),
        ("AMAZON.StopIntent", &["stop", "off", "shut up"]),
    ],
    articles: &["the", "a", "an"],
    elisions: &[],
    numbers: numbers_en,
};

const DE: Lang = Lang {
    code: "de",
    launch: &[
        "sag {inv} {req}",
        "sage {inv} {req}",
        "sag {inv} dass {req}",
        "frag {inv} nach {req}",
        "frage {inv} nach {req}",
        "frag {inv} ob {req}",
        "frage {inv} ob {req}",
        "frag {inv} {req}",
        "frage {inv} {req}",
        "bitte {inv} um {req}",
        "bitte {inv} {req}",
        "öffne {inv} und {req}",
        "starte {inv} und {req}",
        "{req} mit {inv}",
    ],
    builtins: &[
        (
            "AMAZON.CancelIntent",
            &["abbrechen", "abbreche", "vergiss es"],
        ),
        (
            "AMAZON.HelpIntent",
            &["hilfe", "hilf mir", "kannst du mir helfen"],
        ),
        (
            "AMAZON.LoopOffIntent",
            &["deaktiviere loop", "stoppe loop", "stopp jetzt loop"],
        ),
    ],
    articles: &[
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen",
    ],
    elisions: &[],
    numbers: numbers_de,
};

const FR: Lang = Lang {
    code: "fr",
    launch: &[
        "demande à {inv} de {req}",
        "demande à {inv} si {req}",
        "demande à {inv} {req}",
        "dis à {inv} de {req}",
        "dis à {inv} {req}",
        "ouvre {inv} et {req}",
        "lance {inv} et {req}",
        "{req} avec {inv}",
    ],
    builtins: &[],
    articles: &["le", "la", "les", "un", "une", "des", "du"],
    elisions: &[
        ("l'", "le"),
        ("d'", "de"),
        ("j'", "je"),
        ("qu'", "que"),
        ("c'", "ce"),
        ("s'", "se"),
        ("n'", "ne"),
        ("m'", "me"),
        ("t'", "te"),
    ],
    numbers: numbers_fr,
};

const ES: Lang = Lang {
    code: "es",
    launch: &[
        "pide a {inv} que {req}",
        "pídele a {inv} que {req}",
        "dile a {inv} que {req}",
        "pregunta a {inv} {req}",
        "pregúntale a {inv} {req}",
        "pide a {inv} {req}",
        "abre {inv} y {req}",
        "{req} con {inv}",
    ],
    builtins: &[],
    articles: &["el", "la", "los", "las", "un", "una"],
    elisions: &[],
    numbers: numbers_es,
};

const IT: Lang = Lang {
    code: "it",
    launch: &[
        "chiedi a {inv} di {req}",
        "chiedi a {inv} {req}",
        "chiedi ad {inv} di {req}",
        "di' a {inv} di {req}",
        "dì a {inv} di {req}",
        "di a {inv} di {req}",
        "apri {inv} e {req}",
        "{req} con {inv}",
    ],
    builtins: &[],
    articles: &["il", "lo", "la", "i", "gli", "le", "un", "uno", "una"],
    elisions: &[
        ("l'", "lo"),
        ("d'", "di"),
        ("un'", "una"),
        ("dell'", "dello"),
        ("all'", "allo"),
        ("nell'", "nello"),
        ("sull'", "sullo"),
        ("dall'", "dallo"),
        ("c'", "ci"),
        ("cos'", "cosa"),
    ],
    numbers: numbers_it,
};

const NL: Lang = Lang {
    code: "nl",
    launch: &[
        "vraag {inv} om {req}",
        "vraag aan {inv} om {req}",
        "vraag {inv} naar {req}",
        "vraag {inv} {req}",
        "zeg tegen {inv} dat {req}",
        "zeg tegen {inv} {req}",
        "open {inv} en {req}",
        "start {inv} en {req}",
        "{req} met {inv}",
    ],
    builtins: &[],
    articles: &["de", "het", "een"],
    elisions: &[],
    numbers: numbers_nl,
};

const PT: Lang = Lang {
    code: "pt",
    launch: &[
        "pede pro {inv} para {req}",
        "pede pro {inv} {req}",
        "pede para o {inv} {req}",
        "pede ao {inv} para {req}",
        "peça ao {inv} para {req}",
        "peça para o {inv} {req}",
        "pergunta pro {inv} {req}",
        "pergunta ao {inv} {req}",
        "pergunte ao {inv} {req}",
        "abre o {inv} e {req}",
        "abra o {inv} e {req}",
        "{req} com o {inv}",
    ],
    builtins: &[],
    articles: &["o", "a", "os", "as", "um", "uma"],
    elisions: &[],
    numbers: numbers_pt,
};

/// 1..=9 and 10..=19 (`small[n]`), the tens 20..=90, and how a tens word
/// and a unit join: the usual shape of all seven languages' 0..=100.
fn compose(
    small: &[&str],
    tens: &[&str],
    join: impl Fn(u32, &str, u32, &str) -> Vec<String>,
    hundred: &[&str],
) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = small
        .iter()
        .enumerate()
        .flat_map(|(n, w)| w.split('/').map(move |w| (n as u32, w.to_owned())))
        .collect();
    for (i, t) in tens.iter().enumerate() {
        let tv = 20 + 10 * i as u32;
        out.push((tv, (*t).to_owned()));
        for u in 1..=9u32 {
            for unit in small[u as usize].split('/') {
                for w in join(tv, t, u, unit) {
                    out.push((tv + u, w));
                }
            }
        }
    }
    out.extend(hundred.iter().map(|w| (100, (*w).to_owned())));
    out
}

fn numbers_en() -> Vec<(u32, String)> {
    compose(
        &[
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ],
        &[
            "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
        ],
        |_, t, _, u| vec![format!("{t} {u}")],
        &["one hundred", "a hundred", "hundred"],
    )
}

fn numbers_de() -> Vec<(u32, String)> {
    compose(
        &[
            "null",
            "eins/ein",
            "zwei",
            "drei",
            "vier",
            "fünf",
            "sechs",
            "sieben",
            "acht",
            "neun",
            "zehn",
            "elf",
            "zwölf",
            "dreizehn",
            "vierzehn",
            "fünfzehn",
            "sechzehn",
            "siebzehn",
            "achtzehn",
            "neunzehn",
        ],
        &[
            "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig",
        ],
        |_, t, u, unit| {
            let stem = if u == 1 { "ein" } else { unit };
            if u == 1 && unit == "ein" {
                return Vec::new();
            }
            vec![format!("{stem}und{t}"), format!("{stem} und {t}")]
        },
        &["hundert", "einhundert"],
    )
}

fn numbers_fr() -> Vec<(u32, String)> {
    let mut out = compose(
        &[
            "zéro", "un/une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
            "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix sept",
            "dix huit", "dix neuf",
        ],
        &["vingt", "trente", "quarante", "cinquante", "soixante"],
        |_, t, u, unit| {
            if u == 1 {
                vec![format!("{t} et {unit}")]
            } else {
                vec![format!("{t} {unit}")]
            }
        },
        &["cent"],
    );
    let teens = [
        "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix sept", "dix huit",
        "dix neuf",
    ];
    for (i, t) in teens.iter().enumerate() {
        let i = i as u32;
        let seventy = if i == 1 {
            format!("soixante et {t}")
        } else {
            format!("soixante {t}")
        };
        out.push((70 + i, seventy));
        out.push((90 + i, format!("quatre vingt {t}")));
    }
    out.push((80, "quatre vingts".into()));
    out.push((80, "quatre vingt".into()));
    let units = [
        "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
    ];
    for (i, u) in units.iter().enumerate() {
        out.push((81 + i as u32, format!("quatre vingt {u}")));
    }
    out
}

fn numbers_es() -> Vec<(u32, String)> {
    let mut out = compose(
        &[
            "cero",
            "uno/un/una",
            "dos",
            "tres",
            "cuatro",
            "cinco",
            "seis",
            "siete",
            "ocho",
            "nueve",
            "diez",
            "once",
            "doce",
            "trece",
            "catorce",
            "quince",
            "dieciséis",
            "diecisiete",
            "dieciocho",
            "diecinueve",
        ],
        &[
            "veinte",
            "treinta",
            "cuarenta",
            "cincuenta",
            "sesenta",
            "setenta",
            "ochenta",
            "noventa",
        ],
        |tv, t, _, u| {
            if tv == 20 {
                Vec::new()
            } else {
                vec![format!("{t} y {u}")]
            }
        },
        &["cien", "ciento"],
    );
    let twenties = [
        "veintiuno/veintiún/veintiuna",
        "veintidós",
        "veintitrés",
        "veinticuatro",
        "veinticinco",
        "veintiséis",
        "veintisiete",
        "veintiocho",
        "veintinueve",
    ];
    for (i, w) in twenties.iter().enumerate() {
        for w in w.split('/') {
            out.push((21 + i as u32, w.to_owned()));
        }
    }
    out
}

fn numbers_it() -> Vec<(u32, String)> {
    compose(
        &[
            "zero",
            "uno/un/una",
            "due",
            "tre",
            "quattro",
            "cinque",
            "sei",
            "sette",
            "otto",
            "nove",
            "dieci",
            "undici",
            "dodici",
            "tredici",
            "quattordici",
            "quindici",
            "sedici",
            "diciassette",
            "diciotto",
            "diciannove",
        ],
        &[
            "venti",
            "trenta",
            "quaranta",
            "cinquanta",
            "sessanta",
            "settanta",
            "ottanta",
            "novanta",
        ],
        |_, t, u, unit| {
            if unit == "un" || unit == "una" {
                return Vec::new();
            }
            let stem = if u == 1 || u == 8 {
                &t[..t.len() - 1]
            } else {
                t
            };
            let mut v = vec![format!("{stem}{unit}")];
            if u == 3 {
                v.push(format!("{t}tré"));
            }
            v
        },
        &["cento"],
    )
}

fn numbers_nl() -> Vec<(u32, String)> {
    compose(
        &[
            "nul",
            "een/één",
            "twee",
            "drie",
            "vier",
            "vijf",
            "zes",
            "zeven",
            "acht",
            "negen",
            "tien",
            "elf",
            "twaalf",
            "dertien",
            "veertien",
            "vijftien",
            "zestien",
            "zeventien",
            "achttien",
            "negentien",
        ],
        &[
            "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig",
        ],
        |_, t, _, unit| {
            if unit == "één" {
                return Vec::new();
            }
            let and = if unit.ends_with('e') { "ën" } else { "en" };
            vec![format!("{unit}{and}{t}")]
        },
        &["honderd"],
    )
}

fn numbers_pt() -> Vec<(u32, String)> {
    compose(
        &[
            "zero",
            "um/uma",
            "dois/duas",
            "três",
            "quatro",
            "cinco",
            "seis",
            "sete",
            "oito",
            "nove",
            "dez",
            "onze",
            "doze",
            "treze",
            "catorze/quatorze",
            "quinze",
            "dezesseis",
            "dezessete",
            "dezoito",
            "dezenove",
        ],
        &[
            "vinte",
            "trinta",
            "quarenta",
            "cinquenta",
            "sessenta",
            "setenta",
            "oitenta",
            "noventa",
        ],
        |_, t, _, u| vec![format!("{t} e {u}")],
        &["cem"],
    )
}
