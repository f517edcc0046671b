//! Builds the Go shim `vendor/tsshim` as a C archive (`libtsshim.a`) and links
//! it statically. Go's build and module caches stay at their defaults (never
//! inside OUT_DIR) so that rebuilds are warm. Only with the `tailnet` feature
//! (default): without it there is nothing to build.

use std::path::{Path, PathBuf};
use std::process::Command;

// A build script has no caller to return an error to: exiting non-zero with
// the message on stderr is how it fails.
#[allow(clippy::disallowed_methods)]
fn main() {
    if let Err(msg) = build() {
        // A clear message instead of a backtrace: cargo prints stderr of a failing build script.
        eprintln!("\nerror: {msg}\n");
        std::process::exit(1);
    }
}

fn build() -> Result<(), String> {
    // Without the `tailnet` feature (e.g. fuzz builds) nothing links the shim.
    if std::env::var_os("CARGO_FEATURE_TAILNET").is_none() {
        return Ok(());
    }
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let src = manifest.join("vendor/tsshim");
    let out = PathBuf::from(env("OUT_DIR")?);

    rerun_if_changed(&src)?;
    println!("cargo:rerun-if-env-changed=GO");
    println!("cargo:rerun-if-env-changed=TARGET_CC");

    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os != "linux" || target_env != "gnu" {
        return Err(format!(
            "the embedded tailnet node (Go c-archive) is built for Linux with glibc only; \
             this target is {target_os}/{target_env} (musl targets crash at start with Go c-archives)"
        ));
    }

    let need = go_mod_version(&src.join("go.mod"))?;
    let go = std::env::var("GO").unwrap_or_else(|_| "go".to_owned());
    let have = go_version(&go).map_err(|e| {
        format!(
            "building the tailnet shim needs Go {need} or newer (from vendor/tsshim/go.mod), but `{go}` {e}. \
             Install Go {need}+ (https://go.dev/dl/) and put it on PATH, or set GO=/path/to/go."
        )
    })?;
    if !version_at_least(&have, &need) {
        return Err(format!(
            "building the tailnet shim needs Go {need} or newer (from vendor/tsshim/go.mod); `{go}` is Go {have}. \
             GOTOOLCHAIN=local is used, so no toolchain is downloaded: install Go {need}+."
        ));
    }

    let target = GoTarget::from_cargo()?;
    let tags = omit_tags(&src.join(OMIT_TAGS_FILE))?;
    let archive = out.join("libtsshim.a");
    let mut cmd = Command::new(&go);
    cmd.current_dir(&src)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=readonly")
        .env("CGO_ENABLED", "1")
        .env("GOOS", "linux")
        .env("GOARCH", &target.goarch);
    match &target.goarm {
        Some(v) => cmd.env("GOARM", v),
        None => cmd.env_remove("GOARM"),
    };
    if let Some(cc) = &target.cc {
        cmd.env("CC", cc);
    }
    let status = cmd
        .args([
            "build",
            "-buildmode=c-archive",
            "-trimpath",
            "-buildvcs=false",
            "-tags",
            &tags,
            "-o",
        ])
        .arg(&archive)
        .arg(".")
        .status()
        .map_err(|e| format!("cannot run `{go} build`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`go build -buildmode=c-archive` of vendor/tsshim failed ({status}); see the output above"
        ));
    }

    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static=tsshim");
    println!("cargo:rustc-link-lib=dylib=pthread");
    // Packed relative relocations (DT_RELR): the Go archive's pointers need
    // ~130,000 relative relocations in a position-independent executable,
    // 3 MB as RELA entries and a few KB packed. The binary then needs glibc
    // 2.36 or newer at run time (it names GLIBC_ABI_DT_RELR). Debian 12's
    // GNU ld packs them on x86_64; its aarch64 port ignores the option.
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    // Visible to dependents as DEP_TSSHIM_LIB_DIR (the `links` key).
    println!("cargo:lib_dir={}", out.display());
    Ok(())
}

/// The file listing the tailscale.com `ts_omit_*` build tags (features this
/// binary never uses), one per line; `#` starts a comment. scripts/test runs
/// the shim's Go tests with the same tags.
const OMIT_TAGS_FILE: &str = "omit-tags.txt";

/// The tags of [`OMIT_TAGS_FILE`], comma-separated for `go build -tags`.
fn omit_tags(path: &Path) -> Result<String, String> {
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let tags: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(bad) = tags
        .iter()
        .find(|t| !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(format!("{}: `{bad}` is not a build tag", path.display()));
    }
    Ok(tags.join(","))
}

/// What the Go toolchain needs to build for Cargo's target: GOARCH (GOARM
/// for 32-bit ARM) and, when it matters, the C compiler cgo uses.
struct GoTarget {
    goarch: String,
    goarm: Option<String>,
    /// None: a native build with no compiler named, Go's default (`gcc`).
    cc: Option<String>,
}

impl GoTarget {
    fn from_cargo() -> Result<Self, String> {
        let target = env("TARGET")?;
        let host = env("HOST")?;
        let arch = env("CARGO_CFG_TARGET_ARCH")?;
        let endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").unwrap_or_default();
        let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
        let goarch = match (arch.as_str(), endian.as_str()) {
            ("x86_64", _) => "amd64",
            ("x86", _) => "386",
            ("aarch64", _) => "arm64",
            ("arm", _) => "arm",
            ("riscv64", _) => "riscv64",
            ("powerpc64", "little") => "ppc64le",
            ("s390x", _) => "s390x",
            _ => return Err(format!("no Go port for the target {target} (arch {arch})")),
        };
        // Rust's armv7 targets have the v7 feature; older ARM ones build for ARMv6.
        let goarm = (arch == "arm").then(|| {
            let v7 = features.split(',').any(|f| f == "v7");
            let hf = target.ends_with("hf");
            let v = if v7 { "7" } else { "6" };
            if hf {
                v.to_owned()
            } else {
                format!("{v},softfloat")
            }
        });
        let cc = c_compiler(&target, target != host)?;
        Ok(GoTarget {
            goarch: goarch.to_owned(),
            goarm,
            cc,
        })
    }
}

