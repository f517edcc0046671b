//! The admin listener's routes: the gate (ingress headers, or the login
//! session), the request's [`Ctx`], the same-origin and CSRF checks of
//! every POST, then the admin handlers.

use crate::server::RequestBody;
use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};

use super::{Admin, Gate};
use crate::app::App;
use crate::handlers::admin::login::{self, LoginError};
use crate::handlers::admin::{Ctx, Mode, actions, csrf, echo, model, page, session};
use crate::http::params::Params;
use crate::http::{self, Body, cookie};
use crate::listener::ConnInfo;
use crate::pages;
use crate::server::Routes;

pub(super) struct AdminRoutes {
    admin: Admin,
}

impl AdminRoutes {
    pub(super) fn new(admin: Admin) -> AdminRoutes {
        AdminRoutes { admin }
    }
    pub(super) fn gate(&self) -> Gate {
        self.admin.gate
    }
}

impl Routes for AdminRoutes {
    async fn route(&self, app: &App, req: Request<RequestBody>, conn: ConnInfo) -> Response<Body> {
        let (parts, body) = req.into_parts();
        let method = parts.method.clone();
        let path = parts.uri.path().to_owned();
        let resp = self.handle(app, &parts, body, conn).await;
        tracing::debug!(%method, path, status = resp.status().as_u16(), peer = %conn.peer, "admin request");
        resp
    }
}

/// A refusal before any context exists (no cookies set, no framing).
fn refuse(status: StatusCode, title: &str, msg: &str) -> Response<Body> {
    http::html(
        status,
        pages::admin::refusal(title, msg),
        &pages::admin::csp(false),
    )
}

/// `X-Ingress-Path`: exactly one, `/api/hassio_ingress/` and a token of
/// 1 to 128 URL-safe characters (the Supervisor's is `token_urlsafe()`).
fn ingress_path(headers: &HeaderMap) -> Option<String> {
    let mut all = headers.get_all("x-ingress-path").iter();
    let (Some(v), None) = (all.next(), all.next()) else {
        return None;
    };
    let v = v.to_str().ok()?;
    let token = v.strip_prefix("/api/hassio_ingress/")?;
    let ok = (1..=128).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| v.to_owned())
}

/// A header's value when it is printable text of at most `max` bytes.
fn text_header(headers: &HeaderMap, name: &str, max: usize) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    (!v.is_empty() && v.len() <= max && !v.chars().any(char::is_control)).then(|| v.to_owned())
}

