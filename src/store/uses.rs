//! The in-memory recorder of link use ([`Store::record_use`]) and the one
//! transaction that writes it ([`record_link_uses`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior, params};

use super::conn::{Classify, Result, Store};

/// How long a recorded link use waits in memory before it is written.
pub const USES_FLUSH_INTERVAL: Duration = Duration::from_secs(5);

/// Links recorded in memory at most: when the map is this full it is written
/// at once; uses that cannot be written are dropped beyond it.
pub const USES_CAP: usize = 10_000;

impl Store {
    /// Records that link `id` was used at `now`, in memory: the write
    /// ([`record_link_uses`], one transaction for every link waiting) happens
    /// within [`USES_FLUSH_INTERVAL`], off the request path. `last_used_at` is
    /// bookkeeping: a crash loses at most the uses of the last interval.
    pub fn record_use(&self, id: &str, now: i64) {
        let (first, full) = {
            let mut uses = self.inner.uses.lock().unwrap_or_else(|p| p.into_inner());
            let first = uses.is_empty();
            let t = uses.entry(id.to_owned()).or_insert(now);
            *t = (*t).max(now);
            let full = uses.len() >= USES_CAP;
            (first, full.then(|| std::mem::take(&mut *uses)))
        };
        if let Some(batch) = full {
            self.spawn_flush(Some(batch), Duration::ZERO);
        } else if first {
            self.spawn_flush(None, USES_FLUSH_INTERVAL);
        }
    }

    /// Links whose use is recorded but not yet written (tests, `/health`).
    pub fn pending_uses(&self) -> usize {
        self.inner
            .uses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Writes every recorded link use now, in one transaction (graceful
    /// shutdown, tests). Returns how many links were waiting. On failure the
    /// uses are kept for the next attempt (up to [`USES_CAP`]).
    pub async fn flush_uses(&self) -> Result<usize> {
        let batch = std::mem::take(&mut *self.inner.uses.lock().unwrap_or_else(|p| p.into_inner()));
        self.write_uses(batch).await
    }

    async fn write_uses(&self, batch: HashMap<String, i64>) -> Result<usize> {
        if batch.is_empty() {
            return Ok(0);
        }
        let n = batch.len();
        let failed = self
            .call(move |c| match record_link_uses(c, &batch) {
                Ok(_) => Ok(None),
                Err(e) => Ok(Some((batch, e))),
            })
            .await?;
        match failed {
            None => Ok(n),
            Some((batch, e)) => {
                self.restore_uses(batch);
                Err(e)
            }
        }
    }

    /// Puts back uses whose write failed (never beyond [`USES_CAP`]) and
    /// schedules the next attempt.
    fn restore_uses(&self, batch: HashMap<String, i64>) {
        let first = {
            let mut uses = self.inner.uses.lock().unwrap_or_else(|p| p.into_inner());
            let first = uses.is_empty();
            for (id, t) in batch {
                if uses.len() >= USES_CAP && !uses.contains_key(&id) {
                    continue;
                }
                let e = uses.entry(id).or_insert(t);
                *e = (*e).max(t);
            }
            first && !uses.is_empty()
        };
        if first {
            self.spawn_flush(None, USES_FLUSH_INTERVAL);
        }
    }

    /// Writes `batch` (or, if None, whatever is recorded then) after `delay`,
    /// in a task of the current runtime. The task holds only a weak handle,
    /// so a dropped store is not kept open by it.
    fn spawn_flush(&self, batch: Option<HashMap<String, i64>>, delay: Duration) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            // No runtime (CLI): keep them; flush_uses writes them.
            if let Some(b) = batch {
                self.restore_uses(b);
            }
            return;
        };
        let weak = Arc::downgrade(&self.inner);
        rt.spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let Some(inner) = weak.upgrade() else { return };
            let store = Store { inner };
            let batch = match batch {
                Some(b) => b,
                None => {
                    std::mem::take(&mut *store.inner.uses.lock().unwrap_or_else(|p| p.into_inner()))
                }
            };
            if let Err(e) = store.write_uses(batch).await {
                // Bookkeeping only: a busy or read-only database must not fail anything.
                tracing::debug!(error = %e, "could not record link use");
            }
        });
    }
}

/// Records the latest use of many links in one transaction (see
/// [`Store::record_use`]). A link's `last_used_at` moves only forward, and at
/// most once a minute. Returns the number of links updated.
pub fn record_link_uses(conn: &mut Connection, uses: &HashMap<String, i64>) -> Result<usize> {
    // One transaction (one commit, one fsync) for the whole batch: every use is
    // written, or none is and the recorder keeps them.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let mut n = 0;
    {
        let mut stmt = tx
            .prepare_cached(
                "UPDATE links SET last_used_at = ?2 WHERE id = ?1 AND last_used_at < ?2 - 60",
            )
            .db()?;
        for (id, t) in uses {
            n += stmt.execute(params![id, t]).db()?;
        }
    }
    tx.commit().db()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::get_link;
    use crate::store::test_support::store_with_link;

    fn last_used(st: &Store) -> i64 {
        st.with(|c| Ok(get_link(c, "l1")?.unwrap().last_used_at))
            .unwrap()
    }

    #[tokio::test]
    async fn recorded_uses_are_written_on_flush_forward_only_and_once_a_minute() {
        let dir = tempfile::tempdir().unwrap();
        let st = store_with_link(dir.path(), 1000);
        st.record_use("l1", 2000);
        st.record_use("l1", 1500);
        st.record_use("unknown", 2000);
        assert_eq!(st.pending_uses(), 2);
        assert_eq!(last_used(&st), 1000, "nothing written on the request path");
        assert_eq!(st.flush_uses().await.unwrap(), 2);
        assert_eq!(st.pending_uses(), 0);
        assert_eq!(
            last_used(&st),
            2000,
            "the latest use, not the last recorded"
        );
        st.record_use("l1", 2030);
        st.flush_uses().await.unwrap();
        assert_eq!(last_used(&st), 2000, "at most once a minute");
        st.record_use("l1", 1);
        st.flush_uses().await.unwrap();
        assert_eq!(last_used(&st), 2000, "never backwards");
    }

    #[tokio::test(start_paused = true)]
    async fn recorded_uses_are_written_within_the_interval() {
        let dir = tempfile::tempdir().unwrap();
        let st = store_with_link(dir.path(), 1000);
        st.record_use("l1", 5000);
        tokio::time::sleep(USES_FLUSH_INTERVAL + Duration::from_secs(1)).await;
        for _ in 0..200 {
            if st.pending_uses() == 0 && last_used(&st) == 5000 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("not flushed: last_used_at = {}", last_used(&st));
    }

    #[tokio::test]
    async fn a_full_recorder_is_written_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let st = store_with_link(dir.path(), 1000);
        st.record_use("l1", 9000);
        for i in 1..USES_CAP {
            st.record_use(&format!("x{i}"), 9000);
        }
        for _ in 0..200 {
            if last_used(&st) == 9000 {
                assert!(st.pending_uses() < USES_CAP);
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("a full recorder was not written");
    }
}
