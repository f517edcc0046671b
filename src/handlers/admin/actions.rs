//! The page's POSTs, each already past the admin edge's checks (who may
//! use the page, same origin, the CSRF token): register the Alexa client
//! with the vendor id, make a new secret, register or remove a skill id,
//! revoke a link. Every input is checked here; a bad one is said on the
//! page (400) and changes nothing.

use hyper::{Response, StatusCode};

use super::Ctx;
use super::page::{Extra, render};
use crate::app::App;
use crate::console::{self, ADDON_CLIENT_META};
use crate::http::Body;
use crate::http::params::Params;
use crate::oauth::{self, client_auth};
use crate::pages::admin::Tone;
use crate::store::{self, Client, ClientKind};
use crate::util;

/// Answers that change nothing and say why, on the page.
pub(super) async fn said(
    app: &App,
    ctx: &Ctx,
    status: StatusCode,
    tone: Tone,
    msg: String,
) -> Response<Body> {
    let extra = Extra {
        notice: Some((tone, msg)),
        ..Extra::default()
    };
    render(app, ctx, status, extra).await
}

pub(super) fn storage_failed(ctx: &Ctx, e: &store::StoreError) -> Response<Body> {
    tracing::warn!(error = %e, "the admin page could not change the store");
    ctx.refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again",
        "The database is busy or cannot be written right now; nothing was changed.",
    )
}

/// `POST /client` (`vendor_id`): registers the Alexa client with the three
/// redirect URLs of the vendor id, and shows its secret once. Only while no
/// Alexa client exists (a second one would only confuse the console).
pub async fn register_client(app: &App, ctx: &Ctx, form: &Params) -> Response<Body> {
    let vendor = form.get("vendor_id").unwrap_or("").trim().to_owned();
    if !console::valid_vendor_id(&vendor) {
        let msg = format!(
            "Nothing registered: {}.",
            console::vendor_id_problem(&vendor)
        );
        return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
    }
    let secret = client_auth::new_secret();
    let client = Client {
        id: format!("alexa-{}", util::random_token(12)),
        name: "alexa".to_owned(),
        kind: ClientKind::Alexa,
        vendor_id: Some(vendor.clone()),
        secret_hash: client_auth::secret_hash(&secret),
        redirect_uris: console::alexa_redirect_uris(&vendor),
        scopes: oauth::default_scopes(),
        created_at: util::now(),
        require_pkce: false,
    };
    let addon = ctx.addon;
    let c = client.clone();
    let added = app
        .store()
        .call(move |conn| {
            store::in_transaction(conn, |conn| {
                let exists = store::list_clients(conn)?
                    .iter()
                    .any(|c| c.kind == ClientKind::Alexa);
                if exists {
                    return Ok(false);
                }
                store::insert_client(conn, &c)?;
                if addon {
                    store::set_meta(conn, ADDON_CLIENT_META, &c.id)?;
                }
                Ok(true)
            })
        })
        .await;
    match added {
        Ok(true) => {
            tracing::info!(client = %client.id, vendor_id = %vendor, "the admin page registered the Alexa client");
            let extra = Extra {
                secret: Some(secret),
                notice: Some((
                    Tone::Ok,
                    format!(
                        "Registered the skill for vendor id {vendor}. Copy the secret now: it is shown only once."
                    ),
                )),
                ..Extra::default()
            };
            render(app, ctx, StatusCode::OK, extra).await
        }
        Ok(false) => {
            let msg = "An Alexa client is already registered; nothing changed.".to_owned();
            said(app, ctx, StatusCode::CONFLICT, Tone::Warn, msg).await
        }
        Err(e) => storage_failed(ctx, &e),
    }
}

