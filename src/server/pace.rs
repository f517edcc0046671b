//! Whether a client keeps up. While the server waits on a client in the
//! middle of a request (the rest of a header or body, or for the client to
//! take a response), the client owes [`Limits::min_rate`] bytes of progress
//! per second. Each connection's [`Ledger`] keeps the debt: it grows at that
//! rate while the connection is waited on and shrinks with every byte of
//! progress (either way: what the client sends, and what it takes of the
//! responses), never below zero, so nothing can be banked in advance. A
//! connection [`Limits::stall_grace`] behind counts as stalled (it may make
//! room when slots run short); one [`Limits::stall_timeout`] behind is closed.
//!
//! The connection table settles every ledger every [`Pace::every`]: whether
//! the connection is waited on is sampled then, and the progress counter
//! is read then, so the I/O path only bumps a counter (see
//! `super::IdleTimeout`).

use std::time::Duration;

use tokio::time::Instant;

use crate::config::Limits;

/// The rate owed and the bounds on debt, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Bytes per second owed while waited on.
    rate: u64,
    /// A debt above this is a stalled connection.
    grace: u64,
    /// A debt above this closes the connection.
    limit: u64,
    /// How often every ledger is settled.
    every: Duration,
}

impl Pace {
    pub fn new(limits: &Limits) -> Pace {
        let rate = u64::from(limits.min_rate.max(1));
        let bytes = |d: Duration| {
            u64::try_from(u128::from(rate) * d.as_millis() / 1000).unwrap_or(u64::MAX)
        };
        let grace = bytes(limits.stall_grace);
        Pace {
            rate,
            grace,
            limit: bytes(limits.stall_timeout).max(grace),
            every: (limits.stall_grace / 8)
                .clamp(Duration::from_millis(10), Duration::from_millis(250)),
        }
    }

    /// How often the table settles every ledger.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Behind by more than the grace: may make room.
    pub fn stalled(&self, debt: u64) -> bool {
        debt > self.grace
    }

    /// Behind by more than the stall timeout: to be closed.
    pub fn over(&self, debt: u64) -> bool {
        debt > self.limit
    }
}

/// One connection's debt, as of its last settlement.
#[derive(Debug)]
pub struct Ledger {
    debt: u64,
    /// The connection's progress counter at the last settlement.
    paid: u64,
    at: Instant,
}

impl Ledger {
    pub fn new(now: Instant) -> Ledger {
        Ledger {
            debt: 0,
            paid: 0,
            at: now,
        }
    }

    /// The debt at `now`: `owing` says whether the connection is waited on
    /// (taken to hold since the last settlement), `progress` is its running
    /// total of progress bytes.
    pub fn debt_at(&self, now: Instant, owing: bool, progress: u64, pace: &Pace) -> u64 {
        let accrued = if owing {
            let ms = now.saturating_duration_since(self.at).as_millis();
            u64::try_from(u128::from(pace.rate) * ms / 1000).unwrap_or(u64::MAX)
        } else {
            0
        };
        let paid = progress.saturating_sub(self.paid);
        self.debt.saturating_add(accrued).saturating_sub(paid)
    }

    /// Brings the ledger to `now` (see [`Ledger::debt_at`]) and returns the debt.
    pub fn settle(&mut self, now: Instant, owing: bool, progress: u64, pace: &Pace) -> u64 {
        self.debt = self.debt_at(now, owing, progress, pace);
        self.paid = self.paid.max(progress);
        self.at = now;
        self.debt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pace() -> Pace {
        Pace::new(&Limits {
            min_rate: 1000,
            stall_grace: Duration::from_secs(2),
            stall_timeout: Duration::from_secs(10),
            ..Limits::default()
        })
    }

    /// Settles every 250 ms for `secs` seconds, `bytes_per_tick` of progress each time.
    fn run(
        l: &mut Ledger,
        t: &mut Instant,
        progress: &mut u64,
        secs: u64,
        bytes_per_tick: u64,
        owing: bool,
    ) -> u64 {
        let p = pace();
        let mut debt = 0;
        for _ in 0..secs * 4 {
            *t += Duration::from_millis(250);
            *progress += bytes_per_tick;
            debt = l.settle(*t, owing, *progress, &p);
        }
        debt
    }

    #[test]
    fn a_client_keeping_up_owes_nothing_and_a_trickle_falls_behind() {
        let p = pace();
        let (mut t, mut progress) = (Instant::now(), 0);
        let mut l = Ledger::new(t);
        // 1,000 bytes a second while waited on: nothing owed.
        assert_eq!(run(&mut l, &mut t, &mut progress, 10, 250, true), 0);
        // One byte every 3 s: stalled after about 2 s, closed after about 10 s.
        let d = run(&mut l, &mut t, &mut progress, 2, 0, true);
        assert!(!p.stalled(d), "exactly at the grace: {d}");
        let d = run(&mut l, &mut t, &mut progress, 1, 1, true);
        assert!(p.stalled(d) && !p.over(d), "{d}");
        let d = run(&mut l, &mut t, &mut progress, 8, 0, true);
        assert!(p.over(d), "{d}");
    }

    #[test]
    fn time_not_waited_on_costs_nothing_and_progress_pays_the_debt_back() {
        let p = pace();
        let (mut t, mut progress) = (Instant::now(), 0);
        let mut l = Ledger::new(t);
        // The server's turn (a handler working), or idle: no debt however long.
        assert_eq!(run(&mut l, &mut t, &mut progress, 60, 0, false), 0);
        let d = run(&mut l, &mut t, &mut progress, 3, 0, true);
        assert!(p.stalled(d));
        // Catching up at twice the rate pays it back.
        let d = run(&mut l, &mut t, &mut progress, 3, 500, true);
        assert!(!p.stalled(d), "{d}");
        assert_eq!(run(&mut l, &mut t, &mut progress, 1, 5000, true), 0);
    }

    #[test]
    fn nothing_can_be_banked_in_advance() {
        let p = pace();
        let (mut t, mut progress) = (Instant::now(), 0);
        let mut l = Ledger::new(t);
        // A burst of 1 MB while waited on, then nothing.
        run(&mut l, &mut t, &mut progress, 1, 250_000, true);
        let d = run(&mut l, &mut t, &mut progress, 3, 0, true);
        assert!(p.stalled(d), "a burst bought time: {d}");
    }

    #[test]
    fn the_estimate_between_settlements_counts_the_time_waited_on() {
        let p = pace();
        let t = Instant::now();
        let l = Ledger::new(t);
        let later = t + Duration::from_millis(1500);
        assert_eq!(l.debt_at(later, true, 0, &p), 1500);
        assert_eq!(l.debt_at(later, true, 600, &p), 900);
        assert_eq!(l.debt_at(later, false, 0, &p), 0);
    }
}
