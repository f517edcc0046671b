//! `GET /`: the page. Sections in order: where things stand, then the
//! developer console's pages in the order the console asks for them
//! ([`super::steps`]), then playing on the Echo itself (Music Assistant's
//! Alexa provider settings, [`super::echo`]), then the linked accounts.

use hyper::{Response, StatusCode};

use super::facts::Facts;
use super::{Ctx, Mode, csrf, steps};
use crate::app::App;
use crate::console::{self, labels};
use crate::http::Body;
use crate::pages::admin::{self as html, Section, Tone};
use crate::util::{self, html_escape as esc};

pub const TITLE: &str = "Alexa for Music Assistant";

/// What a page view adds to the installation's state: a secret just made,
/// a message, the invocation name asked for.
#[derive(Debug, Default)]
pub struct Extra {
    pub secret: Option<String>,
    pub notice: Option<(Tone, String)>,
    pub invocation: Option<String>,
}

/// `GET /?invocation=…&done=…`.
pub async fn show(app: &App, ctx: &Ctx, query: Option<&str>) -> Response<Body> {
    let params = query
        .and_then(|q| crate::http::params::Params::parse(q.as_bytes()).ok())
        .unwrap_or_default();
    let extra = Extra {
        notice: params.get("done").and_then(done_notice),
        invocation: super::model::invocation_from(query),
        secret: None,
    };
    render(app, ctx, StatusCode::OK, extra).await
}

/// What a finished action says (an accept-list: anything else says nothing).
fn done_notice(key: &str) -> Option<(Tone, String)> {
    let (tone, text) = match key {
        "skill-id-added" => (
            Tone::Ok,
            "Registered the skill id: its requests are answered from now on.",
        ),
        "skill-id-known" => (Tone::Ok, "That skill id was already registered."),
        "skill-id-removed" => (
            Tone::Ok,
            "Removed the skill id: its requests are refused from now on.",
        ),
        "echo-set" => (
            Tone::Ok,
            "Saved: that Echo plays as this Music Assistant player from now on.",
        ),
        "echo-forgotten" => (
            Tone::Ok,
            "Forgotten: the Echo is learned again the next time Music Assistant plays on it.",
        ),
        "link-revoked" => (
            Tone::Ok,
            "Revoked the link: its tokens no longer work. The person links the skill again to use it.",
        ),
        "link-revoked-ma-failed" => (
            Tone::Warn,
            "Revoked the link here, but Music Assistant could not be told: press \"Revoke\" again \
             later, or delete its token in Music Assistant's settings.",
        ),
        _ => return None,
    };
    Some((tone, text.to_owned()))
}

/// The page with `extra`, answered with `status`.
pub async fn render(app: &App, ctx: &Ctx, status: StatusCode, extra: Extra) -> Response<Body> {
    let facts = match Facts::read(app).await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "the admin page cannot read the store");
            return ctx.refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "The database cannot be read right now.",
            );
        }
    };
    let token = csrf::token(app, &ctx.nonce);
    let mut sections = sections(app, ctx, &facts, &extra, &token);
    // Before the linked accounts: playing on the Echo itself.
    let at = sections.len().saturating_sub(1);
    sections.insert(at, super::echo::section(app, ctx, &token).await);
    let subtitle = match (ctx.mode, &ctx.user) {
        (Mode::Ingress, Some(u)) => format!("Signed in to Home Assistant as {u}."),
        (Mode::Ingress, None) => "Through Home Assistant.".to_owned(),
        (Mode::Login, _) => "Signed in with the admin password.".to_owned(),
    };
    let notice = extra.notice.as_ref().map(|(t, m)| (*t, m.as_str()));
    ctx.html(status, html::document(TITLE, &subtitle, notice, &sections))
}

/// The page's sections, in order.
fn sections(app: &App, ctx: &Ctx, facts: &Facts, extra: &Extra, token: &str) -> Vec<Section> {
    let base = app.config().issuer.as_str();
    vec![
        status(app, ctx, facts, token),
        steps::create(),
        steps::linking(ctx, facts, base, extra.secret.as_deref(), token),
        steps::endpoint(ctx, facts, base, token),
        steps::model(ctx, extra.invocation.as_deref()),
        steps::test(app, facts),
        accounts(ctx, facts, token),
    ]
}

