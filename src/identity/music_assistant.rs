//! Music Assistant accounts: the password is checked by Music Assistant's
//! `POST /auth/login` (sent once, never retried). A successful login's
//! short-lived session token is exchanged for a long-lived token
//! (`auth/token/create`) for the link, then logged out.

use super::{BoxFuture, Identity, IdentityError, IdentityProvider};
use crate::ma::UpstreamToken;
use crate::ma::client::{Login, MaClient, MaError};
use crate::util;

/// Subject prefix for Music Assistant users.
pub fn subject(user_id: &str) -> String {
    format!("ma:{user_id}")
}

#[derive(Debug, Clone)]
pub struct MusicAssistantAccounts {
    client: MaClient,
}

impl MusicAssistantAccounts {
    pub fn new(client: MaClient) -> Self {
        MusicAssistantAccounts { client }
    }
}

fn unavailable(e: &MaError) -> IdentityError {
    IdentityError::Unavailable(e.to_string())
}

impl IdentityProvider for MusicAssistantAccounts {
    fn verify<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<Identity>, IdentityError>> {
        Box::pin(async move {
            let (session, user_id, name) = match self.client.login(username, password).await {
                Ok(Login::Ok {
                    session,
                    user_id,
                    username,
                }) => (session, user_id, username),
                Ok(Login::BadCredentials) => return Ok(None),
                Ok(Login::Paused { retry_after }) => {
                    return Err(IdentityError::Paused { retry_after });
                }
                Ok(Login::NotOnboarded) => {
                    return Err(IdentityError::Refused(
                        "Music Assistant is not set up yet. Open Music Assistant, finish its first-run \
                         setup (create the first user), then link again."
                            .into(),
                    ));
                }
                Err(e) => return Err(unavailable(&e)),
            };
            let token_name = super::super::ma::token_name(&name);
            let created = self.client.create_token(&session, &token_name).await;
            let created_at = util::now();
            // The session token is not needed any more, whatever happened.
            if let Err(e) = self.client.logout(&session).await {
                tracing::warn!(error = %e, "could not log out the Music Assistant session token");
            }
            match created {
                Ok(token) => Ok(Some(Identity {
                    subject: subject(&user_id),
                    username: name,
                    upstream: Some(UpstreamToken {
                        token,
                        name: token_name,
                        created_at,
                    }),
                })),
                Err(MaError::Status { status, .. })
                    if status == hyper::StatusCode::FORBIDDEN
                        || status == hyper::StatusCode::UNAUTHORIZED =>
                {
                    Err(IdentityError::Refused(
                        "Your Music Assistant account may not create access tokens (guest accounts \
                         cannot). Ask the Music Assistant administrator for a user account."
                            .into(),
                    ))
                }
                Err(e) => Err(unavailable(&e)),
            }
        })
    }

    /// Music Assistant says whether a username exists only to the right
    /// password, so a failed login's username is never known here.
    fn knows<'a>(&'a self, _username: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async { false })
    }

    fn name(&self) -> &'static str {
        "music_assistant"
    }

    fn display_name(&self) -> &'static str {
        "Music Assistant account"
    }
}
