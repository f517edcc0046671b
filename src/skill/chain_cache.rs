//! What the chain cache knows, under one lock: the verified chains by URL,
//! the fetches waiting or under way (one per URL, whoever asks), the URLs
//! whose fetch failed a moment ago, and who fetches next.
//!
//! Any unsigned request can name a made-up chain URL under `/echo.api/`,
//! and a URL cannot be told from Amazon's before it is fetched. So the
//! fetch turns (at most [`MAX_FETCHES`] at once) are shared out so that a
//! flood of made-up URLs cannot keep a genuine one waiting:
//!
//! - one fetch per URL: every request naming it waits for that fetch's
//!   outcome, failure included (no request fetches it again meanwhile);
//! - a failed URL is remembered for [`FAILED_FOR`] (at most [`MAX_FAILED`]):
//!   a request naming it fails at once, with no fetch;
//! - each client (an IPv4 address or an IPv6 /64) may have at most
//!   [`MAX_PER_CLIENT`] URLs waiting or being fetched for it; more are
//!   refused at once, so one address never holds more than that many turns;
//! - a free turn goes to the waiting URL asked for by the client whose last
//!   turn is longest ago (a client served more than [`SERVED_FOR`] ago, or
//!   never, counts as never served); among equals, to the URL asked for most
//!   recently. A client that keeps sending made-up URLs has just been
//!   served, so a client that asks rarely (Amazon, at a new chain's first
//!   request) goes before it; and after a burst of requests from fresh
//!   addresses, the request that came last is served first;
//! - at most [`MAX_WAITING`] URLs wait; a newcomer that would be served
//!   before the last in that order takes its place, else it is refused.
//!
//! What remains: a flood sustained above the fetch capacity from ever new
//! addresses (each never served) can still delay a genuine first fetch.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::cert_url::CertUrl;
use super::chain::{Chain, MAX_CACHED_CHAINS};
use super::error::VerifyError;

/// Chain fetches under way at once.
pub const MAX_FETCHES: usize = 4;
/// URLs waiting or being fetched for one client at once.
pub const MAX_PER_CLIENT: usize = 2;
/// URLs waiting for a turn at once.
pub const MAX_WAITING: usize = 256;
/// Failed URLs remembered at once.
pub const MAX_FAILED: usize = 1024;
/// How long a failed URL is remembered.
pub const FAILED_FOR: Duration = Duration::from_secs(10);
/// How long a client's last turn counts against it.
pub const SERVED_FOR: Duration = Duration::from_secs(60);
/// Clients whose last turn is remembered at once.
const MAX_SERVED: usize = 4096;
/// Clients remembered per URL for the turn order.
const MAX_CLIENTS_PER_URL: usize = 8;

/// A fetch's outcome, shared by every request that waited for it.
pub(super) type Outcome = Result<Arc<Chain>, VerifyError>;

/// Where a fetch stands.
enum Phase {
    Waiting,
    Fetching,
    Done(Outcome),
}

/// Whose fetches count together: an IPv4 address, an IPv6 /64, or every
/// caller that gave no address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Client {
    Unknown,
    Addr(IpAddr),
}

impl Client {
    pub(super) fn of(ip: Option<IpAddr>) -> Client {
        match ip.map(crate::config::canonical) {
            None => Client::Unknown,
            Some(IpAddr::V6(v6)) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Client::Addr(IpAddr::V6(Ipv6Addr::from(prefix)))
            }
            Some(v4) => Client::Addr(v4),
        }
    }
}

struct Pending {
    /// Tells this fetch from a later one of the same URL.
    id: u64,
    url: CertUrl,
    /// The clock of the request that asked first (the chain is checked at it).
    now: i64,
    /// The client it counts against ([`MAX_PER_CLIENT`]).
    owner: Client,
    /// The clients that asked for it (the turn order takes the best placed).
    clients: Vec<Client>,
    /// The arrival number of its latest request.
    newest: u64,
    waiters: usize,
    started: bool,
    phase: watch::Sender<Phase>,
}

