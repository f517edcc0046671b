//! The state every handler shares ([`App`]): configuration, the store, the
//! signing keys, the identity source, Music Assistant, the login throttle,
//! the CSRF key and the audit sink, opened once at start. It sits below the
//! handlers and above the domain; the router (`crate::router`) is above both.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_lc_rs::hmac;
use bytes::Bytes;

use crate::audit::Audit;
use crate::config::{self, Config};
use crate::echo::Echo;
use crate::files::load_or_create_secret;
use crate::identity::music_assistant::MusicAssistantAccounts;
use crate::identity::{IdentityProvider, LocalAccounts, password::Hasher};
use crate::keys::Keys;
use crate::listener::ConnInfo;
use crate::ma::MusicAssistant;
use crate::oauth;
use crate::skill::SkillVerifier;
use crate::startup::{StartError, open_store};
use crate::store::{self, Store, StoreError};
use crate::throttle::Throttle;

pub mod link;
pub mod seen;

/// HMAC key of the login forms' CSRF tokens; kept so forms survive a restart.
pub const CSRF_KEY_FILE: &str = "csrf.key";

pub struct App {
    config: Config,
    data_dir: PathBuf,
    store: Store,
    keys: Keys,
    identity: Arc<dyn IdentityProvider>,
    /// Set when `--music-assistant-url` is: the gateway and the MA token life cycle.
    ma: Option<Arc<MusicAssistant>>,
    throttle: Throttle,
    csrf_key: hmac::Key,
    audit: Audit,
    issuer_origin: String,
    /// The issuer is `https://`: every response carries HSTS.
    https: bool,
    metadata_json: Bytes,
    jwks_json: Bytes,
    /// The skill's memory: each Echo's player, the library's names.
    skill: crate::skill::Memory,
    /// Verifies requests to the skill endpoint (Amazon's roots unless a
    /// testing trust was set at start).
    skill_verifier: SkillVerifier,
    /// Skill ids given at start (`serve --alexa-skill-id`), answered besides
    /// those registered in the store.
    configured_skill_ids: Vec<String>,
    /// Playing on the Echo: Music Assistant's Alexa provider, the relay.
    echo: Echo,
    /// The password hashing service (local accounts, the admin login).
    hasher: Hasher,
    /// The skill endpoint's last verified and refused requests.
    skill_seen: seen::SkillSeen,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("issuer", &self.config.issuer)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl App {
    /// Opens the data directory: database, signing key; local accounts as identity.
    pub fn open(config: Config, data_dir: &Path) -> Result<App, StartError> {
        let issuer = url::Url::parse(&config.issuer)
            .map_err(|_| StartError::Issuer(config.issuer.clone()))?;
        if !matches!(issuer.scheme(), "http" | "https")
            || issuer.host().is_none()
            || issuer.query().is_some()
        {
            return Err(StartError::Issuer(config.issuer.clone()));
        }
        if !(1..=300).contains(&config.code_ttl) {
            return Err(StartError::Config(format!(
                "authorization codes must live 1 to 300 seconds (got {})",
                config.code_ttl
            )));
        }
        if config.access_token_ttl < 1 {
            return Err(StartError::Config(
                "the access token lifetime must be positive".into(),
            ));
        }
        let store = open_store(data_dir)?;
        let keys = Keys::load_or_create(data_dir, &config.issuer, config.audience())?;
        let hasher = Hasher::new(config.hash_permits);
        // One identity source per server: Music Assistant accounts when its
        // URL is configured, local accounts otherwise.
        let ma = match &config.music_assistant_url {
            Some(url) => Some(Arc::new(MusicAssistant::open(
                url,
                config.upstream_timeout,
                config.ma_token_renew_after,
                data_dir,
            )?)),
            None => None,
        };
        let identity: Arc<dyn IdentityProvider> = match &ma {
            Some(ma) => Arc::new(MusicAssistantAccounts::new(ma.client().clone())),
            None => Arc::new(LocalAccounts::new(store.clone(), hasher.clone())),
        };
        let csrf = load_or_create_secret(&data_dir.join(CSRF_KEY_FILE))?;
        let echo = Echo::new(
            &config.echo,
            config.music_assistant_url.as_deref(),
            data_dir,
        )
        .map_err(|e| StartError::Config(e.to_string()))?;
        let metadata_json = Bytes::from(oauth::metadata::document(&config).to_string());
        let jwks_json = Bytes::from(keys.jwks_json().to_owned());
        Ok(App {
            throttle: Throttle::new(config.login_policy.clone()),
            issuer_origin: issuer.origin().ascii_serialization(),
            https: issuer.scheme() == "https",
            config,
            data_dir: data_dir.to_owned(),
            store,
            keys,
            identity,
            ma,
            csrf_key: hmac::Key::new(hmac::HMAC_SHA256, &csrf),
            audit: Audit::default(),
            metadata_json,
            jwks_json,
            skill: crate::skill::Memory::default(),
            skill_verifier: SkillVerifier::amazon(),
            configured_skill_ids: Vec::new(),
            echo,
            hasher,
            skill_seen: seen::SkillSeen::default(),
        })
    }

    /// Replaces the identity provider (Music Assistant accounts, tests).
    pub fn with_identity(mut self, identity: Arc<dyn IdentityProvider>) -> App {
        self.identity = identity;
        self
    }

    pub fn with_audit(mut self, audit: Audit) -> App {
        self.audit = audit;
        self
    }

    /// Replaces the skill request verifier (a testing trust, set by `serve`).
    pub fn with_skill_verifier(mut self, verifier: SkillVerifier) -> App {
        self.skill_verifier = verifier;
        self
    }

    /// Skill ids answered besides those in the store (`serve --alexa-skill-id`).
    pub fn with_skill_ids(mut self, ids: Vec<String>) -> App {
        self.configured_skill_ids = ids;
        self
    }

    pub fn skill_verifier(&self) -> &SkillVerifier {
        &self.skill_verifier
    }

    /// The skill ids whose requests are answered: those given at start and
    /// those registered (`skill id add`, read from the store each time, one
    /// inline read, so a change from the CLI applies at once).
    pub async fn skill_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut ids = self.store.read(store::skill_ids).await?;
        ids.extend(self.configured_skill_ids.iter().cloned());
        Ok(ids)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn keys(&self) -> &Keys {
        &self.keys
    }
    pub fn identity(&self) -> &dyn IdentityProvider {
        &*self.identity
    }
    /// Music Assistant, when configured.
    pub fn ma(&self) -> Option<&Arc<MusicAssistant>> {
        self.ma.as_ref()
    }
    /// What the Alexa skill remembers between requests.
    pub fn skill(&self) -> &crate::skill::Memory {
        &self.skill
    }
    /// Music Assistant's Alexa provider and the stream relay.
    pub fn echo(&self) -> &Echo {
        &self.echo
    }
    /// The bounded password hashing service.
    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }
    /// The skill endpoint's last requests, for the add-on's page.
    pub fn skill_seen(&self) -> &seen::SkillSeen {
        &self.skill_seen
    }
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }
    pub fn audit(&self) -> &Audit {
        &self.audit
    }
    pub(crate) fn csrf_key(&self) -> &hmac::Key {
        &self.csrf_key
    }
    pub fn issuer_origin(&self) -> &str {
        &self.issuer_origin
    }
    /// True if the public URL (the issuer) is https.
    pub fn https(&self) -> bool {
        self.https
    }

    /// True if `ip` is a trusted proxy (`--trusted-proxy`).
    pub fn trusted_proxy(&self, ip: IpAddr) -> bool {
        self.config.trusted_proxies.iter().any(|c| c.contains(ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy,
    /// in which case the right-most untrusted `X-Forwarded-For` entry.
    pub fn client_ip(&self, headers: &hyper::HeaderMap, conn: &ConnInfo) -> IpAddr {
        let peer = config::canonical(conn.peer.ip());
        let trusted = |ip: IpAddr| self.trusted_proxy(ip);
        if !trusted(peer) {
            return peer;
        }
        let mut chain: Vec<IpAddr> = Vec::new();
        for h in headers.get_all("x-forwarded-for") {
            let Ok(s) = h.to_str() else { return peer };
            for part in s.split(',') {
                let part = part.trim();
                let ip = part
                    .parse::<IpAddr>()
                    .or_else(|_| part.parse::<SocketAddr>().map(|a| a.ip()));
                match ip {
                    Ok(ip) => chain.push(config::canonical(ip)),
                    Err(_) => return peer,
                }
            }
        }
        chain
            .iter()
            .rev()
            .find(|ip| !trusted(**ip))
            .or(chain.first())
            .copied()
            .unwrap_or(peer)
    }

    /// The RFC 8414 metadata document, serialised once at start.
    pub fn metadata_json(&self) -> &Bytes {
        &self.metadata_json
    }
    /// The JWKS document, serialised once at start.
    pub fn jwks_json(&self) -> &Bytes {
        &self.jwks_json
    }

    /// Removes expired codes and revoked-token records.
    pub async fn purge(&self) -> Result<usize, StoreError> {
        let now = crate::util::now();
        if let Some(ma) = &self.ma {
            // Codes are purged a day after expiry; their tokens go as soon as they expire.
            if let Err(e) = ma.revoke_expired_codes(&self.store, now).await {
                tracing::warn!(error = %e, "revoking the tokens of unused codes failed");
            }
        }
        self.store.call(move |c| store::purge_expired(c, now)).await
    }
}
