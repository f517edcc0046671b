//! The relay's tokens. Each `AudioPlayer.Play` the skill answers carries a
//! URL with a fresh token: 256 random bits, kept here only as its SHA-256,
//! bound to one pushed stream of one player, accepted for new requests
//! until it expires (and for a short while after each stream on it that
//! delivered audio ends, so an Echo can reconnect), and never past its
//! maximum life counted from minting, however it is used (a request that
//! delivered nothing, e.g. refused as busy or failed at Music Assistant,
//! extends nothing). A new stream pushed for the player, or the player
//! being stopped, revokes its tokens and ends their streams. Bounded: at
//! most [`MAX_GRANTS`], expired ones dropped first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::source::{Art, StreamSource};
use crate::util;

/// Tokens kept at most.
pub const MAX_GRANTS: usize = 256;
/// A relay URL's maximum life from minting (8 hours: why, at
/// [`crate::config::RELAY_MAX_LIFE`]).
pub const MAX_LIFE: Duration = crate::config::RELAY_MAX_LIFE;
/// Streams open at once on one token: the Echo's one stream, plus one
/// for its reconnect while the last connection is still draining.
pub const MAX_STREAMS_PER_TOKEN: usize = 2;

/// What a token opens: the audio, or only the cover art (the art URL is
/// handed to Amazon's image fetchers and must not play the stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Stream,
    Art,
}

/// What a token lets its holder fetch.
#[derive(Debug, Clone)]
pub struct Grant {
    pub scope: Scope,
    pub player: String,
    /// The push it was minted for (`Pushed::id`).
    pub push_id: String,
    pub source: StreamSource,
    pub art: Option<Art>,
}

struct Entry {
    grant: Grant,
    expires: Instant,
    /// The maximum life's end: no new request is taken after it.
    end_of_life: Instant,
    open: usize,
    /// Turned true to end every stream on this token.
    cancel: watch::Sender<bool>,
}

impl Entry {
    /// New requests are taken: within the maximum life, and unexpired or
    /// with a stream open (a reconnect while the last one drains).
    fn takes_requests(&self, now: Instant) -> bool {
        now < self.end_of_life && (self.open > 0 || self.expires > now)
    }
}

/// The token table.
pub struct Grants {
    map: Mutex<HashMap<[u8; 32], Entry>>,
    ttl: Duration,
    reconnect: Duration,
    max_life: Duration,
}

impl std::fmt::Debug for Grants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grants").field("len", &self.len()).finish()
    }
}

/// Why a token gives nothing (the same answer for both: 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Unknown, expired or revoked.
    Unknown,
    /// Already [`MAX_STREAMS_PER_TOKEN`] streams on it.
    Busy,
}

/// A stream open on a token: counts while it lives; its drop lets the
/// token live [`Grants`]'s reconnect time longer if the stream delivered
/// audio ([`Lease::delivered`]), never past the token's maximum life.
pub struct Lease {
    grants: Arc<Grants>,
    key: [u8; 32],
    delivered: bool,
    pub grant: Grant,
    pub cancel: watch::Receiver<bool>,
}

impl Lease {
    /// The stream handed audio to its reader: its end may be followed by
    /// a reconnect.
    pub fn delivered(&mut self) {
        self.delivered = true;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut map = self.grants.lock();
        if let Some(e) = map.get_mut(&self.key) {
            e.open = e.open.saturating_sub(1);
            if self.delivered {
                let until = (Instant::now() + self.grants.reconnect).min(e.end_of_life);
                e.expires = e.expires.max(until);
            }
        }
    }
}

