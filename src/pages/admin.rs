//! The add-on's page as HTML building blocks: the document (stylesheet and
//! the copy script allowed by hash in the CSP), sections in order, value
//! rows with a copy button, status rows, forms, the login page. Light and
//! dark (`prefers-color-scheme`), phone and desktop widths; everything but
//! copying works without JavaScript (the values are selectable text, the
//! forms plain POSTs). Nothing here knows what the values mean: the admin
//! handlers compose the page.

use std::sync::LazyLock;

use crate::util::html_escape as esc;

const CSS: &str = "\
:root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--fg:#111827;--muted:#4b5563;--line:#d1d5db;--code:#f3f4f6;--accent:#1d4ed8;--accent-fg:#fff;--ok:#166534;--ok-bg:#dcfce7;--warn:#854d0e;--warn-bg:#fef9c3;--bad:#991b1b;--bad-bg:#fee2e2}\
@media (prefers-color-scheme:dark){:root{--bg:#0f172a;--card:#1e293b;--fg:#e5e7eb;--muted:#9ca3af;--line:#334155;--code:#0f172a;--accent:#60a5fa;--accent-fg:#0f172a;--ok:#86efac;--ok-bg:#14532d;--warn:#fde68a;--warn-bg:#713f12;--bad:#fca5a5;--bad-bg:#7f1d1d}}\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:var(--bg);color:var(--fg)}\
header,main{max-width:880px;margin:0 auto;padding:16px}\
header h1{font-size:1.4rem;margin:8px 0 0}\
header p{margin:4px 0}\
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 20px;margin:0 0 16px}\
h2{font-size:1.15rem;margin:0 0 8px;display:flex;gap:10px;align-items:center}\
h3{font-size:1rem;margin:16px 0 4px}\
.step{display:inline-flex;justify-content:center;align-items:center;min-width:1.8em;height:1.8em;border-radius:50%;background:var(--accent);color:var(--accent-fg);font-size:.9rem}\
p,ol,ul{margin:8px 0}\
ol,ul{padding-left:22px}\
.muted{color:var(--muted);font-size:.9rem}\
a{color:var(--accent)}\
.field{margin:10px 0;min-width:0}\
.label{font-weight:600;font-size:.9rem}\
.value{display:flex;gap:8px;align-items:flex-start;min-width:0}\
code,pre{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);border:1px solid var(--line);border-radius:6px}\
.value code{flex:1;min-width:0;padding:6px 8px;overflow-wrap:anywhere;user-select:all;-webkit-user-select:all}\
pre{padding:8px;max-height:420px;overflow:auto;margin:8px 0;user-select:all;-webkit-user-select:all}\
button,.button{font:inherit;font-size:.95rem;padding:7px 14px;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none;display:inline-block;min-height:40px}\
button.secondary,.button.secondary{background:transparent;color:var(--accent)}\
button.copy{flex:none;padding:6px 12px}\
.nojs button.copy{display:none}\
form.inline{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;margin:8px 0}\
form.inline label{display:flex;flex-direction:column;font-weight:600;font-size:.9rem;flex:1 1 260px;min-width:0}\
input[type=text],input[type=password]{font:inherit;padding:8px 10px;border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--fg);width:100%;min-height:40px}\
input:focus{outline:3px solid var(--accent);outline-offset:1px}\
dl.status{display:grid;grid-template-columns:minmax(120px,max-content) 1fr;gap:6px 14px;margin:8px 0}\
dl.status dt{font-weight:600}\
dl.status dd{margin:0;min-width:0;overflow-wrap:anywhere}\
.ok,.warn,.bad{border-radius:6px;padding:1px 8px;display:inline-block}\
.ok{background:var(--ok-bg);color:var(--ok)}\
.warn{background:var(--warn-bg);color:var(--warn)}\
.bad{background:var(--bad-bg);color:var(--bad)}\
.notice{border-radius:10px;padding:10px 14px;margin:0 0 16px;border:1px solid var(--line)}\
.secret{border:2px solid var(--warn);border-radius:10px;padding:8px 12px;margin:10px 0}\
details{margin:8px 0;border:1px solid var(--line);border-radius:8px;padding:6px 10px}\
summary{cursor:pointer;font-weight:600}\
table{border-collapse:collapse;width:100%}\
td,th{text-align:left;padding:6px 8px;border-top:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}\
nav.toc ol{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;margin:0}\
@media (max-width:600px){header,main{padding:10px}.card{padding:12px 14px}dl.status{grid-template-columns:1fr}dl.status dd{margin-bottom:6px}table,tbody,tr,td{display:block}tr{border-top:1px solid var(--line);padding:6px 0}td{border:0;padding:2px 0}thead{display:none}td[data-label]::before{content:attr(data-label) \": \";color:var(--muted);font-size:.9rem}}\
";

