//! The page's section for playing on the Echo itself: the developer
//! console's Audio Player interface, the values to paste into Music
//! Assistant's Alexa provider (API Url, user name, password: the same as
//! `provider show` prints), what people can say, and which Echo is which
//! Music Assistant player.

use crate::app::App;
use crate::console::labels as l;
use crate::echo::credentials::USERNAME;
use crate::pages::admin::{self as html, Section};
use crate::store::{self, EchoHow};
use crate::util::{self, html_escape as esc};

/// The provider languages whose API Url takes a language suffix.
const LANGUAGES: &[&str] = &["de-DE", "es-ES", "fr-FR", "it-IT"];

fn q(label: &str) -> String {
    format!("<strong>{}</strong>", esc(label))
}

/// "Play on the Echo".
pub async fn section(app: &App) -> Section {
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
    body.push_str(&known_echos(app).await);
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

/// Which Echo is which Music Assistant player, as learned or said.
async fn known_echos(app: &App) -> String {
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
        "<table><thead><tr><th>Echo (Music Assistant player)</th><th>Known by</th><th>Since</th></tr></thead><tbody>",
    );
    for r in rows.iter().take(100) {
        let how = match r.how {
            EchoHow::Learned => "learned from Music Assistant's play",
            EchoHow::Voice => "said by voice",
            EchoHow::Page => "set on this page",
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.player_id),
            how,
            esc(&util::fmt_time(r.updated_at))
        ));
    }
    out.push_str("</tbody></table>");
    out
}
