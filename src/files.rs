//! Files in the data directory: the directory itself (0700) and secret files
//! (0600, written atomically). The lowest layer: nothing here knows what the
//! files hold.

use std::io::Write as _;
use std::path::Path;

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
    use std::os::unix::fs::DirBuilderExt as _;
    let err = |source| FileError::new(dir, source);
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(err)?;
    }
    let meta = std::fs::metadata(dir).map_err(err)?;
    if !meta.is_dir() {
        return Err(err(std::io::Error::other("not a directory")));
    }
    // A directory made earlier by hand (mkdir -p) may be readable by others:
    // it holds password hashes and the signing key, so tighten it.
    let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
    if mode & 0o077 != 0 {
        tracing::warn!(dir = %dir.display(), mode = format!("{:o}", mode & 0o777), "data directory was accessible to other users; setting mode 0700");
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(err)?;
    }
    Ok(())
}
