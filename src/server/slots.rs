//! Who holds the connection slots. Each client may hold at most its share
//! of them ([`crate::config::Limits::client_share`]); a client at its share
//! that connects again gives up its own connection longest without progress
//! (never one with a request in flight that keeps up), or is refused if all
//! of its connections are busy. When every slot is taken, a newcomer gets
//! the slot of a connection that has sent nothing for a while, else of one
//! stalled: waited on in the middle of a request and behind the minimum
//! rate by more than the grace (`super::pace`; the furthest behind first),
//! else of one idle between requests (the client holding the most
//! connections first, then the longest idle). Else it waits for a slot
//! (`super::lobby`): a connection keeping up, or one just accepted, is
//! never dropped. Stalled ones go before idle ones: under a flood they are
//! the flood, while an idle keep-alive connection is most likely a browser
//! about to send its next request.
//!
//! Stalls are judged by progress, not by address: a flood spread over many
//! addresses (an IPv6 /64 each costs nothing) is as stalled as one from a
//! single address. Every [`Pace::every`] the table settles each
//! connection's [`Ledger`] and closes those behind by the stall timeout.
//!
//! A client is its address as the connection shows it: in tailnet mode the
//! public client's own (Funnel hands it over), with `--listen` the peer's.
//! Connections from a trusted proxy carry every client behind it, and which
//! one is known only from a header not yet read, so a trusted proxy has no
//! share (the proxy is where to limit its clients); it still loses silent,
//! idle and stalled connections under pressure like everyone.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::activity::{Activity, Standing};
use super::pace::{Ledger, Pace};
use crate::config;

/// A connection that has sent nothing yet is given this long for its first
/// bytes (they follow the handshake within a round trip) before it may make
/// room: under a flood that keeps the table turning over, a newcomer whose
/// request is on its way would otherwise be the first to go.
const ARRIVAL: Duration = Duration::from_millis(250);

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
    ledger: Ledger,
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
    pace: Pace,
}

/// The connections each client holds, the table locked meanwhile.
pub struct Holdings<'a>(MutexGuard<'a, Inner>);