/// A fetch given its turn, for the caller to start (outside the lock).
pub(super) struct Job {
    pub(super) key: String,
    pub(super) id: u64,
    pub(super) url: CertUrl,
    pub(super) now: i64,
}

#[derive(Default)]
pub(super) struct State {
    /// Arrival numbers and fetch ids.
    next: u64,
    /// URL → (insertion number, verified chain).
    cache: HashMap<String, (u64, Arc<Chain>)>,
    pending: HashMap<String, Pending>,
    /// URL → (remembered until, the failure).
    failed: HashMap<String, (Instant, VerifyError)>,
    in_flight: usize,
    /// URLs waiting or being fetched per owner.
    asked: HashMap<Client, usize>,
    /// Each client's last turn.
    served: HashMap<Client, Instant>,
}

/// What a request finds.
pub(super) enum Lookup {
    Cached(Arc<Chain>),
    /// Wait for the fetch of this URL; start `jobs` first.
    Wait(Ticket, Vec<Job>),
}

/// A request's place in a fetch: dropping it (done, timed out or
/// cancelled) leaves; the last to leave a fetch that has not started
/// removes it.
pub(super) struct Ticket {
    state: Arc<Mutex<State>>,
    key: String,
    id: u64,
    rx: watch::Receiver<Phase>,
}

fn busy(why: &str) -> VerifyError {
    VerifyError::ChainFetch(why.to_owned())
}

fn stopped() -> VerifyError {
    busy("the fetch stopped")
}

