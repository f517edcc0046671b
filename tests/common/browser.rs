//! The login page as a browser sees it: hidden fields, the submitted form,
//! and a cookie-keeping user agent.

use std::collections::BTreeMap;

use hyper::StatusCode;

use super::TestServer;
use super::alexa::AuthParams;
use super::http::{Resp, send};

/// Extracts `<input type="hidden" name=... value=...>` fields from a page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<input type=\"hidden\" ").skip(1) {
        let name = between(part, "name=\"", "\"");
        let value = between(part, "value=\"", "\"");
        out.push((unescape(&name), unescape(&value)));
    }
    out
}

fn between(s: &str, a: &str, b: &str) -> String {
    let start = s.find(a).map(|i| i + a.len()).unwrap_or(0);
    let end = s[start..].find(b).map(|i| start + i).unwrap_or(s.len());
    s[start..end].to_owned()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The login form as submitted: every field in `fields` (the page's hidden
/// fields, possibly changed by the test), then `username`, `password` and
/// the button pressed (`action`: `approve` or `deny`).
pub fn login_form<'a>(
    fields: &'a [(String, String)],
    username: &'a str,
    password: &'a str,
    action: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("username", username));
    form.push(("password", password));
    form.push(("action", action));
    form
}

/// A user agent that keeps the login cookie between the GET and the POST.
#[derive(Debug, Default, Clone)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    /// Applies a response's `Set-Cookie` headers to the jar.
    pub fn remember(&mut self, r: &Resp) {
        for v in r.headers.get_all("set-cookie") {
            let s = v.to_str().unwrap();
            let first = s.split(';').next().unwrap();
            let (k, val) = first.split_once('=').unwrap();
            if s.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
    }

    /// The `Cookie` header value for the jar (empty if no cookies).
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, server: &TestServer, path_and_query: &str) -> Resp {
        let c = self.cookie_header();
        let h: Vec<(&str, &str)> = if c.is_empty() {
            vec![]
        } else {
            vec![("cookie", &c)]
        };
        let r = send(server.addr, "GET", path_and_query, &h, None).await;
        self.remember(&r);
        r
    }

    /// Posts a form the way a browser does from our own page.
    pub async fn post_form(
        &mut self,
        server: &TestServer,
        path: &str,
        form: &[(&str, &str)],
    ) -> Resp {
        let c = self.cookie_header();
        let mut h: Vec<(&str, &str)> = vec![("origin", "null"), ("sec-fetch-site", "same-origin")];
        if !c.is_empty() {
            h.push(("cookie", &c));
        }
        let r = server.post_form(path, &h, form).await;
        self.remember(&r);
        r
    }

    /// Opens the login page and submits it with `username`/`password` and
    /// `action=approve`, keeping every hidden field as the page set it.
    pub async fn login(
        &mut self,
        server: &TestServer,
        p: &AuthParams,
        username: &str,
        password: &str,
    ) -> Resp {
        let page = self.get(server, &p.path()).await;
        assert_eq!(page.status, StatusCode::OK, "login page: {}", page.text());
        self.submit(server, &page, username, password, "approve")
            .await
    }

    /// Submits a login page already fetched.
    pub async fn submit(
        &mut self,
        server: &TestServer,
        page: &Resp,
        username: &str,
        password: &str,
        action: &str,
    ) -> Resp {
        let fields = hidden_fields(&page.text());
        self.submit_fields(server, &fields, username, password, action)
            .await
    }

    /// Posts the login form with `fields` in place of a page's hidden fields
    /// (a test that tampers with them).
    pub async fn submit_fields(
        &mut self,
        server: &TestServer,
        fields: &[(String, String)],
        username: &str,
        password: &str,
        action: &str,
    ) -> Resp {
        let form = login_form(fields, username, password, action);
        self.post_form(server, "/alexa/authorize", &form).await
    }
}
