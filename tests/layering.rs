//! The shape of `src/`, checked from the source text (ARCHITECTURE.md,
//! "Layers"): imports run one way, from the CLI down to the primitives; no
//! module imports one above it, no two modules import each other through any
//! path, every module has a place in the table, no file grows past 700 lines
//! and no function past 80 without a reason written above it.
//!
//! Imports are read from every `crate::` path in code (comments are
//! skipped), including grouped ones (`use crate::{a, b::c}`), so a fully
//! qualified call counts as much as a `use`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, lowest layer first. A module may import its
/// own layer or any lower one; cycles are refused separately.
const LAYERS: &[(&str, &[&str])] = &[
    // Primitives: no knowledge of OAuth, storage or HTTP handling.
    (
        "primitives",
        &[
            "util", "der", "files", "config", "throttle", "http", "pages", "listener", "audit",
            "logsink",
        ],
    ),
    // Storage and keys.
    ("storage", &["store", "keys"]),
    // Start-up errors and opening the data directory (uses store and keys).
    ("startup", &["startup"]),
    // The domain: protocol rules, who may log in, Music Assistant, the skill.
    (
        "domain",
        &["oauth", "identity", "ma", "skill", "console", "echo"],
    ),
    // The state every handler shares.
    ("state", &["app"]),
    // One file per endpoint.
    ("handlers", &["handlers"]),
    // The HTTP edge and the transports that feed it.
    ("edge", &["router", "server", "tailnet", "admin"]),
    // The command line: starts everything.
    ("cli", &["cli"]),
];

/// Files that declare modules rather than belong to one.
const ROOTS: &[&str] = &["lib.rs", "main.rs"];

const MAX_FILE_LINES: usize = 700;
const MAX_FN_LINES: usize = 80;
/// A function over [`MAX_FN_LINES`] needs this, with its reason, in the
/// comment lines right above it.
const LONG_FN_MARK: &str = "Long function:";

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/handlers/token.rs` →
/// `handlers`), or None for the crate roots.
fn top_module(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src_dir()).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    if rel.components().count() == 1 {
        if ROOTS.contains(&first.as_str()) {
            return None;
        }
        return Some(first.trim_end_matches(".rs").to_owned());
    }
    Some(first)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

/// Source text without comments (line comments, doc comments, block
/// comments); string literals are kept, which is harmless here.
fn code_only(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut in_block = 0usize;
    for line in src.lines() {
        let mut rest = line;
        let mut kept = String::new();
        loop {
            if in_block > 0 {
                match rest.find("*/") {
                    Some(i) => {
                        in_block -= 1;
                        rest = &rest[i + 2..];
                    }
                    None => break,
                }
            } else {
                let line_c = rest.find("//");
                let block_c = rest.find("/*");
                match (line_c, block_c) {
                    (Some(l), Some(b)) if b < l => {
                        kept.push_str(&rest[..b]);
                        in_block += 1;
                        rest = &rest[b + 2..];
                    }
                    (Some(l), _) => {
                        kept.push_str(&rest[..l]);
                        break;
                    }
                    (None, Some(b)) => {
                        kept.push_str(&rest[..b]);
                        in_block += 1;
                        rest = &rest[b + 2..];
                    }
                    (None, None) => {
                        kept.push_str(rest);
                        break;
                    }
                }
            }
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Every top-level module named after `crate::` in `code`, with grouped
/// imports expanded: `crate::{a, b::{c, d}}` names `a` and `b`.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `my_crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group, up to its matching brace.
            let mut depth = 0usize;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        push_ident(&mut found, &item);
                        item.clear();
                        at_start = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        at_start = false;
                    }
                }
            }
            push_ident(&mut found, &item);
        } else {
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            push_ident(&mut found, &ident);
        }
    }
    found
}

fn push_ident(found: &mut BTreeSet<String>, ident: &str) {
    let ident = ident.trim();
    // `crate::{self, ...}` and items of lib.rs are not modules.
    if !ident.is_empty() && ident != "self" && ident.chars().all(|c| c.is_lowercase() || c == '_') {
        found.insert(ident.to_owned());
    }
}

/// module → (imported module → a file that imports it).
fn import_graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for f in files {
        let Some(module) = top_module(&f) else {
            continue;
        };
        let code = code_only(&std::fs::read_to_string(&f).unwrap());
        let rel = f.strip_prefix(src_dir()).unwrap().display().to_string();
        let edges = graph.entry(module.clone()).or_default();
        for target in crate_imports(&code) {
            if target != module {
                edges.entry(target).or_insert_with(|| rel.clone());
            }
        }
    }
    graph
}

#[test]
fn the_import_reader_sees_plain_grouped_and_qualified_paths() {
    let code = "use crate::store::{self, Store};\nuse crate::{app::App, http::{self, Body}};\n\
                fn f() { crate::util::now(); other_crate::x(); }\n";
    let got: Vec<String> = crate_imports(code).into_iter().collect();
    assert_eq!(got, ["app", "http", "store", "util"]);
    let commented = code_only("// crate::cli\n/* crate::router */ let x = 1; /// crate::app\n");
    assert!(crate_imports(&commented).is_empty(), "{commented}");
}

#[test]
fn every_module_of_src_has_a_layer() {
    let graph = import_graph();
    let missing: Vec<&String> = graph.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "modules without a layer in tests/layering.rs (add them, and to ARCHITECTURE.md): {missing:?}"
    );
}

