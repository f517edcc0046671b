//! The Home Assistant add-on's files against the Supervisor's rules, as read
//! in its sources (home-assistant/supervisor, 2026): how the store finds a
//! repository and its add-ons (`store/data.py`), what `config.yaml` may hold
//! (`apps/validate.py`, `validate.py`), the option grammar every schema
//! element must follow (`apps/options.py`, `RE_SCHEMA_ELEMENT`), how backups
//! apply `backup_exclude` (`apps/app.py`, `PurePath.match`).
//!
//! YAML is read by Python (PyYAML, Debian's python3-yaml, which
//! scripts/test installs): the same parser family the Supervisor uses.
//! The `match(...)` regular expressions are tried with Python's `re`, which
//! the Supervisor's `vol.Match` uses.
#![recursion_limit = "256"]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

const ADDON_DIR: &str = "ma_alexa_oauth";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a Python snippet with `input` on stdin and parses its JSON answer.
fn python(script: &str, input: &Value) -> Value {
    use std::io::Write as _;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (scripts/test installs python3 and python3-yaml)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python3 failed (is python3-yaml installed?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A YAML file as JSON, through PyYAML's safe loader.
fn yaml(path: &Path) -> Value {
    python(
        "import json, sys, yaml\n\
         p = json.load(sys.stdin)['path']\n\
         print(json.dumps(yaml.safe_load(open(p, encoding='utf-8'))))",
        &json!({ "path": path }),
    )
}

fn config() -> Value {
    yaml(&root().join(ADDON_DIR).join("config.yaml"))
}

// ---------------------------------------------------------------------------
// The Supervisor's option grammar (apps/options.py RE_SCHEMA_ELEMENT),
// written out as a parser.

#[derive(Debug, PartialEq)]
enum Element {
    Bool,
    Email,
    Url,
    Port,
    Device(Option<String>),
    Str(Option<u64>, Option<u64>),
    Password(Option<u64>, Option<u64>),
    Int(Option<i64>, Option<i64>),
    Float(Option<f64>, Option<f64>),
    Match(String),
    List(Vec<String>),
}

/// Parses one schema element: the type, and whether a trailing `?` makes it
/// optional. The Supervisor's regular expression also matches the empty
/// string (an empty first alternative), but no type starts with "", so such
/// an element fails at validation ("Fatal error for option"): refused here.
fn parse_element(s: &str) -> Result<(Element, bool), String> {
    if let Ok(e) = parse_core(s) {
        return Ok((e, false));
    }
    match s.strip_suffix('?') {
        Some(core) => parse_core(core).map(|e| (e, true)),
        None => parse_core(s).map(|e| (e, false)),
    }
}

fn parse_core(s: &str) -> Result<Element, String> {
    let bad = || Err(format!("{s:?} is not a schema element"));
    match s {
        "bool" => return Ok(Element::Bool),
        "email" => return Ok(Element::Email),
        "url" => return Ok(Element::Url),
        "port" => return Ok(Element::Port),
        "device" => return Ok(Element::Device(None)),
        "str" => return Ok(Element::Str(None, None)),
        "password" => return Ok(Element::Password(None, None)),
        "int" => return Ok(Element::Int(None, None)),
        "float" => return Ok(Element::Float(None, None)),
        _ => {}
    }
    let Some((name, rest)) = s.split_once('(') else {
        return bad();
    };
    let Some(inner) = rest.strip_suffix(')') else {
        return bad();
    };
    match name {
        // `match\((?P<match>.*)\)`: anything, even empty or with parentheses.
        "match" => Ok(Element::Match(inner.to_owned())),
        // `list\((?P<list>.+)\)`: at least one character.
        "list" if !inner.is_empty() => {
            Ok(Element::List(inner.split('|').map(str::to_owned).collect()))
        }
        "device" => match inner.strip_prefix("subsystem=") {
            Some(sub) if !sub.is_empty() && sub.bytes().all(|b| b.is_ascii_lowercase()) => {
                Ok(Element::Device(Some(sub.to_owned())))
            }
            _ => bad(),
        },
        "str" | "password" => {
            let (a, b) = range(inner, |x| {
                (!x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| x.parse().ok())
                    .flatten()
            })
            .ok_or_else(|| format!("{s:?}: bad length range"))?;
            Ok(if name == "str" {
                Element::Str(a, b)
            } else {
                Element::Password(a, b)
            })
        }
        "int" => {
            let (a, b) = range(inner, |x| {
                let d = x.strip_prefix('-').unwrap_or(x);
                (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| x.parse().ok())
                    .flatten()
            })
            .ok_or_else(|| format!("{s:?}: bad int range"))?;
            Ok(Element::Int(a, b))
        }
        "float" => {
            let (a, b) =
                range(inner, float_bound).ok_or_else(|| format!("{s:?}: bad float range"))?;
            Ok(Element::Float(a, b))
        }
        _ => bad(),
    }
}

/// `(min?,max?)`: exactly one comma, each side empty or a bound.
fn range<T>(inner: &str, bound: impl Fn(&str) -> Option<T>) -> Option<(Option<T>, Option<T>)> {
    let (a, b) = inner.split_once(',')?;
    let side = |x: &str| {
        if x.is_empty() {
            Some(None)
        } else {
            bound(x).map(Some)
        }
    };
    Some((side(a)?, side(b)?))
}

/// `-?\d*\.?\d+`
fn float_bound(x: &str) -> Option<f64> {
    let d = x.strip_prefix('-').unwrap_or(x);
    let (int, frac) = match d.split_once('.') {
        Some((i, f)) => (i, f),
        None => ("", d),
    };
    let ok = int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit());
    if ok { x.parse().ok() } else { None }
}

#[test]
fn the_grammar_parser_accepts_the_supervisors_forms() {
    use Element::*;
    let ok = [
        ("bool", Bool, false),
        ("bool?", Bool, true),
        ("email", Email, false),
        ("url?", Url, true),
        ("port", Port, false),
        ("device", Device(None), false),
        ("device(subsystem=tty)", Device(Some("tty".into())), false),
        ("str", Str(None, None), false),
        ("str(3,)", Str(Some(3), None), false),
        ("str(,8)?", Str(None, Some(8)), true),
        ("password?", Password(None, None), true),
        ("password(8,64)", Password(Some(8), Some(64)), false),
        ("int", Int(None, None), false),
        ("int(-5,10)", Int(Some(-5), Some(10)), false),
        ("int(,)", Int(None, None), false),
        ("float(0.5,.75)", Float(Some(0.5), Some(0.75)), false),
        ("float(-1,2)?", Float(Some(-1.0), Some(2.0)), true),
        ("match(^a(b)?$)", Match("^a(b)?$".into()), false),
        ("match(^a(b)?$)?", Match("^a(b)?$".into()), true),
        ("match()", Match(String::new()), false),
        (
            "list(a|b|c)",
            List(vec!["a".into(), "b".into(), "c".into()]),
            false,
        ),
        ("list(x)?", List(vec!["x".into()]), true),
    ];
    for (s, want, optional) in ok {
        assert_eq!(parse_element(s), Ok((want, optional)), "{s}");
    }
}

#[test]
fn the_grammar_parser_refuses_what_the_supervisor_refuses() {
    let bad = [
        "",
        "?",
        "string",
        "boolean",
        "Bool",
        "bool??",
        "bool ?",
        " str",
        "str()",
        "str(1)",
        "str(a,)",
        "str(-1,)",
        "int(1.5,)",
        "int(a,b)",
        "int(1,2,3)",
        "float(1.,2)",
        "float(x,)",
        "list()",
        "list(a|b",
        "match(",
        "match(x)??",
        "device()",
        "device(subsystem=)",
        "device(subsystem=TTY)",
        "device(vendor=1)",
        "port(1,2)",
        "url(1,)",
        "select(a|b)",
    ];
    for s in bad {
        assert!(parse_element(s).is_err(), "{s:?} must be refused");
    }
}

// ---------------------------------------------------------------------------
// The repository and config.yaml.

/// The repository's files (what the Supervisor clones): git's list, or
/// without git (a source tarball) the tree minus build output and npm's.
fn tracked_files() -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success());
    if let Some(out) = out {
        return String::from_utf8(out.stdout)
            .unwrap()
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
    let mut files = Vec::new();
    let mut todo = vec![root()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    todo.push(p);
                }
            } else {
                files.push(
                    p.strip_prefix(root())
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    files
}

/// The store finds the repository file with `glob("**/repository.*")` (the
/// first match wins) and add-ons with `glob("**/config.*")` at any depth,
/// skipping parts starting with "." or named "rootfs"; suffixes .yaml, .yml
/// and .json. So: one repository file at the root, and one config file.
#[test]
fn the_store_finds_one_repository_and_one_add_on() {
    let files = tracked_files();
    let stem_is = |f: &str, stem: &str| {
        let p = Path::new(f);
        let skipped = p.components().any(|c| {
            let s = c.as_os_str().to_string_lossy();
            s.starts_with('.') || s == "rootfs"
        });
        !skipped
            && p.file_stem().is_some_and(|s| s == stem)
            && p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
    };
    let repos: Vec<&String> = files.iter().filter(|f| stem_is(f, "repository")).collect();
    assert_eq!(
        repos,
        ["repository.yaml"],
        "one repository file, at the root"
    );
    let configs: Vec<&String> = files.iter().filter(|f| stem_is(f, "config")).collect();
    assert_eq!(
        configs,
        [&format!("{ADDON_DIR}/config.yaml")],
        "a stray config.{{yaml,yml,json}} would be read as a broken add-on"
    );
    let repo = yaml(&root().join("repository.yaml"));
    assert!(
        repo["name"].as_str().is_some_and(|s| !s.is_empty()),
        "repository.yaml needs a name"
    );
    assert!(
        repo["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    for f in [
        "DOCS.md",
        "README.md",
        "CHANGELOG.md",
        "translations/en.yaml",
        "icon.png",
        "logo.png",
    ] {
        assert!(
            files.contains(&format!("{ADDON_DIR}/{f}")),
            "{ADDON_DIR}/{f} is committed"
        );
    }
}

/// Every key `_SCHEMA_APP_CONFIG` knows; anything else is dropped silently
/// (`extra=vol.REMOVE_EXTRA`), so a misspelt key would do nothing.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "version",
    "slug",
    "description",
    "arch",
    "machine",
    "url",
    "startup",
    "boot",
    "init",
    "advanced",
    "stage",
    "ports",
    "ports_description",
    "watchdog",
    "webui",
    "ingress",
    "ingress_port",
    "ingress_entry",
    "ingress_stream",
    "panel_icon",
    "panel_title",
    "panel_admin",
    "homeassistant",
    "host_network",
    "host_pid",
    "host_ipc",
    "host_uts",
    "host_dbus",
    "devices",
    "udev",
    "tmpfs",
    "map",
    "environment",
    "privileged",
    "apparmor",
    "full_access",
    "audio",
    "video",
    "gpio",
    "usb",
    "uart",
    "devicetree",
    "kernel_modules",
    "realtime",
    "hassio_api",
    "hassio_role",
    "homeassistant_api",
    "stdin",
    "legacy",
    "docker_api",
    "auth_api",
    "services",
    "discovery",
    "backup_exclude",
    "backup_pre",
    "backup_post",
    "backup",
    "options",
    "schema",
    "image",
    "ulimits",
    "timeout",
    "journald",
    "breaking_versions",
];

/// `_SCHEMA_APP_CONFIG`'s defaults: spelling one out is noise the linters refuse.
fn defaults() -> Value {
    json!({
        "startup": "application", "boot": "auto", "init": true, "advanced": false,
        "stage": "stable", "ingress": false, "ingress_port": 8099, "ingress_stream": false,
        "panel_icon": "mdi:puzzle", "panel_admin": true, "host_network": false,
        "host_pid": false, "host_ipc": false, "host_uts": false, "host_dbus": false,
        "udev": false, "tmpfs": false, "map": [], "apparmor": true, "full_access": false,
        "audio": false, "video": false, "gpio": false, "usb": false, "uart": false,
        "devicetree": false, "kernel_modules": false, "realtime": false,
        "hassio_api": false, "hassio_role": "default", "homeassistant_api": false,
        "stdin": false, "legacy": false, "docker_api": false, "auth_api": false,
        "backup": "hot", "options": {}, "schema": {}, "ulimits": {}, "timeout": 10,
        "journald": false, "breaking_versions": [],
    })
}

/// `validate.py` `docker_image`: no tag, lowercase registry, each path part
/// `^[a-z0-9{][a-z0-9.\-_{}]*$`.
fn valid_image(image: &str) -> bool {
    let (registry, path) = match image.split_once('/') {
        Some((r, p)) if r.contains('.') || r.contains(':') || r == "localhost" => (Some(r), p),
        _ => (None, image),
    };
    let part_ok = |c: &str| {
        let b = c.as_bytes();
        !b.is_empty()
            && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit() || b[0] == b'{')
            && b.iter()
                .all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || b".-_{}".contains(x))
    };
    registry.is_none_or(|r| r == r.to_lowercase())
        && !path.is_empty()
        && !path.contains(':')
        && path.split('/').all(part_ok)
}