impl Holdings<'_> {
    pub fn of(&self, key: Option<ClientKey>) -> usize {
        self.0.count(key)
    }
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
    pub fn new(share: usize, pace: Pace) -> Arc<Table> {
        Arc::new(Table {
            inner: Mutex::default(),
            share: share.max(1),
            pace,
        })
    }

    /// Connections `key`'s client holds.
    pub fn count(&self, key: Option<ClientKey>) -> usize {
        self.lock().count(key)
    }

    /// The table held still, to compare many clients' holdings at once.
    pub fn holdings(&self) -> Holdings<'_> {
        Holdings(self.lock())
    }

    /// How often [`Table::sweep`] is to run.
    pub fn sweep_every(&self) -> Duration {
        self.pace.every()
    }

    /// Settles every connection's ledger, and closes the connections behind
    /// by the stall timeout. Returns how many were closed.
    pub fn sweep(&self) -> usize {
        let now = Instant::now();
        let mut g = self.lock();
        let Inner { conns, counts, .. } = &mut *g;
        let before = conns.len();
        conns.retain(|_, e| {
            let (standing, _) = e.activity.standing();
            let debt = e
                .ledger
                .settle(now, standing.owes(), e.activity.progress(), &self.pace);
            if !self.pace.over(debt) {
                return true;
            }
            tracing::debug!(
                ?standing,
                debt,
                "connection closed: its client fell too far behind"
            );
            if let Some(n) = counts.get_mut(&e.key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.remove(&e.key);
                }
            }
            false
        });
        before - conns.len()
    }

    /// The connection's standing, when it began, its debt now, and whether
    /// it is stalled.
    fn judge(&self, e: &Entry, now: Instant) -> (Standing, Instant, u64, bool) {
        let (standing, since) = e.activity.standing();
        let owes = standing.owes();
        let debt = e
            .ledger
            .debt_at(now, owes, e.activity.progress(), &self.pace);
        (standing, since, debt, owes && self.pace.stalled(debt))
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
        // idle since its last response, a header begun longest ago, a
        // request stalled), never one with a request in flight keeping up,
        // and one not yet polled (its request may be waiting unread) only as
        // a last resort. Not silent ones first: the client's newest
        // connection may be silent only because its request is still on the
        // way, and it is the one to keep.
        let now = Instant::now();
        let victim = g
            .conns
            .iter()
            .filter(|(_, e)| e.key == Some(k))
            .filter_map(|(id, e)| {
                let (standing, since, _, stalled) = self.judge(e, now);
                let eligible = !matches!(standing, Standing::Busy | Standing::Owing) || stalled;
                eligible.then_some((standing == Standing::Unstarted, since, *id))
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

    /// Every slot is taken: makes room for a connection of client `key`
    /// (`None`: a trusted proxy) by dropping one that has sent nothing for
    /// [`ARRIVAL`], else a stalled one (the furthest behind first), else
    /// one idle between requests (of the client holding the most
    /// connections, the longest idle). Only a connection of a client
    /// holding more than `key`'s client does may go: room is made for
    /// clients holding few connections (a first one always), never to swap
    /// one flooder's connection for another's, which would only restart
    /// the clock that shows a connection stalled. A trusted proxy counts as
    /// holding none. False if there is none to drop.
    pub fn make_room_for(&self, key: Option<ClientKey>) -> bool {
        let now = Instant::now();
        let mut g = self.lock();
        let holding = key.map_or(0, |_| g.count(key));
        let victim = g
            .conns
            .iter()
            .filter_map(|(id, e)| {
                let count = g.count(e.key);
                if count <= holding {
                    return None;
                }
                let (standing, since, debt, stalled) = self.judge(e, now);
                let class = match standing {
                    Standing::Silent if now.saturating_duration_since(since) >= ARRIVAL => 0,
                    _ if stalled => 1,
                    Standing::Idle => 2,
                    _ => return None,
                };
                Some((class, Reverse(debt), Reverse(count), since, *id))
            })
            .min();
        let Some((.., id)) = victim else {
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
                ledger: Ledger::new(Instant::now()),
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

    fn pace() -> Pace {
        Pace::new(&config::Limits::default())
    }

    #[tokio::test]
    async fn a_client_at_its_share_replaces_its_own_least_useful_connection() {
        let t = Table::new(2, pace());
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

    /// A connection in a given state, as its wrapper would leave it.
    fn conn(state: &str) -> Arc<Activity> {
        let a = Activity::new();
        if state != "unstarted" {
            a.set_started();
        }
        if !matches!(state, "unstarted" | "silent") {
            a.set_bytes_seen();
            a.set_head_pending(state == "head");
        }
        a
    }

    fn gone(rx: &mut oneshot::Receiver<()>) -> bool {
        rx.try_recv() == Err(oneshot::error::TryRecvError::Closed)
    }

    /// Default pace (1 KiB/s, 2 s grace): when slots run short, a connection
    /// silent past its arrival time goes first, then the stalled ones,
    /// furthest behind first, then an idle one; never one keeping up, one
    /// busy on the server's side, one just accepted, or one not yet polled.
    /// (Every client here holds one connection; the newcomer's none.)
    #[tokio::test(start_paused = true)]
    async fn room_is_made_by_silent_then_the_furthest_behind_then_idle() {
        let t = Table::new(64, pace());
        let key = |i: u8| Some(ClientKey::of(IpAddr::from([192, 0, 2, i])));
        let behind = conn("head");
        let less_behind = conn("head");
        less_behind.set_progress(1000);
        let keeping_up = conn("head");
        let busy = conn("idle");
        let _req = busy.begin_request();
        let (_a, silent_rx) = t.insert(key(1), conn("silent"));
        let (_b, idle_rx) = t.insert(key(2), conn("idle"));
        let (_c, behind_rx) = t.insert(key(3), Arc::clone(&behind));
        let (_d, less_rx) = t.insert(key(4), Arc::clone(&less_behind));
        let (_e, keeping_rx) = t.insert(key(5), Arc::clone(&keeping_up));
        let (_f, busy_rx) = t.insert(key(6), busy);
        let (_g, unstarted_rx) = t.insert(key(7), conn("unstarted"));
        tokio::time::advance(Duration::from_secs(3)).await;
        // 3 s waited on: 3,072 bytes owed; 1,000 paid; 4,000 paid.
        keeping_up.set_progress(4000);
        let (_h, young_rx) = t.insert(key(8), conn("silent"));
        t.sweep();

        let mut conns = [
            ("silent", silent_rx),
            ("idle", idle_rx),
            ("behind", behind_rx),
            ("less behind", less_rx),
            ("keeping up", keeping_rx),
            ("busy", busy_rx),
            ("unstarted", unstarted_rx),
            ("just accepted", young_rx),
        ];
        let mut order = Vec::new();
        let newcomer = key(9);
        while t.make_room_for(newcomer) && order.len() < conns.len() {
            let newly = conns
                .iter_mut()
                .filter(|(name, _)| !order.contains(name))
                .filter_map(|(name, rx)| gone(rx).then_some(*name))
                .collect::<Vec<_>>();
            order.extend(newly);
        }
        assert_eq!(order, ["silent", "behind", "less behind", "idle"]);
    }

    /// The sweep closes a connection once it is the stall timeout behind
    /// (default: 10 s at 1 KiB/s), and keeps one keeping up.
    #[tokio::test(start_paused = true)]
    async fn the_sweep_closes_connections_behind_by_the_stall_timeout() {
        let t = Table::new(64, pace());
        let key = Some(ClientKey::of(IpAddr::from([192, 0, 2, 1])));
        let trickle = conn("head");
        let steady = conn("head");
        let (_a, mut trickle_rx) = t.insert(key, Arc::clone(&trickle));
        let (_b, mut steady_rx) = t.insert(key, Arc::clone(&steady));
        let mut closed_after = None;
        for tick in 1..=60u64 {
            tokio::time::advance(Duration::from_millis(250)).await;
            trickle.set_progress(tick / 12); // a byte every 3 s
            steady.set_progress(tick * 300); // 1,200 bytes a second
            if t.sweep() > 0 && closed_after.is_none() {
                closed_after = Some(tick * 250);
            }
        }
        assert!(gone(&mut trickle_rx));
        assert!(!gone(&mut steady_rx));
        let ms = closed_after.unwrap();
        assert!((10_000..=10_500).contains(&ms), "closed after {ms} ms");
    }

    /// Room is made only at the expense of a client holding more
    /// connections than the newcomer's: a flooding address's waiting
    /// connection never replaces another flooder's stalled one, a first
    /// connection (or a trusted proxy's) replaces any.
    #[tokio::test(start_paused = true)]
    async fn room_is_made_only_from_clients_holding_more() {
        let t = Table::new(64, pace());
        let a = Some(ClientKey::of(IpAddr::from([192, 0, 2, 1])));
        let b = Some(ClientKey::of(IpAddr::from([192, 0, 2, 2])));
        let mut held = Vec::new();
        for key in [a, a, b, b] {
            held.push(t.insert(key, conn("head")));
        }
        tokio::time::advance(Duration::from_secs(3)).await;
        // Both hold two stalled connections: neither makes room for the other.
        assert!(!t.make_room_for(a));
        assert!(!t.make_room_for(b));
        // A client holding one more than b may not take b's either...
        let extra = t.insert(a, conn("idle"));
        assert!(!t.make_room_for(a));
        // ...but b may take one of a's (three against two).
        assert!(t.make_room_for(b));
        drop(extra);
        // A newcomer, or a trusted proxy, takes from anyone.
        let newcomer = Some(ClientKey::of(IpAddr::from([192, 0, 2, 3])));
        assert!(t.make_room_for(newcomer));
        assert!(t.make_room_for(None));
    }
}
