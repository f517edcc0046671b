//! The authorization request: its parameters validated against the client's
//! registration (client, exact redirect URI, response type and mode, scope,
//! PKCE). Errors before the client and redirect URI are known good are a page;
//! later ones go back to the client.

use hyper::{Response, StatusCode};

use super::page::error_page;
use crate::app::App;
use crate::http::{self, Body, params::Params};
use crate::oauth::{parse_scope, pkce};
use crate::store::{self, Client, ClientKind};

const MAX_STATE: usize = 2048;

/// A validated authorization request.
pub(super) struct AuthRequest {
    pub client: Client,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
}

pub(super) enum Reject {
    /// Shown to the person; never redirected.
    Page(StatusCode, &'static str, String),
    /// Sent back to the client's redirect URI.
    Redirect(Response<Body>),
}

impl Reject {
    pub(super) fn into_response(self) -> Response<Body> {
        match self {
            Reject::Page(status, title, msg) => error_page(status, title, &msg),
            Reject::Redirect(r) => r,
        }
    }
}

pub(super) fn redirect_error(
    app: &App,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Reject {
    let description = crate::oauth::error::rfc6749_text(description);
    let mut q: Vec<(&str, &str)> = vec![("error", error), ("error_description", &description)];
    if let Some(s) = state {
        q.push(("state", s));
    }
    q.push(("iss", &app.config().issuer));
    Reject::Redirect(http::see_other(&http::append_query(redirect_uri, &q)))
}

async fn validate(app: &App, params: &Params) -> Result<AuthRequest, Reject> {
    let (client, redirect_uri) = registered_client(app, params).await?;
    let raw_state = params.get("state");
    let state = raw_state.filter(|s| s.len() <= MAX_STATE);
    let fail =
        |(error, desc): (&str, String)| redirect_error(app, &redirect_uri, state, error, &desc);
    if raw_state.is_some() && state.is_none() {
        return Err(fail(("invalid_request", "state is too long".into())));
    }
    match params.get("response_type") {
        None => return Err(fail(("invalid_request", "response_type is missing".into()))),
        Some("code") => {}
        Some(_) => {
            return Err(fail((
                "unsupported_response_type",
                "only response_type=code is supported".into(),
            )));
        }
    }
    if let Some(mode) = params.get("response_mode")
        && mode != "query"
    {
        return Err(fail((
            "invalid_request",
            "only response_mode=query is supported".into(),
        )));
    }
    let scope = requested_scope(&client, params).map_err(fail)?;
    let code_challenge = code_challenge(&client, params).map_err(fail)?;
    let state = state.map(str::to_owned);
    Ok(AuthRequest {
        client,
        redirect_uri,
        scope,
        state,
        code_challenge,
    })
}

/// The client and its exact redirect URI; until both are known good every
/// error is a page, never a redirect.
async fn registered_client(app: &App, params: &Params) -> Result<(Client, String), Reject> {
    let page = |m: &str| {
        Reject::Page(
            StatusCode::BAD_REQUEST,
            "This link request cannot be completed",
            m.to_owned(),
        )
    };
    let Some(client_id) = params.get("client_id") else {
        return Err(page(
            "The request does not say which application is asking (client_id is missing).",
        ));
    };
    if client_id.len() > 256 {
        return Err(page(
            "The application is not registered with this server (unknown client_id).",
        ));
    }
    let id = client_id.to_owned();
    let client = match app.store().call(move |c| store::get_client(c, &id)).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(page(
                "The application is not registered with this server (unknown client_id).",
            ));
        }
        Err(e) => {
            tracing::warn!(error = %e, "storage failure on authorize");
            return Err(Reject::Page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "The server cannot reach its database right now. Please try again in a minute."
                    .into(),
            ));
        }
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(page("The request has no redirect_uri."));
    };
    if !client.has_redirect_uri(redirect_uri) {
        return Err(page(
            "The redirect_uri is not registered for this application. If you run this server, check that the \
             client's redirect URLs match the Alexa Redirect URLs in the developer console exactly.",
        ));
    }
    Ok((client, redirect_uri.to_owned()))
}

/// The scope asked for (the client's scopes when absent), each one allowed
/// to the client. The error is (`error`, description) for the redirect.
fn requested_scope(client: &Client, params: &Params) -> Result<String, (&'static str, String)> {
    let fail = |error: &'static str, desc: &str| (error, desc.to_owned());
    Ok(match params.get("scope") {
        None => client.scopes.join(" "),
        Some(s) => {
            let Some(items) = parse_scope(s) else {
                return Err(fail("invalid_scope", "scope is malformed"));
            };
            if let Some(bad) = items
                .iter()
                .find(|i| !client.scopes.iter().any(|c| c == *i))
            {
                return Err(fail(
                    "invalid_scope",
                    &format!("scope {bad:?} is not available to this client"),
                ));
            }
            items.join(" ")
        }
    })
}

/// The PKCE challenge: S256 only, required for `require_pkce` clients.
fn code_challenge(
    client: &Client,
    params: &Params,
) -> Result<Option<String>, (&'static str, String)> {
    let fail = |error: &'static str, desc: &str| (error, desc.to_owned());
    let code_challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method without code_challenge",
            ));
        }
        (Some(_), None) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method is required; only S256 is supported (plain is refused)",
            ));
        }
        (Some(_), Some(m)) if m != "S256" => {
            return Err(fail(
                "invalid_request",
                "only the S256 code_challenge_method is supported",
            ));
        }
        (Some(c), Some(_)) if !pkce::valid_challenge(c) => {
            return Err(fail(
                "invalid_request",
                "code_challenge must be 43 base64url characters (S256)",
            ));
        }
        (Some(c), Some(_)) => Some(c.to_owned()),
    };
    if code_challenge.is_none() && client.require_pkce {
        return Err(fail(
            "invalid_request",
            match client.kind {
                ClientKind::Alexa => {
                    "code_challenge is missing: this client requires PKCE (S256); turn on \
                     PKCE Authorization in the skill's account linking settings in the Alexa \
                     developer console"
                }
                ClientKind::Generic => {
                    "code_challenge is missing: this client requires PKCE (S256)"
                }
            },
        ));
    }
    Ok(code_challenge)
}

/// Parses the request's parameters (query or form) and validates them as an
/// authorization request; the error is the finished response.
pub(super) async fn parse_and_validate(
    app: &App,
    input: &[u8],
) -> Result<(Params, AuthRequest), Response<Body>> {
    let params = Params::parse(input).map_err(|e| {
        error_page(
            StatusCode::BAD_REQUEST,
            "This link request cannot be completed",
            &e.to_string(),
        )
    })?;
    let r = validate(app, &params)
        .await
        .map_err(Reject::into_response)?;
    Ok((params, r))
}
