//! Login slow-down per account and per client address.
//!
//! After a number of free failures each further failure blocks that key for
//! an exponentially growing time, capped, so guessing gets slow while the
//! owner is never locked out for good. A success clears the account's record.
//! Records are forgotten after a quiet period; the table is bounded.
//!
//! The identity source may pause an account itself (Music Assistant refuses
//! every login for a username for 30 s to 5 min after failed attempts): the
//! pause is recorded here too ([`Throttle::record_pause`]), so until it is
//! over the login page answers without asking the source again. A pause is
//! not a failure: it adds nothing to our own slow-down.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Policy {
    pub free_failures_per_account: u32,
    pub free_failures_per_address: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A key with no failure for this long starts over.
    pub forget_after: Duration,
    pub max_entries: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            free_failures_per_account: 5,
            free_failures_per_address: 20,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(60 * 60),
            max_entries: 100_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until: Instant,
    /// The identity source's own pause of this account (accounts only).
    paused_until: Instant,
    /// The last failure or pause: the record is forgotten this long after.
    last_failure: Instant,
}

impl Entry {
    fn new(now: Instant) -> Entry {
        Entry {
            failures: 0,
            blocked_until: now,
            paused_until: now,
            last_failure: now,
        }
    }
}

/// Why a login must wait, and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub wait: Duration,
    /// True when the longest wait is the identity source's own pause
    /// ([`Throttle::record_pause`]) rather than our slow-down.
    pub by_source: bool,
}

#[derive(Debug, Default)]
pub struct Throttle {
    policy: Policy,
    table: Mutex<HashMap<Key, Entry>>,
}

/// IPv6 clients are throttled per /64, the usual size of one subscriber's network.
fn address_key(ip: IpAddr) -> Key {
    match ip {
        IpAddr::V4(_) => Key::Address(ip),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Key::Address(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                Key::Address(IpAddr::V6(std::net::Ipv6Addr::new(
                    s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                )))
            }
        },
    }
}

