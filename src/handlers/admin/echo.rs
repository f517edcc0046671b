//! The page's section for playing on the Echo itself: the developer
//! console's Audio Player interface, the values to paste into Music
//! Assistant's Alexa provider (API Url, user name, password: the same as
//! `provider show` prints), what people can say, and which Echo is which
//! Music Assistant player, with its POSTs: set an Echo's player, forget it.

use hyper::{Response, StatusCode};

use super::Ctx;
use super::actions::{said, storage_failed};
use crate::app::App;
use crate::console::labels as l;
use crate::echo::credentials::USERNAME;
use crate::http::Body;
use crate::http::params::Params;
use crate::pages::admin::Tone;
use crate::pages::admin::{self as html, Section};
use crate::store::{self, EchoHow};
use crate::util::{self, html_escape as esc};

/// The provider languages whose API Url takes a language suffix.
const LANGUAGES: &[&str] = &["de-DE", "es-ES", "fr-FR", "it-IT"];

fn q(label: &str) -> String {
    format!("<strong>{}</strong>", esc(label))
}

/// "Play on the Echo".
pub async fn section(app: &App, ctx: &Ctx, token: &str) -> Section {
    let echo = app.echo();
    let mut body = format!(
        "<p>Music Assistant's own Alexa provider makes each Echo a Music Assistant player; this \
server is the API it talks to, and relays its stream to the Echo over this server's HTTPS \
address (Music Assistant's stream port stays private).</p>\
<ol><li>In the developer console, your skill, {page}: switch on {audio}, press {save}, then \
{build} (the interaction model of step 4 already has the phrases).</li>\
<li>In Music Assistant: Settings &gt; Providers &gt; Add &gt; <strong>Alexa</strong>; sign in \
with your Amazon account as it asks, and paste:</li></ol>",
        page = q(l::INTERFACES_PAGE),
        audio = q(l::AUDIO_PLAYER),
        save = q(l::SAVE_INTERFACES),
        build = q(l::BUILD_MODEL),
    );
    if !echo.enabled() {
        body.push_str(
            "<p class=\"notice warn\">Connect Music Assistant first (its URL in the add-on's \
options, or serve --music-assistant-url): until then there is nothing to play on an Echo.</p>",
        );
        return wrap(body);
    }
    let api_url = app.config().issuer.trim_end_matches('/').to_owned();
    body.push_str(&html::field("provider-api-url", "API Url", &api_url));
    body.push_str(&html::field(
        "provider-api-username",
        "API Basic Auth Username",
        USERNAME,
    ));
    match crate::handlers::provider::expected_password(app, echo).await {
        Ok(p) => body.push_str(&html::field(
            "provider-api-password",
            "API Basic Auth Password",
            p.expose(),
        )),
        Err(_) => body.push_str(
            "<p class=\"notice warn\">The password is made when the server starts; reload this \
page, or run <code>ma-alexa-oauth provider show</code>.</p>",
        ),
    }
    let langs: Vec<String> = LANGUAGES
        .iter()
        .map(|l| format!("<code>{}/{l}</code>", esc(&api_url)))
        .collect();
    body.push_str(&format!(
        "<p class=\"muted\">If the provider's Alexa Language is not English, add it to the API \
Url: {}. A new password: <code>ma-alexa-oauth provider rotate-password</code>.</p>",
        langs.join(", ")
    ));
    body.push_str(
        "<p>Then say, to an Echo: \"Alexa, ask music assistant to play Aurora Lane here\"; once, \
if the Echo is not known yet: \"Alexa, ask music assistant: this is the Echo Kitchen\" (its \
player's name in Music Assistant); while it plays: \"Alexa, pause\", \"resume\", \"next\", \
\"stop\". Playing on the Echo from Music Assistant's own app works too.</p>",
    );
    body.push_str(&known_echos(app, ctx, token).await);
    wrap(body)
}

fn wrap(body: String) -> Section {
    Section {
        id: "echo",
        step: None,
        title: "Play on the Echo".into(),
        body,
    }
}