#[test]
fn config_yaml_follows_the_add_on_rules() {
    let c = config();
    let m = c.as_object().expect("config.yaml is a mapping");
    for k in m.keys() {
        assert!(KNOWN_KEYS.contains(&k.as_str()), "unknown key {k:?}");
    }
    for k in ["name", "version", "slug", "description", "arch"] {
        assert!(m.contains_key(k), "required key {k}");
    }
    assert!(m["name"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(m["description"].as_str().is_some_and(|s| !s.is_empty()));
    let slug = m["slug"].as_str().unwrap();
    assert!(
        !slug.is_empty()
            && slug
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "slug {slug:?}"
    );
    assert_eq!(
        m["version"].as_str(),
        Some(env!("CARGO_PKG_VERSION")),
        "version (a string) equals Cargo.toml's: the Supervisor pulls image:version"
    );
    let arch: Vec<&str> = m["arch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        arch,
        ["aarch64", "amd64"],
        "only aarch64 and amd64 are supported"
    );
    let image = m["image"]
        .as_str()
        .expect("image: a prebuilt image, never a build on the Pi");
    assert!(valid_image(image), "image {image:?}");
    assert!(
        !valid_image("ghcr.io/x/y:1.0") && !valid_image("ghcr.io/Owner/y"),
        "the image check can fail"
    );
    assert!(!m.contains_key("watchdog"), "watchdog: is obsolete");
    assert!(
        !m.contains_key("ports") && !m.contains_key("host_network"),
        "Funnel needs no port and no host network"
    );
    let d = defaults();
    for (k, v) in m {
        assert_ne!(Some(v), d.get(k), "{k}: {v} is the default; leave it out");
    }
    for pat in m["backup_exclude"].as_array().unwrap() {
        assert!(pat.is_string());
    }
}

/// The add-on's page: in the sidebar through Ingress, for administrators
/// only (panel_admin's default), on the port `addon` listens on.
#[test]
fn the_add_on_page_is_in_the_sidebar_for_administrators_through_ingress() {
    let c = config();
    let d = defaults();
    assert_eq!(c["ingress"], true, "ingress: true");
    let port = c.get("ingress_port").unwrap_or(&d["ingress_port"]);
    assert_eq!(
        port.as_u64(),
        Some(u64::from(ma_alexa_oauth::admin::INGRESS_PORT)),
        "the Supervisor connects to ingress_port; `addon` listens on admin::INGRESS_PORT"
    );
    let admin_only = c.get("panel_admin").unwrap_or(&d["panel_admin"]);
    assert_eq!(admin_only, true, "the page is for administrators only");
    let icon = c["panel_icon"].as_str().expect("an icon of its own");
    let name = icon.strip_prefix("mdi:").expect("a Material Design icon");
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{icon}"
    );
    assert!(
        c["panel_title"]
            .as_str()
            .is_some_and(|t| !t.trim().is_empty()),
        "a short title for the sidebar"
    );
    assert!(
        !c.as_object().unwrap().contains_key("ingress_entry"),
        "the page is at the ingress root"
    );
}

#[test]
fn every_schema_element_follows_the_supervisors_grammar() {
    let c = config();
    let schema = c["schema"].as_object().expect("schema");
    let options = c["options"].as_object().expect("options");
    for (k, v) in schema {
        let s = v.as_str().unwrap_or_else(|| panic!("{k}: a plain element"));
        parse_element(s).unwrap_or_else(|e| panic!("schema {k}: {e}"));
    }
    // The Rust side reads exactly these options.
    let mut keys: Vec<&str> = schema.keys().map(String::as_str).collect();
    let mut names = ma_alexa_oauth::cli::OPTION_NAMES.to_vec();
    keys.sort_unstable();
    names.sort_unstable();
    assert_eq!(keys, names, "config.yaml's schema and the entrypoint agree");
    // A default for every option but the optional ones without a value: a
    // null default would be refused ("Missing required option").
    for (k, v) in options {
        let el = schema
            .get(k)
            .unwrap_or_else(|| panic!("option {k} has no schema"));
        assert!(!v.is_null(), "option {k}: null");
        let (e, _) = parse_element(el.as_str().unwrap()).unwrap();
        match e {
            Element::Bool => assert!(v.is_boolean(), "{k}"),
            Element::List(items) => {
                assert!(items.iter().any(|i| Some(i.as_str()) == v.as_str()), "{k}")
            }
            Element::Str(..) | Element::Password(..) | Element::Match(_) => {
                assert!(v.is_string(), "{k}")
            }
            other => panic!("{k}: no default expected for {other:?}"),
        }
    }
    for (k, el) in schema {
        if !options.contains_key(k) {
            assert!(
                parse_element(el.as_str().unwrap()).unwrap().1,
                "{k} without a default must be optional"
            );
        }
    }
    assert_eq!(
        options["device_name"],
        ma_alexa_oauth::tailnet::DEFAULT_HOSTNAME
    );
    assert_eq!(options["log_level"], "info");
    assert_eq!(
        schema["tailscale_auth_key"], "password?",
        "the auth key is a password field"
    );
}

/// The `match(...)` expressions, under Python's `re.match` as the Supervisor
/// applies them, and the entrypoint's own checks agree on the same values.
#[test]
fn match_expressions_and_the_entrypoint_agree() {
    let c = config();
    let schema = c["schema"].as_object().unwrap();
    let pat = |k: &str| {
        let (e, _) = parse_element(schema[k].as_str().unwrap()).unwrap();
        match e {
            Element::Match(p) => p,
            other => panic!("{k}: {other:?}"),
        }
    };
    let samples = json!({
        "device_name": ["ma-alexa", "a", "x1", "A-b-9", "-a", "a-", "a.b", "a b", "é",
                        "a123456789012345678901234567890123456789012345678901234567890bc",
                        "a1234567890123456789012345678901234567890123456789012345678901bc"],
        "alexa_vendor_id": ["M2ABCDEF", "m2", "", "M2-ABC", "M2 ABC", "ü"],
        "alexa_skill_id": ["amzn1.ask.skill.0123abcd-4567-89ef-0123-456789abcdef", "",
                           "amzn1.ask.skill.0123ABCD-4567-89ef-0123-456789abcdef",
                           "amzn1.ask.skill.0123abcd-4567-89ef-0123-456789abcde",
                           "amzn1.echo-sdk-ams.app.0123abcd-4567-89ef-0123-456789abcdef",
                           "amzn1.ask.skill.0123abcd-4567-89ef-0123-456789abcdef-"],
    });
    let verdicts = python(
        "import json, re, sys\n\
         d = json.load(sys.stdin)\n\
         print(json.dumps({k: [re.match(d['patterns'][k], str(v)) is not None for v in vs]\n\
                           for k, vs in d['samples'].items()}))",
        &json!({ "patterns": { "device_name": pat("device_name"), "alexa_vendor_id": pat("alexa_vendor_id"), "alexa_skill_id": pat("alexa_skill_id") }, "samples": samples }),
    );
    for (k, vs) in samples.as_object().unwrap() {
        for (i, v) in vs.as_array().unwrap().iter().enumerate() {
            let supervisor = verdicts[k][i].as_bool().unwrap();
            let ours = ma_alexa_oauth::cli::parse_options(&json!({ k: v }).to_string(), "ma-alexa")
                .is_ok();
            assert_eq!(
                supervisor, ours,
                "{k} = {v}: Supervisor {supervisor}, entrypoint {ours}"
            );
        }
        let any_refused = verdicts[k].as_array().unwrap().iter().any(|x| x == false);
        assert!(any_refused, "{k}: the samples include refused values");
    }
}

#[test]
fn translations_name_and_describe_every_option() {
    let t = yaml(&root().join(ADDON_DIR).join("translations/en.yaml"));
    let conf = t["configuration"].as_object().expect("configuration:");
    let c = config();
    let schema = c["schema"].as_object().unwrap();
    let mut a: Vec<&String> = conf.keys().collect();
    let mut b: Vec<&String> = schema.keys().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "one translation per option, no others");
    for (k, v) in conf {
        assert!(
            v["name"].as_str().is_some_and(|s| !s.is_empty()),
            "{k}: name"
        );
        assert!(
            v["description"].as_str().is_some_and(|s| s.len() > 10),
            "{k}: description"
        );
    }
}

