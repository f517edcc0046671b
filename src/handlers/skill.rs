//! `POST /alexa/skill`: the Alexa custom skill's endpoint.
//!
//! Every request is verified first, exactly as Amazon requires (the
//! signature over the raw body, the certificate chain, the timestamp, the
//! registered skill id: [`crate::skill::verify`]); anything else is a 400 and
//! touches nothing. Then the linked access token (`context.System.user.accessToken`)
//! is checked like `/ma/api` checks a bearer token ([`crate::app::link`]); no
//! usable link: the person hears how to link and gets the `LinkAccount`
//! card. The action runs against Music Assistant within the skill's deadline
//! (`Config::skill_deadline`): slow, down or failing, the person hears a
//! sentence saying so, and the answer is always a 200 in time.

use bytes::Bytes;
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::json;
use tokio::time::Instant;

use crate::app::App;
use crate::app::link::{LinkError, Linked};
use crate::http::{self, Body};
use crate::ma::{MusicAssistant, Refusal};
use crate::skill::backend::{Backend, Failure};
use crate::skill::intents::{self, Action};
use crate::skill::library::Reader;
use crate::skill::perform::{Ctx, perform};
use crate::skill::phrases::{self, Say};
use crate::skill::request::Envelope;
use crate::skill::response::Reply;
use crate::skill::timing;
use crate::util;

pub const PATH: &str = "/alexa/skill";
/// Largest request body: Alexa's requests are a few KiB.
pub const MAX_BYTES: usize = 128 * 1024;

fn bad_request(status: StatusCode, why: &str) -> Response<Body> {
    http::json(
        status,
        &json!({"error": "invalid_request", "error_description": why}),
    )
}

/// Verifies, then answers the request; logs (debug) the time it took and
/// how much of it was spent waiting on Music Assistant.
pub async fn handle<B>(app: &App, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let ((response, what), spent) = timing::measure(respond(app, headers, body)).await;
    let us = |d: std::time::Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    tracing::debug!(
        target: TIMING_TARGET,
        request = what.as_str(),
        total_us = us(spent.total),
        music_assistant_us = us(spent.music_assistant),
        own_us = us(spent.own()),
        calls = spent.calls_text().as_str(),
        "skill answered"
    );
    response
}

/// The log target of the per-request timing line (examples/bench_skill.rs
/// reads it).
pub const TIMING_TARGET: &str = "ma_alexa_oauth::skill::timing";

/// The response, and what was asked (the intent's name or the request type).
async fn respond<B>(app: &App, headers: &HeaderMap, body: B) -> (Response<Body>, String)
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let started = Instant::now();
    let raw = match http::read_body(body, MAX_BYTES, app.config().limits.body_timeout).await {
        Ok(b) => b,
        Err(e) => return (bad_request(e.status(), &e.to_string()), "refused".into()),
    };
    if let Err(why) = verify(app, headers, &raw).await {
        tracing::debug!(reason = %why, "skill request refused");
        return (bad_request(StatusCode::BAD_REQUEST, &why), "refused".into());
    }
    let Ok(env) = serde_json::from_slice::<Envelope>(&raw) else {
        let r = bad_request(StatusCode::BAD_REQUEST, "the body is not an Alexa request");
        return (r, "refused".into());
    };
    let what = match &env.request.intent {
        Some(i) if env.request.kind == "IntentRequest" => i.name.clone(),
        _ => env.request.kind.clone(),
    };
    let reply = answer(app, &env, started + app.config().skill_deadline).await;
    (http::json(StatusCode::OK, &reply.to_json()), what)
}

