//! Server-rendered HTML: the login/consent page and the error page. Inline
//! CSS allowed by hash in the CSP; no JavaScript; no third-party assets.
//! [`admin`]: the add-on's page (the one page with a script: its copy
//! buttons, allowed by hash).

pub mod admin;

use std::sync::LazyLock;

use crate::util::{self, html_escape as esc};

const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f3f4f6;color:#111827}\
main{max-width:420px;margin:0 auto;padding:24px 16px}\
.card{background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
h1{font-size:1.35rem;margin:0 0 8px}\
p{margin:8px 0}\
ul{padding-left:20px;margin:8px 0 16px}\
label{display:block;font-weight:600;margin:16px 0 4px}\
input[type=text],input[type=password]{width:100%;font-size:1rem;padding:12px;border:1px solid #9ca3af;border-radius:8px}\
input:focus{outline:3px solid #93c5fd;border-color:#2563eb}\
.buttons{display:flex;gap:12px;margin-top:24px}\
button{flex:1;font-size:1rem;padding:12px;border-radius:8px;border:0;cursor:pointer}\
.primary{background:#2563eb;color:#fff;font-weight:600}\
.secondary{background:#e5e7eb;color:#111827}\
.error{background:#fef2f2;border:1px solid #fca5a5;color:#991b1b;padding:12px;border-radius:8px;margin:12px 0}\
.muted{color:#6b7280;font-size:.875rem}\
";

/// `'sha256-…'` of the stylesheet, for the CSP.
static CSS_HASH: LazyLock<String> =
    LazyLock::new(|| format!("'sha256-{}'", base64_std(&util::sha256(CSS.as_bytes()))));

fn base64_std(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The CSP of a page whose form may end in a redirect to `form_target`
/// (an origin such as `https://pitangui.amazon.com`), or of a page with no form.
pub fn csp(form_target: Option<&str>) -> String {
    let form = match form_target {
        Some(origin) => format!("'self' {origin}"),
        None => "'none'".to_owned(),
    };
    format!(
        "default-src 'none'; style-src {}; img-src 'self' data:; form-action {form}; frame-ancestors 'none'; base-uri 'none'",
        *CSS_HASH
    )
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<title>{}</title><style>{CSS}</style></head><body><main><div class=\"card\">{body}</div></main></body></html>",
        esc(title)
    )
}

/// What the login page shows and carries.
pub struct LoginPage<'a> {
    pub client_name: &'a str,
    pub scopes: &'a [&'a str],
    pub hidden: &'a [(&'a str, &'a str)],
    pub username: &'a str,
    pub error: Option<&'a str>,
    pub account_source: &'a str,
}

pub fn login(p: &LoginPage<'_>) -> String {
    let mut body = String::with_capacity(2048);
    body.push_str("<h1>Link your account</h1>");
    body.push_str(&format!(
        "<p><strong>{}</strong> is asking to use your {} to:</p><ul>",
        esc(p.client_name),
        esc(p.account_source)
    ));
    for s in p.scopes {
        body.push_str(&format!(
            "<li>{} <span class=\"muted\">({})</span></li>",
            esc(super::oauth::describe_scope(s)),
            esc(s)
        ));
    }
    body.push_str("</ul>");
    if let Some(e) = p.error {
        body.push_str(&format!(
            "<div class=\"error\" role=\"alert\" id=\"error\">{}</div>",
            esc(e)
        ));
    }
    body.push_str("<form method=\"post\" action=\"/alexa/authorize\" autocomplete=\"on\">");
    for (k, v) in p.hidden {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(k),
            esc(v)
        ));
    }
    body.push_str(&format!(
        "<label for=\"username\">Username</label>\
<input type=\"text\" id=\"username\" name=\"username\" value=\"{}\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"256\" required>\
<label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" maxlength=\"1024\" required>\
<div class=\"buttons\"><button class=\"secondary\" type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Cancel</button>\
<button class=\"primary\" type=\"submit\" name=\"action\" value=\"approve\" id=\"submit\">Link account</button></div></form>\
<p class=\"muted\">Only link accounts on a device you trust. You can remove the link later from the Alexa app.</p>",
        esc(p.username)
    ));
    layout("Link your account", &body)
}

pub fn error(title: &str, message: &str) -> String {
    layout(
        title,
        &format!(
            "<h1>{}</h1><div class=\"error\" role=\"alert\" id=\"error\">{}</div>",
            esc(title),
            esc(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_page_escapes_everything() {
        let html = login(&LoginPage {
            client_name: "<script>x</script>",
            scopes: &["music:read"],
            hidden: &[("state", "\"><script>")],
            username: "a\"b",
            error: Some("<b>bad</b>"),
            account_source: "account on this server",
        });
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;\""));
        assert!(html.contains("&lt;b&gt;bad&lt;/b&gt;"));
    }

    #[test]
    fn csp_allows_only_hashed_style_and_forbids_framing() {
        let c = csp(Some("https://pitangui.amazon.com"));
        assert!(c.contains("frame-ancestors 'none'"));
        assert!(c.contains("form-action 'self' https://pitangui.amazon.com"));
        assert!(c.contains("style-src 'sha256-"));
        assert!(!c.contains("unsafe-inline"));
        assert!(
            !c.contains("script-src"),
            "default-src 'none' forbids scripts"
        );
    }
}
