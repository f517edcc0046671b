//! Files in the data directory: the directory itself (0700, never through a
//! symbolic link), secret files (0600, written atomically), and handing the
//! directory's tree to another user without following links
//! ([`give_tree`], `files/tree.rs`). The lowest layer: nothing here knows
//! what the files hold.

use std::io::Write as _;
use std::path::Path;

mod tree;
pub use tree::give_tree;

/// A file or directory of the data directory that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the data directory {path}: {source}")]
pub struct FileError {
    pub path: String,
    pub source: std::io::Error,
}

impl FileError {
    pub fn new(path: &Path, source: std::io::Error) -> FileError {
        FileError {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Writes a secret file with mode 0600, atomically (temp file, fsync, rename).
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Some(parent) = path.parent() {
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}

/// Reads a 32-byte secret, creating it (0600) on first use.
pub fn load_or_create_secret(path: &Path) -> Result<[u8; 32], FileError> {
    let err = |source| FileError::new(path, source);
    match std::fs::read(path) {
        Ok(bytes) => bytes.try_into().map_err(|_| {
            err(std::io::Error::other(
                "expected exactly 32 bytes; delete the file to make a new one",
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            crate::util::fill_random(&mut key);
            write_private(path, &key).map_err(err)?;
            Ok(key)
        }
        Err(e) => Err(err(e)),
    }
}

/// Creates the data directory with mode 0700 if it is missing.
pub fn ensure_data_dir(dir: &Path) -> Result<(), FileError> {
    open_data_dir(dir).map(drop)
}

/// Opens the data directory, creating it with mode 0700 if it is missing.
/// The directory itself must not be a symbolic link (it is opened with
/// `O_NOFOLLOW | O_DIRECTORY`: nothing elsewhere is ever made 0700 or
/// handed over through a link); a mode open to others is tightened to 0700
/// on the opened directory itself (`fchmod`).
pub fn open_data_dir(dir: &Path) -> Result<std::fs::File, FileError> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    let err = |source| FileError::new(dir, source);
    // Without a trailing `/` or `/.`, which would make the kernel follow a
    // link in the last component despite O_NOFOLLOW.
    let dir: &Path = &dir.components().collect::<std::path::PathBuf>();
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(err)?,
        Err(e) => return Err(err(e)),
        Ok(_) => {}
    }
    let f = open_no_follow(dir, Kind::Dir).map_err(|e| match e.raw_os_error() {
        // With O_DIRECTORY, Linux says ENOTDIR for a symbolic link too.
        Some(libc::ELOOP | libc::ENOTDIR) => {
            let link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
            err(std::io::Error::other(if link {
                symlink_refusal(dir)
            } else {
                "not a directory".to_owned()
            }))
        }
        _ => err(e),
    })?;
    let meta = f.metadata().map_err(err)?;
    // A directory made earlier by hand (mkdir -p) may be readable by others:
    // it holds password hashes and the signing key, so tighten it.
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(dir = %dir.display(), mode = format!("{:o}", mode & 0o777), "data directory was accessible to other users; setting mode 0700");
        f.set_permissions(std::fs::Permissions::from_mode(0o700))
            .map_err(err)?;
    }
    Ok(f)
}

fn symlink_refusal(dir: &Path) -> String {
    match std::fs::read_link(dir) {
        Ok(to) => format!(
            "it is a symbolic link (to {}); give the directory itself",
            to.display()
        ),
        Err(_) => "it is a symbolic link; give the directory itself".to_owned(),
    }
}

/// What [`open_no_follow`] must find.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
}

/// Opens `path` read-only without following a symbolic link in its last
/// component (`ELOOP` if it is one) and without waiting (`O_NONBLOCK`: a
/// FIFO opens at once instead of waiting for a writer; `O_NOCTTY`). With
/// [`Kind::Dir`], only a directory opens (`O_DIRECTORY`); with
/// [`Kind::File`], the caller checks with `fstat` (`File::metadata`) that it
/// opened a regular file.
pub fn open_no_follow(path: &Path, kind: Kind) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut flags = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY;
    if kind == Kind::Dir {
        flags |= libc::O_DIRECTORY;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
}