/// `POST /secret` (`client`): a new secret for the Alexa client, shown
/// once; the old one stops working at once.
pub async fn new_secret(app: &App, ctx: &Ctx, form: &Params) -> Response<Body> {
    let id = form.get("client").unwrap_or("").to_owned();
    let secret = client_auth::new_secret();
    let hash = client_auth::secret_hash(&secret);
    let lookup = id.clone();
    let changed = app
        .store()
        .call(move |c| {
            let alexa = store::get_client(c, &lookup)?.is_some_and(|c| c.kind == ClientKind::Alexa);
            if !alexa {
                return Ok(false);
            }
            store::set_client_secret_hash(c, &lookup, &hash)
        })
        .await;
    match changed {
        Ok(true) => {
            tracing::info!(client = %id, "the admin page made a new client secret");
            let extra = Extra {
                secret: Some(secret),
                notice: Some((
                    Tone::Ok,
                    format!(
                        "A new secret: paste it as \"{}\" now (it is shown only once); the old one no longer works.",
                        console::labels::SECRET
                    ),
                )),
                ..Extra::default()
            };
            render(app, ctx, StatusCode::OK, extra).await
        }
        Ok(false) => {
            let msg = "No such Alexa client; nothing changed.".to_owned();
            said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await
        }
        Err(e) => storage_failed(ctx, &e),
    }
}

/// `POST /skill-id` (`skill_id`): registers a skill id, checked as
/// `skill id add` checks it; its requests are answered from now on.
pub async fn add_skill_id(app: &App, ctx: &Ctx, form: &Params) -> Response<Body> {
    let raw = form.get("skill_id").unwrap_or("");
    let id = match crate::skill::parse_skill_id(raw) {
        Ok(id) => id,
        Err(e) => {
            let msg = format!("Nothing registered: {e}");
            return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
        }
    };
    let new = id.clone();
    match app
        .store()
        .call(move |c| store::add_skill_id(c, &new, util::now()))
        .await
    {
        Ok(true) => {
            tracing::info!(skill_id = %id, "the admin page registered a skill id");
            ctx.redirect("/?done=skill-id-added#endpoint")
        }
        Ok(false) => ctx.redirect("/?done=skill-id-known#endpoint"),
        Err(e) => storage_failed(ctx, &e),
    }
}

/// `POST /skill-id/remove` (`skill_id`): its requests are refused from now on.
pub async fn remove_skill_id(app: &App, ctx: &Ctx, form: &Params) -> Response<Body> {
    let Ok(id) = crate::skill::parse_skill_id(form.get("skill_id").unwrap_or("")) else {
        let msg = "Nothing removed: that is not a skill id.".to_owned();
        return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
    };
    let gone = id.clone();
    match app
        .store()
        .call(move |c| store::remove_skill_id(c, &gone))
        .await
    {
        Ok(_) => {
            tracing::info!(skill_id = %id, "the admin page removed a skill id");
            ctx.redirect("/?done=skill-id-removed#endpoint")
        }
        Err(e) => storage_failed(ctx, &e),
    }
}

/// `POST /links/revoke` (`link`): ends the link here (its refresh token and
/// access tokens stop working) and, for a Music Assistant link, revokes its
/// token there too (as `links revoke` does).
pub async fn revoke_link(app: &App, ctx: &Ctx, form: &Params) -> Response<Body> {
    let id = form.get("link").unwrap_or("").to_owned();
    if id.is_empty() || id.len() > 128 {
        let msg = "Nothing revoked: no such link.".to_owned();
        return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
    }
    let lid = id.clone();
    let revoked = app
        .store()
        .call(move |c| {
            let known = store::get_link(c, &lid)?.is_some();
            if known {
                store::revoke_link(c, &lid, util::now())?;
            }
            Ok(known
                .then(|| store::link_upstream(c, &lid))
                .transpose()?
                .flatten())
        })
        .await;
    let upstream = match revoked {
        Ok(Some(up)) => up,
        Ok(None) => {
            let msg = "Nothing revoked: no such link.".to_owned();
            return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
        }
        Err(e) => return storage_failed(ctx, &e),
    };
    tracing::info!(link = %id, "the admin page revoked a link");
    match (upstream.token.is_some(), app.ma()) {
        (true, Some(ma)) => match ma.revoke_link_token(app.store(), &id).await {
            Ok(_) => ctx.redirect("/?done=link-revoked#accounts"),
            Err(e) => {
                tracing::warn!(link = %id, error = %e, "revoking the link's Music Assistant token failed");
                ctx.redirect("/?done=link-revoked-ma-failed#accounts")
            }
        },
        (true, None) => ctx.redirect("/?done=link-revoked-ma-failed#accounts"),
        (false, _) => ctx.redirect("/?done=link-revoked#accounts"),
    }
}