/// Which Echo is which Music Assistant player, as learned or said; each
/// with a form to set its player and one to forget it.
async fn known_echos(app: &App, ctx: &Ctx, token: &str) -> String {
    let rows = app
        .store()
        .read(store::list_echo_players)
        .await
        .unwrap_or_default();
    if rows.is_empty() {
        return "<p class=\"muted\">No Echo is known yet: one is learned the first time Music \
Assistant plays on it.</p>"
            .to_owned();
    }
    let mut out = String::from(
        "<table><thead><tr><th>Echo (Music Assistant player)</th><th>Known by</th><th>Since</th><th></th></tr></thead><tbody>",
    );
    for r in rows.iter().take(100) {
        let how = match r.how {
            EchoHow::Learned => "learned from Music Assistant's play",
            EchoHow::Voice => "said by voice",
            EchoHow::Page => "set on this page",
        };
        let echo = hex(&r.device_hash);
        let set = html::form(
            &ctx.url("/echo/player"),
            &[("csrf", token), ("echo", &echo)],
            &[("player", "Player", &r.player_id, "Echo Kitchen")],
            "Set",
            true,
        );
        let forget = html::form(
            &ctx.url("/echo/forget"),
            &[("csrf", token), ("echo", &echo)],
            &[],
            "Forget",
            true,
        );
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{set}{forget}</td></tr>",
            esc(&r.player_id),
            how,
            esc(&util::fmt_time(r.updated_at))
        ));
    }
    out.push_str("</tbody></table>");
    out
}

fn hex(b: &[u8; 32]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An Echo as the page names it: 64 lower-case hex digits (the SHA-256 of
/// its deviceId, as stored).
fn parse_echo(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 || !b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(b.chunks(2)) {
        let s = std::str::from_utf8(pair).ok()?;
        *o = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// A Music Assistant player id as a person types it: 1 to 100 characters,
/// no control characters (ids hold spaces: "Echo Kitchen").
fn parse_player(s: &str) -> Option<String> {
    let t = s.trim();
    let n = t.chars().count();
    ((1..=100).contains(&n) && !t.chars().any(char::is_control)).then(|| t.to_owned())
}

/// The Echo of a form, if the store knows it.
async fn known_echo(app: &App, form: &Params) -> Result<Option<[u8; 32]>, store::StoreError> {
    let Some(h) = form.get("echo").and_then(parse_echo) else {
        return Ok(None);
    };
    let row = app.store().read(move |c| store::echo_player(c, &h)).await?;
    Ok(row.map(|_| h))
}

/// `POST /echo/player` (`echo`, `player`): this Echo plays as `player`.
pub async fn set_player(app: &App, ctx: &Ctx, form: &Params) -> Response<Body> {
    let echo = match known_echo(app, form).await {
        Ok(Some(h)) => h,
        Ok(None) => {
            let msg = "Nothing changed: no such Echo.".to_owned();
            return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
        }
        Err(e) => return storage_failed(ctx, &e),
    };
    let Some(player) = form.get("player").and_then(parse_player) else {
        let msg = "Nothing changed: give the player's name as Music Assistant shows it (1 to 100 \
characters)."
            .to_owned();
        return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
    };
    let now = util::now();
    let saved = app
        .store()
        .call(move |c| store::set_echo_player(c, &echo, &player, EchoHow::Page, now))
        .await;
    match saved {
        Ok(_) => {
            tracing::info!("the admin page set an Echo's Music Assistant player");
            ctx.redirect("/?done=echo-set#echo")
        }
        Err(e) => storage_failed(ctx, &e),
    }
}

/// `POST /echo/forget` (`echo`): the Echo is learned again.
pub async fn forget(app: &App, ctx: &Ctx, form: &Params) -> Response<Body> {
    let echo = match known_echo(app, form).await {
        Ok(Some(h)) => h,
        Ok(None) => {
            let msg = "Nothing changed: no such Echo.".to_owned();
            return said(app, ctx, StatusCode::BAD_REQUEST, Tone::Bad, msg).await;
        }
        Err(e) => return storage_failed(ctx, &e),
    };
    let gone = app
        .store()
        .call(move |c| {
            let Some(row) = store::echo_player(c, &echo)? else {
                return Ok(());
            };
            store::forget_echo_player(c, &row.player_id).map(|_| ())
        })
        .await;
    match gone {
        Ok(()) => ctx.redirect("/?done=echo-forgotten#echo"),
        Err(e) => storage_failed(ctx, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echos_and_player_names_have_one_shape() {
        let h = [0xabu8; 32];
        assert_eq!(parse_echo(&hex(&h)), Some(h));
        for bad in [
            "",
            "ab",
            &"AB".repeat(32),
            &"g0".repeat(32),
            &"ab".repeat(33),
        ] {
            assert_eq!(parse_echo(bad), None, "{bad}");
        }
        assert_eq!(
            parse_player(" Echo Kitchen ").as_deref(),
            Some("Echo Kitchen")
        );
        for bad in ["", "  ", "a\nb", &"x".repeat(101)] {
            assert_eq!(parse_player(bad), None, "{bad:?}");
        }
    }
}
