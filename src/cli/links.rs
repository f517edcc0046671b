//! `links`: list linked accounts and revoke them (here and, for a link that
//! holds one, its token at Music Assistant).

use clap::Subcommand;

use super::invocation::{Invocation, shell_quote};
use super::{Failure, JsonFlag, open};
use crate::store::{self, Store};
use crate::util;

#[derive(Debug, Subcommand)]
pub(super) enum LinksCmd {
    /// List linked accounts.
    List(JsonFlag),
    /// Revoke a link: its refresh token and every access token it issued.
    Revoke {
        /// The link id from `links list` (ids may start with '-').
        #[arg(allow_hyphen_values = true)]
        id: String,
        /// Music Assistant's URL, to revoke the link's token there too
        /// (default: the one `serve` last ran with).
        #[arg(long, env = "MA_URL", value_name = "URL")]
        music_assistant_url: Option<String>,
    },
}

pub(super) fn links(inv: &Invocation, cmd: LinksCmd) -> Result<(), Failure> {
    let dir = inv.dir();
    let store = open(dir)?;
    match cmd {
        LinksCmd::List(f) => {
            let links = store.with(|c| store::list_links(c))?;
            if f.json {
                println!("{}", serde_json::to_string_pretty(&links)?);
            } else if links.is_empty() {
                println!("no linked accounts yet");
            } else {
                for l in links {
                    let state = link_state_text(inv, &l);
                    println!(
                        "{}  user {}  client {}  scope {:?}  linked {}  last used {}  {state}",
                        l.id,
                        l.username,
                        l.client_id,
                        l.scope,
                        util::fmt_time(l.created_at),
                        util::fmt_time(l.last_used_at)
                    );
                }
            }
            Ok(())
        }
        LinksCmd::Revoke {
            id,
            music_assistant_url,
        } => {
            let revoked = store.with(|c| store::revoke_link(c, &id, util::now()))?;
            if revoked {
                println!("revoked link {id}: its refresh token and access tokens no longer work");
            }
            let upstream = store.with(|c| store::link_upstream(c, &id))?;
            let Some(up) = upstream else {
                return Err(Failure::runtime(format!(
                    "no link {id:?} (see `links list`)"
                )));
            };
            if up.token.is_some() {
                // Also (or, for an earlier failure, again) at Music Assistant.
                revoke_ma_token(inv, &store, &id, music_assistant_url)?;
                return Ok(());
            }
            if revoked {
                Ok(())
            } else {
                Err(Failure::runtime(format!("link {id} was already revoked")))
            }
        }
    }
}

/// Revokes a (locally revoked) link's token at Music Assistant.
fn revoke_ma_token(
    inv: &Invocation,
    store: &Store,
    id: &str,
    flag: Option<String>,
) -> Result<(), Failure> {
    let url = match flag {
        Some(u) => Some(u),
        None => store
            .with(|c| store::get_meta(c, crate::ma::URL_META))?
            .filter(|u| !u.is_empty()),
    };
    let Some(url) = url else {
        return Err(Failure::runtime(format!(
            "link {id} holds a Music Assistant token, but no Music Assistant URL is known: \
             pass --music-assistant-url to revoke it there too"
        )));
    };
    let ma = crate::ma::MusicAssistant::open(
        &url,
        std::time::Duration::from_secs(10),
        i64::MAX,
        inv.dir(),
    )
    .map_err(|e| Failure::runtime(e.to_string()))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the runtime: {e}")))?;
    match rt.block_on(ma.revoke_link_token(store, id)) {
        Ok(crate::ma::Revoked::AlreadyGone) => {
            println!(
                "Music Assistant at {url} had already dropped the link's token \
                 (deleted in its settings); forgotten here"
            );
            Ok(())
        }
        Ok(_) => {
            println!("revoked the link's Music Assistant token at {url}");
            Ok(())
        }
        Err(e) => Err(Failure::runtime(format!(
            "the link is revoked here, but Music Assistant at {url} could not revoke its token: {e}. \
             Run {} again later, or delete the token in Music Assistant's settings",
            inv.quoted(&format!("links revoke {}", shell_quote(id)))
        ))),
    }
}

/// A link's state in words for `links list`.
fn link_state_text(inv: &Invocation, l: &store::Link) -> String {
    use store::MaTokenState as S;
    let ended = l.revoked_at.map(util::fmt_time);
    match (l.ma_token_state.as_deref(), ended) {
        (Some(S::REFUSED), Some(t)) => format!(
            "ended {t}: Music Assistant refused its token; the user must link the skill again"
        ),
        (Some(S::REVOKE_FAILED), Some(t)) => format!(
            "revoked {t}; its Music Assistant token could not be revoked yet: run {} again",
            inv.quoted(&format!("links revoke {}", shell_quote(&l.id)))
        ),
        (ma, ended) => {
            let mut state = match ended {
                Some(t) => format!("revoked {t}"),
                None => "active".to_owned(),
            };
            if let Some(ma) = ma {
                let exp = l
                    .ma_token_expires_at
                    .map(util::fmt_time)
                    .unwrap_or_default();
                state.push_str(&format!("  music-assistant token {ma} (expires {exp})"));
            }
            state
        }
    }
}
