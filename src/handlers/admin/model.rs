//! `GET /model/LOCALE.json?invocation=NAME`: the interaction model of one
//! locale as a download, byte for byte what `skill model` prints.

use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::Ctx;
use crate::http::{self, Body};

/// The page's model download path for `locale` (without the prefix).
pub fn path(locale: &str, invocation: Option<&str>) -> String {
    match invocation {
        Some(name) => {
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("invocation", name)
                .finish();
            format!("/model/{locale}.json?{q}")
        }
        None => format!("/model/{locale}.json"),
    }
}

/// The invocation name a query asks for, or None for each locale's default.
pub fn invocation_from(query: Option<&str>) -> Option<String> {
    query
        .and_then(|q| crate::http::params::Params::parse(q.as_bytes()).ok())
        .and_then(|p| p.get("invocation").map(str::to_owned))
        .filter(|s| !s.trim().is_empty())
}

/// The download; `file` is the path's last segment (`en-US.json`).
pub fn download(ctx: &Ctx, file: &str, query: Option<&str>) -> Response<Body> {
    let Some(locale) = file.strip_suffix(".json") else {
        return ctx.refusal(StatusCode::NOT_FOUND, "Not found", "There is no such file.");
    };
    let invocation = invocation_from(query);
    match crate::console::model_text(locale, invocation.as_deref()) {
        Ok(text) => {
            let mut r = http::json_raw(StatusCode::OK, text);
            let name = format!("attachment; filename=\"interaction-model-{locale}.json\"");
            if let Ok(v) = HeaderValue::from_str(&name) {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        Err(e) => ctx.refusal(StatusCode::BAD_REQUEST, "No model", &e.to_string()),
    }
}
