//! The developer console, page by page, in the order it asks: create the
//! skill; switch on account linking (its redirect URLs, with the vendor
//! id, appear only then, in the same visit) and paste the values; the
//! endpoint and its certificate option, and the skill id shown there; the
//! interaction model; the test. Every console word comes from
//! [`crate::console::labels`].

use super::facts::Facts;
use super::{Ctx, model};
use crate::app::App;
use crate::console::{Certificate, ConsoleValues, labels as l};
use crate::pages::admin::{self as html, Section};
use crate::skill::phrases::LOCALES;
use crate::util::html_escape as esc;

fn q(label: &str) -> String {
    format!("<strong>{}</strong>", esc(label))
}

/// Step 1: create the skill.
pub fn create() -> Section {
    let body = format!(
        "<ol><li>Open the <a href=\"{url}\" target=\"_blank\" rel=\"noopener noreferrer\">Alexa developer console</a> \
and press {create}.</li>\
<li>Name it (what people see in the Alexa app), and choose the language your Echo speaks as its locale: \
a skill only answers Echos set to one of its languages.</li>\
<li>Model: {custom}. Hosting: {own}. Template: {scratch}. Create it.</li></ol>",
        url = esc(l::CONSOLE_URL),
        create = q(l::CREATE_SKILL),
        custom = q(l::MODEL_CUSTOM),
        own = q(l::HOSTING_OWN),
        scratch = q(l::TEMPLATE_SCRATCH),
    );
    Section {
        id: "create",
        step: Some(1),
        title: "Create the skill".into(),
        body,
    }
}

/// Step 2: account linking: the vendor id (registration), then the values.
pub fn linking(ctx: &Ctx, facts: &Facts, base: &str, secret: Option<&str>, token: &str) -> Section {
    let mut body = format!(
        "<p>In your skill, open {page}. Switch on {switch}: only then does the page show the {urls}, \
each ending in <code>/api/skill/link/VENDORID</code>.</p>",
        page = q(l::ACCOUNT_LINKING_PAGE),
        switch = q(l::LINKING_SWITCH),
        urls = q(l::REDIRECT_URLS),
    );
    let Some(client) = &facts.client else {
        body.push_str(&register_form(ctx, token));
        return section_linking(body);
    };
    let v = ConsoleValues::new(base, true, client, secret);
    if let Some(why) = v.public_url_problem() {
        body.push_str(&format!(
            "<p class=\"notice bad\">{}. Alexa refuses these values until this server is reached over HTTPS on port 443.</p>",
            esc(&why)
        ));
    }
    body.push_str(&format!(
        "<p>Registered for vendor id <code>{}</code>; its redirect URLs must be the ones the console shows. \
Then fill in, in this order:</p>",
        esc(client.vendor_id.as_deref().unwrap_or("?"))
    ));
    let mut scope_n = 0;
    for (label, value) in v.account_linking() {
        let id = match label {
            l::SCOPE => {
                scope_n += 1;
                format!("v-scope-{scope_n}")
            }
            other => format!("v-{}", slug(other)),
        };
        if label == l::SECRET {
            body.push_str(&format!(
                "<div class=\"secret\">{}<p class=\"muted\">Shown only now: copy it into the console before \
leaving this page.</p></div>",
                html::field(&id, label, &value)
            ));
            continue;
        }
        if label == l::SCOPE && scope_n == 1 {
            body.push_str("<p class=\"muted\">Scopes: each one its own entry (\"Add scope\").</p>");
        }
        body.push_str(&html::field(&id, label, &value));
        if label == l::CLIENT_ID && secret.is_none() {
            body.push_str(&format!(
                "<div class=\"field\"><div class=\"label\">{}</div><p class=\"muted\">Shown once, when it was made \
(the add-on's log on its first start, or <code>client add</code>). Lost it? Make a new one; the old one stops \
working at once.</p>{}</div>",
                esc(l::SECRET),
                html::form(&ctx.url("/secret"), &[("csrf", token), ("client", &client.id)], &[], "Make a new secret", true)
            ));
        }
    }
    body.push_str(&linking_tail(ctx, client));
    if facts.alexa_clients > 1 {
        body.push_str(&format!(
            "<p class=\"muted\">{} Alexa clients are registered; this page shows {}.</p>",
            facts.alexa_clients,
            esc(&client.id)
        ));
    }
    section_linking(body)
}

/// Before any client: the vendor id's form.
fn register_form(ctx: &Ctx, token: &str) -> String {
    let mut body = format!(
        "<p>Enter that last part, your vendor id, to register the skill here. The values to paste \
then appear below, with the secret.</p>{}",
        html::form(
            &ctx.url("/client"),
            &[("csrf", token)],
            &[("vendor_id", "Vendor id", "", "e.g. M2ABCDEFGHIJKL")],
            "Register",
            false,
        )
    );
    if ctx.addon {
        body.push_str("<p class=\"muted\">Or set the add-on's option <code>alexa_vendor_id</code> and restart it.</p>");
    }
    body
}

/// After the fields: the domain list, PKCE, Save.
fn linking_tail(ctx: &Ctx, client: &crate::store::Client) -> String {
    let pkce = if client.require_pkce {
        "switch it on (this server requires it)".to_owned()
    } else if ctx.addon {
        "recommended: switch it on, then turn on the add-on's option <code>require_pkce</code>"
            .to_owned()
    } else {
        format!(
            "recommended: switch it on, then run <code>client set {} --require-pkce on</code>",
            esc(&client.id)
        )
    };
    format!(
        "<p>{}: leave it empty. {}: {pkce}. Then press {}.</p>",
        q(l::DOMAIN_LIST),
        q(l::PKCE),
        q(l::SAVE)
    )
}

