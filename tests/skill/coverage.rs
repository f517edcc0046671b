//! Issue 19's goal, per locale: the generated interaction model understands
//! at least 95 % of the corpus's everyday requests and 80 % of its less
//! common ones (`coverage_corpus.rs`, matched as `coverage_match.rs`
//! describes). Prints every locale's figures and misses; the same report:
//! `cargo run --example skill_coverage -- [--misses] [LOCALE|MODEL.json LOCALE]`.

use super::coverage_corpus::{lines_for, report, score};
use ma_alexa_oauth::skill::model::model;
use ma_alexa_oauth::skill::phrases::LOCALES;

const EVERYDAY_GOAL: f64 = 95.0;
const LESS_GOAL: f64 = 80.0;

/// The locales issue 19 asks for.
const ASKED: &[&str] = &[
    "en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE", "fr-FR", "fr-CA", "es-ES", "es-MX",
    "es-US", "it-IT", "nl-NL", "pt-BR",
];

#[test]
fn the_corpus_has_enough_everyday_and_less_common_lines_for_every_asked_locale() {
    for locale in ASKED {
        let (lines, _) = lines_for(locale).unwrap();
        let everyday = lines.iter().filter(|l| l.everyday).count();
        let less = lines.len() - everyday;
        assert!(everyday >= 80, "{locale}: {everyday} everyday lines");
        assert!(less >= 40, "{locale}: {less} less common lines");
    }
}

#[test]
fn every_locale_model_understands_the_corpus_as_the_issue_asks() {
    let mut failed = Vec::new();
    let mut out = String::new();
    for (locale, _) in LOCALES {
        let m = model(locale, None).unwrap();
        let s = score(locale, &m).unwrap();
        out.push_str(&report(locale, &s, true));
        if s.everyday_pct() < EVERYDAY_GOAL || s.less_pct() < LESS_GOAL {
            failed.push(format!(
                "{locale} ({:.1} % / {:.1} %)",
                s.everyday_pct(),
                s.less_pct()
            ));
        }
    }
    println!("{out}");
    assert!(
        failed.is_empty(),
        "under {EVERYDAY_GOAL} % everyday or {LESS_GOAL} % less common: {}",
        failed.join(", ")
    );
}