/// The answer to a verified request, before `deadline`.
pub async fn answer(app: &App, env: &Envelope, deadline: Instant) -> Reply {
    let table = phrases::for_locale(env.locale());
    let say = &table.say;
    let action = intents::action(env);
    if action.local() {
        return local(say, &action);
    }
    let Some(token) = env.access_token() else {
        return Reply::link_account(say.link_account);
    };
    let linked = match app.linked(token, util::now()).await {
        Ok(l) => l,
        Err(LinkError::NotConfigured) => return Reply::say(say.not_configured),
        Err(LinkError::Store(e)) => {
            tracing::warn!(error = %e, "storage failure on the skill");
            return Reply::say(say.ma_failed);
        }
        Err(_) => return Reply::link_account(say.link_account),
    };
    let Some(ma) = app.ma() else {
        return Reply::say(say.not_configured);
    };
    let backend = Backend::new(ma.client(), &linked.secret, &linked.claims.scope, deadline);
    let reader = Reader {
        client: ma.client().clone(),
        token: linked.secret.clone(),
        scopes: linked.claims.scope.clone(),
    };
    let ctx = Ctx {
        ma: backend,
        phrases: table,
        rooms: &app.skill().rooms,
        library: &app.skill().library,
        reader: Some(&reader),
        env,
    };
    match tokio::time::timeout_at(deadline, perform(&ctx, &action)).await {
        Ok(Ok(reply)) => reply,
        Ok(Err(Failure::Refused)) => refused(app, ma, &linked, say, deadline).await,
        Ok(Err(f)) => failure(say, &f),
        Err(_) => Reply::say(say.ma_slow),
    }
}

/// Answers that need neither the link nor Music Assistant.
fn local(say: &'static Say, action: &Action) -> Reply {
    match action {
        Action::NoAnswer => Reply::nothing(),
        Action::Help => Reply::ask(say.help, say.launch_reprompt),
        Action::Goodbye => Reply::say(say.goodbye),
        _ => Reply::ask(say.fallback, say.launch_reprompt),
    }
}

fn failure(say: &'static Say, f: &Failure) -> Reply {
    tracing::debug!(failure = ?f, "skill action failed");
    Reply::say(match f {
        Failure::Slow => say.ma_slow,
        Failure::Unreachable => say.ma_down,
        Failure::NotAllowed(_) => say.not_allowed,
        Failure::Failed(_) | Failure::Refused => say.ma_failed,
    })
}

/// Music Assistant refused the link's token: the gateway's second look;
/// a confirmed refusal ends the link and the person is asked to link again.
async fn refused(
    app: &App,
    ma: &MusicAssistant,
    l: &Linked,
    say: &'static Say,
    deadline: Instant,
) -> Reply {
    let look = app.ma_refused(ma, &l.claims, &l.link_id, &l.token, &l.secret);
    match tokio::time::timeout_at(deadline, look).await {
        Ok(Refusal::Ended | Refusal::AlreadyEnded) => Reply::link_account(say.link_account),
        Ok(Refusal::NotConfirmed) => Reply::say(say.relink_retry),
        Ok(Refusal::Upstream(crate::ma::client::MaError::Unreachable(_))) => {
            Reply::say(say.ma_down)
        }
        Ok(Refusal::Upstream(_)) | Err(_) => Reply::say(say.ma_slow),
        Ok(Refusal::Store(_)) => Reply::say(say.ma_failed),
    }
}

/// The request's signature, certificate chain, timestamp and skill id
/// ([`crate::skill::SkillVerifier`]); the reason of a refusal.
/// The skill ids are read from storage only once the signature holds.
async fn verify(app: &App, headers: &HeaderMap, raw: &[u8]) -> Result<(), String> {
    let now = std::time::SystemTime::now();
    let refused = |e: crate::skill::VerifyError| {
        tracing::info!(detail = %e, "skill request refused");
        e.reason().to_owned()
    };
    app.skill_verifier()
        .verify_signed_request(headers, raw, now)
        .await
        .map_err(refused)?;
    let ids = app.skill_ids().await.map_err(|e| {
        tracing::warn!(error = %e, "reading the registered skill ids failed");
        "the registered skill ids cannot be read right now".to_owned()
    })?;
    crate::skill::SkillVerifier::check_signed_body(raw, now, &ids)
        .map(|_| ())
        .map_err(refused)
}