impl Grants {
    /// Tokens taking new requests for `ttl` after minting, `reconnect`
    /// after a stream that delivered audio ends, never past `max_life`.
    pub fn new(ttl: Duration, reconnect: Duration, max_life: Duration) -> Grants {
        Grants {
            map: Mutex::new(HashMap::new()),
            ttl: ttl.min(max_life),
            reconnect,
            max_life,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A new token for `grant`.
    pub fn mint(&self, grant: Grant) -> String {
        let token = util::random_token(32);
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() >= MAX_GRANTS {
            map.retain(|_, e| e.expires > now || e.open > 0);
        }
        if map.len() >= MAX_GRANTS {
            // Still full: the oldest without an open stream goes.
            let oldest = map
                .iter()
                .filter(|(_, e)| e.open == 0)
                .min_by_key(|(_, e)| e.expires)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        let (cancel, _) = watch::channel(false);
        map.insert(
            util::sha256(token.as_bytes()),
            Entry {
                grant,
                expires: now + self.ttl,
                end_of_life: now + self.max_life,
                open: 0,
                cancel,
            },
        );
        token
    }

    /// What `token` grants if it is of `scope`, without opening a stream
    /// (HEAD, cover art).
    pub fn peek(&self, token: &str, scope: Scope) -> Result<Grant, Denied> {
        let now = Instant::now();
        let map = self.lock();
        match map.get(&util::sha256(token.as_bytes())) {
            Some(e) if e.grant.scope == scope && e.takes_requests(now) => Ok(e.grant.clone()),
            _ => Err(Denied::Unknown),
        }
    }

    /// Opens a stream on `token` (a [`Scope::Stream`] token).
    pub fn open(self: &Arc<Self>, token: &str) -> Result<Lease, Denied> {
        let key = util::sha256(token.as_bytes());
        let now = Instant::now();
        let mut map = self.lock();
        let e = map.get_mut(&key).ok_or(Denied::Unknown)?;
        if e.grant.scope != Scope::Stream {
            return Err(Denied::Unknown);
        }
        if !e.takes_requests(now) {
            if e.open == 0 {
                map.remove(&key);
            }
            return Err(Denied::Unknown);
        }
        if e.open >= MAX_STREAMS_PER_TOKEN {
            return Err(Denied::Busy);
        }
        e.open += 1;
        Ok(Lease {
            grants: Arc::clone(self),
            key,
            delivered: false,
            grant: e.grant.clone(),
            cancel: e.cancel.subscribe(),
        })
    }

    /// Revokes every token of `player` (all of them, or those of pushes
    /// other than `keep`) and ends their streams; returns how many.
    pub fn revoke_player(&self, player: &str, keep: Option<&str>) -> usize {
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, e| {
            let goes = e.grant.player == player && Some(e.grant.push_id.as_str()) != keep;
            if goes {
                e.cancel.send_replace(true);
            }
            !goes
        });
        before - map.len()
    }

    /// Streams open now, over every token.
    pub fn open_streams(&self) -> usize {
        self.lock().values().map(|e| e.open).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::echo::source::{StreamHosts, StreamSource};

    fn grant(player: &str, push: &str) -> Grant {
        let hosts = StreamHosts::new(Some("http://127.0.0.1:8095"), &[]);
        let url = format!("http://127.0.0.1:8097/flow/s/{player}/i/{player}.flac");
        Grant {
            scope: Scope::Stream,
            player: player.into(),
            push_id: push.into(),
            source: StreamSource::parse(&url, &hosts).unwrap(),
            art: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_expire_but_live_on_briefly_after_a_stream() {
        let g = Arc::new(Grants::new(
            Duration::from_secs(60),
            Duration::from_secs(5),
            HOURS,
        ));
        let t = g.mint(grant("Echo Kitchen", "p1"));
        assert_eq!(t.len(), 43, "256 bits, base64url");
        assert!(g.peek("nope", Scope::Stream).is_err());
        let mut lease = g.open(&t).unwrap();
        lease.delivered();
        assert_eq!(lease.grant.player, "Echo Kitchen");
        tokio::time::advance(Duration::from_secs(120)).await;
        assert!(g.peek(&t, Scope::Stream).is_ok(), "open streams keep it");
        drop(lease);
        assert!(g.open(&t).is_ok(), "reconnect within 5 s");
        tokio::time::advance(Duration::from_secs(6)).await;
        assert_eq!(g.open(&t).err(), Some(Denied::Unknown));
        let t2 = g.mint(grant("Echo Kitchen", "p2"));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(g.open(&t2).err(), Some(Denied::Unknown), "expired unused");
    }

    const HOURS: Duration = Duration::from_secs(8 * 3600);

    #[tokio::test(start_paused = true)]
    async fn a_token_is_refused_after_its_maximum_life_however_much_it_is_used() {
        let max = Duration::from_secs(600);
        let g = Arc::new(Grants::new(
            Duration::from_secs(60),
            Duration::from_secs(60),
            max,
        ));
        let t = g.mint(grant("Echo Kitchen", "p1"));
        // Reconnect every 30 s, each stream delivering audio: the token
        // lives on only until its maximum life.
        let mut elapsed = Duration::ZERO;
        while elapsed < max {
            let mut lease = g.open(&t).expect("within the maximum life");
            lease.delivered();
            drop(lease);
            tokio::time::advance(Duration::from_secs(30)).await;
            elapsed += Duration::from_secs(30);
        }
        tokio::time::advance(max - elapsed).await;
        assert_eq!(
            g.open(&t).err(),
            Some(Denied::Unknown),
            "past its maximum life"
        );
        assert!(g.peek(&t, Scope::Stream).is_err());
        // A stream open at that moment does not keep the token taking requests.
        let t2 = g.mint(grant("Echo Kitchen", "p2"));
        let held = g.open(&t2).unwrap();
        tokio::time::advance(max).await;
        assert_eq!(g.open(&t2).err(), Some(Denied::Unknown));
        drop(held);
    }

    #[tokio::test(start_paused = true)]
    async fn only_streams_that_delivered_audio_extend_a_token() {
        let g = Arc::new(Grants::new(
            Duration::from_secs(60),
            Duration::from_secs(60),
            HOURS,
        ));
        let t = g.mint(grant("Echo Kitchen", "p1"));
        // Requests that got nothing (busy, Music Assistant failing) every 30 s.
        for _ in 0..3 {
            tokio::time::advance(Duration::from_secs(30)).await;
            if let Ok(failed) = g.open(&t) {
                drop(failed);
            }
        }
        assert_eq!(g.open(&t).err(), Some(Denied::Unknown), "expired at 60 s");
        let t = g.mint(grant("Echo Kitchen", "p2"));
        tokio::time::advance(Duration::from_secs(50)).await;
        let mut played = g.open(&t).unwrap();
        played.delivered();
        drop(played);
        tokio::time::advance(Duration::from_secs(50)).await;
        assert!(g.open(&t).is_ok(), "a reconnect after audio is taken");
    }

    #[tokio::test]
    async fn an_art_token_does_not_open_the_stream_and_a_stream_token_shows_no_art() {
        let g = Arc::new(Grants::new(
            Duration::from_secs(60),
            Duration::from_secs(5),
            HOURS,
        ));
        let mut art = grant("Echo Kitchen", "p1");
        art.scope = Scope::Art;
        let a = g.mint(art);
        let s = g.mint(grant("Echo Kitchen", "p1"));
        assert_eq!(g.open(&a).err(), Some(Denied::Unknown));
        assert!(g.peek(&a, Scope::Stream).is_err());
        assert!(g.peek(&a, Scope::Art).is_ok());
        assert!(g.peek(&s, Scope::Art).is_err());
        assert!(g.open(&s).is_ok());
        assert_eq!(g.revoke_player("Echo Kitchen", None), 2, "both revoked");
    }

    #[tokio::test]
    async fn one_token_plays_one_stream_plus_one_reconnect_overlap() {
        let g = Arc::new(Grants::new(
            Duration::from_secs(60),
            Duration::from_secs(5),
            HOURS,
        ));
        let t = g.mint(grant("Echo Kitchen", "p1"));
        let playing = g.open(&t).expect("the stream");
        let reconnect = g.open(&t).expect("a reconnect while the last one drains");
        assert_eq!(g.open(&t).err(), Some(Denied::Busy), "no third");
        drop(playing);
        let again = g.open(&t).expect("room again once one ended");
        drop((reconnect, again));
    }

    #[tokio::test]
    async fn revoking_a_player_ends_its_streams_only() {
        let g = Arc::new(Grants::new(
            Duration::from_secs(60),
            Duration::from_secs(5),
            HOURS,
        ));
        let k1 = g.mint(grant("Echo Kitchen", "p1"));
        let k2 = g.mint(grant("Echo Kitchen", "p2"));
        let o = g.mint(grant("Echo Office", "p3"));
        let mut lease = g.open(&k1).unwrap();
        let other = g.open(&o).unwrap();
        assert_eq!(g.revoke_player("Echo Kitchen", Some("p2")), 1);
        assert!(*lease.cancel.borrow_and_update());
        assert!(!*other.cancel.borrow());
        assert!(g.open(&k1).is_err());
        assert!(g.open(&k2).is_ok());
        assert_eq!(g.revoke_player("Echo Kitchen", None), 1);
        assert!(g.open(&k2).is_err());
        for _ in 1..MAX_STREAMS_PER_TOKEN {
            std::mem::forget(g.open(&o).unwrap());
        }
        assert_eq!(g.open(&o).err(), Some(Denied::Busy));
    }

    #[test]
    fn the_table_stays_bounded() {
        let g = Grants::new(Duration::from_secs(60), Duration::from_secs(5), HOURS);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            for i in 0..(MAX_GRANTS + 50) {
                g.mint(grant("Echo Kitchen", &format!("p{i}")));
            }
        });
        assert_eq!(g.len(), MAX_GRANTS);
    }
}