fn section_linking(body: String) -> Section {
    Section {
        id: "linking",
        step: Some(2),
        title: format!("Account linking ({})", l::ACCOUNT_LINKING_PAGE),
        body,
    }
}

/// An element id from a label.
fn slug(label: &str) -> String {
    label
        .chars()
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() {
                Some(c.to_ascii_lowercase())
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Step 3: the endpoint, its certificate option, the skill id.
pub fn endpoint(ctx: &Ctx, facts: &Facts, base: &str, token: &str) -> Section {
    let url = format!(
        "{}{}",
        base.trim_end_matches('/'),
        crate::console::SKILL_PATH
    );
    let cert = Certificate::for_url(base);
    let mut body = format!(
        "<p>Open {page}, choose {https}, and paste into {region}:</p>{field}",
        page = q(l::ENDPOINT_PAGE),
        https = q(l::ENDPOINT_HTTPS),
        region = q(l::DEFAULT_REGION),
        field = html::field("v-endpoint", l::DEFAULT_REGION, &url),
    );
    match cert.option() {
        Some(o) => body.push_str(&html::field("v-certificate", "SSL certificate type", o)),
        None => {
            body.push_str("<p>SSL certificate type: it depends on your proxy's certificate (this page cannot see it):</p><ul>");
            for (when, option) in cert.rule() {
                body.push_str(&format!("<li>if {}: {}</li>", esc(when), q(option)));
            }
            body.push_str("</ul>");
        }
    }
    body.push_str(&format!(
        "<p>Press {}. The same page shows {} (<code>amzn1.ask.skill.…</code>): register it here, so that \
its requests are answered.</p>{}",
        q(l::SAVE),
        q(l::SKILL_ID),
        html::form(
            &ctx.url("/skill-id"),
            &[("csrf", token)],
            &[("skill_id", l::SKILL_ID, "", "amzn1.ask.skill.00000000-0000-0000-0000-000000000000")],
            "Register the skill id",
            false,
        )
    ));
    for (id, at) in &facts.skill_ids {
        body.push_str(&format!(
            "<div class=\"field\"><div class=\"value\"><code>{}</code>{}</div><p class=\"muted\">registered {}</p></div>",
            esc(id),
            html::form(&ctx.url("/skill-id/remove"), &[("csrf", token), ("skill_id", id)], &[], "Remove", true),
            esc(&crate::util::fmt_time(*at))
        ));
    }
    for id in &facts.configured_skill_ids {
        body.push_str(&format!(
            "<p><code>{}</code> <span class=\"muted\">(given at start{})</span></p>",
            esc(id),
            if ctx.addon {
                ": the add-on's option alexa_skill_id"
            } else {
                ": --alexa-skill-id"
            }
        ));
    }
    Section {
        id: "endpoint",
        step: Some(3),
        title: format!("Endpoint ({})", l::ENDPOINT_PAGE),
        body,
    }
}

/// Step 4: the interaction model, one per locale, with the invocation name.
pub fn model(ctx: &Ctx, invocation: Option<&str>) -> Section {
    let mut body = format!(
        "<p>{}: leave every interface off (the skill controls your Music Assistant players; it plays nothing \
on the Echo itself).</p><p>The invocation name is what people say after \"Alexa, ask\".</p>{}",
        q(l::INTERFACES_PAGE),
        html::get_form(
            &format!("{}#model", ctx.url("/")),
            "invocation",
            "Invocation name",
            (
                invocation.unwrap_or(""),
                "each language's own: music assistant, musik assistent, …"
            ),
            "Use this name"
        )
    );
    let mut models = String::new();
    let mut problem = None;
    for (locale, _) in LOCALES {
        match crate::console::model_text(locale, invocation) {
            Ok(text) => {
                let href = ctx.url(&model::path(locale, invocation));
                let file = format!("interaction-model-{locale}.json");
                models.push_str(&html::block(
                    &format!("m-{locale}"),
                    &format!("{locale}: the model"),
                    &text,
                    Some((&href, &file)),
                ));
            }
            Err(e) => problem = Some(e.to_string()),
        }
    }
    match problem {
        Some(why) => body.push_str(&format!(
            "<p class=\"notice bad\" id=\"model-error\">{}</p>",
            esc(&why)
        )),
        None => {
            body.push_str(&format!(
                "<p>For each language of your skill (the console's language menu), open {page}, replace \
everything with its model, press {save}, then {build}.</p>{models}",
                page = q(l::JSON_EDITOR_PAGE),
                save = q(l::SAVE_MODEL),
                build = q(l::BUILD_MODEL),
            ));
        }
    }
    Section {
        id: "model",
        step: Some(4),
        title: "Interaction model".into(),
        body,
    }
}

/// Step 5: test, in the console and on the Echo.
pub fn test(app: &App, facts: &Facts) -> Section {
    let who = if facts.ma.is_some() || app.ma().is_some() {
        "your Music Assistant user name and password"
    } else {
        "an account of this server (user add)"
    };
    let body = format!(
        "<ol><li>In the {test} tab, set {switch} to {stage}.</li>\
<li>In the Alexa app: {app_path}, your skill, enable it and sign in with {who}.</li>\
<li>Say \"Alexa, ask music assistant to play Radiohead\" (with your invocation name). \"Where things stand\" \
above shows whether the request arrived and verified.</li></ol>",
        test = q(l::TEST_TAB),
        switch = q(l::TEST_SWITCH),
        stage = q(l::TEST_STAGE),
        app_path = q(l::APP_DEV_SKILLS),
        who = esc(who),
    );
    Section {
        id: "test",
        step: Some(5),
        title: "Test".into(),
        body,
    }
}