/// Width and height from a PNG's IHDR, after checking the signature.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert!(b.len() > 33, "{}: too short", path.display());
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{}: PNG signature",
        path.display()
    );
    assert_eq!(&b[12..16], b"IHDR", "{}: IHDR first", path.display());
    let n = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (n(16), n(20))
}

#[test]
fn icon_and_logo_are_pngs_of_sane_sizes() {
    let (w, h) = png_size(&root().join(ADDON_DIR).join("icon.png"));
    assert!(
        w == h && (128..=512).contains(&w),
        "icon {w}x{h}: square, 128 to 512"
    );
    let (w, h) = png_size(&root().join(ADDON_DIR).join("logo.png"));
    assert!(
        w > h && (100..=1000).contains(&w) && (50..=500).contains(&h),
        "logo {w}x{h}: landscape"
    );
}

/// `PurePath.match` with a relative pattern: compared from the right, one
/// part per pattern part, `*`, `?` and literal characters (no `**`).
fn pure_path_match(path: &str, pattern: &str) -> bool {
    fn part(s: &[u8], p: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => part(s, &p[1..]) || (!s.is_empty() && part(&s[1..], p)),
            (Some(b'?'), Some(_)) => part(&s[1..], &p[1..]),
            (Some(a), Some(b)) if a == b => part(&s[1..], &p[1..]),
            _ => false,
        }
    }
    let ps: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    let pp: Vec<&str> = pattern.split('/').collect();
    pp.len() <= ps.len()
        && ps
            .iter()
            .rev()
            .zip(pp.iter().rev())
            .all(|(s, p)| part(s.as_bytes(), p.as_bytes()))
}

