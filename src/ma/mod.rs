//! Music Assistant: the upstream this server fronts.
//!
//! - [`client`]: the REST client (login, logout, commands, tokens).
//! - [`cipher`]: AES-256-GCM encryption at rest of the long-lived tokens.
//! - [`commands`]: the gateway's allowlist (command → scopes, argument shape).
//! - [`shape`]: the language argument shapes are stated in, and their check.
//! - [`args`]: each command's argument shape.
//! - [`uri`]: what may name media (accepted URI forms, providers, item ids).
//!
//! [`MusicAssistant`] ties them to the store: the token life cycle of a link
//! (created at login by [`crate::identity::music_assistant`], renewed on use
//! when old, revoked with the link).

pub mod args;
pub mod cipher;
pub mod client;
pub mod commands;
pub mod shape;
pub mod uri;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::startup::StartError;
use crate::store::{self, MaToken, MaTokenState, Store};
use crate::util::{self, Secret};
use cipher::TokenCipher;
use client::MaClient;

/// A long-lived Music Assistant token obtained at login (by
/// `identity::music_assistant`) or by renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamToken {
    pub token: crate::util::Secret,
    /// Its (unique) name upstream.
    pub name: String,
    pub created_at: i64,
}

/// Music Assistant's long-lived tokens are valid one year.
pub const TOKEN_LIFETIME: i64 = 365 * 86_400;
/// `meta` key where `serve` records the Music Assistant URL (for the CLI).
pub const URL_META: &str = "music_assistant_url";
/// After a failed renewal, the next attempt waits this long.
const RENEW_BACKOFF: i64 = 600;

/// The name Music Assistant shows for the token in its settings: whose link
/// it is, when it was made, and a random tag that tells two apart.
pub fn token_name(label: &str) -> String {
    let date = crate::util::fmt_time(util::now());
    let day = date.split(' ').next().unwrap_or_default();
    format!(
        "Alexa (ma-alexa-oauth) {label} {day} {}",
        util::random_token(3)
    )
}

/// What happened to a link's token on revocation.
#[derive(Debug, PartialEq, Eq)]
pub enum Revoked {
    /// Music Assistant revoked it; the ciphertext is gone.
    Upstream,
    /// Music Assistant had already dropped it (401 to our revocation: deleted
    /// in its settings, or its user removed); the ciphertext is gone.
    AlreadyGone,
    /// The link had no (live) Music Assistant token.
    NoToken,
}

/// What a second look found after Music Assistant answered 401 to a link's
/// own token (see [`MusicAssistant::confirm_refusal`]).
#[derive(Debug)]
pub enum Refusal {
    /// Refused again: the link ended now (state `refused`, revoked here).
    Ended,
    /// Refused again, and the link had already ended.
    AlreadyEnded,
    /// Accepted at the second look (one odd answer), or the link holds
    /// another token now (renewed meanwhile): nothing ended.
    NotConfirmed,
    /// The second look got no verdict (unreachable, slow, 5xx): nothing ended.
    Upstream(client::MaError),
    /// Refused again, but the database could not record it.
    Store(store::StoreError),
}

pub struct MusicAssistant {
    client: MaClient,
    cipher: TokenCipher,
    renew_after: i64,
    /// Links being renewed (value: start time), and failed attempts (for backoff).
    renewing: Mutex<HashMap<String, (bool, i64)>>,
}

impl std::fmt::Debug for MusicAssistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MusicAssistant")
            .field("url", &self.client.base_url())
            .finish_non_exhaustive()
    }
}

impl MusicAssistant {
    /// The client for `url` and the token key of `data_dir` (created on first use).
    pub fn open(
        url: &str,
        timeout: Duration,
        renew_after: i64,
        data_dir: &Path,
    ) -> Result<MusicAssistant, StartError> {
        let client = MaClient::new(url, timeout).map_err(StartError::Config)?;
        let key = crate::files::load_or_create_secret(&data_dir.join(cipher::KEY_FILE))?;
        let cipher = TokenCipher::new(&key).map_err(|e| StartError::Config(e.to_string()))?;
        Ok(MusicAssistant {
            client,
            cipher,
            renew_after,
            renewing: Mutex::default(),
        })
    }

