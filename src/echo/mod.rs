//! Playing Music Assistant on the Echo itself, with Music Assistant's own
//! Alexa player provider: the API it calls (`GET /alexa/intents`,
//! `POST /ma/push-url`, `GET /ma/latest-url`, behind HTTP Basic
//! credentials this server makes), the pushed streams it announces, and
//! the private relay the Echo fetches them through
//! (`https://PUBLIC/alexa/stream/TOKEN.mp3`), so Music Assistant's stream
//! port never faces the internet.
//!
//! - [`source`]: the accept-list of pushed stream URLs (Music Assistant's
//!   stream server, flow or single paths, bounded ids) and cover art.
//! - [`push`]: the push body.
//! - [`grants`]: the relay's tokens (random, hashed, bound to one stream,
//!   expiring, revoked when the player stops).
//! - [`relay`]: fetching Music Assistant's stream as MP3 and handing it to
//!   the Echo with backpressure.
//! - [`art_cache`]: relayed cover images, fetched once and kept.
//! - [`credentials`]: the provider API's Basic credentials (sealed at rest,
//!   checked in constant time).
//!
//! [`Echo`] holds the state (one per server, in the app state).

pub mod art_cache;
pub mod credentials;
pub mod grants;
pub mod push;
pub mod relay;
pub mod source;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

use crate::config::EchoSettings;
use crate::throttle::{Policy, Throttle};
use art_cache::ArtCache;
use credentials::{CredentialError, PasswordCache, Sealer};
use grants::{Grant, Grants, Scope};
use push::{Metadata, Push, PushError};
use relay::RelayLimits;
use source::{HostPort, StreamHosts};

/// Where the Echo fetches a relayed stream: `PREFIX` + token + `.mp3`.
pub const STREAM_PREFIX: &str = "/alexa/stream/";
/// Where the Echo's screen fetches relayed cover art: `PREFIX` + token.
pub const ART_PREFIX: &str = "/alexa/art/";
/// Players whose last push is kept at most.
pub const MAX_PLAYERS: usize = 64;

/// The last stream pushed for one player.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// Random, per stream (not secret): the `AudioPlayer` token is
    /// `ma:<id>`, so a request from an Echo playing it is recognised.
    pub id: String,
    pub push: Push,
    /// When its stream was first pushed, and when last updated.
    pub first: Instant,
    pub last: Instant,
    /// The skill answered `AudioPlayer.Play` for it: when, and to which
    /// Echo (the SHA-256 of its deviceId).
    pub answered: Option<(Instant, [u8; 32])>,
}

impl Pushed {
    pub fn player(&self) -> &str {
        &self.push.source.player
    }
    /// The `AudioPlayer` stream token of this push.
    pub fn audio_token(&self) -> String {
        format!("ma:{}", self.id)
    }
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// A new stream for the player (its earlier relays were ended).
    NewStream { player: String, ended: usize },
    /// The same stream again, with metadata.
    Updated { player: String },
}

/// A relay URL the skill can answer with.
#[derive(Debug, Clone)]
pub struct Minted {
    /// Appended to the public URL: `/alexa/stream/TOKEN.mp3`.
    pub stream_path: String,
    /// `/alexa/art/TOKEN` when the art is relayed; or the public art URL.
    pub art: Option<ArtUrl>,
    pub audio_token: String,
    pub meta: Metadata,
}

/// Where the Echo's screen fetches the cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtUrl {
    /// A path on this server.
    Relayed(String),
    /// A public https URL as Music Assistant gave it.
    Public(String),
}

/// The provider API and relay's state.
#[derive(Debug)]
pub struct Echo {
    hosts: StreamHosts,
    /// Music Assistant's web server (its image proxy may be there).
    web: Option<HostPort>,
    pushes: Mutex<HashMap<String, Pushed>>,
    latest: Mutex<Option<Push>>,
    grants: Arc<Grants>,
    streams: Arc<Semaphore>,
    max_streams: usize,
    /// Cover image fetches (their own permits, never the stream slots).
    art_fetches: Semaphore,
    art: ArtCache,
    relay: RelayLimits,
    sealer: Option<Sealer>,
    password: PasswordCache,
    throttle: Throttle,
    /// Counts accepted pushes: the skill waits on it for a stream it caused.
    pushed: watch::Sender<u64>,
}