/// The node's log (ours, `tailscaled.log`, and tsnet's log buffers
/// `tailscaled.log1.txt`/`log2.txt`, which tsnet's `startLogger` keeps with
/// `filch` in the state directory) stays out of backups; the node's state,
/// certificates and everything of ours stay in.
#[test]
fn backup_exclude_leaves_out_the_tailnet_log_only() {
    use ma_alexa_oauth::{cli::TAILNET_DIR, tailnet::LOG_FILE};
    let c = config();
    let pats: Vec<&str> = c["backup_exclude"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let base = "/data/addons/data/3f1a2b4c_ma_alexa_oauth";
    let excluded = |rel: &str| {
        pats.iter()
            .any(|p| pure_path_match(&format!("{base}/{rel}"), p))
    };
    for rel in [
        format!("{TAILNET_DIR}/{LOG_FILE}"),
        format!("{TAILNET_DIR}/tailscaled.log1.txt"),
        format!("{TAILNET_DIR}/tailscaled.log2.txt"),
    ] {
        assert!(excluded(&rel), "{rel} is left out of backups");
    }
    for rel in [
        "tailnet/tailscaled.state",
        "tailnet/tailscaled.log.conf",
        "tailnet/certs/ma-alexa.tail-scale.ts.net.crt",
        "tailnet",
        "ma-alexa-oauth.sqlite3",
        "ma-alexa-oauth.sqlite3-wal",
        "signing-key.ed25519.pk8",
        "ma-token.key",
        "csrf.key",
        "options.json",
        "tailscaled.log",
    ] {
        assert!(!excluded(rel), "{rel} stays in backups");
    }
    assert!(
        pure_path_match("/a/b/c.log", "*.log") && !pure_path_match("/a/b/c.log", "x/*.log"),
        "the matcher can fail"
    );
}

/// The release workflow (it cannot run here) stays a thin wrapper: on `v*`
/// tags it runs scripts/package for both architectures and pushes the image
/// the add-on names, after checking that the tag, Cargo.toml and
/// config.yaml agree.
#[test]
fn the_release_workflow_wraps_scripts_package() {
    let path = root().join(".github/workflows/release.yml");
    let w = yaml(&path);
    // PyYAML reads the key `on` as YAML 1.1's true.
    let on = w.get("on").or_else(|| w.get("true")).expect("on:");
    assert_eq!(on["push"]["tags"], json!(["v*"]));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("scripts/package --arch all"),
        "builds with scripts/package"
    );
    assert!(
        !text.contains("cargo build") && !text.contains("docker build"),
        "no second build recipe"
    );
    assert!(
        text.contains("ma_alexa_oauth/config.yaml") && text.contains("docker://$IMAGE:$VERSION")
    );
    assert!(text.contains("ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/ma-alexa-oauth"));
    let image = config()["image"].as_str().unwrap().to_owned();
    assert!(
        image.starts_with("ghcr.io/") && image.ends_with("/ma-alexa-oauth"),
        "the workflow pushes ghcr.io/OWNER/ma-alexa-oauth: {image}"
    );
}
