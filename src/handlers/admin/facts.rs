//! What the page shows of the installation, read once per page view: the
//! client Alexa uses, Music Assistant (reachable, its version), the links,
//! the registered skill ids, the skill endpoint's last requests.

use std::time::Duration;

use crate::app::App;
use crate::app::seen::Seen;
use crate::console::ADDON_CLIENT_META;
use crate::store::{self, Client, ClientKind, Link, StoreError};

/// How long the page waits for Music Assistant's `GET /info`.
const MA_INFO_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
pub struct Facts {
    /// The Alexa client the page is about (the add-on's, else the first).
    pub client: Option<Client>,
    /// How many Alexa clients are registered.
    pub alexa_clients: usize,
    /// Music Assistant's URL and what `GET /info` said (its version, or
    /// why not); None when the server is not connected to Music Assistant.
    pub ma: Option<(String, Result<String, String>)>,
    pub links: Vec<Link>,
    /// Skill ids registered in the store (with when).
    pub skill_ids: Vec<(String, i64)>,
    /// Skill ids given at start (`--alexa-skill-id`, the add-on's option).
    pub configured_skill_ids: Vec<String>,
    pub seen: Seen,
}

impl Facts {
    pub async fn read(app: &App) -> Result<Facts, StoreError> {
        let (clients, addon_id, links, skill_ids) = app
            .store()
            .call(|c| {
                Ok((
                    store::list_clients(c)?,
                    store::get_meta(c, ADDON_CLIENT_META)?,
                    store::list_links(c)?,
                    store::list_skill_ids(c)?,
                ))
            })
            .await?;
        let alexa: Vec<&Client> = clients
            .iter()
            .filter(|c| c.kind == ClientKind::Alexa)
            .collect();
        let client = addon_id
            .and_then(|id| alexa.iter().find(|c| c.id == id).map(|c| (*c).clone()))
            .or_else(|| alexa.first().map(|c| (*c).clone()));
        let all_ids = app.skill_ids().await?;
        let configured_skill_ids = all_ids
            .into_iter()
            .filter(|id| !skill_ids.iter().any(|(s, _)| s == id))
            .collect();
        Ok(Facts {
            client,
            alexa_clients: alexa.len(),
            ma: ma_info(app).await,
            links,
            skill_ids,
            configured_skill_ids,
            seen: app.skill_seen().get(),
        })
    }

    /// Active links, newest first.
    pub fn active_links(&self) -> impl Iterator<Item = &Link> {
        self.links.iter().filter(|l| l.revoked_at.is_none())
    }

    /// Whether any skill id is answered.
    pub fn has_skill_id(&self) -> bool {
        !self.skill_ids.is_empty() || !self.configured_skill_ids.is_empty()
    }
}

async fn ma_info(app: &App) -> Option<(String, Result<String, String>)> {
    let ma = app.ma()?;
    let client = ma.client();
    let url = client.base_url().to_owned();
    let answer = match tokio::time::timeout(MA_INFO_WAIT, client.server_info()).await {
        Err(_) => Err(format!("no answer within {} s", MA_INFO_WAIT.as_secs())),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(v)) => Ok(v
            .get("server_version")
            .and_then(|s| s.as_str())
            .unwrap_or("unknown version")
            .to_owned()),
    };
    Some((url, answer))
}
