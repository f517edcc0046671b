//! The add-on's page: where things stand, the Alexa developer console's
//! values page by page, the interaction model, the skill id, the linked
//! accounts. Served only on the admin listener (`crate::admin`, the edge
//! that checks who may see it: Home Assistant's ingress proxy, or the
//! admin login), never by the public router.
//!
//! - [`page`]: `GET /`, the page, composed of sections in the console's
//!   order (a new section is one more function in its list);
//!   [`facts`]: what the status section reads; [`steps`]: the console's
//!   pages.
//! - [`actions`]: the POSTs (register the client, a new secret, skill ids,
//!   revoke a link), each behind [`csrf`].
//! - [`model`]: `GET /model/LOCALE.json`, the interaction model download.
//! - [`login`]: the admin password (`serve --admin-listen`); [`session`]
//!   its sessions.

pub mod actions;
pub mod csrf;
pub mod echo;
pub mod facts;
pub mod login;
pub mod model;
pub mod page;
pub mod session;
pub mod steps;

use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use crate::http::{self, Body};
use crate::pages;

/// Who may see the page, and how it is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Through Home Assistant's ingress proxy (Home Assistant signed the
    /// person in), inside Home Assistant's own page.
    Ingress,
    /// `serve --admin-listen`, behind the admin password.
    Login,
}

/// One request's context, made by the admin edge.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub mode: Mode,
    /// What every link and form starts with: Home Assistant's ingress path
    /// (`/api/hassio_ingress/TOKEN`), or nothing.
    pub prefix: String,
    /// Who is signed in (Home Assistant's display name), if known.
    pub user: Option<String>,
    /// The CSRF cookie's nonce, and whether it is new (to be set).
    pub nonce: String,
    pub new_nonce: bool,
    /// Cookies get `Secure` (the browser reached the page over https).
    pub secure: bool,
    /// The server runs as the Home Assistant add-on.
    pub addon: bool,
    /// The tailnet node as `status` sees it
    /// (`crate::tailnet::snapshot::tailnet_status`).
    pub tailnet: serde_json::Value,
}

impl Ctx {
    /// A path of the page as the browser must ask for it.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    /// The path cookies are scoped to.
    pub fn cookie_path(&self) -> String {
        format!("{}/", self.prefix)
    }

    /// A cookie for this page: HttpOnly, SameSite=Strict, on its path.
    pub fn cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{name}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}",
            self.cookie_path()
        )
    }

    /// An HTML response with the page's headers: its CSP, framing by the
    /// same origin only under ingress (Home Assistant's iframe), no
    /// caching, the CSRF cookie when new.
    pub fn html(&self, status: StatusCode, body: String) -> Response<Body> {
        let framed = self.mode == Mode::Ingress;
        let mut r = http::html(status, body, &pages::admin::csp(framed));
        let h = r.headers_mut();
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static(if framed { "SAMEORIGIN" } else { "DENY" }),
        );
        // Same-origin: the browser then sends our Origin on POSTs (with
        // no-referrer it would send "null").
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        self.with_nonce(r)
    }

    /// 303 to a path of the page (after a POST).
    pub fn redirect(&self, path_and_query: &str) -> Response<Body> {
        self.with_nonce(http::see_other(&self.url(path_and_query)))
    }

    fn with_nonce(&self, mut r: Response<Body>) -> Response<Body> {
        if self.new_nonce
            && let Ok(v) =
                HeaderValue::from_str(&self.cookie(csrf::COOKIE, &self.nonce, csrf::LIFETIME))
        {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    }

    /// A refusal page (4xx) with the page's headers.
    pub fn refusal(&self, status: StatusCode, title: &str, message: &str) -> Response<Body> {
        self.html(status, pages::admin::refusal(title, message))
    }
}
