//! The request corpus (`tests/corpus/<lang>.tsv`, format in its README) and
//! its score against a model: per locale, the share of everyday and of less
//! common lines that reach the intent and slot values they must, and the
//! misses.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::coverage_lang::{Lang, lang};
use super::coverage_match::{Model, Outcome, bare};

/// One outcome a line accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub intent: String,
    pub slots: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub everyday: bool,
    pub utterance: String,
    pub expect: Vec<Expect>,
    /// Empty: every locale of the language.
    pub locales: Vec<String>,
    pub line_no: usize,
}

impl Line {
    pub fn applies(&self, locale: &str) -> bool {
        self.locales.is_empty() || self.locales.iter().any(|l| l == locale)
    }
}

/// Intents the corpus names that the model calls otherwise: (corpus intent,
/// model intent, (corpus slot, model slot) renames). The corpus defines
/// `PlayIntent` (untyped "play X") and `RoomAnswerIntent` (a bare room).
pub const ALIASES: &[Alias] = &[];

/// (corpus intent, model intent, (corpus slot, model slot) renames).
pub type Alias = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The corpus file of `lang` ("en" → tests/corpus/en.tsv).
pub fn corpus_path(lang: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(format!("{lang}.tsv"))
}

/// The lines of a corpus file, or what is wrong with it (file:line).
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = raw.split('\t').collect();
        let [set, utterance, expect, rest @ ..] = cols.as_slice() else {
            return Err(format!("line {n}: fewer than three columns"));
        };
        let everyday = match *set {
            "everyday" => true,
            "less" => false,
            other => return Err(format!("line {n}: set {other:?}")),
        };
        let mut alternatives = Vec::new();
        for alt in expect.split(" | ") {
            let alt = alt.trim();
            let (intent, slots) = alt.split_once(' ').unwrap_or((alt, ""));
            let mut map = BTreeMap::new();
            for pair in slots.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("line {n}: slot {pair:?} without ="))?;
                map.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            if intent.is_empty() {
                return Err(format!("line {n}: empty expectation"));
            }
            alternatives.push(Expect {
                intent: intent.to_owned(),
                slots: map,
            });
        }
        let locales = rest
            .first()
            .map(|l| {
                l.split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        out.push(Line {
            everyday,
            utterance: utterance.trim().to_owned(),
            expect: alternatives,
            locales,
            line_no: n,
        });
    }
    Ok(out)
}

/// Whether `got` is what `want` asks for (aliases applied, values compared
/// without a leading article).
pub fn satisfies(got: &Outcome, want: &Expect, lang: &Lang) -> bool {
    let (intent, renames): (&str, &[(&str, &str)]) = ALIASES
        .iter()
        .find(|(c, _, _)| *c == want.intent)
        .map_or((want.intent.as_str(), &[]), |(_, m, r)| (*m, *r));
    if got.intent != intent {
        return false;
    }
    let wanted: BTreeMap<String, String> = want
        .slots
        .iter()
        .map(|(k, v)| {
            let k = renames
                .iter()
                .find(|(c, _)| c == k)
                .map_or(k.as_str(), |(_, m)| m);
            (k.to_owned(), bare(v, lang))
        })
        .collect();
    let got: BTreeMap<String, String> = got
        .slots
        .iter()
        .map(|(k, v)| (k.clone(), bare(v, lang)))
        .collect();
    got == wanted
}

/// A locale's score.
#[derive(Debug, Default)]
pub struct Score {
    pub everyday: (usize, usize),
    pub less: (usize, usize),
    /// (line, what the model gave).
    pub misses: Vec<(Line, Outcome)>,
}

impl Score {
    pub fn everyday_pct(&self) -> f64 {
        pct(self.everyday)
    }
    pub fn less_pct(&self) -> f64 {
        pct(self.less)
    }
}

fn pct((hit, total): (usize, usize)) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * hit as f64 / total as f64
    }
}

/// The lines of `locale`'s language that apply to it.
pub fn lines_for(locale: &str) -> Result<(Vec<Line>, &'static Lang), String> {
    let l = lang(locale).ok_or_else(|| format!("no language data for {locale}"))?;
    let path = corpus_path(l.code);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lines = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((lines.into_iter().filter(|x| x.applies(locale)).collect(), l))
}

/// `model` (the JSON of `skill model --locale locale`) scored on the corpus.
pub fn score(locale: &str, model: &serde_json::Value) -> Result<Score, String> {
    let (lines, l) = lines_for(locale)?;
    let m = Model::new(model, l);
    let mut s = Score::default();
    for line in lines {
        let got = m.understand(&line.utterance);
        let ok = line.expect.iter().any(|e| satisfies(&got, e, l));
        let tally = if line.everyday {
            &mut s.everyday
        } else {
            &mut s.less
        };
        tally.1 += 1;
        if ok {
            tally.0 += 1;
        } else {
            s.misses.push((line, got));
        }
    }
    Ok(s)
}

/// The report of one locale: figures, then each miss.
pub fn report(locale: &str, s: &Score, misses: bool) -> String {
    let mut out = format!(
        "{locale}: everyday {:.1} % ({}/{}), less common {:.1} % ({}/{})\n",
        s.everyday_pct(),
        s.everyday.0,
        s.everyday.1,
        s.less_pct(),
        s.less.0,
        s.less.1
    );
    if misses {
        for (line, got) in &s.misses {
            let want: Vec<String> = line
                .expect
                .iter()
                .map(|e| format!("{} {:?}", e.intent, e.slots))
                .collect();
            let _ = writeln!(
                out,
                "  miss [{} l.{}] {:?}\n       want {}\n       got  {} {:?}{}",
                if line.everyday { "everyday" } else { "less" },
                line.line_no,
                line.utterance,
                want.join(" | "),
                got.intent,
                got.slots,
                if got.ambiguous { " (ambiguous)" } else { "" }
            );
        }
    }
    out
}