/// A host as a browser sends it: letters, digits, `.-:[]`, at most 255.
fn host_ok(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// The page's origin as the browser sees it, for the POSTs' `Origin` check:
/// under ingress Home Assistant's (`X-Forwarded-Proto` and `-Host`, which
/// its ingress view sets), else this listener's (`Host`).
fn page_origin(gate: Gate, headers: &HeaderMap) -> (Option<String>, bool) {
    match gate {
        Gate::Ingress { .. } => {
            let proto = text_header(headers, "x-forwarded-proto", 8);
            let host = text_header(headers, "x-forwarded-host", 255).filter(|h| host_ok(h));
            let secure = proto.as_deref() == Some("https");
            match (proto.as_deref(), host) {
                (Some(p @ ("http" | "https")), Some(h)) => (Some(format!("{p}://{h}")), secure),
                _ => (None, secure),
            }
        }
        Gate::Login => {
            let host = text_header(headers, "host", 255).filter(|h| host_ok(h));
            (host.map(|h| format!("http://{h}")), false)
        }
    }
}

impl AdminRoutes {
    /// The request's context, or the refusal when the gate says no.
    fn ctx(&self, headers: &HeaderMap) -> Result<(Ctx, Option<String>), Box<Response<Body>>> {
        let (mode, prefix, user) = match self.admin.gate {
            Gate::Ingress { .. } => {
                let Some(prefix) = ingress_path(headers) else {
                    return Err(Box::new(refuse(
                        StatusCode::BAD_REQUEST,
                        "Open it from Home Assistant",
                        "This page is served through Home Assistant: open it from Home Assistant's sidebar.",
                    )));
                };
                let user = text_header(headers, "x-remote-user-display-name", 100)
                    .or_else(|| text_header(headers, "x-remote-user-name", 100));
                (Mode::Ingress, prefix, user)
            }
            Gate::Login => (Mode::Login, String::new(), None),
        };
        let (origin, secure) = page_origin(self.admin.gate, headers);
        let existing = cookie::get(headers, csrf::COOKIE).filter(|n| csrf::valid_nonce(n));
        let ctx = Ctx {
            mode,
            prefix,
            user,
            nonce: existing.map_or_else(csrf::new_nonce, str::to_owned),
            new_nonce: existing.is_none(),
            secure,
            addon: self.admin.addon,
            tailnet: serde_json::Value::Null,
        };
        Ok((ctx, origin))
    }

    async fn handle(
        &self,
        app: &App,
        parts: &hyper::http::request::Parts,
        body: RequestBody,
        conn: ConnInfo,
    ) -> Response<Body> {
        let (mut ctx, origin) = match self.ctx(&parts.headers) {
            Ok(c) => c,
            Err(r) => return *r,
        };
        let path = parts.uri.path();
        let method = &parts.method;
        let form = if method == Method::POST {
            match self
                .post_form(app, &ctx, &parts.headers, origin.as_deref(), body)
                .await
            {
                Ok(f) => Some(f),
                Err(r) => return *r,
            }
        } else {
            None
        };
        if self.admin.gate == Gate::Login {
            match (path, method, &form) {
                ("/login", &Method::GET | &Method::HEAD, _) => return login_page(app, &ctx, None),
                ("/login", &Method::POST, Some(f)) => return self.login(app, &ctx, f, conn).await,
                ("/login", _, _) => return not_allowed("GET, HEAD, POST"),
                _ => {}
            }
            let signed_in = self.signed_in(app, &parts.headers).await;
            if !signed_in {
                return if method == Method::POST {
                    ctx.refusal(
                        StatusCode::FORBIDDEN,
                        "Sign in first",
                        "Your session ended: sign in again.",
                    )
                } else {
                    ctx.redirect("/login")
                };
            }
        }
        ctx.tailnet = crate::tailnet::snapshot::tailnet_status(app.data_dir());
        match (path, method, form) {
            ("/", &Method::GET | &Method::HEAD, _) => {
                page::show(app, &ctx, parts.uri.query()).await
            }
            (p, &Method::GET | &Method::HEAD, _) if p.starts_with("/model/") => {
                let file = p.strip_prefix("/model/").unwrap_or_default();
                model::download(&ctx, file, parts.uri.query())
            }
            ("/client", &Method::POST, Some(f)) => actions::register_client(app, &ctx, &f).await,
            ("/secret", &Method::POST, Some(f)) => actions::new_secret(app, &ctx, &f).await,
            ("/skill-id", &Method::POST, Some(f)) => actions::add_skill_id(app, &ctx, &f).await,
            ("/skill-id/remove", &Method::POST, Some(f)) => {
                actions::remove_skill_id(app, &ctx, &f).await
            }
            ("/links/revoke", &Method::POST, Some(f)) => actions::revoke_link(app, &ctx, &f).await,
            ("/echo/player", &Method::POST, Some(f)) => echo::set_player(app, &ctx, &f).await,
            ("/echo/forget", &Method::POST, Some(f)) => echo::forget(app, &ctx, &f).await,
            ("/logout", &Method::POST, Some(_)) if self.admin.gate == Gate::Login => {
                self.logout(&ctx, &parts.headers)
            }
            ("/", _, _) => not_allowed("GET, HEAD"),
            _ => ctx.refusal(StatusCode::NOT_FOUND, "Not found", "There is no such page."),
        }
    }

    /// A POST's form, past the checks: a form body within the cap, a
    /// same-origin request, the page's CSRF token for the cookie's nonce.
    async fn post_form(
        &self,
        app: &App,
        ctx: &Ctx,
        headers: &HeaderMap,
        origin: Option<&str>,
        body: RequestBody,
    ) -> Result<Params, Box<Response<Body>>> {
        let refusal = |status, title: &str, msg: &str| Box::new(ctx.refusal(status, title, msg));
        let cross = || {
            refusal(
                StatusCode::FORBIDDEN,
                "Refused",
                "This form was not sent from this page (or the page is too old): reload the page and try again.",
            )
        };
        if !csrf::same_site(headers, origin) || ctx.new_nonce {
            return Err(cross());
        }
        if !http::is_form(headers) {
            return Err(refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Refused",
                "Expected a form.",
            ));
        }
        let limits = &app.config().limits;
        let raw: Bytes = http::read_body(body, limits.max_form_bytes, limits.body_timeout)
            .await
            .map_err(|e| refusal(e.status(), "Refused", &e.to_string()))?;
        let form = Params::parse(&raw)
            .map_err(|e| refusal(StatusCode::BAD_REQUEST, "Refused", &e.to_string()))?;
        match form.get("csrf") {
            Some(t) if csrf::token_ok(app, &ctx.nonce, t) => Ok(form),
            _ => Err(cross()),
        }
    }

    async fn signed_in(&self, app: &App, headers: &HeaderMap) -> bool {
        let Some(token) = cookie::get(headers, session::COOKIE) else {
            return false;
        };
        let fp = match login::current_fingerprint(app).await {
            Ok(fp) => fp,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the admin password");
                return false;
            }
        };
        self.admin.sessions.valid(token, fp, crate::util::now())
    }

    async fn login(&self, app: &App, ctx: &Ctx, form: &Params, conn: ConnInfo) -> Response<Body> {
        let password = form.get("password").unwrap_or("");
        let addr = crate::config::canonical(conn.peer.ip());
        match login::check(app, password, addr).await {
            Ok(fp) => {
                let token = self.admin.sessions.open(fp, crate::util::now());
                tracing::info!(peer = %conn.peer, "signed in to the admin page");
                let mut r = ctx.redirect("/");
                if let Ok(v) =
                    HeaderValue::from_str(&ctx.cookie(session::COOKIE, &token, session::LIFETIME))
                {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
                r
            }
            Err(e) => {
                let (status, msg) = match e {
                    LoginError::Wrong => {
                        tracing::warn!(peer = %conn.peer, "wrong admin password");
                        (StatusCode::UNAUTHORIZED, "Wrong password.".to_owned())
                    }
                    LoginError::NoPassword => (
                        StatusCode::FORBIDDEN,
                        "No admin password is set: run the command admin password on the server first.".to_owned(),
                    ),
                    LoginError::Throttled(b) => (
                        StatusCode::TOO_MANY_REQUESTS,
                        format!("Too many failed sign-ins: wait {} s and try again.", b.wait.as_secs().max(1)),
                    ),
                    LoginError::Store(e) => {
                        tracing::warn!(error = %e, "cannot read the admin password");
                        (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.".to_owned())
                    }
                };
                let mut r = login_page(app, ctx, Some(&msg));
                *r.status_mut() = status;
                r
            }
        }
    }

    fn logout(&self, ctx: &Ctx, headers: &HeaderMap) -> Response<Body> {
        if let Some(t) = cookie::get(headers, session::COOKIE) {
            self.admin.sessions.close(t);
        }
        let mut r = ctx.redirect("/login");
        if let Ok(v) = HeaderValue::from_str(&ctx.cookie(session::COOKIE, "", 0)) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    }
}

fn login_page(app: &App, ctx: &Ctx, error: Option<&str>) -> Response<Body> {
    let token = csrf::token(app, &ctx.nonce);
    ctx.html(
        StatusCode::OK,
        pages::admin::login(page::TITLE, &ctx.url("/login"), &token, error),
    )
}

fn not_allowed(allow: &'static str) -> Response<Body> {
    let mut r = http::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn the_ingress_path_has_one_shape() {
        let token = "/api/hassio_ingress/AbC-d_9";
        assert_eq!(
            ingress_path(&h(&[("x-ingress-path", token)])).as_deref(),
            Some(token)
        );
        for bad in [
            "/api/hassio_ingress/",
            "/api/hassio_ingress/a/b",
            "/api/hassio_ingress/a b",
            "/elsewhere/abc",
            "/api/hassio_ingress/\"><script>",
        ] {
            assert_eq!(ingress_path(&h(&[("x-ingress-path", bad)])), None, "{bad}");
        }
        assert_eq!(ingress_path(&h(&[])), None);
        assert_eq!(
            ingress_path(&h(&[("x-ingress-path", token), ("x-ingress-path", token)])),
            None,
            "two are one too many"
        );
    }

    #[test]
    fn the_page_origin_comes_from_home_assistants_forwarded_headers() {
        let g = Gate::Ingress {
            proxy: super::super::SUPERVISOR_PROXY,
        };
        let (o, secure) = page_origin(
            g,
            &h(&[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "ha.example:8123"),
            ]),
        );
        assert_eq!(o.as_deref(), Some("https://ha.example:8123"));
        assert!(secure);
        assert_eq!(
            page_origin(g, &h(&[("x-forwarded-host", "ha.example")])).0,
            None
        );
        assert_eq!(
            page_origin(
                g,
                &h(&[("x-forwarded-proto", "https"), ("x-forwarded-host", "a b")])
            )
            .0,
            None
        );
        assert_eq!(
            page_origin(Gate::Login, &h(&[("host", "127.0.0.1:8081")]))
                .0
                .as_deref(),
            Some("http://127.0.0.1:8081")
        );
    }
}