/// "Where things stand".
fn status(app: &App, ctx: &Ctx, facts: &Facts, token: &str) -> Section {
    let mut rows = String::new();
    let issuer = &app.config().issuer;
    rows.push_str(&match console::alexa_url_problem(issuer) {
        None => html::status_row("Public address", Tone::Ok, issuer, ""),
        Some(why) => html::status_row("Public address", Tone::Bad, issuer, &why),
    });
    rows.push_str(&tailnet_rows(&ctx.tailnet));
    rows.push_str(&match &facts.ma {
        Some((url, Ok(version))) => html::status_row(
            "Music Assistant",
            Tone::Ok,
            &format!("reachable, version {version}"),
            url,
        ),
        Some((url, Err(why))) => html::status_row(
            "Music Assistant",
            Tone::Bad,
            "not reachable",
            &format!("{url}: {why}"),
        ),
        None => html::status_row(
            "Music Assistant",
            Tone::Bad,
            "not connected",
            "the skill cannot play music: start serve with --music-assistant-url",
        ),
    });
    let mut users: Vec<&str> = facts.active_links().map(|l| l.username.as_str()).collect();
    users.sort_unstable();
    users.dedup();
    let source = if facts.ma.is_some() {
        "Music Assistant accounts"
    } else {
        "accounts on this server"
    };
    rows.push_str(&if users.is_empty() {
        html::status_row(
            "Linked accounts",
            Tone::Warn,
            "none yet",
            &format!("people sign in with their {source}"),
        )
    } else {
        html::status_row("Linked accounts", Tone::Ok, &users.join(", "), source)
    });
    rows.push_str(&if facts.has_skill_id() {
        let ids: Vec<&str> = facts
            .skill_ids
            .iter()
            .map(|(i, _)| i.as_str())
            .chain(facts.configured_skill_ids.iter().map(String::as_str))
            .collect();
        html::status_row("Skill id", Tone::Ok, "registered", &ids.join(", "))
    } else {
        html::status_row(
            "Skill id",
            Tone::Warn,
            "not registered yet",
            "step 3: until then every skill request is refused",
        )
    });
    rows.push_str(&seen_row(facts));
    let mut body = format!("<dl class=\"status\">{rows}</dl>");
    if ctx.mode == Mode::Login {
        body.push_str(&html::form(
            &ctx.url("/logout"),
            &[("csrf", token)],
            &[],
            "Sign out",
            true,
        ));
    }
    Section {
        id: "status",
        step: None,
        title: "Where things stand".into(),
        body,
    }
}