pub(super) fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl State {
    /// Number of verified chains cached.
    pub(super) fn cached(&self) -> usize {
        self.cache.len()
    }

    /// The chain of `url` for `client` at `now` (Unix seconds): cached, a
    /// failure remembered, or a place in its fetch (joined or new).
    pub(super) fn lookup(
        &mut self,
        shared: &Arc<Mutex<State>>,
        url: &CertUrl,
        client: Client,
        now: i64,
    ) -> Result<Lookup, VerifyError> {
        let key = url.as_str();
        if let Some((_, c)) = self.cache.get(key) {
            if c.window.is_none_or(|(_, a)| a >= now) {
                return Ok(Lookup::Cached(Arc::clone(c)));
            }
            self.cache.remove(key);
        }
        if let Some((until, e)) = self.failed.get(key) {
            if *until > Instant::now() {
                return Err(e.clone());
            }
            self.failed.remove(key);
        }
        self.next += 1;
        let arrival = self.next;
        if let Some(p) = self.pending.get_mut(key) {
            p.waiters += 1;
            p.newest = arrival;
            admit(&mut p.clients, client, &self.served, Instant::now());
            let ticket = Ticket::new(shared, key, p);
            return Ok(Lookup::Wait(ticket, Vec::new()));
        }
        if self.asked.get(&client).copied().unwrap_or(0) >= MAX_PER_CLIENT {
            return Err(busy(
                "this address already has as many certificate chain fetches as it may",
            ));
        }
        let (phase, _) = watch::channel(Phase::Waiting);
        let p = Pending {
            id: arrival,
            url: url.clone(),
            now,
            owner: client,
            clients: vec![client],
            newest: arrival,
            waiters: 1,
            started: false,
            phase,
        };
        self.make_waiting_room(&p)?;
        *self.asked.entry(client).or_insert(0) += 1;
        let ticket = Ticket::new(shared, key, &p);
        self.pending.insert(key.to_owned(), p);
        Ok(Lookup::Wait(ticket, self.schedule()))
    }

    /// With [`MAX_WAITING`] URLs waiting, the last in the turn order gives
    /// its place to `p` if `p` would go before it; else `p` is refused.
    fn make_waiting_room(&mut self, p: &Pending) -> Result<(), VerifyError> {
        let waiting = self.pending.values().filter(|q| !q.started).count();
        if waiting < MAX_WAITING {
            return Ok(());
        }
        let now = Instant::now();
        let last = self
            .pending
            .iter()
            .filter(|(_, q)| !q.started)
            .max_by_key(|(_, q)| self.rank(q, now))
            .map(|(k, q)| (k.clone(), self.rank(q, now)));
        match last {
            Some((k, r)) if self.rank(p, now) < r => {
                if let Some(q) = self.pending.remove(&k) {
                    self.release(q.owner);
                    q.phase.send_replace(Phase::Done(Err(busy(
                        "too many certificate chain fetches waiting",
                    ))));
                }
                Ok(())
            }
            _ => Err(busy("too many certificate chain fetches waiting")),
        }
    }

    /// The turn order: the best placed client's last turn (none, or one
    /// longer than [`SERVED_FOR`] ago, first), then the most recently asked.
    fn rank(&self, p: &Pending, now: Instant) -> (Option<Instant>, Reverse<u64>) {
        let last = p
            .clients
            .iter()
            .map(|c| last_turn(&self.served, c, now))
            .min()
            .flatten();
        (last, Reverse(p.newest))
    }

    /// Gives free turns to the waiting URLs, best placed first.
    fn schedule(&mut self) -> Vec<Job> {
        let mut jobs = Vec::new();
        let now = Instant::now();
        while self.in_flight < MAX_FETCHES {
            let best = self
                .pending
                .iter()
                .filter(|(_, p)| !p.started)
                .min_by_key(|(_, p)| self.rank(p, now))
                .map(|(k, _)| k.clone());
            let Some(key) = best else { break };
            let Some(p) = self.pending.get_mut(&key) else {
                break;
            };
            p.started = true;
            p.phase.send_replace(Phase::Fetching);
            let clients = p.clients.clone();
            jobs.push(Job {
                key,
                id: p.id,
                url: p.url.clone(),
                now: p.now,
            });
            self.in_flight += 1;
            for c in clients {
                self.mark_served(c, now);
            }
        }
        jobs
    }

    fn mark_served(&mut self, c: Client, now: Instant) {
        if self.served.len() >= MAX_SERVED && !self.served.contains_key(&c) {
            self.served
                .retain(|_, t| now.saturating_duration_since(*t) < SERVED_FOR);
            if self.served.len() >= MAX_SERVED {
                let oldest = self.served.iter().min_by_key(|(_, t)| **t).map(|(k, _)| *k);
                if let Some(k) = oldest {
                    self.served.remove(&k);
                }
            }
        }
        self.served.insert(c, now);
    }

    fn release(&mut self, owner: Client) {
        if let Some(n) = self.asked.get_mut(&owner) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.asked.remove(&owner);
            }
        }
    }

    /// The fetch `id` of `key` ended with `outcome` (`completed`: the fetch
    /// ran to its end, so a failure is the URL's and is remembered; a date
    /// failure depends on the clock and is not). Returns the fetches that
    /// now get a turn.
    pub(super) fn finish(
        &mut self,
        key: &str,
        id: u64,
        outcome: Outcome,
        completed: bool,
    ) -> Vec<Job> {
        if self.pending.get(key).is_none_or(|p| p.id != id) {
            return Vec::new();
        }
        let Some(p) = self.pending.remove(key) else {
            return Vec::new();
        };
        self.in_flight = self.in_flight.saturating_sub(1);
        self.release(p.owner);
        match &outcome {
            Ok(chain) => self.insert_chain(key, Arc::clone(chain), p.now),
            Err(VerifyError::CertExpired | VerifyError::CertNotYetValid) => {}
            Err(e) if completed => self.remember_failure(key, e),
            Err(_) => {}
        }
        p.phase.send_replace(Phase::Done(outcome));
        self.schedule()
    }

    /// Caches a verified chain: expired chains make room first, then the oldest.
    fn insert_chain(&mut self, key: &str, chain: Arc<Chain>, now: i64) {
        if self.cache.len() >= MAX_CACHED_CHAINS {
            self.cache
                .retain(|_, (_, c)| c.window.is_none_or(|(_, a)| a >= now));
        }
        while self.cache.len() >= MAX_CACHED_CHAINS {
            let oldest = self.cache.iter().min_by_key(|(_, (n, _))| *n);
            let Some(k) = oldest.map(|(k, _)| k.clone()) else {
                break;
            };
            self.cache.remove(&k);
        }
        self.next += 1;
        self.cache.insert(key.to_owned(), (self.next, chain));
    }

    fn remember_failure(&mut self, key: &str, e: &VerifyError) {
        let now = Instant::now();
        if self.failed.len() >= MAX_FAILED {
            self.failed.retain(|_, (until, _)| *until > now);
        }
        if self.failed.len() >= MAX_FAILED {
            let first = self.failed.iter().min_by_key(|(_, (u, _))| *u);
            if let Some(k) = first.map(|(k, _)| k.clone()) {
                self.failed.remove(&k);
            }
        }
        let e = match e {
            VerifyError::ChainFetch(m) => VerifyError::ChainFetch(format!(
                "{m} (failed within the last {} s; not fetched again yet)",
                FAILED_FOR.as_secs()
            )),
            other => other.clone(),
        };
        self.failed.insert(key.to_owned(), (now + FAILED_FOR, e));
    }

    /// A ticket of fetch `id` of `key` left.
    fn leave(&mut self, key: &str, id: u64) {
        let Some(p) = self.pending.get_mut(key).filter(|p| p.id == id) else {
            return;
        };
        p.waiters = p.waiters.saturating_sub(1);
        if p.waiters == 0 && !p.started {
            let owner = p.owner;
            self.pending.remove(key);
            self.release(owner);
        }
    }
}

