//! Who holds the connection slots. Each client may hold at most its share
//! of them ([`crate::config::Limits::client_share`]); a client at its share
//! that connects again gives up its own connection longest without progress
//! (never one with a request in flight), or is refused if all of its
//! connections are busy. When every slot is taken, a newcomer gets the slot
//! of a connection that has sent nothing yet, else of one idle between
//! requests (the client holding the most connections first, then the
//! longest in that state), else it waits for a slot.
//!
//! A client is its address as the connection shows it: in tailnet mode the
//! public client's own (Funnel hands it over), with `--listen` the peer's.
//! Connections from a trusted proxy carry every client behind it, and which
//! one is known only from a header not yet read, so a trusted proxy has no
//! share (the proxy is where to limit its clients); it still loses silent
//! and idle connections under pressure like everyone.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::activity::{Activity, Standing};
use crate::config;

/// Whose connections count together: an IPv4 address, or an IPv6 /64 (what
/// one subscriber usually gets). `None` in [`Table`] stands for trusted proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    pub fn of(ip: IpAddr) -> ClientKey {
        match config::canonical(ip) {
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                ClientKey(IpAddr::V6(Ipv6Addr::from(prefix)))
            }
            v4 => ClientKey(v4),
        }
    }
}

/// What becomes of a newcomer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Within its share.
    Admitted,
    /// At its share: one of its own connections was dropped for it.
    Replaced,
    /// At its share and every one of its connections busy: refused.
    Refused,
}

struct Entry {
    key: Option<ClientKey>,
    activity: Arc<Activity>,
    /// Dropping it (with the entry) tells the connection's task to end.
    _evict: oneshot::Sender<()>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    conns: HashMap<u64, Entry>,
    counts: HashMap<Option<ClientKey>, usize>,
    /// Refusals and drops since the last warning.
    refused: u64,
    dropped: u64,
    warned: Option<Instant>,
}

impl Inner {
    fn remove(&mut self, id: u64) {
        let Some(e) = self.conns.remove(&id) else {
            return;
        };
        if let Some(n) = self.counts.get_mut(&e.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.counts.remove(&e.key);
            }
        }
    }

    fn count(&self, key: Option<ClientKey>) -> usize {
        self.counts.get(&key).copied().unwrap_or(0)
    }

    /// Warns about refusals and drops, at most once a minute.
    fn note(&mut self, refused: bool) {
        if refused {
            self.refused += 1;
        } else {
            self.dropped += 1;
        }
        let now = Instant::now();
        if self
            .warned
            .is_some_and(|t| now.duration_since(t) < Duration::from_secs(60))
        {
            return;
        }
        tracing::warn!(
            refused = self.refused,
            dropped = self.dropped,
            "connection slots under pressure: connections refused (a client over its share) or dropped to make room"
        );
        (self.refused, self.dropped, self.warned) = (0, 0, Some(now));
    }
}

/// The connections being served, by client.
pub struct Table {
    inner: Mutex<Inner>,
    share: usize,
}

/// A connection's place in the [`Table`]; dropping it gives the place up.
pub struct Ticket {
    table: Arc<Table>,
    id: u64,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.table.lock().remove(self.id);
    }
}

impl Table {
    pub fn new(share: usize) -> Arc<Table> {
        Arc::new(Table {
            inner: Mutex::default(),
            share: share.max(1),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decides on a newcomer from `key` (`None`: a trusted proxy, no share).
    pub fn admit(&self, key: Option<ClientKey>) -> Admission {
        let Some(k) = key else {
            return Admission::Admitted;
        };
        let mut g = self.lock();
        if g.count(key) < self.share {
            return Admission::Admitted;
        }
        // Its own connection longest without progress (silent since accept,
        // idle since its last response, a header begun longest ago), never
        // one with a request in flight, and one not yet polled (its request
        // may be waiting unread) only as a last resort. Not silent ones
        // first: the client's newest connection may be silent only because
        // its request is still on the way, and it is the one to keep.
        let victim = g
            .conns
            .iter()
            .filter(|(_, e)| e.key == Some(k))
            .filter_map(|(id, e)| {
                let (standing, since) = e.activity.standing();
                (standing != Standing::Busy).then_some((
                    standing == Standing::Unstarted,
                    since,
                    *id,
                ))
            })
            .min();
        let admission = match victim {
            Some((_, _, id)) => {
                g.remove(id);
                Admission::Replaced
            }
            None => Admission::Refused,
        };
        g.note(admission == Admission::Refused);
        admission
    }

    /// Every slot is taken: drops a connection that has sent nothing yet,
    /// else one idle between requests (of the client holding the most
    /// connections, the longest in that state). False if there is none.
    pub fn make_room(&self) -> bool {
        let mut g = self.lock();
        let victim = g
            .conns
            .iter()
            .filter_map(|(id, e)| {
                let (standing, since) = e.activity.standing();
                matches!(standing, Standing::Silent | Standing::Idle)
                    .then(|| (standing, Reverse(g.count(e.key)), since, *id))
            })
            .min();
        let Some((_, _, _, id)) = victim else {
            return false;
        };
        g.remove(id);
        g.note(false);
        true
    }

    /// Enters a connection; the receiver completes when it is to be dropped.
    pub fn insert(
        self: &Arc<Self>,
        key: Option<ClientKey>,
        activity: Arc<Activity>,
    ) -> (Ticket, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        let mut g = self.lock();
        let id = g.next;
        g.next += 1;
        g.conns.insert(
            id,
            Entry {
                key,
                activity,
                _evict: tx,
            },
        );
        *g.counts.entry(key).or_default() += 1;
        (
            Ticket {
                table: Arc::clone(self),
                id,
            },
            rx,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_slash_64_and_mapped_ipv4_as_ipv4() {
        let a = ClientKey::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientKey::of("2001:db8:1:2:bbbb::9".parse().unwrap());
        let c = ClientKey::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientKey::of("::ffff:192.0.2.7".parse().unwrap()),
            ClientKey::of("192.0.2.7".parse().unwrap())
        );
    }

    #[tokio::test]
    async fn a_client_at_its_share_replaces_its_own_least_useful_connection() {
        let t = Table::new(2);
        let k = Some(ClientKey::of("192.0.2.1".parse().unwrap()));
        let busy = Activity::new();
        let _req = busy.begin_request();
        let (_t1, mut rx1) = t.insert(k, busy);
        let (_t2, mut rx2) = t.insert(k, Activity::new());
        assert_eq!(t.admit(k), Admission::Replaced);
        use oneshot::error::TryRecvError;
        assert_eq!(
            rx2.try_recv(),
            Err(TryRecvError::Closed),
            "the idle one goes"
        );
        assert_eq!(
            rx1.try_recv(),
            Err(TryRecvError::Empty),
            "the busy one stays"
        );
        // Only the busy one left: within the share again.
        assert_eq!(t.admit(k), Admission::Admitted);
        let busy2 = Activity::new();
        let _req2 = busy2.begin_request();
        let (_t3, _rx3) = t.insert(k, busy2);
        assert_eq!(t.admit(k), Admission::Refused);
        // Another client, and trusted proxies, are not affected.
        assert_eq!(
            t.admit(Some(ClientKey::of("192.0.2.2".parse().unwrap()))),
            Admission::Admitted
        );
        assert_eq!(t.admit(None), Admission::Admitted);
    }
}
