//! From one of our access tokens to its link's Music Assistant token: the
//! checks `/ma/api` and the skill share (signature and expiry, link and
//! `jti` not revoked, a usable Music Assistant token; renewal when due), and
//! what follows Music Assistant refusing that token (a second look, the link
//! ended, audited).

use crate::app::App;
use crate::audit::AuditEvent;
use crate::keys::{AccessClaims, VerifyError};
use crate::ma::{MusicAssistant, Refusal};
use crate::store::{self, LinkUpstream, MaToken, MaTokenState, StoreError};
use crate::util::Secret;

/// Why a token gives no way to Music Assistant.
#[derive(Debug)]
pub enum LinkError {
    /// The server has no Music Assistant URL.
    NotConfigured,
    Expired,
    Invalid,
    /// The link (or this token) was revoked.
    Revoked,
    /// Music Assistant refused the link's token earlier: the link ended.
    Refused,
    /// The link holds no token that can be used (none, revoked, or it cannot
    /// be decrypted).
    NoToken,
    Store(StoreError),
}

/// An active link with its Music Assistant token in clear.
pub struct Linked {
    pub claims: AccessClaims,
    pub link_id: String,
    pub token: MaToken,
    pub secret: Secret,
}

impl App {
    /// Music Assistant, or [`LinkError::NotConfigured`].
    pub fn ma_or_err(&self) -> Result<&std::sync::Arc<MusicAssistant>, LinkError> {
        self.ma().ok_or(LinkError::NotConfigured)
    }

    /// Our access token's claims (signature, expiry, issuer, audience).
    pub fn access_claims(&self, token: &str) -> Result<AccessClaims, LinkError> {
        self.keys().verify(token).map_err(|e| match e {
            VerifyError::Expired => LinkError::Expired,
            VerifyError::Invalid => LinkError::Invalid,
        })
    }

    /// The token's link, if the token and its link are still active; records
    /// the link's use (in memory, written in a batch off the request path).
    pub async fn active_link(
        &self,
        claims: &AccessClaims,
        now: i64,
    ) -> Result<LinkUpstream, LinkError> {
        let (sid, jti) = (claims.sid.clone(), claims.jti.clone());
        let found = self
            .store()
            .call(move |c| {
                let active = store::access_token_active(c, &sid, &jti)?;
                Ok(store::link_upstream(c, &sid)?.map(|up| (active, up)))
            })
            .await;
        match found {
            Ok(Some((true, up))) if up.active => {
                self.store().record_use(&claims.sid, now);
                Ok(up)
            }
            Ok(Some((_, up))) if up.state.as_deref() == Some(MaTokenState::REFUSED) => {
                Err(LinkError::Refused)
            }
            Ok(_) => Err(LinkError::Revoked),
            Err(e) => Err(LinkError::Store(e)),
        }
    }

    /// The link's Music Assistant token in clear; starts its renewal in the
    /// background when it is due.
    pub fn usable_ma_token(
        &self,
        up: &LinkUpstream,
        now: i64,
    ) -> Result<(MaToken, Secret), LinkError> {
        let ma = self.ma_or_err()?;
        let usable = match &up.token {
            Some(t) if up.state.as_deref() != Some(MaTokenState::REVOKED) => {
                ma.open_token(&up.subject, t).map(|s| (t.clone(), s))
            }
            _ => None,
        };
        let (token, secret) = usable.ok_or(LinkError::NoToken)?;
        if ma.renewal_due(Some(token.created_at), now) {
            ma.spawn_renewal(self.store().clone(), up.link_id.clone());
        }
        Ok((token, secret))
    }

    /// Every check at once: the way from `access_token` to Music Assistant.
    pub async fn linked(&self, access_token: &str, now: i64) -> Result<Linked, LinkError> {
        self.ma_or_err()?;
        let claims = self.access_claims(access_token)?;
        let up = self.active_link(&claims, now).await?;
        let (token, secret) = self.usable_ma_token(&up, now)?;
        Ok(Linked {
            claims,
            link_id: up.link_id,
            token,
            secret,
        })
    }

    /// Music Assistant answered 401 to the link's own token: only a second
    /// refusal (a harmless authenticated read) ends the link; an ended link
    /// is audited.
    pub async fn ma_refused(
        &self,
        ma: &MusicAssistant,
        claims: &AccessClaims,
        link_id: &str,
        token: &MaToken,
        secret: &Secret,
    ) -> Refusal {
        let r = ma
            .confirm_refusal(self.store(), link_id, token, secret)
            .await;
        if matches!(r, Refusal::Ended) {
            self.audit().emit(AuditEvent::MaTokenRefused {
                client_id: claims.client_id.clone(),
                link_id: link_id.to_owned(),
            });
        }
        r
    }
}
