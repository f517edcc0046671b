//! Where accepted connections wait for a slot. The accept loop never waits:
//! with every slot taken it parks the newcomer here and goes on accepting,
//! so the kernel's queue cannot hold a legitimate client behind a flood.
//! A freed slot goes to the waiting connection whose client holds the
//! fewest connections (in the table and here), the earliest first: a
//! client opening its first connection is served before the addresses
//! flooding the server. The lobby is bounded; when full, a connection of
//! the client holding the most goes, the oldest of them (a flood's
//! connections turn over; those of the clients holding few stay in line).
//! A connection waits at most the header timeout; nothing is read from it
//! while it waits.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use super::slots::{ClientKey, Holdings, Table};
use crate::listener::ConnInfo;

/// A connection waiting for a slot.
pub struct Waiting<I> {
    pub io: I,
    pub info: ConnInfo,
    pub key: Option<ClientKey>,
    arrived: Instant,
}

impl<I> Waiting<I> {
    pub fn new(io: I, info: ConnInfo, key: Option<ClientKey>) -> Self {
        Waiting {
            io,
            info,
            key,
            arrived: Instant::now(),
        }
    }
}

/// The waiting connections, in arrival order.
pub struct Lobby<I> {
    waiting: Vec<Waiting<I>>,
    /// Waiting connections by client.
    counts: HashMap<Option<ClientKey>, usize>,
    size: usize,
    wait: Duration,
}

impl<I> Lobby<I> {
    /// At most `size` connections, each waiting at most `wait`.
    pub fn new(size: usize, wait: Duration) -> Self {
        Lobby {
            waiting: Vec::new(),
            counts: HashMap::new(),
            size: size.max(1),
            wait,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Connections `key`'s client holds: served, and waiting here.
    fn holding(&self, served: &Holdings<'_>, key: Option<ClientKey>) -> usize {
        served.of(key) + self.counts.get(&key).copied().unwrap_or(0)
    }

    /// The client of the connection [`Lobby::take_best`] would serve.
    pub fn best_key(&self, table: &Table) -> Option<Option<ClientKey>> {
        self.best(table)
            .and_then(|i| self.waiting.get(i))
            .map(|w| w.key)
    }

    fn best(&self, table: &Table) -> Option<usize> {
        let served = table.holdings();
        self.waiting
            .iter()
            .enumerate()
            .min_by_key(|(_, w)| (self.holding(&served, w.key), w.arrived))
            .map(|(i, _)| i)
    }

    /// Parks `w`. When the lobby is full, the connection of the client
    /// holding the most (the oldest of them, `w` included) is closed.
    pub fn push(&mut self, w: Waiting<I>, table: &Table) {
        *self.counts.entry(w.key).or_default() += 1;
        self.waiting.push(w);
        if self.waiting.len() <= self.size {
            return;
        }
        let served = table.holdings();
        let worst = self
            .waiting
            .iter()
            .enumerate()
            .max_by_key(|(_, w)| (self.holding(&served, w.key), Reverse(w.arrived)))
            .map(|(i, _)| i);
        drop(served);
        if let Some(w) = worst.map(|i| self.waiting.remove(i)) {
            tracing::debug!(peer = %w.info.peer, "waiting connection closed: the lobby is full");
            self.forget(&w);
        }
    }

    /// The connection to serve next: of the client holding the fewest, the
    /// earliest.
    pub fn take_best(&mut self, table: &Table) -> Option<Waiting<I>> {
        let best = self.best(table)?;
        let w = self.waiting.remove(best);
        self.forget(&w);
        Some(w)
    }

    /// Closes the connections that have waited too long.
    pub fn expire(&mut self) {
        let now = Instant::now();
        let wait = self.wait;
        let mut gone = Vec::new();
        self.waiting.retain_mut(|w| {
            let keep = now.saturating_duration_since(w.arrived) < wait;
            if !keep {
                gone.push(w.key);
            }
            keep
        });
        for key in gone {
            self.forget_key(key);
        }
    }

    fn forget(&mut self, w: &Waiting<I>) {
        self.forget_key(w.key);
    }

    fn forget_key(&mut self, key: Option<ClientKey>) {
        if let Some(n) = self.counts.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.counts.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::activity::Activity;
    use crate::server::pace::Pace;
    use std::net::{IpAddr, SocketAddr};

    fn waiting(i: u8) -> Waiting<u8> {
        let ip = IpAddr::from([192, 0, 2, i]);
        Waiting::new(
            i,
            ConnInfo {
                peer: SocketAddr::new(ip, 1000),
            },
            Some(ClientKey::of(ip)),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_holding_nothing_is_served_before_a_flooding_one_and_the_flood_is_shed_oldest_first()
     {
        let table = Table::new(64, Pace::new(&crate::config::Limits::default()));
        // Address 1 holds three slots already.
        let mut tickets = Vec::new();
        for _ in 0..3 {
            tickets.push(table.insert(waiting(1).key, Activity::new()));
        }
        let mut lobby = Lobby::new(3, Duration::from_secs(10));
        for _ in 0..3 {
            lobby.push(waiting(1), &table);
            tokio::time::advance(Duration::from_millis(1)).await;
        }
        assert_eq!(lobby.best_key(&table), Some(waiting(1).key));
        let oldest = lobby.waiting.first().map(|w| w.arrived);
        // Full: a newcomer from address 2 displaces address 1's oldest.
        lobby.push(waiting(2), &table);
        assert_eq!(lobby.waiting.len(), 3);
        assert_eq!(lobby.best_key(&table), Some(waiting(2).key));
        assert!(lobby.waiting.iter().all(|w| Some(w.arrived) != oldest));
        // Another from address 1 sheds address 1's oldest again.
        tokio::time::advance(Duration::from_millis(1)).await;
        lobby.push(waiting(1), &table);
        assert_eq!(lobby.waiting.iter().filter(|w| w.io == 1).count(), 2);
        // Address 2 is served first, then address 1's earliest.
        assert_eq!(lobby.take_best(&table).map(|w| w.io), Some(2));
        let earliest = lobby.waiting.iter().map(|w| w.arrived).min();
        assert_eq!(lobby.take_best(&table).map(|w| w.arrived), earliest);
        // Waiting longer than the header timeout: closed.
        tokio::time::advance(Duration::from_secs(10)).await;
        lobby.expire();
        assert!(lobby.is_empty());
        assert!(lobby.counts.is_empty());
    }
}