/// The C compiler for cgo, by the conventions of Cargo's C builds (the `cc`
/// crate): `CC_<target>`, `CC_<target_with_underscores>`, `TARGET_CC`, then
/// `CC` for a native build; a cross build defaults to the GNU toolchain's
/// `<arch>-linux-gnu-gcc`, e.g. `aarch64-linux-gnu-gcc`. A cross compiler
/// that is not installed is an error naming it and how to get it.
fn c_compiler(target: &str, cross: bool) -> Result<Option<String>, String> {
    let underscored = target.replace('-', "_");
    let names = [
        format!("CC_{target}"),
        format!("CC_{underscored}"),
        "TARGET_CC".to_owned(),
        "CC".to_owned(),
    ];
    for n in &names {
        println!("cargo:rerun-if-env-changed={n}");
    }
    let named = names
        .iter()
        // `CC` is the host's compiler in a cross build: only a native one uses it.
        .take(if cross { 3 } else { 4 })
        .find_map(|n| {
            std::env::var(n)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (n.clone(), v))
        });
    if let Some((var, cc)) = named {
        check_compiler(&cc, &format!("{var}={cc}"), target)?;
        return Ok(Some(cc));
    }
    if !cross {
        return Ok(None);
    }
    let cc = format!("{}-gcc", gnu_triple(target));
    check_compiler(&cc, &format!("the default `{cc}`"), target)?;
    Ok(Some(cc))
}

/// `aarch64-unknown-linux-gnu` -> `aarch64-linux-gnu`,
/// `armv7-unknown-linux-gnueabihf` -> `arm-linux-gnueabihf`.
fn gnu_triple(target: &str) -> String {
    let parts: Vec<&str> = target.split('-').collect();
    let arch = match parts[0] {
        a if a.starts_with("armv") || a.starts_with("thumbv") => "arm",
        "i586" | "i686" => "i686",
        a => a,
    };
    let rest: Vec<&str> = parts[1..]
        .iter()
        .copied()
        .filter(|p| *p != "unknown")
        .collect();
    format!("{arch}-{}", rest.join("-"))
}

/// Fails with a clear message when the compiler (the first word of `cc`,
/// which may carry flags or a wrapper) cannot be found.
fn check_compiler(cc: &str, what: &str, target: &str) -> Result<(), String> {
    let prog = cc.split_whitespace().next().unwrap_or("");
    let found = if prog.contains('/') {
        Path::new(prog).is_file()
    } else {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
            .unwrap_or(false)
    };
    if found {
        return Ok(());
    }
    let hint = match target {
        "aarch64-unknown-linux-gnu" => {
            " On Debian: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross."
        }
        "x86_64-unknown-linux-gnu" => {
            " On Debian: apt-get install gcc-x86-64-linux-gnu libc6-dev-amd64-cross."
        }
        "armv7-unknown-linux-gnueabihf" => {
            " On Debian: apt-get install gcc-arm-linux-gnueabihf libc6-dev-armhf-cross."
        }
        _ => "",
    };
    let var = target.replace('-', "_");
    Err(format!(
        "building the tailnet shim (cgo) for {target} needs a C compiler for that target: \
         {what} is not installed or not on PATH.{hint} Or name one with CC_{var}=... \
         (Rust's linker too: CARGO_TARGET_{}_LINKER=...).",
        var.to_uppercase()
    ))
}

fn env(k: &str) -> Result<String, String> {
    std::env::var(k).map_err(|_| format!("{k} is not set (not run by cargo?)"))
}

/// Only the Go/C sources and the module files of the shim (not its tests).
fn rerun_if_changed(src: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let mut files = Vec::new();
    for e in entries {
        let e = e.map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let source = name.ends_with(".go") || name.ends_with(".c") || name.ends_with(".h");
        if (source && !name.ends_with("_test.go")) || name == "go.mod" || name == "go.sum" {
            files.push(e.path());
        }
    }
    files.sort();
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    Ok(())
}

/// The `go` directive of a go.mod file, e.g. "1.26.6".
fn go_mod_version(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("go")).then(|| w.next().map(str::to_owned))?
        })
        .ok_or_else(|| format!("{} has no `go` line", path.display()))
}

/// The version of the Go toolchain `go`, e.g. "1.26.8".
fn go_version(go: &str) -> Result<String, String> {
    let out = Command::new(go)
        .args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .output()
        .map_err(|e| format!("cannot be run ({e})"))?;
    if !out.status.success() {
        return Err(format!(
            "fails: `go env GOVERSION`: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let v = v.strip_prefix("go").unwrap_or(&v);
    // "1.26.8", "1.27rc1", "1.26.8 X:nocoverageredesign": keep the numeric prefix.
    let v: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if v.is_empty() {
        return Err("reports no version".to_owned());
    }
    Ok(v)
}

fn version_at_least(have: &str, need: &str) -> bool {
    let parse = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect()
    };
    let (h, n) = (parse(have), parse(need));
    for i in 0..h.len().max(n.len()) {
        let a = h.get(i).copied().unwrap_or(0);
        let b = n.get(i).copied().unwrap_or(0);
        if a != b {
            return a > b;
        }
    }
    true
}
