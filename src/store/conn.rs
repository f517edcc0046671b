//! The database handle: opening connections (pragmas, migrations), the one
//! read-write connection ([`Store::call`], [`Store::with`]), each thread's
//! read-only connection ([`Store::read`]), transactions for bulk work
//! ([`in_transaction`]) and [`StoreError`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::schema;

/// How long a statement waits for a lock held by another connection (the CLI,
/// say) before giving up with [`StoreError::Busy`]. Well below Alexa's 4.5 s.
const BUSY_TIMEOUT: Duration = Duration::from_millis(1500);

/// Store failures. [`StoreError::is_temporary`] tells the HTTP layer whether
/// to answer 503 `temporarily_unavailable` (never `invalid_grant`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy (locked by another process)")]
    Busy,
    #[error("the database is read-only or its disk is full: {0}")]
    Unwritable(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database schema version {found} is newer than this program supports ({supported})"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("the storage worker failed: {0}")]
    Worker(String),
}

impl StoreError {
    /// True for failures that may go away on retry (lock contention, disk
    /// full, I/O). The token endpoint maps these to 503.
    pub fn is_temporary(&self) -> bool {
        !matches!(self, StoreError::Corrupt(_) | StoreError::TooNew { .. })
    }

    fn classify(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode::*;
        if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
            match f.code {
                DatabaseBusy | DatabaseLocked => return StoreError::Busy,
                ReadOnly | DiskFull | CannotOpen | SystemIoFailure => {
                    return StoreError::Unwritable(msg.clone().unwrap_or_else(|| f.to_string()));
                }
                _ => {}
            }
        }
        StoreError::Sqlite(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(super) trait Classify<T> {
    fn db(self) -> Result<T>;
}
impl<T> Classify<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(StoreError::classify)
    }
}

/// Slots for [`Store::read`]'s read-only connections: at most this many are
/// open.
const READER_SLOTS: usize = 8;

/// One read-only connection's slot, alone on its cache lines: a thread
/// starts at its own home slot, so its connection (page cache, prepared
/// statement, lookaside memory) and the slot's lock stay in the caches of
/// the core it runs on, where a shared pool moved connections between cores.
#[repr(align(128))]
#[derive(Default)]
struct ReaderSlot(Mutex<Option<Connection>>);

/// The next thread's home slot.
static NEXT_HOME: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's home slot, given the first time it reads.
    static HOME_SLOT: usize = NEXT_HOME.fetch_add(1, Ordering::Relaxed) % READER_SLOTS;
}

/// After a read-only connection could not be opened, how long [`Store::read`]
/// goes straight to the blocking path before trying to open one again.
const READER_RETRY_SECS: i64 = 5;

/// A handle to the database shared by the server's tasks.
///
/// - One read-write connection (behind a mutex), used on tokio's blocking
///   pool by [`Store::call`]: every write and every read that may wait.
/// - Up to [`READER_SLOTS`] read-only connections (`query_only`, busy
///   timeout 0), used inline on the calling thread by [`Store::read`]: WAL
///   readers never wait for the writer, and anything that would wait
///   (SQLITE_BUSY) or fail goes to the blocking path instead. Each thread
///   starts at its own home slot, so each runtime worker keeps using one
///   connection of its own; they close with the store.
/// - An in-memory recorder of link use ([`Store::record_use`]), written in one
///   transaction every [`USES_FLUSH_INTERVAL`](super::USES_FLUSH_INTERVAL),
///   when [`USES_CAP`](super::USES_CAP) links are waiting, and by
///   [`Store::flush_uses`] at shutdown (see `uses.rs`).
#[derive(Clone)]
pub struct Store {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// Read-only connections for [`Store::read`], by home slot.
    readers: [ReaderSlot; READER_SLOTS],
    /// When opening a read-only connection last failed (unix seconds; 0: never).
    reader_failed_at: AtomicI64,
    /// Link id → latest use not yet written (see `uses.rs`).
    pub(super) uses: Mutex<HashMap<String, i64>>,
    /// Run on each read-only connection when it is opened (see [`Store::on_reader_open`]).
    reader_init: std::sync::OnceLock<fn(&Connection)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = open_connection(path)?;
        Ok(Store {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path: path.to_owned(),
                readers: Default::default(),
                reader_failed_at: AtomicI64::new(0),
                uses: Mutex::new(HashMap::new()),
                reader_init: std::sync::OnceLock::new(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut guard = inner.conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    /// Runs the read-only `f` on the calling thread with a read-only
    /// connection (no hand-off to the blocking pool). `f` must be one short
    /// indexed read: it runs on a runtime worker. If no read-only connection
    /// can be had, or `f` fails in any way (SQLITE_BUSY included: the busy
    /// timeout of these connections is 0, so they never wait), `f` runs again
    /// through [`Store::call`], whose answer (or error) is the result.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T> + Send + 'static,
    {
        match self.read_inline(&f) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(e)) => {
                tracing::debug!(error = %e, "inline read failed; retrying on the blocking pool")
            }
            None => {}
        }
        self.call(move |c| f(c)).await
    }

    fn read_inline<T>(&self, f: &impl Fn(&Connection) -> Result<T>) -> Option<Result<T>> {
        let home = HOME_SLOT.try_with(|h| *h).unwrap_or(0);
        // The home slot first; if another thread holds it, the next free one.
        for slot in self
            .inner
            .readers
            .iter()
            .cycle()
            .skip(home)
            .take(READER_SLOTS)
        {
            let mut held = match slot.0.try_lock() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => continue,
            };
            if held.is_none() {
                *held = Some(self.open_inline_reader()?);
            }
            let conn = held.as_ref()?;
            // A panic in `f` must not unwind through the HTTP task; the
            // connection is then dropped and the blocking path answers.
            return match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn))) {
                Ok(out) => Some(out),
                Err(_) => {
                    *held = None;
                    None
                }
            };
        }
        None
    }

    /// Opens a read-only connection, unless one could not be opened in the
    /// last [`READER_RETRY_SECS`].
    fn open_inline_reader(&self) -> Option<Connection> {
        let now = crate::util::now();
        let failed = self.inner.reader_failed_at.load(Ordering::Relaxed);
        if failed != 0 && now - failed < READER_RETRY_SECS {
            return None;
        }
        match open_reader(&self.inner.path) {
            Ok(c) => {
                if let Some(init) = self.inner.reader_init.get() {
                    init(&c);
                }
                Some(c)
            }
            Err(e) => {
                tracing::debug!(error = %e, "could not open a read-only connection");
                self.inner.reader_failed_at.store(now, Ordering::Relaxed);
                None
            }
        }
    }

    /// How many read-only connections are open (slots held by another
    /// thread at this moment are not counted).
    #[cfg(test)]
    fn open_readers(&self) -> usize {
        self.inner
            .readers
            .iter()
            .filter(|s| s.0.try_lock().is_ok_and(|c| c.is_some()))
            .count()
    }

    /// Sets a function run on every read-only connection [`Store::read`]
    /// opens from now on (once per store): e.g. the statement trace hook of
    /// `examples/bench_prep.rs`, which must see the inline reads too.
    pub fn on_reader_open(&self, init: fn(&Connection)) {
        let _ = self.inner.reader_init.set(init);
    }

    /// Runs `f` with the connection on the current thread (CLI use).
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut guard = self.inner.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// Opens a read-only connection for [`Store::read`]: `query_only`, busy
/// timeout 0 (never waits on a runtime worker), no schema work (the
/// read-write connection migrated the file before any of these exists).
fn open_reader(path: &Path) -> Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .db()?;
    conn.busy_timeout(Duration::ZERO).db()?;
    conn.execute_batch("PRAGMA query_only = ON;").db()?;
    Ok(conn)
}