    pub fn client(&self) -> &MaClient {
        &self.client
    }

    /// Encrypts a token obtained at login for storage with the code.
    pub fn seal(&self, subject: &str, t: &UpstreamToken) -> Result<MaToken, cipher::CipherError> {
        Ok(MaToken {
            ciphertext: self.cipher.seal(subject, &t.token)?,
            name: t.name.clone(),
            created_at: t.created_at,
            expires_at: t.created_at + TOKEN_LIFETIME,
        })
    }

    pub fn open_token(&self, subject: &str, t: &MaToken) -> Option<Secret> {
        self.cipher.open(subject, &t.ciphertext)
    }

    /// True if a token created at `created_at` should be renewed now.
    pub fn renewal_due(&self, created_at: Option<i64>, now: i64) -> bool {
        created_at.is_some_and(|c| now - c >= self.renew_after)
    }

    /// Revokes a token upstream with the token itself (`POST /auth/logout`):
    /// [`Revoked::Upstream`], or [`Revoked::AlreadyGone`] if Music Assistant
    /// answers 401 (it no longer knows the token: nothing is left to revoke).
    /// Unreachable, slow, 5xx or any other answer is an error (retried by
    /// `links revoke`).
    pub async fn revoke_upstream(&self, token: &Secret) -> Result<Revoked, String> {
        match self.client.revoke(token).await {
            Ok(client::Revocation::Revoked) => Ok(Revoked::Upstream),
            Ok(client::Revocation::AlreadyGone) => Ok(Revoked::AlreadyGone),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Music Assistant answered 401 to the link's token `token` (`secret` in
    /// clear): asks once more with a harmless authenticated read
    /// (`GET /auth/me`). Only a second 401 ends the link; one odd answer,
    /// or Music Assistant unreachable, slow or failing, never does.
    pub async fn confirm_refusal(
        &self,
        store: &Store,
        link_id: &str,
        token: &MaToken,
        secret: &Secret,
    ) -> Refusal {
        match self.client.token_accepted(secret).await {
            Ok(true) => return Refusal::NotConfirmed,
            Ok(false) => {}
            Err(e) => return Refusal::Upstream(e),
        }
        let (id, ct) = (link_id.to_owned(), token.ciphertext.clone());
        let now = util::now();
        match store
            .call(move |c| store::refuse_link_ma_token(c, &id, &ct, now))
            .await
        {
            Ok(store::Refused::Ended) => {
                tracing::warn!(
                    link_id,
                    "Music Assistant refused the link's token: link ended"
                );
                Refusal::Ended
            }
            Ok(store::Refused::AlreadyEnded) => Refusal::AlreadyEnded,
            Ok(store::Refused::Replaced) => Refusal::NotConfirmed,
            Err(e) => Refusal::Store(e),
        }
    }

    /// Revokes a link's token at Music Assistant (after the link was revoked
    /// locally) and forgets it; on failure marks the link `revoke_failed`.
    pub async fn revoke_link_token(&self, store: &Store, link_id: &str) -> Result<Revoked, String> {
        let id = link_id.to_owned();
        let up = store
            .call(move |c| store::link_upstream(c, &id))
            .await
            .map_err(|e| e.to_string())?;
        let Some(up) = up else {
            return Ok(Revoked::NoToken);
        };
        let Some(tok) = up.token else {
            return Ok(Revoked::NoToken);
        };
        let result = match self.open_token(&up.subject, &tok) {
            Some(secret) => self.revoke_upstream(&secret).await,
            None => Err("the stored token cannot be decrypted (was ma-token.key replaced?)".into()),
        };
        let id = link_id.to_owned();
        match result {
            Ok(how) => {
                store
                    .call(move |c| store::clear_link_ma_token(c, &id))
                    .await
                    .map_err(|e| e.to_string())?;
                if how == Revoked::AlreadyGone {
                    tracing::info!(
                        link_id,
                        "Music Assistant had already dropped the link's token"
                    );
                } else {
                    tracing::info!(link_id, "Music Assistant token revoked");
                }
                Ok(how)
            }
            Err(e) => {
                tracing::warn!(link_id, error = %e, "could not revoke the link's Music Assistant token");
                let _ = store
                    .call(move |c| store::set_link_ma_state(c, &id, MaTokenState::REVOKE_FAILED))
                    .await;
                Err(e)
            }
        }
    }

    /// Starts a renewal of the link's token in the background if none is
    /// running and the last failure is not too recent.
    pub fn spawn_renewal(self: &Arc<Self>, store: Store, link_id: String) {
        let now = util::now();
        {
            let mut map = self.renewing.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(&link_id) {
                Some((true, _)) => return,
                Some((false, failed_at)) if now - failed_at < RENEW_BACKOFF => return,
                _ => {}
            }
            map.insert(link_id.clone(), (true, now));
        }
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let ok = match me.renew(&store, &link_id).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(link_id, error = %e, "renewing the Music Assistant token failed");
                    false
                }
            };
            let mut map = me.renewing.lock().unwrap_or_else(|p| p.into_inner());
            if ok {
                map.remove(&link_id);
            } else {
                map.insert(link_id, (false, util::now()));
            }
        });
    }

    /// Creates a new token with the old one, stores it, then revokes the old
    /// one. On failure the link is marked `renewal_failed` and keeps its token.
    pub async fn renew(&self, store: &Store, link_id: &str) -> Result<(), String> {
        let id = link_id.to_owned();
        let up = store
            .call(move |c| store::link_upstream(c, &id))
            .await
            .map_err(|e| e.to_string())?;
        let Some(up) = up.filter(|u| u.active) else {
            return Ok(());
        };
        let Some(old) = up.token else {
            return Ok(());
        };
        let mark_failed = |reason: String| async move {
            let id = link_id.to_owned();
            let _ = store
                .call(move |c| store::set_link_ma_state(c, &id, MaTokenState::RENEWAL_FAILED))
                .await;
            Err(reason)
        };
        let Some(old_secret) = self.open_token(&up.subject, &old) else {
            return mark_failed("the stored token cannot be decrypted".into()).await;
        };
        let name = token_name(&format!("link {link_id}"));
        let new_secret = match self.client.create_token(&old_secret, &name).await {
            Ok(t) => t,
            Err(e) => return mark_failed(e.to_string()).await,
        };
        let new = UpstreamToken {
            token: new_secret,
            name,
            created_at: util::now(),
        };
        let sealed = match self.seal(&up.subject, &new) {
            Ok(s) => s,
            Err(e) => return mark_failed(e.to_string()).await,
        };
        let id = link_id.to_owned();
        let old_ct = old.ciphertext.clone();
        let replaced = store
            .call(move |c| store::replace_link_ma_token(c, &id, &old_ct, &sealed))
            .await;
        match replaced {
            Ok(true) => {}
            other => {
                // Revoked or renewed meanwhile, or not saved: the new token must not linger.
                let _ = self.revoke_upstream(&new.token).await;
                return match other {
                    Err(e) => mark_failed(e.to_string()).await,
                    _ => Ok(()),
                };
            }
        }
        tracing::info!(link_id, "Music Assistant token renewed");
        if let Err(e) = self.revoke_upstream(&old_secret).await {
            tracing::warn!(link_id, error = %e, "could not revoke the replaced Music Assistant token");
        }
        Ok(())
    }

    /// Revokes upstream the tokens of codes that expired unredeemed, then forgets them.
    pub async fn revoke_expired_codes(&self, store: &Store, now: i64) -> Result<usize, String> {
        let found = store
            .call(move |c| store::expired_code_ma_tokens(c, now))
            .await
            .map_err(|e| e.to_string())?;
        if found.is_empty() {
            return Ok(0);
        }
        for (subject, tok) in &found {
            if let Some(secret) = self.open_token(subject, tok)
                && let Err(e) = self.revoke_upstream(&secret).await
            {
                tracing::warn!(error = %e, "could not revoke the token of an unused code");
            }
        }
        store
            .call(move |c| store::clear_expired_code_ma_tokens(c, now))
            .await
            .map_err(|e| e.to_string())
    }
}
