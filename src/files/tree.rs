//! Handing a directory tree to another user (root's part of the add-on's
//! start: the data directory to uid 65532) without ever changing anything
//! outside it.
//!
//! The walk never follows a link: each directory is read through its open
//! descriptor (`/proc/self/fd/N/`, which names the directory that
//! descriptor holds, so no path is looked up again), each entry is looked
//! at with `lstat` on that same path, opened with `O_NOFOLLOW | O_NONBLOCK`,
//! checked with `fstat` to be the entry looked at, and changed with
//! `fchown` on that descriptor. What is changed (an accept-list):
//!
//! - directories and regular files on the tree's file system, whose owner
//!   is not already the new one;
//! - a regular file only if it has one link: a hard link is the same file
//!   as its twin, possibly outside the tree, and nothing tells which name
//!   is the "real" one, so a file with more links keeps its owner, and the
//!   caller is told in one line.
//!
//! Symbolic links are neither followed nor changed (their owner means
//! nothing to the new user, who may replace them); other kinds (FIFOs,
//! sockets, devices), files on another file system and names that change
//! during the walk are left as they are, each with one line.

use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::os::fd::AsRawFd as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use super::{FileError, Kind, open_no_follow};

/// Nesting beyond this is refused (the data directory is a few levels deep).
const MAX_DEPTH: usize = 16;

/// The path that names what an open directory descriptor holds.
fn fd_path(dir: &File) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()))
}

/// Gives `dir` (an open directory, shown as `shown` in messages) and
/// everything in it to `uid`:`gid`, except the top-level names in `except`.
/// Returns one line for each thing left as it was.
pub fn give_tree(
    dir: &File,
    shown: &Path,
    (uid, gid): (u32, u32),
    except: &[&OsStr],
) -> Result<Vec<String>, FileError> {
    let top = dir.metadata().map_err(|e| FileError::new(shown, e))?;
    let mut walk = Walk {
        owner: (uid, gid),
        dev: top.dev(),
        notes: Vec::new(),
    };
    walk.dir(dir, shown, except, 0)?;
    walk.chown(dir, &top, shown)?;
    Ok(walk.notes)
}

struct Walk {
    owner: (u32, u32),
    /// The tree's file system.
    dev: u64,
    notes: Vec<String>,
}

impl Walk {
    fn dir(
        &mut self,
        dir: &File,
        shown: &Path,
        except: &[&OsStr],
        depth: usize,
    ) -> Result<(), FileError> {
        if depth > MAX_DEPTH {
            return Err(FileError::new(
                shown,
                std::io::Error::other(format!("nested more than {MAX_DEPTH} levels deep")),
            ));
        }
        let base = fd_path(dir);
        let entries = std::fs::read_dir(&base).map_err(|e| FileError::new(shown, e))?;
        for entry in entries {
            let name = entry.map_err(|e| FileError::new(shown, e))?.file_name();
            if except.contains(&name.as_os_str()) {
                continue;
            }
            self.entry(&base.join(&name), &shown.join(&name), depth)?;
        }
        Ok(())
    }

    fn entry(&mut self, path: &Path, shown: &Path, depth: usize) -> Result<(), FileError> {
        let err = |e| FileError::new(shown, e);
        let seen = std::fs::symlink_metadata(path).map_err(err)?;
        let kind = seen.file_type();
        let kind = if kind.is_dir() {
            Kind::Dir
        } else if kind.is_file() {
            Kind::File
        } else {
            if !kind.is_symlink() && self.differs(&seen) {
                self.note(shown, "neither a file nor a directory");
            }
            return Ok(());
        };
        if seen.dev() != self.dev {
            if self.differs(&seen) {
                self.note(shown, "on another file system");
            }
            return Ok(());
        }
        if self.shared(&seen, shown) {
            return Ok(());
        }
        let f = match open_no_follow(path, kind) {
            Ok(f) => f,
            Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
                self.note(shown, "changed while the directory was walked");
                return Ok(());
            }
            Err(e) => return Err(err(e)),
        };
        let now = f.metadata().map_err(err)?;
        if (now.dev(), now.ino()) != (seen.dev(), seen.ino()) || now.file_type() != seen.file_type()
        {
            self.note(shown, "changed while the directory was walked");
            return Ok(());
        }
        if self.shared(&now, shown) {
            return Ok(());
        }
        if kind == Kind::Dir {
            self.dir(&f, shown, &[], depth + 1)?;
        }
        self.chown(&f, &now, shown)
    }

    /// A regular file with more than one link, not the new owner's yet:
    /// left as it is (said once).
    fn shared(&mut self, md: &Metadata, shown: &Path) -> bool {
        let shared = md.is_file() && md.nlink() > 1 && self.differs(md);
        if shared {
            self.note(
                shown,
                &format!(
                    "a hard link ({} names for one file, maybe outside the data directory)",
                    md.nlink()
                ),
            );
        }
        shared
    }

    fn differs(&self, md: &Metadata) -> bool {
        (md.uid(), md.gid()) != self.owner
    }

    fn chown(&self, f: &File, md: &Metadata, shown: &Path) -> Result<(), FileError> {
        if !self.differs(md) {
            return Ok(());
        }
        std::os::unix::fs::fchown(f, Some(self.owner.0), Some(self.owner.1))
            .map_err(|e| FileError::new(shown, e))
    }

    fn note(&mut self, shown: &Path, why: &str) {
        self.notes.push(format!(
            "{}: {why}; left as it is (owner unchanged)",
            shown.display()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(p: &Path) {
        std::fs::File::create(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }

    fn owner(p: &Path) -> (u32, u32) {
        let md = std::fs::symlink_metadata(p).unwrap();
        (md.uid(), md.gid())
    }

    #[test]
    fn links_fifos_and_sockets_are_left_and_the_rest_given() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        put(&dir.join("a"));
        put(&dir.join("sub").join("b"));
        put(&dir.join("h1"));
        std::fs::hard_link(dir.join("h1"), dir.join("sub").join("h2")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .unwrap();
        assert!(made.success());
        let _sock = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("sub").join("out")).unwrap();
        put(&dir.join("skipped"));
        let open = |p: &Path| super::super::open_data_dir(p).unwrap();
        // Already the owner's: nothing to change, nothing to say.
        let mine = owner(&dir);
        let notes = give_tree(&open(&dir), &dir, mine, &[]).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        if mine.0 != 0 {
            eprintln!("not root: giving to another user is not exercised");
            return;
        }
        let to = (65532, 65532);
        let except = [OsStr::new("skipped")];
        let notes = give_tree(&open(&dir), &dir, to, &except).unwrap();
        for p in ["", "a", "sub", "sub/b"] {
            assert_eq!(owner(&dir.join(p)), to, "{p}");
        }
        for p in ["h1", "sub/h2", "fifo", "sock", "skipped"] {
            assert_eq!(owner(&dir.join(p)), (0, 0), "{p} left as it was");
        }
        assert_eq!(
            owner(&dir.join("sub").join("out")),
            (0, 0),
            "the link itself"
        );
        assert_eq!(owner(&outside), (0, 0), "what it points to");
        let said = |name: &str| notes.iter().filter(|n| n.contains(name)).count();
        for name in ["/h1:", "/h2:", "/fifo:", "/sock:"] {
            assert_eq!(said(name), 1, "{name}: {notes:?}");
        }
        assert_eq!(notes.len(), 4, "{notes:?}");
    }
}
