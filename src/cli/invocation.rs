//! The follow-up commands the CLI prints (`client set … --require-pkce on`,
//! `client rotate-secret`, `skill id add`, `skill model`, ...), written so
//! that pasting them works: this program as it was run, and always the data
//! directory in effect as `--data-dir` (absolute, quoted for the shell).
//! Without it, a line printed on the systemd route (`sudo -u ma-alexa-oauth
//! ma-alexa-oauth --data-dir /var/lib/ma-alexa-oauth …`) would act on
//! another database.
//!
//! In a container the commands run inside it: where the container's name
//! can be known (podman writes it to `/run/.containerenv` for privileged
//! containers only) the line starts with `podman exec NAME`; otherwise a
//! note says to put `podman exec`/`docker exec` and the container's name
//! in front.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// How this program was started: what to print in front of a subcommand.
#[derive(Debug, Clone)]
pub(super) struct Invocation {
    /// The data directory in effect (absolute where it could be made so).
    dir: PathBuf,
    /// The program, as a shell word.
    program: String,
    container: Container,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Container {
    None,
    /// Known engine and name: `ENGINE exec NAME` goes in front.
    Named {
        engine: String,
        name: String,
    },
    /// In a container whose name cannot be known from inside.
    Unnamed,
}

impl Invocation {
    /// For the data directory `dir`, as this process was started.
    pub(super) fn new(dir: &Path) -> Invocation {
        let argv0 = std::env::args_os().next().unwrap_or_default();
        Invocation {
            dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned()),
            program: program_word(&argv0),
            container: detect_container(),
        }
    }

    /// The data directory in effect.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The command line for `args` (shell words already written by the
    /// caller, e.g. `skill id add amzn1.ask.skill.<id>`).
    pub(super) fn cmd(&self, args: &str) -> String {
        let prefix = match &self.container {
            Container::Named { engine, name } => {
                format!("{engine} exec {} ", shell_quote(name))
            }
            _ => String::new(),
        };
        format!(
            "{prefix}{} --data-dir {} {args}",
            self.program,
            shell_quote(&self.dir.to_string_lossy())
        )
    }

    /// `cmd` in backquotes, as the CLI's sentences show commands.
    pub(super) fn quoted(&self, args: &str) -> String {
        format!("`{}`", self.cmd(args))
    }

    /// A line to print after commands when they cannot be pasted as they
    /// are: inside a container whose name is unknown.
    pub(super) fn container_note(&self) -> Option<&'static str> {
        (self.container == Container::Unnamed).then_some(
            "(These commands run inside the container: from the host, put `podman exec CONTAINER` \
             or `docker exec CONTAINER` in front, with your container's name.)",
        )
    }
}

/// The program as a shell word: its bare name when that is what `PATH`
/// finds (or how it was typed), else its absolute path.
fn program_word(argv0: &OsStr) -> String {
    let given = Path::new(argv0);
    let name = given
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ma-alexa-oauth".to_owned());
    if !argv0.to_string_lossy().contains('/') {
        return shell_quote(&name);
    }
    let exe = std::fs::canonicalize(given).ok();
    let on_path = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(&name))
            .find(|c| c.is_file())
            .and_then(|c| std::fs::canonicalize(c).ok())
    });
    match (exe, on_path) {
        (Some(e), Some(p)) if e == p => shell_quote(&name),
        (Some(e), _) => shell_quote(&e.to_string_lossy()),
        (None, _) => shell_quote(
            &std::path::absolute(given)
                .unwrap_or_else(|_| given.to_owned())
                .to_string_lossy(),
        ),
    }
}

fn detect_container() -> Container {
    if let Ok(text) = std::fs::read_to_string("/run/.containerenv") {
        return containerenv(&text);
    }
    if Path::new("/.dockerenv").exists() {
        return Container::Unnamed;
    }
    Container::None
}

/// podman's `/run/.containerenv`: `engine="podman-5.4.2"`, `name="..."`
/// (both only for privileged containers; the file is empty otherwise).
fn containerenv(text: &str) -> Container {
    let field = |key: &str| {
        text.lines().find_map(|l| {
            l.strip_prefix(key)
                .and_then(|r| r.strip_prefix("=\""))
                .and_then(|r| r.strip_suffix('"'))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
    };
    match (field("engine"), field("name")) {
        (Some(e), Some(name)) => {
            let engine = e.split('-').next().unwrap_or("podman").to_owned();
            let engine = if engine.is_empty() {
                "podman".to_owned()
            } else {
                engine
            };
            Container::Named { engine, name }
        }
        _ => Container::Unnamed,
    }
}

/// `s` as one POSIX shell word: as it is when it holds only characters no
/// shell treats specially, else in single quotes (`'` as `'\''`).
pub(super) fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'/' | b'.' | b'-' | b'_' | b'+' | b':' | b',' | b'@' | b'%' | b'='
                )
        });
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(
            shell_quote("/var/lib/ma-alexa-oauth"),
            "/var/lib/ma-alexa-oauth"
        );
        assert_eq!(shell_quote("/tmp/my data"), "'/tmp/my data'");
        assert_eq!(shell_quote("/tmp/it's"), "'/tmp/it'\\''s'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn commands_carry_the_data_dir_and_a_known_container_name() {
        let mut inv = Invocation {
            dir: PathBuf::from("/var/lib/ma alexa"),
            program: "ma-alexa-oauth".into(),
            container: Container::None,
        };
        assert_eq!(
            inv.cmd("skill id add X"),
            "ma-alexa-oauth --data-dir '/var/lib/ma alexa' skill id add X"
        );
        assert_eq!(inv.container_note(), None);
        inv.container =
            containerenv("engine=\"podman-5.4.2\"\nname=\"ma-alexa-oauth\"\nid=\"abc\"\n");
        assert_eq!(
            inv.cmd("status"),
            "podman exec ma-alexa-oauth ma-alexa-oauth --data-dir '/var/lib/ma alexa' status"
        );
        // An unprivileged podman container's file is empty: no name, a note.
        inv.container = containerenv("");
        assert_eq!(inv.container, Container::Unnamed);
        assert!(inv.cmd("status").starts_with("ma-alexa-oauth --data-dir"));
        assert!(inv.container_note().unwrap().contains("podman exec"));
    }
}
