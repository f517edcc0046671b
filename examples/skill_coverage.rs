//! How much of the request corpus (`tests/corpus/`) an interaction model
//! understands, per locale (issue 19): figures, and with `--misses` each
//! request it gets wrong.
//!
//! ```sh
//! cargo run --example skill_coverage -- --misses fr-FR       # our generated model
//! cargo run --example skill_coverage                         # every locale we generate
//! ma-alexa-oauth skill model --locale de-DE > m.json
//! cargo run --example skill_coverage -- --misses m.json de-DE  # any model document
//! ```

#[path = "../tests/skill/coverage_corpus.rs"]
mod coverage_corpus;
#[path = "../tests/skill/coverage_lang.rs"]
mod coverage_lang;
#[path = "../tests/skill/coverage_match.rs"]
mod coverage_match;

use ma_alexa_oauth::skill::model::model;
use ma_alexa_oauth::skill::phrases::LOCALES;

fn main() -> Result<(), String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    args.retain(|a| a != "--misses");
    let jobs: Vec<(String, serde_json::Value)> = match args.as_slice() {
        [] => LOCALES
            .iter()
            .map(|(l, _)| (l.to_string(), model(l, None).unwrap()))
            .collect(),
        [locale] => vec![(
            locale.clone(),
            model(locale, None).map_err(|e| e.to_string())?,
        )],
        [file, locale] => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            let doc = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
            vec![(locale.clone(), doc)]
        }
        _ => return Err("usage: skill_coverage [--misses] [LOCALE | MODEL.json LOCALE]".into()),
    };
    for (locale, doc) in jobs {
        let s = coverage_corpus::score(&locale, &doc)?;
        print!("{}", coverage_corpus::report(&locale, &s, misses));
    }
    Ok(())
}