/// Opens a connection with the pragmas every connection needs and brings the
/// schema up to date.
pub fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).db()?;
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    // WAL lets the CLI read while the server writes; FULL makes each commit durable.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .db()?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unwritable(format!(
            "could not enable WAL mode (got {mode})"
        )));
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .db()?;
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<()> {
    let supported = schema::MIGRATIONS.len() as i64;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .db()?;
    if version > supported {
        return Err(StoreError::TooNew {
            found: version,
            supported,
        });
    }
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        let next = i as i64 + 1;
        // One transaction per migration: its schema change and the new
        // user_version are committed together.
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {next}; COMMIT;"
        ))
        .map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            StoreError::classify(e)
        })?;
    }
    Ok(())
}

/// Runs `f` in one `BEGIN IMMEDIATE` transaction: committed if `f` succeeds,
/// rolled back otherwise. For bulk work with the functions of this module
/// (one commit, so one fsync, for many rows), e.g. preparing a benchmark's
/// codes and users (`examples/bench_prep.rs`).
pub fn in_transaction<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    // One transaction: everything `f` writes is committed together, or nothing.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let out = f(&tx)?;
    tx.commit().db()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store_with_link;
    use crate::store::{get_link, revoke_link};

    #[tokio::test]
    async fn inline_reads_see_every_commit_and_do_not_wait_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let st = store_with_link(dir.path(), 1000);
        let active = |st: &Store| {
            let st = st.clone();
            async move {
                st.read(|c| Ok(get_link(c, "l1")?.map(|l| l.revoked_at.is_none())))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(active(&st).await, Some(true));
        assert_eq!(
            st.open_readers(),
            1,
            "the read ran inline and its connection stayed in its slot"
        );
        assert_eq!(active(&st).await, Some(true));
        assert_eq!(st.open_readers(), 1, "and this thread used it again");
        st.with(|c| revoke_link(c, "l1", 5)).unwrap();
        assert_eq!(active(&st).await, Some(false), "reads see the last commit");
        // Another process holds the write lock: WAL readers still read, at once.
        let other = Connection::open(st.path()).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let t = std::time::Instant::now();
        assert_eq!(active(&st).await, Some(false));
        assert!(t.elapsed() < Duration::from_millis(500));
        other.execute_batch("COMMIT").unwrap();
        // Read-only connections refuse writes (query_only); errors reach the caller
        // through the blocking path.
        let r = st
            .read(|c| c.execute("DELETE FROM links", []).db())
            .await
            .unwrap();
        assert_eq!(r, 1, "a write through read() falls back to the writer");
        let err = st
            .read(|c| c.query_row("SELECT * FROM nowhere", [], |_| Ok(())).db())
            .await;
        assert!(err.is_err());
    }

    /// File descriptors of this process open on `path`.
    fn fds_on(path: &Path) -> usize {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|target| target == path)
            .count()
    }

    /// What an unmount, a repair or a restart in the same process needs
    /// (tests/crash_safety.rs does all three): no connection outlives its
    /// store, on this thread or any other that read through it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_store_s_read_only_connections_close_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let st = store_with_link(dir.path(), 1000);
        let db = std::fs::canonicalize(st.path()).unwrap();
        let reads: Vec<_> = (0..16)
            .map(|_| {
                let st = st.clone();
                tokio::spawn(async move { st.read(|c| get_link(c, "l1")).await })
            })
            .collect();
        for r in reads {
            assert!(r.await.unwrap().unwrap().is_some());
        }
        assert!(st.open_readers() >= 1);
        assert!(fds_on(&db) >= 2, "the writer and at least one reader");
        drop(st);
        assert_eq!(fds_on(&db), 0, "every connection closed with the store");
    }
}