/// The tailnet node, Funnel and the certificate (from `status`'s snapshot).
fn tailnet_rows(tn: &serde_json::Value) -> String {
    let get = |path: &[&str]| path.iter().try_fold(tn, |cur, k| cur.get(*k)).cloned();
    if get(&["configured"]) != Some(true.into()) {
        return html::status_row(
            "Tailnet",
            Tone::Warn,
            "not used",
            "this server is reached through your own HTTPS proxy",
        );
    }
    let name = get(&["dns_name"])
        .and_then(|n| n.as_str().map(|s| s.trim_end_matches('.').to_owned()))
        .unwrap_or_default();
    let state = get(&["state"])
        .and_then(|s| s.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    let running = get(&["serve_running"]) == Some(true.into());
    let funnel = get(&["funnel", "listening"]) == Some(true.into());
    let mut out = if running && state == "Running" && funnel {
        html::status_row(
            "Tailnet",
            Tone::Ok,
            &format!("{name}: Funnel on"),
            "node running",
        )
    } else {
        let reason = get(&["funnel", "reason"])
            .and_then(|r| r.as_str().map(str::to_owned))
            .unwrap_or_default();
        html::status_row(
            "Tailnet",
            Tone::Bad,
            &format!("{name}: node {state}, Funnel off"),
            &reason,
        )
    };
    out.push_str(&match get(&["cert_expires_at"]).and_then(|t| t.as_i64()) {
        Some(t) if t - util::now() >= 7 * 86_400 => html::status_row(
            "Certificate",
            Tone::Ok,
            &format!("valid until {}", util::fmt_time(t)),
            "renewed by the node",
        ),
        Some(t) => html::status_row(
            "Certificate",
            Tone::Bad,
            &format!("expires {}", util::fmt_time(t)),
            "less than 7 days left",
        ),
        None => html::status_row(
            "Certificate",
            Tone::Warn,
            "none yet",
            "the node gets it when Funnel starts",
        ),
    });
    out
}

fn seen_row(facts: &Facts) -> String {
    let s = &facts.seen;
    match (s.verified_at, &s.refused) {
        (None, None) => html::status_row(
            "Skill requests",
            Tone::Warn,
            "none since the start",
            &format!(
                "try the skill in the console's \"{}\" tab",
                labels::TEST_TAB
            ),
        ),
        (Some(v), r) if r.as_ref().is_none_or(|(t, _)| *t <= v) => html::status_row(
            "Skill requests",
            Tone::Ok,
            &format!("last one verified at {}", util::fmt_time(v)),
            "",
        ),
        (v, Some((t, why))) => {
            let ok = v
                .map(|v| format!("; last verified {}", util::fmt_time(v)))
                .unwrap_or_default();
            html::status_row(
                "Skill requests",
                Tone::Bad,
                &format!("last one refused at {}", util::fmt_time(*t)),
                &format!("{why}{ok}"),
            )
        }
        (Some(v), None) => html::status_row("Skill requests", Tone::Ok, &util::fmt_time(v), ""),
    }
}

/// The linked accounts, with revoke.
fn accounts(ctx: &Ctx, facts: &Facts, token: &str) -> Section {
    let mut body = String::new();
    if facts.links.is_empty() {
        body.push_str("<p>No account is linked yet.</p>");
    } else {
        body.push_str(
            "<table><thead><tr><th>Account</th><th>Linked</th><th>Last used</th><th>State</th><th></th></tr></thead><tbody>",
        );
        let mut links: Vec<_> = facts.links.iter().collect();
        links.sort_by_key(|l| (l.revoked_at.is_some(), -l.created_at));
        for l in links.into_iter().take(200) {
            let (state, tone, revocable) = link_state(l);
            let action = if revocable {
                html::form(
                    &ctx.url("/links/revoke"),
                    &[("csrf", token), ("link", &l.id)],
                    &[],
                    "Revoke",
                    true,
                )
            } else {
                String::new()
            };
            body.push_str(&format!(
                "<tr id=\"link-{}\"><td>{}</td><td data-label=\"Linked\">{}</td><td data-label=\"Last used\">{}</td>\
<td><span class=\"{}\">{}</span></td><td>{action}</td></tr>",
                esc(&l.id),
                esc(&l.username),
                esc(&util::fmt_time(l.created_at)),
                esc(&util::fmt_time(l.last_used_at)),
                match tone {
                    Tone::Ok => "ok",
                    Tone::Warn => "warn",
                    Tone::Bad => "bad",
                },
                esc(&state)
            ));
        }
        body.push_str("</tbody></table>");
    }
    body.push_str(
        "<p class=\"muted\">Revoking ends the link at once: Alexa's next token refresh fails and the \
         person is asked to link the skill again. For a Music Assistant account its token there is \
         revoked too.</p>",
    );
    Section {
        id: "accounts",
        step: None,
        title: "Linked accounts".into(),
        body,
    }
}

/// A link's state in words, its tone, and whether "Revoke" applies.
fn link_state(l: &crate::store::Link) -> (String, Tone, bool) {
    use crate::store::MaTokenState as S;
    match (l.revoked_at, l.ma_token_state.as_deref()) {
        (None, Some(S::RENEWAL_FAILED)) => (
            "active (renewing its Music Assistant token failed; retried on use)".into(),
            Tone::Warn,
            true,
        ),
        (None, _) => ("active".into(), Tone::Ok, true),
        (Some(t), Some(S::REVOKE_FAILED)) => (
            format!(
                "revoked {}; Music Assistant could not be told yet",
                util::fmt_time(t)
            ),
            Tone::Warn,
            true,
        ),
        (Some(t), Some(S::REFUSED)) => (
            format!(
                "ended {}: Music Assistant refused its token",
                util::fmt_time(t)
            ),
            Tone::Bad,
            true,
        ),
        (Some(t), _) => (format!("revoked {}", util::fmt_time(t)), Tone::Bad, false),
    }
}
