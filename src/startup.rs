//! What can stop the server from starting, and opening the database in the
//! data directory. Used by `app` (the shared state) and `ma` (its key file).

use std::path::Path;

use crate::files::{FileError, ensure_data_dir};
use crate::keys::KeyError;
use crate::store::{Store, StoreError};

/// The database file in the data directory.
pub const DB_FILE: &str = "ma-alexa-oauth.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    DataDir(#[from] FileError),
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("the issuer {0:?} is not an absolute http(s) URL")]
    Issuer(String),
}

/// Opens the store in `dir` (creating the directory if needed).
pub fn open_store(dir: &Path) -> Result<Store, StartError> {
    ensure_data_dir(dir)?;
    let path = dir.join(DB_FILE);
    // Create the database 0600 so it (and SQLite's -wal/-shm, which copy its
    // mode) stays private even in a directory someone made 0755 beforehand.
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(FileError::new(&path, source).into()),
        }
    }
    Ok(Store::open(&path)?)
}