/// The copy buttons: copy the text of the element named by `data-copy`,
/// by the clipboard API where the page is a secure context, else by
/// selecting it and `execCommand('copy')`. Also marks the document as
/// scripted (copy buttons are hidden without JavaScript).
const JS: &str = "\
document.documentElement.classList.remove('nojs');\
document.addEventListener('click',function(e){\
var b=e.target.closest&&e.target.closest('button[data-copy]');if(!b)return;\
var el=document.getElementById(b.getAttribute('data-copy'));if(!el)return;\
var t=el.textContent;\
function done(){var o=b.textContent;b.textContent='Copied';setTimeout(function(){b.textContent=o},1500)}\
function fallback(){var r=document.createRange();r.selectNodeContents(el);var s=window.getSelection();s.removeAllRanges();s.addRange(r);try{document.execCommand('copy');done()}catch(x){}}\
if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(t).then(done,fallback)}else{fallback()}\
});";

fn hash(s: &str) -> String {
    use base64::Engine as _;
    let d = crate::util::sha256(s.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(d)
    )
}

static CSS_HASH: LazyLock<String> = LazyLock::new(|| hash(CSS));
static JS_HASH: LazyLock<String> = LazyLock::new(|| hash(JS));

/// The page's Content-Security-Policy: only our hashed style and script,
/// forms to our own origin, and framing by our own origin only when
/// `framed` (Home Assistant shows the ingress page in an iframe of its
/// own origin), else none.
pub fn csp(framed: bool) -> String {
    let ancestors = if framed { "'self'" } else { "'none'" };
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'self' data:; \
         form-action 'self'; frame-ancestors {ancestors}; base-uri 'none'",
        *CSS_HASH, *JS_HASH
    )
}

/// A numbered section of the page.
#[derive(Debug, Clone)]
pub struct Section {
    /// The fragment id (`#console`), also in the table of contents.
    pub id: &'static str,
    /// Its step number, for the sections that follow the console's order.
    pub step: Option<u8>,
    pub title: String,
    /// Its HTML (built with the functions here).
    pub body: String,
}

/// A message at the top of the page after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Warn,
    Bad,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Ok => "ok",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
        }
    }
}

/// The whole page: title, who is signed in, a notice, sections in order.
pub fn document(
    title: &str,
    subtitle: &str,
    notice: Option<(Tone, &str)>,
    sections: &[Section],
) -> String {
    let mut body = String::with_capacity(32 * 1024);
    body.push_str("<nav class=\"toc card\" aria-label=\"Steps\"><ol>");
    for s in sections {
        let n = s.step.map(|n| format!("{n}. ")).unwrap_or_default();
        body.push_str(&format!(
            "<li><a href=\"#{}\">{n}{}</a></li>",
            s.id,
            esc(&s.title)
        ));
    }
    body.push_str("</ol></nav>");
    if let Some((tone, text)) = notice {
        body.push_str(&format!(
            "<div class=\"notice {}\" role=\"status\" id=\"notice\">{}</div>",
            tone.class(),
            esc(text)
        ));
    }
    for s in sections {
        let step = s
            .step
            .map(|n| format!("<span class=\"step\">{n}</span>"))
            .unwrap_or_default();
        body.push_str(&format!(
            "<section class=\"card\" id=\"{}\"><h2>{step}{}</h2>{}</section>",
            s.id,
            esc(&s.title),
            s.body
        ));
    }
    shell(
        title,
        &format!(
            "<header><h1>{}</h1><p class=\"muted\">{}</p></header><main>{body}</main>",
            esc(title),
            esc(subtitle)
        ),
    )
}

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\" class=\"nojs\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta name=\"color-scheme\" content=\"light dark\">\
<title>{}</title><style>{CSS}</style></head><body>{body}<script>{JS}</script></body></html>",
        esc(title)
    )
}

/// A value to paste, with a copy button: `id` names its element.
pub fn field(id: &str, label: &str, value: &str) -> String {
    format!(
        "<div class=\"field\"><div class=\"label\">{}</div><div class=\"value\">\
<code id=\"{}\">{}</code><button type=\"button\" class=\"copy\" data-copy=\"{}\">Copy</button></div></div>",
        esc(label),
        esc(id),
        esc(value),
        esc(id)
    )
}