/// Failed provider API logins per address before the slow-down.
const FREE_FAILURES: u32 = 10;

impl Echo {
    /// The state for Music Assistant at `ma_url` (None: the provider API
    /// answers that Music Assistant is not configured).
    pub fn new(
        settings: &EchoSettings,
        ma_url: Option<&str>,
        data_dir: &Path,
    ) -> Result<Echo, CredentialError> {
        let extra: Vec<HostPort> = settings
            .stream_hosts
            .iter()
            .filter_map(|h| HostPort::parse(h, source::DEFAULT_STREAM_PORT).ok())
            .collect();
        let web = ma_url.and_then(|u| url::Url::parse(u).ok()).and_then(|u| {
            let host = u.host_str()?.trim_matches(['[', ']']).to_ascii_lowercase();
            Some(HostPort {
                host,
                port: u.port_or_known_default()?,
            })
        });
        let sealer = match ma_url {
            Some(_) => Some(Sealer::open(data_dir)?),
            None => None,
        };
        Ok(Echo {
            hosts: StreamHosts::new(ma_url, &extra),
            web,
            pushes: Mutex::new(HashMap::new()),
            latest: Mutex::new(None),
            grants: Arc::new(Grants::new(
                settings.token_ttl,
                settings.reconnect,
                settings.max_life,
            )),
            streams: Arc::new(Semaphore::new(settings.max_streams.max(1))),
            max_streams: settings.max_streams.max(1),
            art_fetches: Semaphore::new(art_cache::MAX_FETCHES),
            art: ArtCache::default(),
            relay: RelayLimits {
                stall: settings.stall,
                upstream_idle: settings.upstream_idle,
                ..RelayLimits::default()
            },
            sealer,
            password: PasswordCache::default(),
            throttle: Throttle::new(Policy {
                // Per address only: a fixed account key would let anyone
                // lock Music Assistant itself out.
                free_failures_per_account: u32::MAX,
                free_failures_per_address: FREE_FAILURES,
                max_entries: 10_000,
                ..Policy::default()
            }),
            pushed: watch::Sender::new(0),
        })
    }

    /// Music Assistant is configured: the provider API is served.
    pub fn enabled(&self) -> bool {
        self.sealer.is_some()
    }

    pub fn sealer(&self) -> Option<&Sealer> {
        self.sealer.as_ref()
    }

    /// The provider API's password kept in memory.
    pub fn password(&self) -> &PasswordCache {
        &self.password
    }

    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    pub fn stream_hosts(&self) -> &StreamHosts {
        &self.hosts
    }

    pub fn relay_limits(&self) -> &RelayLimits {
        &self.relay
    }

    pub fn grants(&self) -> &Arc<Grants> {
        &self.grants
    }

    /// The relay's stream permits (bounded concurrent streams).
    pub fn streams(&self) -> &Arc<Semaphore> {
        &self.streams
    }

    /// The permits of cover image fetches.
    pub fn art_fetches(&self) -> &Semaphore {
        &self.art_fetches
    }

    /// Cover images fetched and kept.
    pub fn art_cache(&self) -> &ArtCache {
        &self.art
    }

    /// Streams being relayed now.
    pub fn active_streams(&self) -> usize {
        self.max_streams - self.streams.available_permits()
    }

    /// Parses and checks a push body.
    pub fn parse_push(&self, body: &[u8]) -> Result<Push, PushError> {
        push::parse(body, &self.hosts, self.web.as_ref())
    }

