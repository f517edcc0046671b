//! Login slow-down per account and per client address.
//!
//! After a number of free failures each further failure blocks that key for
//! an exponentially growing time, capped, so guessing gets slow while the
//! owner is never locked out for good. A success clears the account's record.
//! Records are forgotten after a quiet period; the table is bounded.

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
    last_failure: Instant,
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

fn account_key(username: &str) -> Key {
    Key::Account(username.to_lowercase())
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Throttle {
            policy,
            table: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(retry_after)` if this account or address must wait before trying again.
    pub fn check(&self, username: &str, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let wait = [account_key(username), address_key(addr)]
            .iter()
            .filter_map(|k| table.get(k))
            .filter(|e| now.duration_since(e.last_failure) < self.policy.forget_after)
            .map(|e| e.blocked_until.saturating_duration_since(now))
            .max()
            .unwrap_or_default();
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    pub fn record_failure(&self, username: &str, addr: IpAddr, now: Instant) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if table.len() >= self.policy.max_entries {
            let forget = self.policy.forget_after;
            table.retain(|_, e| now.duration_since(e.last_failure) < forget);
            if table.len() >= self.policy.max_entries {
                // Still full of fresh entries (a distributed attack): drop the
                // ones that block least rather than grow without bound.
                table.retain(|_, e| e.blocked_until > now);
            }
        }
        let free = [
            self.policy.free_failures_per_account,
            self.policy.free_failures_per_address,
        ];
        for (key, free) in [account_key(username), address_key(addr)]
            .into_iter()
            .zip(free)
        {
            let e = table.entry(key).or_insert(Entry {
                failures: 0,
                blocked_until: now,
                last_failure: now,
            });
            if now.duration_since(e.last_failure) >= self.policy.forget_after {
                e.failures = 0;
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
        let wait = t.check("ALICE", ip("198.51.100.7"), now).unwrap_err();
        assert_eq!(
            wait,
            Duration::from_secs(1),
            "per account, case-insensitive, from any address"
        );
        t.record_failure("alice", ip("192.0.2.1"), now);
        assert_eq!(
            t.check("alice", ip("192.0.2.1"), now).unwrap_err(),
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
            t.check("bob", ip("192.0.2.9"), now).unwrap_err(),
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