#[test]
fn no_module_imports_a_higher_layer() {
    let mut wrong = Vec::new();
    for (module, edges) in import_graph() {
        let Some(from) = layer_of(&module) else {
            continue;
        };
        for (target, file) in edges {
            match layer_of(&target) {
                Some(to) if to > from => wrong.push(format!(
                    "{file}: {module} ({}) imports {target} ({})",
                    LAYERS[from].0, LAYERS[to].0
                )),
                Some(_) => {}
                None => wrong.push(format!("{file}: imports {target}, which has no layer")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_cycle_among_modules() {
    let graph = import_graph();
    // Depth-first search; a back edge is a cycle, reported as its path.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_owned());
            cycles.push(cycle.join(" → "));
            return;
        }
        if !done.insert(m.to_owned()) {
            return;
        }
        path.push(m.to_owned());
        if let Some(edges) = graph.get(m) {
            for target in edges.keys() {
                visit(target, graph, path, done, cycles);
            }
        }
        path.pop();
    }
    let (mut done, mut cycles) = (BTreeSet::new(), Vec::new());
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn no_source_file_over_700_lines() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_FILE_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these files: {long:?}");
}

/// Functions longer than `max` lines as (name, first line, length): a
/// function starts at a line with `fn name` and ends where its braces close.
fn long_functions(src: &str, max: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = src.lines().collect();
    let code: Vec<String> = code_only(src).lines().map(strip_literals).collect();
    let mut out = Vec::new();
    for (i, line) in code.iter().enumerate() {
        let Some(name) = fn_name(line) else {
            continue;
        };
        let (mut depth, mut opened) = (0i64, false);
        for (j, l) in code.iter().enumerate().skip(i) {
            if !opened && l.trim_end().ends_with(';') {
                break; // a declaration without a body
            }
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                let len = j - i + 1;
                if len > max && !has_reason(&lines, i) {
                    out.push((name.clone(), i + 1, len));
                }
                break;
            }
        }
    }
    out
}

fn fn_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w == "fn" {
            let name: String = words
                .peek()?
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
        let modifier =
            w.starts_with("pub") || ["async", "const", "unsafe", "extern", "\"C\""].contains(&w);
        if !modifier {
            return None;
        }
    }
    None
}

/// String and char literals blanked, so braces inside them do not count.
fn strip_literals(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            while let Some(d) = chars.next() {
                if d == '\\' {
                    chars.next();
                } else if d == '"' {
                    break;
                }
            }
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('{', '\n') or a lifetime ('a): skip only literals.
            let look: String = chars.clone().take(3).collect();
            if look.starts_with('\\') || look.chars().nth(1) == Some('\'') {
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                }
                out.push_str("' '");
            } else {
                out.push(c);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the comment or attribute lines right above line `i` give a reason.
fn has_reason(lines: &[&str], i: usize) -> bool {
    lines[..i]
        .iter()
        .rev()
        .take_while(|l| {
            let t = l.trim_start();
            t.starts_with("//") || t.starts_with("#[")
        })
        .any(|l| l.contains(LONG_FN_MARK))
}

#[test]
fn the_function_reader_measures_bodies_and_honours_reasons() {
    let body: String = (0..90).map(|i| format!("    let x{i} = '{{';\n")).collect();
    let src = format!(
        "pub async fn long_one() {{\n{body}}}\n\n// {LONG_FN_MARK} one table.\nfn excused() {{\n{body}}}\n\
         fn short() {{ let s = \"}}}}\"; }}\n"
    );
    assert_eq!(
        long_functions(&src, MAX_FN_LINES),
        [("long_one".to_owned(), 1, 92)]
    );
}

#[test]
fn no_function_over_80_lines_without_a_reason() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut long = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        for (name, line, len) in long_functions(&src, MAX_FN_LINES) {
            long.push(format!("{}:{line}: fn {name} is {len} lines", f.display()));
        }
    }
    assert!(
        long.is_empty(),
        "split these functions, or write `// {LONG_FN_MARK} <why>` above them:\n{}",
        long.join("\n")
    );
}

/// Every file of `src/` as (path relative to `src/`, code without comments).
fn code_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(src_dir()).unwrap().display().to_string();
            (rel, code_only(&std::fs::read_to_string(f).unwrap()))
        })
        .collect()
}

#[test]
fn sql_lives_only_in_the_store() {
    let outside: Vec<String> = code_files()
        .into_iter()
        .filter(|(rel, code)| !rel.starts_with("store/") && code.contains("rusqlite"))
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        outside.is_empty(),
        "SQLite used outside src/store/: {outside:?}"
    );
}

#[test]
fn unsafe_code_only_in_the_tailnet_ffi_layer() {
    let outside: Vec<String> = code_files()
        .into_iter()
        .filter(|(rel, code)| {
            rel != "tailnet/sys.rs"
                && ["unsafe {", "unsafe fn", "unsafe impl", "unsafe extern"]
                    .iter()
                    .any(|u| code.contains(u))
        })
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        outside.is_empty(),
        "unsafe code outside src/tailnet/sys.rs: {outside:?}"
    );
    let (_, lib) = code_files()
        .into_iter()
        .find(|(r, _)| r == "lib.rs")
        .unwrap();
    assert!(
        lib.contains("#![deny(unsafe_code)]"),
        "the crate root must deny unsafe code"
    );
}