/// Case and surrounding spaces do not make another account (Music
/// Assistant's usernames are compared trimmed and lowercased).
fn account_key(username: &str) -> Key {
    Key::Account(username.trim().to_lowercase())
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Throttle {
            policy,
            table: Mutex::new(HashMap::new()),
        }
    }

    /// `Err` if this account or address must wait before trying again: the
    /// longest wait of our slow-down and the identity source's pause.
    pub fn check(&self, username: &str, addr: IpAddr, now: Instant) -> Result<(), Blocked> {
        let table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let live = [account_key(username), address_key(addr)]
            .iter()
            .filter_map(|k| table.get(k))
            .filter(|e| now.duration_since(e.last_failure) < self.policy.forget_after)
            .copied()
            .collect::<Vec<Entry>>();
        let ours = live
            .iter()
            .map(|e| e.blocked_until.saturating_duration_since(now))
            .max()
            .unwrap_or_default();
        let source = live
            .iter()
            .map(|e| e.paused_until.saturating_duration_since(now))
            .max()
            .unwrap_or_default();
        match (ours.max(source), source >= ours) {
            (wait, _) if wait.is_zero() => Ok(()),
            (wait, by_source) => Err(Blocked { wait, by_source }),
        }
    }

    /// The identity source paused this account until `until`: logins for it
    /// wait until then. Not a failure (our own slow-down is unchanged).
    pub fn record_pause(&self, username: &str, until: Instant, now: Instant) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        self.make_room(&mut table, now);
        let e = table
            .entry(account_key(username))
            .or_insert_with(|| Entry::new(now));
        if now.duration_since(e.last_failure) >= self.policy.forget_after {
            *e = Entry::new(now);
        }
        e.paused_until = e.paused_until.max(until);
        e.last_failure = now;
    }

    /// Keeps the table under its bound before an insertion.
    fn make_room(&self, table: &mut HashMap<Key, Entry>, now: Instant) {
        if table.len() >= self.policy.max_entries {
            let forget = self.policy.forget_after;
            table.retain(|_, e| now.duration_since(e.last_failure) < forget);
            if table.len() >= self.policy.max_entries {
                // Still full of fresh entries (a distributed attack): drop the
                // ones that block least rather than grow without bound.
                table.retain(|_, e| e.blocked_until > now || e.paused_until > now);
            }
        }
    }

    pub fn record_failure(&self, username: &str, addr: IpAddr, now: Instant) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        self.make_room(&mut table, now);
        let free = [
            self.policy.free_failures_per_account,
            self.policy.free_failures_per_address,
        ];
        for (key, free) in [account_key(username), address_key(addr)]
            .into_iter()
            .zip(free)
        {
            let e = table.entry(key).or_insert_with(|| Entry::new(now));
            if now.duration_since(e.last_failure) >= self.policy.forget_after {
                *e = Entry::new(now);
            }
            e.failures = e.failures.saturating_add(1);
            e.last_failure = now;
            if e.failures > free {
                let exp = (e.failures - free - 1).min(20);
                let delay = self
                    .policy
                    .base_delay
                    .saturating_mul(1 << exp)
                    .min(self.policy.max_delay);
                e.blocked_until = now + delay;
            }
        }
    }

    /// A successful login clears the account's record (not the address's).
    pub fn record_success(&self, username: &str) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        table.remove(&account_key(username));
    }

    /// The right credentials came from `addr`: its failures are forgotten
    /// (for throttles keyed by address only, such as the provider API's).
    pub fn record_address_success(&self, addr: IpAddr) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        table.remove(&address_key(addr));
    }

    pub fn len(&self) -> usize {
        self.table.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn slows_down_after_free_failures_and_recovers() {
        let t = Throttle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..5 {
            assert!(t.check("alice", ip("192.0.2.1"), now).is_ok());
            t.record_failure("alice", ip("192.0.2.1"), now);
        }
        assert!(
            t.check("alice", ip("192.0.2.1"), now).is_ok(),
            "five failures are free"
        );
        t.record_failure("alice", ip("192.0.2.1"), now);
        let wait = t.check("ALICE", ip("198.51.100.7"), now).unwrap_err().wait;
        assert_eq!(
            wait,
            Duration::from_secs(1),
            "per account, case-insensitive, from any address"
        );
        t.record_failure("alice", ip("192.0.2.1"), now);
        assert_eq!(
            t.check("alice", ip("192.0.2.1"), now).unwrap_err().wait,
            Duration::from_secs(2)
        );
        // Not permanent: the block ends.
        assert!(
            t.check("alice", ip("192.0.2.1"), now + Duration::from_secs(3))
                .is_ok()
        );
    }

    #[test]
    fn delay_is_capped_and_forgotten() {
        let t = Throttle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..100 {
            t.record_failure("bob", ip("192.0.2.2"), now);
        }
        assert_eq!(
            t.check("bob", ip("192.0.2.9"), now).unwrap_err().wait,
            Duration::from_secs(900)
        );
        assert!(
            t.check("bob", ip("192.0.2.9"), now + Duration::from_secs(3601))
                .is_ok()
        );
    }

    #[test]
    fn per_address_across_accounts_and_ipv6_by_prefix() {
        let t = Throttle::new(Policy::default());
        let now = Instant::now();
        for i in 0..21 {
            t.record_failure(&format!("user{i}"), ip("2001:db8:1:2::5"), now);
        }
        assert!(
            t.check("someone-new", ip("2001:db8:1:2::99"), now).is_err(),
            "same /64"
        );
        assert!(
            t.check("someone-new", ip("2001:db8:1:3::5"), now).is_ok(),
            "other /64"
        );
    }

    #[test]
    fn success_clears_the_account() {
        let t = Throttle::new(Policy::default());
        let now = Instant::now();
        for _ in 0..6 {
            t.record_failure("carol", ip("192.0.2.3"), now);
        }
        assert!(t.check("carol", ip("192.0.2.4"), now).is_err());
        t.record_success("carol");
        assert!(t.check("carol", ip("192.0.2.4"), now).is_ok());
    }

    #[test]
    fn the_sources_pause_blocks_the_account_only_and_is_not_a_failure() {
        let t = Throttle::new(Policy::default());
        let now = Instant::now();
        t.record_pause("Dave", now + Duration::from_secs(30), now);
        let b = t.check(" dave ", ip("192.0.2.5"), now).unwrap_err();
        assert_eq!(
            b,
            Blocked {
                wait: Duration::from_secs(30),
                by_source: true
            },
            "per account, trimmed, case-insensitive, from any address"
        );
        assert!(
            t.check("erin", ip("192.0.2.5"), now).is_ok(),
            "not the address"
        );
        let later = now + Duration::from_secs(31);
        assert!(t.check("dave", ip("192.0.2.5"), later).is_ok(), "it ends");
        // No failure was counted: five more failures are still free.
        for _ in 0..5 {
            t.record_failure("dave", ip("192.0.2.5"), later);
        }
        assert!(t.check("dave", ip("192.0.2.6"), later).is_ok());
        // Our longer slow-down is reported as ours.
        for _ in 0..4 {
            t.record_failure("dave", ip("192.0.2.5"), later);
        }
        t.record_pause("dave", later + Duration::from_secs(2), later);
        let b = t.check("dave", ip("192.0.2.6"), later).unwrap_err();
        assert_eq!(b.wait, Duration::from_secs(8));
        assert!(!b.by_source);
    }

    #[test]
    fn table_stays_bounded() {
        let t = Throttle::new(Policy {
            max_entries: 100,
            ..Policy::default()
        });
        let now = Instant::now();
        for i in 0..1000u32 {
            t.record_failure(&format!("u{i}"), IpAddr::from(i.to_be_bytes()), now);
        }
        assert!(t.len() <= 102, "{}", t.len());
    }
}
