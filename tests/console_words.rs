//! The Alexa developer console's words are in one place
//! (`ma_alexa_oauth::console::labels`); README.md and the add-on's DOCS.md
//! quote them, and nothing we print or document uses the console's older
//! paths ("Build > Account Linking": account linking is under TOOLS now).

use std::path::{Path, PathBuf};

use ma_alexa_oauth::console::labels;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Markdown without emphasis and line breaks, so a label split over lines
/// or set in bold still reads as one string.
fn flat(md: &str) -> String {
    md.replace(['*', '`'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn readme_and_the_add_ons_docs_quote_the_consoles_words() {
    for doc in ["README.md", "ma_alexa_oauth/DOCS.md"] {
        let text = flat(&read(doc));
        let missing: Vec<&&str> = labels::QUOTED_IN_DOCS
            .iter()
            .filter(|l| !text.contains(&flat(l)))
            .collect();
        assert!(
            missing.is_empty(),
            "{doc} does not quote the console's words {missing:?} (src/console/labels.rs)"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn nothing_uses_the_consoles_older_paths() {
    let mut files: Vec<PathBuf> = [
        "README.md",
        "ARCHITECTURE.md",
        "ma_alexa_oauth/DOCS.md",
        "ma_alexa_oauth/README.md",
        "ma_alexa_oauth/config.yaml",
        "ma_alexa_oauth/translations/en.yaml",
    ]
    .iter()
    .map(|f| root().join(f))
    .collect();
    rust_files(&root().join("src"), &mut files);
    let labels_rs = root().join("src/console/labels.rs");
    for f in files.iter().filter(|f| **f != labels_rs) {
        let text = flat(&std::fs::read_to_string(f).unwrap());
        for old in labels::OUTDATED {
            assert!(
                !text.contains(old),
                "{} says {old:?}: use src/console/labels.rs",
                f.display()
            );
        }
    }
}

#[test]
fn the_labels_module_lists_no_outdated_path_as_current() {
    for l in labels::QUOTED_IN_DOCS {
        for old in labels::OUTDATED {
            assert!(!l.contains(old), "{l}");
        }
    }
    assert_eq!(labels::ACCOUNT_LINKING_PAGE, "TOOLS > Account Linking");
}