/// `c`'s last turn, if it counts (less than [`SERVED_FOR`] ago).
fn last_turn(served: &HashMap<Client, Instant>, c: &Client, now: Instant) -> Option<Instant> {
    served
        .get(c)
        .copied()
        .filter(|t| now.saturating_duration_since(*t) < SERVED_FOR)
}

/// Adds `c` to a fetch's clients. With [`MAX_CLIENTS_PER_URL`] there
/// already, `c` replaces the one served most recently if it was served
/// longer ago (so clients that just had turns cannot fill the list and
/// keep a better placed one out of it).
fn admit(clients: &mut Vec<Client>, c: Client, served: &HashMap<Client, Instant>, now: Instant) {
    if clients.contains(&c) {
        return;
    }
    if clients.len() < MAX_CLIENTS_PER_URL {
        clients.push(c);
        return;
    }
    let mine = last_turn(served, &c, now);
    let worst = clients
        .iter_mut()
        .max_by_key(|x| last_turn(served, x, now))
        .filter(|x| mine < last_turn(served, x, now));
    if let Some(slot) = worst {
        *slot = c;
    }
}

impl Ticket {
    fn new(shared: &Arc<Mutex<State>>, key: &str, p: &Pending) -> Ticket {
        Ticket {
            state: Arc::clone(shared),
            key: key.to_owned(),
            id: p.id,
            rx: p.phase.subscribe(),
        }
    }

    /// Waits up to `turn_wait` for the fetch to get its turn, then up to
    /// `fetch_wait` for its outcome.
    pub(super) async fn outcome(&mut self, turn_wait: Duration, fetch_wait: Duration) -> Outcome {
        let turn = tokio::time::timeout(
            turn_wait,
            self.rx.wait_for(|p| !matches!(p, Phase::Waiting)),
        )
        .await
        .map(|r| r.map(drop));
        match turn {
            Err(_) => return Err(busy("too many certificate chain fetches at once")),
            Ok(Err(_)) => return Err(stopped()),
            Ok(Ok(())) => {}
        }
        let done = tokio::time::timeout(
            fetch_wait,
            self.rx.wait_for(|p| matches!(p, Phase::Done(_))),
        )
        .await;
        match done {
            Ok(Ok(p)) => match &*p {
                Phase::Done(outcome) => outcome.clone(),
                _ => Err(stopped()),
            },
            Ok(Err(_)) => Err(stopped()),
            Err(_) => Err(busy("no answer in time")),
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        lock(&self.state).leave(&self.key, self.id);
    }
}

#[cfg(test)]
mod tests;