    /// Records an accepted push. A new stream for the player ends the
    /// relays of its earlier ones.
    pub fn accept(&self, push: Push) -> Accepted {
        let player = push.source.player.clone();
        let now = Instant::now();
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = Some(push.clone());
        let mut pushes = self.pushes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = pushes.get_mut(&player)
            && p.push.source == push.source
        {
            if push.has_meta {
                p.push.meta = push.meta;
                p.push.image_url = push.image_url;
                p.push.has_meta = true;
            }
            p.last = now;
            return Accepted::Updated { player };
        }
        if pushes.len() >= MAX_PLAYERS && !pushes.contains_key(&player) {
            let oldest = pushes
                .iter()
                .min_by_key(|(_, p)| p.last)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                pushes.remove(&k);
            }
        }
        let id = crate::util::random_token(12);
        let ended = self.grants.revoke_player(&player, Some(&id));
        pushes.insert(
            player.clone(),
            Pushed {
                id,
                push,
                first: now,
                last: now,
                answered: None,
            },
        );
        drop(pushes);
        self.pushed.send_modify(|n| *n += 1);
        Accepted::NewStream { player, ended }
    }

    /// The last push of any player (`GET /ma/latest-url`).
    pub fn latest(&self) -> Option<Push> {
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The last stream pushed for `player`.
    pub fn pushed(&self, player: &str) -> Option<Pushed> {
        let pushes = self.pushes.lock().unwrap_or_else(|p| p.into_inner());
        pushes.get(player).cloned()
    }

    /// Streams first pushed within `within`, newest first (learning which
    /// Echo asked for which).
    pub fn recent(&self, within: Duration) -> Vec<Pushed> {
        let now = Instant::now();
        let pushes = self.pushes.lock().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<Pushed> = pushes
            .values()
            .filter(|p| now.duration_since(p.first) <= within)
            .cloned()
            .collect();
        v.sort_by_key(|p| std::cmp::Reverse(p.first));
        v
    }

    /// A relay URL for `player`'s last pushed stream.
    pub fn mint(&self, player: &str) -> Option<Minted> {
        let pushed = self.pushed(player)?;
        let grant = |scope, art| Grant {
            scope,
            player: player.to_owned(),
            push_id: pushed.id.clone(),
            source: pushed.push.source.clone(),
            art,
        };
        let token = self.grants.mint(grant(Scope::Stream, None));
        // The art URL goes to Amazon's image fetchers: its own token, which
        // cannot open the stream.
        let art = pushed.push.meta.art.clone().map(|a| match a {
            source::Art::Relayed { .. } => {
                let art_token = self.grants.mint(grant(Scope::Art, Some(a)));
                ArtUrl::Relayed(format!("{ART_PREFIX}{art_token}"))
            }
            source::Art::Public(u) => ArtUrl::Public(u),
        });
        Some(Minted {
            stream_path: format!("{STREAM_PREFIX}{token}.mp3"),
            art,
            audio_token: pushed.audio_token(),
            meta: pushed.push.meta,
        })
    }

    /// The push whose `AudioPlayer` token is `token` (`ma:<id>`).
    pub fn by_audio_token(&self, token: &str) -> Option<Pushed> {
        let id = token.strip_prefix("ma:")?;
        let pushes = self.pushes.lock().unwrap_or_else(|p| p.into_inner());
        pushes.values().find(|p| p.id == id).cloned()
    }

    /// Whether any push ever arrived (the provider is set up).
    pub fn has_pushes(&self) -> bool {
        *self.pushed.borrow() > 0
    }

    /// Records that the skill answered `AudioPlayer.Play` for push `id` to
    /// the Echo `device` (hash).
    pub fn answered(&self, id: &str, device: [u8; 32]) {
        let mut pushes = self.pushes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = pushes.values_mut().find(|p| p.id == id) {
            p.answered = Some((Instant::now(), device));
        }
    }

    /// Waits until `player` has a stream first pushed after `since` (a
    /// command the skill sent made Music Assistant start one), at most
    /// until `until`.
    pub async fn wait_stream(
        &self,
        player: &str,
        since: Instant,
        until: Instant,
    ) -> Option<Pushed> {
        let mut rx = self.pushed.subscribe();
        loop {
            if let Some(p) = self.pushed(player).filter(|p| p.first >= since) {
                return Some(p);
            }
            match tokio::time::timeout_at(until, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return None,
            }
        }
    }

    /// The player stopped: its relay URLs stop working and its streams end.
    pub fn stop_player(&self, player: &str) -> usize {
        self.grants.revoke_player(player, None)
    }
}