/// A long value (JSON) in a scrolling block, with copy and download.
pub fn block(id: &str, summary: &str, text: &str, download: Option<(&str, &str)>) -> String {
    let dl = download
        .map(|(href, name)| {
            format!(
                " <a class=\"button secondary\" href=\"{}\" download=\"{}\">Download</a>",
                esc(href),
                esc(name)
            )
        })
        .unwrap_or_default();
    format!(
        "<details><summary>{}</summary><p><button type=\"button\" class=\"copy\" data-copy=\"{}\">Copy</button>{dl}</p>\
<pre id=\"{}\">{}</pre></details>",
        esc(summary),
        esc(id),
        esc(id),
        esc(text)
    )
}

/// One status row: a label, a verdict (coloured) and details.
pub fn status_row(label: &str, tone: Tone, verdict: &str, detail: &str) -> String {
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(" <span class=\"muted\">{}</span>", esc(detail))
    };
    format!(
        "<dt>{}</dt><dd><span class=\"{}\">{}</span>{detail}</dd>",
        esc(label),
        tone.class(),
        esc(verdict)
    )
}

/// A POST form: hidden fields (the CSRF token among them), optional text
/// inputs `(name, label, value, placeholder)`, one submit button.
pub fn form(
    action: &str,
    hidden: &[(&str, &str)],
    inputs: &[(&str, &str, &str, &str)],
    button: &str,
    secondary: bool,
) -> String {
    let mut f = format!(
        "<form class=\"inline\" method=\"post\" action=\"{}\">",
        esc(action)
    );
    for (k, v) in hidden {
        f.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(k),
            esc(v)
        ));
    }
    for (name, label, value, placeholder) in inputs {
        f.push_str(&format!(
            "<label>{}<input type=\"text\" name=\"{}\" value=\"{}\" placeholder=\"{}\" autocomplete=\"off\" \
autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"200\"></label>",
            esc(label),
            esc(name),
            esc(value),
            esc(placeholder)
        ));
    }
    let class = if secondary {
        " class=\"secondary\""
    } else {
        ""
    };
    f.push_str(&format!(
        "<button type=\"submit\"{class}>{}</button></form>",
        esc(button)
    ));
    f
}

/// A GET form with one text input (the invocation name).
/// A one-field GET form; `placeholder` shows when the field is empty.
pub fn get_form(
    action: &str,
    name: &str,
    label: &str,
    (value, placeholder): (&str, &str),
    button: &str,
) -> String {
    format!(
        "<form class=\"inline\" method=\"get\" action=\"{}\"><label>{}<input type=\"text\" name=\"{}\" \
value=\"{}\" placeholder=\"{}\" autocomplete=\"off\" autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"100\"></label>\
<button type=\"submit\" class=\"secondary\">{}</button></form>",
        esc(action),
        esc(label),
        esc(name),
        esc(value),
        esc(placeholder),
        esc(button)
    )
}

/// The admin login page (`serve --admin-listen`): one password field.
pub fn login(title: &str, action: &str, csrf: &str, error: Option<&str>) -> String {
    let err = error
        .map(|e| {
            format!(
                "<div class=\"notice bad\" role=\"alert\" id=\"error\">{}</div>",
                esc(e)
            )
        })
        .unwrap_or_default();
    shell(
        title,
        &format!(
            "<header><h1>{}</h1></header><main><section class=\"card\"><h2>Sign in</h2>{err}\
<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
<p><label for=\"password\" class=\"label\">Admin password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" maxlength=\"1024\" required></p>\
<p><button type=\"submit\" id=\"submit\">Sign in</button></p></form>\
<p class=\"muted\">Set or change the password with the command <code>admin password</code> on the server.</p>\
</section></main>",
            esc(title),
            esc(action),
            esc(csrf)
        ),
    )
}

/// A short page for a refused request (no script, nothing else).
pub fn refusal(title: &str, message: &str) -> String {
    shell(
        title,
        &format!(
            "<main><section class=\"card\"><h2>{}</h2><p id=\"error\">{}</p></section></main>",
            esc(title),
            esc(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped_and_the_csp_allows_only_our_hashes() {
        let html = document(
            "<t>",
            "\"x\"",
            Some((Tone::Bad, "<b>")),
            &[Section {
                id: "s",
                step: Some(1),
                title: "<h>".into(),
                body: field("v\"", "<l>", "<script>alert(1)</script>"),
            }],
        );
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;b&gt;"));
        let framed = csp(true);
        assert!(framed.contains("frame-ancestors 'self'"));
        assert!(csp(false).contains("frame-ancestors 'none'"));
        assert!(framed.contains(&*JS_HASH) && framed.contains(&*CSS_HASH));
        assert!(!framed.contains("unsafe-inline"));
        // The script and stylesheet in the page are exactly the hashed ones.
        assert!(html.contains(&format!("<script>{JS}</script>")));
        assert!(html.contains(&format!("<style>{CSS}</style>")));
    }
}
