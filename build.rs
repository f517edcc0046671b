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

    let archive = out.join("libtsshim.a");
    let status = Command::new(&go)
        .current_dir(&src)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=readonly")
        .env("CGO_ENABLED", "1")
        .args([
            "build",
            "-buildmode=c-archive",
            "-trimpath",
            "-buildvcs=false",
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
    // Visible to dependents as DEP_TSSHIM_LIB_DIR (the `links` key).
    println!("cargo:lib_dir={}", out.display());
    Ok(())
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
