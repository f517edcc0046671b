//! Differential test against oidc-provider (the pinned npm package, a
//! certified OpenID Provider), run on loopback by `tests/peers/oidc-provider.mjs`
//! with a client equivalent to ours (same id, secret, Alexa redirect URIs,
//! scopes; PKCE S256 required: ours is registered like `client add alexa
//! --require-pkce`, see [`PKCE_NOTE`]).
//!
//! Every malformed or hostile authorize/token request class of our suite
//! (checklist.rs, attacks.rs, robustness.rs) is sent to both servers. For each
//! case the status, the `error` value and, at the authorization endpoint,
//! whether the answer redirected to the client, are recorded in
//! `docs/differential-report.md`. The test fails:
//!
//! - where oidc-provider refuses and we accept (ours less strict), with no
//!   exception;
//! - where a redirect-URI trick is not refused with an error page by both;
//! - where we redirect anywhere but to a registered redirect URI;
//! - where the outcomes differ and [`EXPLANATIONS`] has no entry for the case
//!   (or has an entry for a case that no longer differs);
//! - where the generated report differs from the committed one (rerun with
//!   `UPDATE_DIFFERENTIAL_REPORT=1` to rewrite it).
//!
//! Needs `node` and `cd tests/peers && npm ci`; it never skips.
mod common;
use common::*;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use ma_alexa_oauth::oauth::pkce;
use tokio::io::AsyncBufReadExt as _;

const REPORT: &str = "docs/differential-report.md";
const UPDATE_ENV: &str = "UPDATE_DIFFERENTIAL_REPORT";

// ---------------------------------------------------------------------------
// Deliberate differences, keyed by case name. Every case whose outcome differs
// between the two servers needs an entry; an entry for a case that does not
// differ fails the test too (so the list cannot go stale). A case where ours
// is less strict always fails: no entry excuses it.

/// Why our client is registered with PKCE required, in the report.
const PKCE_NOTE: &str = "PKCE: oidc-provider runs with PKCE (S256) required for every \
     client, as RFC 9700 recommends, and our client is registered with `--require-pkce` (`client add alexa --vendor-id \
     V --require-pkce`, or later `client set ID --require-pkce on`); that setting is what makes \
     the two equivalent. It is not our default: for an Alexa client PKCE is optional unless \
     the skill owner asks for it, because Alexa sends `code_challenge` only when \"PKCE \
     Authorization\" is switched on in the Alexa developer console, and it is off by default; \
     requiring it by default would break linking for every skill that has not switched it on. \
     With PKCE optional, one case differs: an authorization request without `code_challenge` \
     is accepted by us and refused by oidc-provider. Everything else about PKCE holds in both \
     modes: a code issued with a challenge is redeemed only with its verifier, a verifier for \
     a code issued without a challenge is refused as a downgrade, only S256 is accepted, and \
     the client is confidential. Because our client requires PKCE, the one code issued without \
     a challenge (case `code_verifier: for a code issued without PKCE`) is obtained through \
     our login page with the requirement switched off for that request, as a code issued just \
     before `client set ID --require-pkce on` would be; the token endpoint goes by the code, \
     not by the client's current setting. The peer's is minted, which bypasses its \
     requirement the same way.";

const IMPLICIT: &str = "Both refuse with `unsupported_response_type`. oidc-provider sends \
     errors for response types that include `token` in the URI fragment (their default response \
     mode); we support only `code` and always answer in the query, where Alexa reads it.";

const DUPLICATE_ON_AUTHORIZE: &str = "Both refuse. Our query parser refuses any duplicated \
     parameter before the request is interpreted, when neither the client nor the redirect URI \
     has been verified, so the error is a page, never a redirect (RFC 6749 4.1.2.1: no redirect \
     before the redirect URI is validated). oidc-provider validates the client and \
     `redirect_uri` first and then redirects `invalid_request` to the client.";

const MALFORMED_BASIC: &str = "Both refuse. We treat an unusable `Authorization` header as \
     failed client authentication: 401 `invalid_client` with `WWW-Authenticate: Basic` (RFC 6749 \
     5.2, and Alexa treats it as a configuration error, not a lost link). oidc-provider calls a \
     malformed header an invalid request (400 `invalid_request`).";

const MALFORMED_AUTHORIZE_QUERY: &str = "Ours stricter. Our query parser refuses malformed \
     percent-encoding and non-UTF-8 outright; the request cannot be read reliably, so it is \
     explained on a page and not redirected. Node's parser replaces the bad bytes and \
     oidc-provider ignores the unknown parameter.";

const MALFORMED_FORM: &str = "Ours stricter. Our form parser refuses malformed \
     percent-encoding and non-UTF-8 (`invalid_request`); Node's parser replaces the bad bytes \
     and oidc-provider ignores the unknown parameter.";

const WRONG_METHOD: &str = "Both refuse, without a JSON body. oidc-provider's router has no \
     route for this method (404); we answer 405 with `Allow: POST`.";

/// Why the outcome (status, `error`, redirect or page) differs, per case.
const EXPLANATIONS: &[(&str, &str)] = &[
    ("response_type: token (implicit)", IMPLICIT),
    ("response_type: code token (hybrid)", IMPLICIT),
    (
        "response_type: code id_token (hybrid)",
        "Both refuse. `code id_token` is an OpenID Connect response type oidc-provider \
         supports but this client is not registered for (\"requested response_type is not \
         allowed for this client\": `invalid_request`, in the fragment, its default for this \
         type); we support only `code`, so `unsupported_response_type` in the query (RFC 6749 \
         4.1.2.1).",
    ),
    (
        "response_type: none",
        "Both refuse. `none` is an OpenID Connect response type oidc-provider supports but \
         this client is not registered for (\"requested response_type is not allowed for this \
         client\": `invalid_request`); we support only `code`, so `unsupported_response_type` \
         (RFC 6749 4.1.2.1).",
    ),
    ("response_type: duplicated", DUPLICATE_ON_AUTHORIZE),
    ("code_challenge: duplicated", DUPLICATE_ON_AUTHORIZE),
    ("scope: duplicated parameter", DUPLICATE_ON_AUTHORIZE),
    ("state: duplicated", DUPLICATE_ON_AUTHORIZE),
    (
        "response_mode: fragment",
        "Ours stricter. We answer only in the query, the response mode Alexa uses, and refuse \
         other modes with `invalid_request`; oidc-provider supports `fragment`.",
    ),
    (
        "response_mode: form_post",
        "Ours stricter. We answer only in the query, the response mode Alexa uses, and refuse \
         other modes with `invalid_request`; oidc-provider supports `form_post`.",
    ),
    (
        "code_challenge: 44 characters",
        "Ours stricter. An S256 challenge is the base64url of a SHA-256 digest, always 43 \
         characters, and we refuse any other length at once; oidc-provider applies the \
         verifier's syntax (43-128 characters) to challenges, so it accepts the request and \
         issues a code that no verifier can ever redeem.",
    ),
    (
        "scope: unknown scope",
        "Ours stricter. We refuse a scope the client is not registered for with \
         `invalid_scope` (RFC 6749 3.3); oidc-provider drops scope values it does not know and \
         goes on with the rest.",
    ),
    (
        "state: 5000 characters",
        "Ours stricter. We cap `state` at 2048 bytes (it is echoed into a Location header and \
         a hidden form field; Alexa's is a few dozen); oidc-provider sets no limit of its own.",
    ),
    (
        "authorize: invalid percent escape",
        MALFORMED_AUTHORIZE_QUERY,
    ),
    (
        "authorize: percent-encoded non-UTF-8",
        MALFORMED_AUTHORIZE_QUERY,
    ),
    (
        "client auth: none",
        "Both refuse. RFC 6749 5.2 names `invalid_client` (401) for \"no client authentication \
         included\", which is what we answer; oidc-provider answers 400 `invalid_request` when \
         no authentication mechanism is present at all.",
    ),
    (
        "client auth: two Authorization headers",
        "Ours stricter. Node's HTTP parser keeps the first `Authorization` header and drops \
         the rest, so oidc-provider never sees the duplicate and authenticates the client; we \
         refuse an ambiguous request with `invalid_request`.",
    ),
    ("client auth: Basic without a colon", MALFORMED_BASIC),
    ("client auth: Basic not base64", MALFORMED_BASIC),
    ("client auth: empty Basic", MALFORMED_BASIC),
    (
        "client auth: Basic with a bad percent escape",
        MALFORMED_BASIC,
    ),
    (
        "client auth: Bearer instead of Basic",
        "Both refuse. A scheme other than Basic is failed client authentication to us (401 \
         `invalid_client`, `WWW-Authenticate: Basic`); oidc-provider ignores the header, finds no \
         credentials and answers 400 `invalid_request`.",
    ),
    ("HTTP: GET instead of POST", WRONG_METHOD),
    ("HTTP: PUT instead of POST", WRONG_METHOD),
    (
        "HTTP: 16 KiB body",
        "Ours stricter. We cap form bodies at 8 KiB (Alexa's token requests are a few hundred \
         bytes) and answer 413; oidc-provider's limit is 56 KiB.",
    ),
    (
        "HTTP: 100 KiB body",
        "Both refuse a body over their limit: we with 413 (the status that says so) and \
         `invalid_request`, oidc-provider with 400 `invalid_request`.",
    ),
    (
        "HTTP: 100 parameters",
        "Ours stricter. We cap a form at 64 parameters (`invalid_request`); oidc-provider \
         ignores unknown parameters without a limit.",
    ),
    ("HTTP: invalid percent escape in the body", MALFORMED_FORM),
    ("HTTP: non-UTF-8 in the body", MALFORMED_FORM),
];

// ---------------------------------------------------------------------------
// The two servers.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Ours,
    Peer,
}

/// One server under test, with everything a case needs to talk to it.
struct Side {
    who: Who,
    addr: SocketAddr,
    issuer: String,
    authorize: &'static str,
    token: &'static str,
    revoke: &'static str,
    /// The client (client_secret_basic; ours accepts both methods).
    id: String,
    secret: String,
    /// The client id used with client_secret_post (the peer has one client per method).
    post_id: String,
    /// Another client of the same server, with its secret.
    other_id: String,
    other_secret: String,
    ours: Option<Arc<TestServer>>,
}

/// What a code is minted (peer) or obtained through the login page (ours) for.
#[derive(Clone, Copy)]
struct CodeFor {
    other_client: bool,
    pkce: bool,
    scope: &'static str,
    redirect_uri: &'static str,
}

const CODE: CodeFor = CodeFor {
    other_client: false,
    pkce: true,
    scope: "music:read music:control",
    redirect_uri: PITANGUI,
};

impl Side {
    fn authorize_query(&self, pairs: &[(&str, &str)]) -> String {
        format!("{}?{}", self.authorize, encode_form(pairs))
    }

    /// A well-formed authorization request for this side's client, as pairs.
    fn auth_pairs(&self) -> Vec<(String, String)> {
        vec![
            ("client_id".into(), self.id.clone()),
            ("response_type".into(), "code".into()),
            ("scope".into(), "music:read music:control".into()),
            ("redirect_uri".into(), PITANGUI.into()),
            ("state".into(), "AmaseyXXXXXXXX=".into()),
            ("code_challenge".into(), pkce::s256(VERIFIER)),
            ("code_challenge_method".into(), "S256".into()),
        ]
    }

    /// GET the authorization endpoint with the base request changed by `edit`.
    async fn authorize_with(&self, edit: impl FnOnce(&mut Vec<(String, String)>)) -> Resp {
        let mut p = self.auth_pairs();
        edit(&mut p);
        let pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.get(&self.authorize_query(&pairs)).await
    }

    async fn get(&self, path_and_query: &str) -> Resp {
        request(self.addr, "GET", path_and_query, &[], None).await
    }

    /// A code: ours through the login page, the peer's from its mint route.
    async fn code(&self, f: CodeFor) -> String {
        match self.who {
            Who::Ours => {
                let s = self.ours.as_ref().expect("our server");
                let id = if f.other_client {
                    &self.other_id
                } else {
                    &self.id
                };
                let mut p = AuthParams::new(id, f.redirect_uri);
                p.scope = Some(f.scope.into());
                if f.pkce {
                    p = p.pkce(VERIFIER);
                    obtain_code(s, &p).await
                } else {
                    // Our clients require PKCE (see PKCE_NOTE): a code without a
                    // challenge is one issued before the requirement was turned on.
                    s.set_require_pkce(id, false);
                    let code = obtain_code(s, &p).await;
                    s.set_require_pkce(id, true);
                    code
                }
            }
            Who::Peer => {
                let mut spec = serde_json::json!({
                    "kind": "code",
                    "client_id": if f.other_client { &self.other_id } else { &self.id },
                    "scope": f.scope,
                    "redirect_uri": f.redirect_uri,
                });
                if f.pkce {
                    spec["code_challenge"] = pkce::s256(VERIFIER).into();
                    spec["code_challenge_method"] = "S256".into();
                }
                self.mint(spec).await
            }
        }
    }

    async fn mint(&self, spec: serde_json::Value) -> String {
        let r = request(
            self.addr,
            "POST",
            "/__test/mint",
            &[("content-type", "application/json")],
            Some(spec.to_string().into_bytes()),
        )
        .await;
        assert_eq!(r.status, 200, "mint: {}", r.text());
        r.json()["values"][0]
            .as_str()
            .expect("a minted value")
            .to_owned()
    }

    /// A refresh token from a real code exchange (other client: its own secret, Basic on
    /// ours, client_secret_post on the peer where the other client is the `-post` one).
    async fn refresh_token(&self, f: CodeFor) -> String {
        let code = self.code(f).await;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", f.redirect_uri),
            ("code_verifier", VERIFIER),
        ];
        let form = if f.pkce { &form[..] } else { &form[..3] };
        let r = if f.other_client {
            self.token_as_other(form).await
        } else {
            self.token_basic(form).await
        };
        assert_eq!(r.status, 200, "{:?}: exchange: {}", self.who, r.text());
        r.json()["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned()
    }

    /// The other client's token request, authenticated the way that client may.
    async fn token_as_other(&self, form: &[(&str, &str)]) -> Resp {
        match self.who {
            Who::Ours => {
                self.token_raw(
                    &[(
                        "authorization",
                        &basic_header(&self.other_id, &self.other_secret),
                    )],
                    form,
                )
                .await
            }
            Who::Peer => {
                let mut f = form.to_vec();
                f.push(("client_id", &self.other_id));
                f.push(("client_secret", &self.other_secret));
                self.token_raw(&[], &f).await
            }
        }
    }

    async fn token_basic(&self, form: &[(&str, &str)]) -> Resp {
        self.token_raw(
            &[("authorization", &basic_header(&self.id, &self.secret))],
            form,
        )
        .await
    }

    async fn token_post(&self, form: &[(&str, &str)]) -> Resp {
        let mut f = form.to_vec();
        f.push(("client_id", &self.post_id));
        f.push(("client_secret", &self.secret));
        self.token_raw(&[], &f).await
    }

    /// A form POST to the token endpoint with extra headers.
    async fn token_raw(&self, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Resp {
        self.token_bytes(headers, encode_form(form).into_bytes())
            .await
    }

    async fn token_bytes(&self, headers: &[(&str, &str)], body: Vec<u8>) -> Resp {
        let mut h = vec![("content-type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        request(self.addr, "POST", self.token, &h, Some(body)).await
    }

    /// Any request to the token endpoint's path.
    async fn token_request(
        &self,
        method: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        request(self.addr, method, self.token, headers, body).await
    }

    /// RFC 7009 revocation of a refresh token by the client; asserts 200.
    async fn revoke_refresh(&self, token: &str) {
        let body = encode_form(&[("token", token), ("token_type_hint", "refresh_token")]);
        let r = request(
            self.addr,
            "POST",
            self.revoke,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("authorization", &basic_header(&self.id, &self.secret)),
            ],
            Some(body.into_bytes()),
        )
        .await;
        assert_eq!(r.status, 200, "{:?}: revoke: {}", self.who, r.text());
    }
}

/// The peer process; killed when dropped.
struct Peer {
    _child: tokio::process::Child,
    addr: SocketAddr,
    issuer: String,
    version: String,
}

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// Starts `tests/peers/oidc-provider.mjs` for our client's id and secret.
async fn start_peer(client_id: &str, secret: &str) -> Peer {
    let dir = peers_dir();
    let pkg = dir.join("node_modules/oidc-provider/package.json");
    let version = match std::fs::read(&pkg) {
        Ok(b) => serde_json::from_slice::<serde_json::Value>(&b).unwrap()["version"]
            .as_str()
            .unwrap()
            .to_owned(),
        Err(e) => panic!(
            "{} is missing ({e}): install the pinned peers first with `cd tests/peers && npm ci` \
             (scripts/test does that)",
            pkg.display()
        ),
    };
    let mut child = tokio::process::Command::new("node")
        .arg("oidc-provider.mjs")
        .args(["--port", "0", "--client-id", client_id])
        .args(["--client-secret", secret, "--vendor", VENDOR])
        .args(["--pkce", "required", "--exit-on-stdin-close"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `node` ({e}): install Node.js 20 or newer and `cd tests/peers && npm ci`")
        });
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("oidc-provider.mjs did not start within 60 s")
        .unwrap()
        .expect("oidc-provider.mjs exited before printing its address");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let port = v["port"].as_u64().unwrap() as u16;
    let issuer = v["issuer"].as_str().unwrap().to_owned();
    assert_eq!(issuer, format!("http://127.0.0.1:{port}"));
    Peer {
        _child: child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        issuer,
        version,
    }
}

/// One request on a new connection. Unlike `common::send` it tolerates a server
/// that closes the connection instead of answering (status 0).
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Resp {
    let closed = || Resp {
        status: hyper::StatusCode::from_u16(599).unwrap(),
        headers: hyper::HeaderMap::new(),
        body: Bytes::new(),
    };
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        return closed();
    };
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap();
    let Ok(resp) = sender.send_request(req).await else {
        return closed();
    };
    let (parts, body) = resp.into_parts();
    let Ok(body) = body.collect().await else {
        return closed();
    };
    Resp {
        status: parts.status,
        headers: parts.headers,
        body: body.to_bytes(),
    }
}

// ---------------------------------------------------------------------------
// Outcomes.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// Token endpoint: an access token was issued.
    Tokens,
    /// Token endpoint: a JSON error body.
    Error(String),
    /// A body that is neither (e.g. a 404/405 page), or the connection closed (599).
    NoJson,
    /// Authorization endpoint: the request was accepted; a login page (ours)
    /// or a redirect into the login interaction (peer).
    Login,
    /// Authorization endpoint: redirected to the client with `error`.
    RedirectError(String),
    /// Authorization endpoint: redirected to the client with `error` in the fragment.
    RedirectErrorInFragment(String),
    /// Authorization endpoint: redirected to the client with a code.
    RedirectCode,
    /// Authorization endpoint: redirected somewhere that is not a registered URI.
    RedirectElsewhere(String),
    /// Authorization endpoint: an error page, with the error code if the page names one.
    Page(Option<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    status: u16,
    shape: Shape,
}

impl Outcome {
    fn accepted(&self) -> bool {
        matches!(
            self.shape,
            Shape::Tokens | Shape::Login | Shape::RedirectCode
        )
    }

    fn cell(&self) -> String {
        let s = self.status;
        match &self.shape {
            Shape::Tokens => format!("{s} tokens issued"),
            Shape::Error(e) => format!("{s} `{e}`"),
            Shape::NoJson if s == 599 => "connection closed".into(),
            Shape::NoJson => format!("{s} (no JSON error)"),
            Shape::Login => format!("{s} login (accepted)"),
            Shape::RedirectError(e) => format!("{s} → client, `{e}`"),
            Shape::RedirectErrorInFragment(e) => format!("{s} → client, `{e}` in the fragment"),
            Shape::RedirectCode => format!("{s} → client with a code"),
            Shape::RedirectElsewhere(_) => format!("{s} → elsewhere"),
            Shape::Page(Some(e)) => format!("{s} page `{e}`"),
            Shape::Page(None) => format!("{s} page"),
        }
    }

    /// Equal for the report: pages compare by status only (our error page
    /// explains in prose and names no code); an accepted authorization
    /// request is a 200 page here and a 303 into the interaction there.
    fn same_as(&self, other: &Outcome) -> bool {
        match (&self.shape, &other.shape) {
            (Shape::Login, Shape::Login) => true,
            (Shape::Page(_), Shape::Page(_)) => self.status == other.status,
            (a, b) => a == b && self.status == other.status,
        }
    }
}

const REGISTERED: [&str; 3] = [PITANGUI, LAYLA, JP];

fn classify_authorize(side: &Side, r: &Resp) -> Outcome {
    let status = r.status.as_u16();
    let shape = if let Some(loc) = r.header("location") {
        // The query (ours, and the peer's default) or the fragment (the peer's
        // default for response types with `token`).
        let to_client = REGISTERED.iter().find_map(|u| {
            let rest = loc.strip_prefix(u)?;
            let (sep, params) = rest.split_at(rest.len().min(1));
            (sep == "?" || sep == "#").then(|| (sep == "#", params.to_owned()))
        });
        if let Some((fragment, params)) = to_client {
            let p: std::collections::BTreeMap<String, String> =
                form_urlencoded::parse(params.as_bytes())
                    .into_owned()
                    .collect();
            match (p.get("error"), p.get("code")) {
                (Some(e), _) if fragment => Shape::RedirectErrorInFragment(e.clone()),
                (Some(e), _) => Shape::RedirectError(e.clone()),
                (None, Some(_)) => Shape::RedirectCode,
                _ => Shape::RedirectElsewhere(loc),
            }
        } else if side.who == Who::Peer
            && (loc.starts_with("/interaction/")
                || loc.starts_with(&format!("{}/interaction/", side.issuer)))
        {
            Shape::Login
        } else {
            Shape::RedirectElsewhere(loc)
        }
    } else if side.who == Who::Ours && status == 200 && r.text().contains("name=\"csrf\"") {
        Shape::Login
    } else if status == 599 {
        Shape::NoJson
    } else {
        let t = r.text();
        let code = t
            .split_once("data-error=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(e, _)| e.to_owned());
        Shape::Page(code)
    };
    Outcome { status, shape }
}

fn classify_token(r: &Resp) -> Outcome {
    let status = r.status.as_u16();
    let json: Option<serde_json::Value> = serde_json::from_slice(&r.body).ok();
    let shape = match json {
        Some(v) if status == 200 && v["access_token"].is_string() => Shape::Tokens,
        Some(v) if v["error"].is_string() => Shape::Error(v["error"].as_str().unwrap().to_owned()),
        _ => Shape::NoJson,
    };
    Outcome { status, shape }
}

// ---------------------------------------------------------------------------
// Cases.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Authorize,
    Token,
}

type BoxFut<'a> = Pin<Box<dyn Future<Output = Resp> + Send + 'a>>;

struct Case {
    name: &'static str,
    endpoint: Endpoint,
    /// Both servers must answer with an error page (no redirect at all).
    no_redirect: bool,
    run: for<'a> fn(&'a Side) -> BoxFut<'a>,
}

macro_rules! case {
    ($name:expr, $ep:ident, $no_redirect:expr, |$s:ident| $body:block) => {{
        fn run<'a>($s: &'a Side) -> BoxFut<'a> {
            Box::pin(async move $body)
        }
        Case {
            name: $name,
            endpoint: Endpoint::$ep,
            no_redirect: $no_redirect,
            run,
        }
    }};
}

/// Replaces (or, if absent, appends) parameter `k` with `v`.
fn set(p: &mut Vec<(String, String)>, k: &str, v: &str) {
    if let Some(e) = p.iter_mut().find(|(n, _)| n == k) {
        e.1 = v.to_owned();
    } else {
        p.push((k.to_owned(), v.to_owned()));
    }
}

fn remove(p: &mut Vec<(String, String)>, k: &str) {
    p.retain(|(n, _)| n != k);
}

fn add(p: &mut Vec<(String, String)>, k: &str, v: &str) {
    p.push((k.to_owned(), v.to_owned()));
}

/// An authorize case whose only change is the redirect URI; must be an error page on both.
macro_rules! redirect_case {
    ($name:expr, $uri:expr) => {
        case!($name, Authorize, true, |s| {
            s.authorize_with(|p| set(p, "redirect_uri", $uri)).await
        })
    };
}

/// The well-formed request with a last parameter `x=1`, to which a case appends bytes.
fn with_extra(s: &Side) -> String {
    let mut p = s.auth_pairs();
    add(&mut p, "x", "1");
    let pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    s.authorize_query(&pairs)
}

fn cases() -> Vec<Case> {
    vec![
        // ---------------- authorization endpoint ----------------
        case!(
            "authorize: well-formed request (baseline)",
            Authorize,
            false,
            |s| { s.authorize_with(|_| {}).await }
        ),
        case!(
            "authorize: another registered region (layla)",
            Authorize,
            false,
            |s| { s.authorize_with(|p| set(p, "redirect_uri", LAYLA)).await }
        ),
        redirect_case!(
            "redirect_uri: host in upper case",
            "https://PITANGUI.amazon.com/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: path in upper case",
            "https://pitangui.amazon.com/API/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: vendor id in lower case",
            "https://pitangui.amazon.com/api/skill/link/m2testvendor1"
        ),
        redirect_case!(
            "redirect_uri: trailing slash",
            "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1/"
        ),
        redirect_case!(
            "redirect_uri: explicit :443",
            "https://pitangui.amazon.com:443/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: other port",
            "https://pitangui.amazon.com:8443/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: percent-encoded letter",
            "https://pitangui.amazon.com/%61pi/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: percent-encoded slash",
            "https://pitangui.amazon.com/api/skill/link%2FM2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: dot segments",
            "https://pitangui.amazon.com/api/skill/x/../link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: encoded dot segments",
            "https://pitangui.amazon.com/api/skill/%2e%2e/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: query added",
            "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1?next=https://evil.example/"
        ),
        redirect_case!(
            "redirect_uri: empty query added",
            "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1?"
        ),
        redirect_case!(
            "redirect_uri: fragment added",
            "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1#x"
        ),
        redirect_case!(
            "redirect_uri: userinfo added",
            "https://evil@pitangui.amazon.com/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: userinfo pointing at another host",
            "https://pitangui.amazon.com@evil.example/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: backslash trick",
            "https://pitangui.amazon.com\\@evil.example/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: another vendor id",
            "https://pitangui.amazon.com/api/skill/link/M2OTHERVENDOR"
        ),
        redirect_case!(
            "redirect_uri: vendor id with a suffix",
            "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1X"
        ),
        redirect_case!(
            "redirect_uri: vendor id prefix",
            "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR"
        ),
        redirect_case!(
            "redirect_uri: http scheme",
            "http://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: another host",
            "https://evil.example/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: look-alike host",
            "https://pitangui.amazon.com.evil.example/api/skill/link/M2TESTVENDOR1"
        ),
        redirect_case!(
            "redirect_uri: trailing whitespace",
            "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1 "
        ),
        redirect_case!("redirect_uri: empty", ""),
        redirect_case!("redirect_uri: not a URL", "pitangui"),
        case!("redirect_uri: missing", Authorize, true, |s| {
            s.authorize_with(|p| remove(p, "redirect_uri")).await
        }),
        case!(
            "redirect_uri: duplicated (same value)",
            Authorize,
            true,
            |s| { s.authorize_with(|p| add(p, "redirect_uri", PITANGUI)).await }
        ),
        case!(
            "redirect_uri: duplicated (another value)",
            Authorize,
            true,
            |s| {
                s.authorize_with(|p| add(p, "redirect_uri", "https://evil.example/"))
                    .await
            }
        ),
        case!("client_id: missing", Authorize, true, |s| {
            s.authorize_with(|p| remove(p, "client_id")).await
        }),
        case!("client_id: unknown", Authorize, true, |s| {
            s.authorize_with(|p| set(p, "client_id", "client-nobody"))
                .await
        }),
        case!("client_id: empty", Authorize, true, |s| {
            s.authorize_with(|p| set(p, "client_id", "")).await
        }),
        case!("client_id: case changed", Authorize, true, |s| {
            let upper = s.id.to_uppercase();
            s.authorize_with(|p| set(p, "client_id", &upper)).await
        }),
        case!("client_id: duplicated", Authorize, true, |s| {
            let id = s.id.clone();
            s.authorize_with(|p| add(p, "client_id", &id)).await
        }),
        case!("response_type: missing", Authorize, false, |s| {
            s.authorize_with(|p| remove(p, "response_type")).await
        }),
        case!("response_type: token (implicit)", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "response_type", "token")).await
        }),
        case!(
            "response_type: code token (hybrid)",
            Authorize,
            false,
            |s| {
                s.authorize_with(|p| set(p, "response_type", "code token"))
                    .await
            }
        ),
        case!(
            "response_type: code id_token (hybrid)",
            Authorize,
            false,
            |s| {
                s.authorize_with(|p| set(p, "response_type", "code id_token"))
                    .await
            }
        ),
        case!("response_type: none", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "response_type", "none")).await
        }),
        case!("response_type: empty", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "response_type", "")).await
        }),
        case!("response_type: upper case", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "response_type", "CODE")).await
        }),
        case!("response_type: duplicated", Authorize, false, |s| {
            s.authorize_with(|p| add(p, "response_type", "code")).await
        }),
        case!("response_mode: fragment", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "response_mode", "fragment"))
                .await
        }),
        case!("response_mode: form_post", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "response_mode", "form_post"))
                .await
        }),
        case!(
            "authorize: no code_challenge (PKCE not used)",
            Authorize,
            false,
            |s| {
                s.authorize_with(|p| {
                    remove(p, "code_challenge");
                    remove(p, "code_challenge_method");
                })
                .await
            }
        ),
        case!("code_challenge_method: plain", Authorize, false, |s| {
            s.authorize_with(|p| {
                set(p, "code_challenge_method", "plain");
                set(p, "code_challenge", VERIFIER);
            })
            .await
        }),
        case!("code_challenge_method: missing", Authorize, false, |s| {
            s.authorize_with(|p| remove(p, "code_challenge_method"))
                .await
        }),
        case!(
            "code_challenge_method: lower-case s256",
            Authorize,
            false,
            |s| {
                s.authorize_with(|p| set(p, "code_challenge_method", "s256"))
                    .await
            }
        ),
        case!("code_challenge_method: unknown", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "code_challenge_method", "S512"))
                .await
        }),
        case!(
            "code_challenge: missing, method S256",
            Authorize,
            false,
            |s| { s.authorize_with(|p| remove(p, "code_challenge")).await }
        ),
        case!("code_challenge: too short", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "code_challenge", "short"))
                .await
        }),
        case!(
            "code_challenge: invalid characters",
            Authorize,
            false,
            |s| {
                let c = format!("{}+/", &pkce::s256(VERIFIER)[..41]);
                s.authorize_with(|p| set(p, "code_challenge", &c)).await
            }
        ),
        case!("code_challenge: 44 characters", Authorize, false, |s| {
            let c = format!("{}A", pkce::s256(VERIFIER));
            s.authorize_with(|p| set(p, "code_challenge", &c)).await
        }),
        case!("code_challenge: 129 characters", Authorize, false, |s| {
            let c = "A".repeat(129);
            s.authorize_with(|p| set(p, "code_challenge", &c)).await
        }),
        case!("code_challenge: padded base64", Authorize, false, |s| {
            let c = format!("{}=", pkce::s256(VERIFIER));
            s.authorize_with(|p| set(p, "code_challenge", &c)).await
        }),
        case!("code_challenge: duplicated", Authorize, false, |s| {
            let c = pkce::s256(VERIFIER);
            s.authorize_with(|p| add(p, "code_challenge", &c)).await
        }),
        case!("scope: unknown scope", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "scope", "music:read admin"))
                .await
        }),
        case!("scope: openid", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "scope", "openid music:read"))
                .await
        }),
        case!("scope: empty", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "scope", "")).await
        }),
        case!("scope: missing", Authorize, false, |s| {
            s.authorize_with(|p| remove(p, "scope")).await
        }),
        case!("scope: double space", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "scope", "music:read  music:control"))
                .await
        }),
        case!("scope: control character", Authorize, false, |s| {
            s.authorize_with(|p| set(p, "scope", "music:read\u{1}"))
                .await
        }),
        case!("scope: duplicated parameter", Authorize, false, |s| {
            s.authorize_with(|p| add(p, "scope", "music:read")).await
        }),
        case!("state: 5000 characters", Authorize, false, |s| {
            let st = "s".repeat(5000);
            s.authorize_with(|p| set(p, "state", &st)).await
        }),
        case!("state: duplicated", Authorize, false, |s| {
            s.authorize_with(|p| add(p, "state", "other")).await
        }),
        case!("authorize: invalid percent escape", Authorize, false, |s| {
            s.get(&format!("{}%zz", with_extra(s))).await
        }),
        case!(
            "authorize: percent-encoded non-UTF-8",
            Authorize,
            false,
            |s| { s.get(&format!("{}%FF%FE", with_extra(s))).await }
        ),
        // ---------------- token endpoint: grants ----------------
        case!(
            "token: code exchange, client_secret_basic (baseline)",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                s.token_basic(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PITANGUI),
                    ("code_verifier", VERIFIER),
                ])
                .await
            }
        ),
        case!(
            "token: code exchange, client_secret_post (baseline)",
            Token,
            false,
            |s| {
                let code = s
                    .code(CodeFor {
                        other_client: s.who == Who::Peer,
                        ..CODE
                    })
                    .await;
                s.token_post(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PITANGUI),
                    ("code_verifier", VERIFIER),
                ])
                .await
            }
        ),
        case!("token: refresh (baseline)", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
                .await
        }),
        case!(
            "token: refresh narrowing scope (baseline)",
            Token,
            false,
            |s| {
                let rt = s.refresh_token(CODE).await;
                s.token_basic(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                    ("scope", "music:read"),
                ])
                .await
            }
        ),
        case!(
            "token: refresh token used twice (no rotation)",
            Token,
            false,
            |s| {
                let rt = s.refresh_token(CODE).await;
                let form = [
                    ("grant_type", "refresh_token"),
                    ("refresh_token", rt.as_str()),
                ];
                let first = s.token_basic(&form).await;
                assert_eq!(first.status, 200, "{:?}: {}", s.who, first.text());
                s.token_basic(&form).await
            }
        ),
        case!("grant_type: missing", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_basic(&[
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!("grant_type: empty", Token, false, |s| {
            s.token_basic(&[("grant_type", "")]).await
        }),
        case!("grant_type: password", Token, false, |s| {
            s.token_basic(&[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
            ])
            .await
        }),
        case!("grant_type: client_credentials", Token, false, |s| {
            s.token_basic(&[("grant_type", "client_credentials")]).await
        }),
        case!("grant_type: implicit", Token, false, |s| {
            s.token_basic(&[("grant_type", "implicit")]).await
        }),
        case!("grant_type: device_code", Token, false, |s| {
            s.token_basic(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", "x"),
            ])
            .await
        }),
        case!("grant_type: upper case", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_basic(&[
                ("grant_type", "AUTHORIZATION_CODE"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!("grant_type: duplicated", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        // ---------------- token endpoint: codes ----------------
        case!("code: missing", Token, false, |s| {
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!("code: empty", Token, false, |s| {
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", ""),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!("code: unknown", Token, false, |s| {
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!("code: 4000 characters", Token, false, |s| {
            let c = "A".repeat(4000);
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!("code: duplicated parameter", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!("code: replayed", Token, false, |s| {
            let code = s.code(CODE).await;
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ];
            let first = s.token_basic(&form).await;
            assert_eq!(first.status, 200, "{:?}: {}", s.who, first.text());
            s.token_basic(&form).await
        }),
        case!(
            "code: replayed, then the first refresh token used",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                let form = [
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", PITANGUI),
                    ("code_verifier", VERIFIER),
                ];
                let first = s.token_basic(&form).await;
                assert_eq!(first.status, 200, "{:?}: {}", s.who, first.text());
                let rt = first.json()["refresh_token"].as_str().unwrap().to_owned();
                let second = s.token_basic(&form).await;
                assert_eq!(second.status, 400, "{:?}: {}", s.who, second.text());
                s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
                    .await
            }
        ),
        case!("code: issued to another client", Token, false, |s| {
            let code = s
                .code(CodeFor {
                    other_client: true,
                    ..CODE
                })
                .await;
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", VERIFIER),
            ])
            .await
        }),
        case!(
            "code: another client's code, then its owner redeems it",
            Token,
            false,
            |s| {
                let code = s
                    .code(CodeFor {
                        other_client: true,
                        ..CODE
                    })
                    .await;
                let form = [
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", PITANGUI),
                    ("code_verifier", VERIFIER),
                ];
                let stolen = s.token_basic(&form).await;
                assert_eq!(stolen.status, 400, "{:?}: {}", s.who, stolen.text());
                s.token_as_other(&form).await
            }
        ),
        case!(
            "redirect_uri: missing at the token endpoint",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                s.token_basic(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("code_verifier", VERIFIER),
                ])
                .await
            }
        ),
        case!(
            "redirect_uri: another registered one at the token endpoint",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                s.token_basic(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", LAYLA),
                    ("code_verifier", VERIFIER),
                ])
                .await
            }
        ),
        case!(
            "redirect_uri: trailing slash at the token endpoint",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                let uri = format!("{PITANGUI}/");
                s.token_basic(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &uri),
                    ("code_verifier", VERIFIER),
                ])
                .await
            }
        ),
        // ---------------- token endpoint: PKCE ----------------
        case!("code_verifier: missing", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
            ])
            .await
        }),
        case!("code_verifier: wrong", Token, false, |s| {
            let code = s.code(CODE).await;
            let v = "x".repeat(43);
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", &v),
            ])
            .await
        }),
        case!(
            "code_verifier: the challenge itself (plain)",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                let c = pkce::s256(VERIFIER);
                s.token_basic(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PITANGUI),
                    ("code_verifier", &c),
                ])
                .await
            }
        ),
        case!("code_verifier: 42 characters", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", &VERIFIER[..42]),
            ])
            .await
        }),
        case!("code_verifier: 129 characters", Token, false, |s| {
            let code = s.code(CODE).await;
            let v = "a".repeat(129);
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", &v),
            ])
            .await
        }),
        case!("code_verifier: invalid characters", Token, false, |s| {
            let code = s.code(CODE).await;
            let v = format!("{}+", &VERIFIER[..43]);
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", &v),
            ])
            .await
        }),
        case!("code_verifier: empty", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_basic(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", PITANGUI),
                ("code_verifier", ""),
            ])
            .await
        }),
        case!(
            "code_verifier: for a code issued without PKCE",
            Token,
            false,
            |s| {
                let code = s
                    .code(CodeFor {
                        pkce: false,
                        ..CODE
                    })
                    .await;
                s.token_basic(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PITANGUI),
                    ("code_verifier", VERIFIER),
                ])
                .await
            }
        ),
        // ---------------- token endpoint: client authentication ----------------
        case!("client auth: none", Token, false, |s| {
            let code = s.code(CODE).await;
            s.token_raw(
                &[],
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", PITANGUI),
                    ("code_verifier", VERIFIER),
                ],
            )
            .await
        }),
        case!(
            "client auth: client_id only (public client attempt)",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                s.token_raw(
                    &[],
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                        ("redirect_uri", PITANGUI),
                        ("code_verifier", VERIFIER),
                        ("client_id", &s.post_id),
                    ],
                )
                .await
            }
        ),
        case!("client auth: unknown client (Basic)", Token, false, |s| {
            let h = basic_header("client-nobody", &s.secret);
            s.token_raw(
                &[("authorization", &h)],
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            )
            .await
        }),
        case!("client auth: unknown client (post)", Token, false, |s| {
            s.token_raw(
                &[],
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "x"),
                    ("client_id", "client-nobody"),
                    ("client_secret", &s.secret),
                ],
            )
            .await
        }),
        case!("client auth: wrong secret (Basic)", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let h = basic_header(&s.id, &format!("{}x", s.secret));
            s.token_raw(
                &[("authorization", &h)],
                &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
            )
            .await
        }),
        case!("client auth: wrong secret (post)", Token, false, |s| {
            s.token_raw(
                &[],
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "x"),
                    ("client_id", &s.post_id),
                    ("client_secret", "wrong"),
                ],
            )
            .await
        }),
        case!("client auth: empty secret (post)", Token, false, |s| {
            s.token_raw(
                &[],
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "x"),
                    ("client_id", &s.post_id),
                    ("client_secret", ""),
                ],
            )
            .await
        }),
        case!("client auth: another client's secret", Token, false, |s| {
            let h = basic_header(&s.id, &format!("{}2", s.other_secret));
            s.token_raw(
                &[("authorization", &h)],
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            )
            .await
        }),
        case!(
            "client auth: Basic and client_secret in the body",
            Token,
            false,
            |s| {
                let rt = s.refresh_token(CODE).await;
                let h = basic_header(&s.id, &s.secret);
                s.token_raw(
                    &[("authorization", &h)],
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", &rt),
                        ("client_id", &s.id),
                        ("client_secret", &s.secret),
                    ],
                )
                .await
            }
        ),
        case!(
            "client auth: Basic id differs from body client_id",
            Token,
            false,
            |s| {
                let rt = s.refresh_token(CODE).await;
                let h = basic_header(&s.id, &s.secret);
                s.token_raw(
                    &[("authorization", &h)],
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", &rt),
                        ("client_id", "client-nobody"),
                    ],
                )
                .await
            }
        ),
        case!(
            "client auth: two Authorization headers",
            Token,
            false,
            |s| {
                let rt = s.refresh_token(CODE).await;
                let h = basic_header(&s.id, &s.secret);
                s.token_raw(
                    &[("authorization", &h), ("authorization", &h)],
                    &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
                )
                .await
            }
        ),
        case!("client auth: Basic without a colon", Token, false, |s| {
            use base64::Engine as _;
            let h = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s.id.as_bytes())
            );
            s.token_raw(
                &[("authorization", &h)],
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            )
            .await
        }),
        case!("client auth: Basic not base64", Token, false, |s| {
            s.token_raw(
                &[("authorization", "Basic !!!")],
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            )
            .await
        }),
        case!("client auth: empty Basic", Token, false, |s| {
            s.token_raw(
                &[("authorization", "Basic")],
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            )
            .await
        }),
        case!(
            "client auth: Basic with a bad percent escape",
            Token,
            false,
            |s| {
                use base64::Engine as _;
                let h = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{}:%zz", s.id))
                );
                s.token_raw(
                    &[("authorization", &h)],
                    &[("grant_type", "refresh_token"), ("refresh_token", "x")],
                )
                .await
            }
        ),
        case!("client auth: Bearer instead of Basic", Token, false, |s| {
            use base64::Engine as _;
            let h = format!(
                "Bearer {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", s.id, s.secret))
            );
            s.token_raw(
                &[("authorization", &h)],
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            )
            .await
        }),
        case!(
            "client auth: credentials not form-encoded in Basic",
            Token,
            false,
            |s| {
                // The id and secret raw, with an extra ':' in the secret part.
                use base64::Engine as _;
                let h = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD
                        .encode(format!("{}:{}:x", s.id, s.secret))
                );
                s.token_raw(
                    &[("authorization", &h)],
                    &[("grant_type", "refresh_token"), ("refresh_token", "x")],
                )
                .await
            }
        ),
        // ---------------- token endpoint: refresh tokens ----------------
        case!("refresh_token: missing", Token, false, |s| {
            s.token_basic(&[("grant_type", "refresh_token")]).await
        }),
        case!("refresh_token: empty", Token, false, |s| {
            s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", "")])
                .await
        }),
        case!("refresh_token: unknown", Token, false, |s| {
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                (
                    "refresh_token",
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                ),
            ])
            .await
        }),
        case!("refresh_token: 4000 characters", Token, false, |s| {
            let t = "A".repeat(4000);
            s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", &t)])
                .await
        }),
        case!("refresh_token: another client's", Token, false, |s| {
            let rt = s
                .refresh_token(CodeFor {
                    other_client: true,
                    ..CODE
                })
                .await;
            s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
                .await
        }),
        case!("refresh_token: revoked (RFC 7009)", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            s.revoke_refresh(&rt).await;
            s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
                .await
        }),
        case!(
            "refresh_token: the authorization code sent as one",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", &code)])
                    .await
            }
        ),
        case!(
            "refresh_token: an access token sent as one",
            Token,
            false,
            |s| {
                let code = s.code(CODE).await;
                let r = s
                    .token_basic(&[
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                        ("redirect_uri", PITANGUI),
                        ("code_verifier", VERIFIER),
                    ])
                    .await;
                let at = r.json()["access_token"].as_str().unwrap().to_owned();
                s.token_basic(&[("grant_type", "refresh_token"), ("refresh_token", &at)])
                    .await
            }
        ),
        case!("refresh_token: duplicated parameter", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("refresh_token", &rt),
            ])
            .await
        }),
        case!("scope: widening on refresh", Token, false, |s| {
            let rt = s
                .refresh_token(CodeFor {
                    scope: "music:read",
                    ..CODE
                })
                .await;
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("scope", "music:read music:control"),
            ])
            .await
        }),
        case!("scope: unknown scope on refresh", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("scope", "admin"),
            ])
            .await
        }),
        case!("scope: openid on refresh", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("scope", "openid"),
            ])
            .await
        }),
        case!("scope: malformed on refresh", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("scope", "music:read  music:control"),
            ])
            .await
        }),
        // ---------------- token endpoint: HTTP ----------------
        case!("HTTP: GET instead of POST", Token, false, |s| {
            let path = format!("{}?grant_type=refresh_token&refresh_token=x", s.token);
            let h = basic_header(&s.id, &s.secret);
            request(s.addr, "GET", &path, &[("authorization", &h)], None).await
        }),
        case!("HTTP: PUT instead of POST", Token, false, |s| {
            let h = basic_header(&s.id, &s.secret);
            s.token_request(
                "PUT",
                &[
                    ("authorization", &h),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                Some(b"grant_type=refresh_token&refresh_token=x".to_vec()),
            )
            .await
        }),
        case!("HTTP: parameters in the query string", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let path = format!(
                "{}?{}",
                s.token,
                encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
            );
            let h = basic_header(&s.id, &s.secret);
            request(
                s.addr,
                "POST",
                &path,
                &[
                    ("authorization", &h),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                Some(Vec::new()),
            )
            .await
        }),
        case!("HTTP: JSON body", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let h = basic_header(&s.id, &s.secret);
            let body = serde_json::json!({"grant_type": "refresh_token", "refresh_token": rt});
            s.token_request(
                "POST",
                &[("authorization", &h), ("content-type", "application/json")],
                Some(body.to_string().into_bytes()),
            )
            .await
        }),
        case!("HTTP: no Content-Type", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let h = basic_header(&s.id, &s.secret);
            let body = encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)]);
            s.token_request("POST", &[("authorization", &h)], Some(body.into_bytes()))
                .await
        }),
        case!("HTTP: text/plain body", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let h = basic_header(&s.id, &s.secret);
            let body = encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)]);
            s.token_request(
                "POST",
                &[("authorization", &h), ("content-type", "text/plain")],
                Some(body.into_bytes()),
            )
            .await
        }),
        case!(
            "HTTP: form with a charset parameter (baseline)",
            Token,
            false,
            |s| {
                let rt = s.refresh_token(CODE).await;
                let h = basic_header(&s.id, &s.secret);
                let body = encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)]);
                s.token_request(
                    "POST",
                    &[
                        ("authorization", &h),
                        (
                            "content-type",
                            "application/x-www-form-urlencoded; charset=UTF-8",
                        ),
                    ],
                    Some(body.into_bytes()),
                )
                .await
            }
        ),
        case!("HTTP: 16 KiB body", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let pad = "a".repeat(16 * 1024);
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("x", &pad),
            ])
            .await
        }),
        case!("HTTP: 100 KiB body", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let pad = "a".repeat(100 * 1024);
            s.token_basic(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("x", &pad),
            ])
            .await
        }),
        case!("HTTP: 100 parameters", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let mut body = encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)]);
            for i in 0..100 {
                body.push_str(&format!("&p{i}=1"));
            }
            let h = basic_header(&s.id, &s.secret);
            s.token_bytes(&[("authorization", &h)], body.into_bytes())
                .await
        }),
        case!(
            "HTTP: invalid percent escape in the body",
            Token,
            false,
            |s| {
                let rt = s.refresh_token(CODE).await;
                let body = format!(
                    "{}&x=%zz",
                    encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
                );
                let h = basic_header(&s.id, &s.secret);
                s.token_bytes(&[("authorization", &h)], body.into_bytes())
                    .await
            }
        ),
        case!("HTTP: non-UTF-8 in the body", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let body = format!(
                "{}&x=%FF%FE",
                encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
            );
            let h = basic_header(&s.id, &s.secret);
            s.token_bytes(&[("authorization", &h)], body.into_bytes())
                .await
        }),
        case!("HTTP: NUL byte in a parameter", Token, false, |s| {
            let rt = s.refresh_token(CODE).await;
            let body = format!(
                "{}%00",
                encode_form(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
            );
            let h = basic_header(&s.id, &s.secret);
            s.token_bytes(&[("authorization", &h)], body.into_bytes())
                .await
        }),
    ]
}

// ---------------------------------------------------------------------------
// The run and the report.

struct Row {
    name: &'static str,
    endpoint: Endpoint,
    peer: Outcome,
    ours: Outcome,
}

fn lookup(table: &[(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
}

fn verdict(row: &Row) -> &'static str {
    if row.peer.same_as(&row.ours) {
        "same"
    } else if row.peer.accepted() && !row.ours.accepted() {
        "ours stricter"
    } else if !row.peer.accepted() && row.ours.accepted() {
        "OURS LESS STRICT"
    } else {
        "both refuse, differently"
    }
}

fn report(rows: &[Row], peer_version: &str) -> String {
    let mut out = String::new();
    out.push_str("# Differential report: ma-alexa-oauth vs oidc-provider\n\n");
    out.push_str(
        "Generated by `tests/differential.rs`; do not edit by hand. To regenerate:\n\n\
         ```sh\n\
         (cd tests/peers && npm ci)\n\
         UPDATE_DIFFERENTIAL_REPORT=1 cargo test --test differential\n\
         ```\n\n",
    );
    out.push_str(&format!(
        "- ma-alexa-oauth {} (this tree)\n- oidc-provider {} (npm, pinned in \
         `tests/peers/package-lock.json`), run by `tests/peers/oidc-provider.mjs` with PKCE \
         (S256) required\n\n",
        env!("CARGO_PKG_VERSION"),
        peer_version
    ));
    out.push_str(
        "Both servers have the same confidential client (id, secret, the three Alexa \
         redirect URIs of one vendor id, scopes `music:read music:control`). oidc-provider \
         gives a client one authentication method, so its `client_secret_post` cases use a \
         second client, `<id>-post`, with the same secret and redirect URIs; that client is \
         also the peer's \"another client\". Our codes come from the login page; the \
         peer's are minted with its own models (`POST /__test/mint`), as its login is an \
         interaction of its own.\n\n\
         How to read a cell: 400 `invalid_grant` is a JSON error; 303 → client, `e` is a \
         redirect to the registered redirect URI with `error=e` (in the query unless it says \
         \"in the fragment\"); 400 page is an error page shown to the person and never \
         redirected (ours names no error code on it, the peer's does, so pages are compared by \
         status); login (accepted) means the request was accepted and the login step shown \
         (ours: a 200 page; the peer: a 303 into its interaction); tokens issued is a 200 with \
         an access token. The test fails where the peer refuses and we accept, where a \
         redirect-URI trick is not an error page on both, and where a difference has no \
         explanation below.\n\n",
    );
    out.push_str(PKCE_NOTE);
    out.push_str("\n\n");
    let differing = rows.iter().filter(|r| !r.peer.same_as(&r.ours)).count();
    let stricter = rows
        .iter()
        .filter(|r| verdict(r) == "ours stricter")
        .count();
    let lenient = rows
        .iter()
        .filter(|r| verdict(r) == "OURS LESS STRICT")
        .count();
    out.push_str(&format!(
        "{} cases: {} with the same outcome, {} differing ({} where ours is stricter, {} \
         where ours is less strict, {} where both refuse differently).\n\n",
        rows.len(),
        rows.len() - differing,
        differing,
        stricter,
        lenient,
        differing - stricter - lenient
    ));
    out.push_str("| # | Case | Endpoint | oidc-provider | ma-alexa-oauth | Verdict |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for (i, r) in rows.iter().enumerate() {
        let ep = match r.endpoint {
            Endpoint::Authorize => "authorize",
            Endpoint::Token => "token",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            r.name.replace('|', "\\|"),
            ep,
            r.peer.cell(),
            r.ours.cell(),
            verdict(r)
        ));
    }
    out.push_str("\n## Deliberate differences\n\n");
    for r in rows.iter().filter(|r| !r.peer.same_as(&r.ours)) {
        out.push_str(&format!(
            "- **{}** ({} vs ours {}): {}\n",
            r.name,
            r.peer.cell(),
            r.ours.cell(),
            lookup(EXPLANATIONS, r.name).unwrap_or("(no explanation)")
        ));
    }
    out
}

/// Writes a report (not a secret: `std::fs::write` is reserved for them by clippy.toml).
fn write_text(path: &Path, text: &str) {
    use std::io::Write as _;
    let mut f = std::fs::File::create(path)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    f.write_all(text.as_bytes()).unwrap();
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn differential_against_oidc_provider() {
    let started = Instant::now();
    let ours = TestServer::start().await;
    // Both with PKCE required, like every client of the peer (see PKCE_NOTE).
    let (id, secret) = ours.add_alexa_client_requiring_pkce();
    let (other_id, other_secret) = ours.add_alexa_client_requiring_pkce();
    ours.add_user(USER, PASSWORD);
    let peer = start_peer(&id, &secret).await;
    let ours = Arc::new(ours);
    let our_side = Side {
        who: Who::Ours,
        addr: ours.addr,
        issuer: ours.base.clone(),
        authorize: "/alexa/authorize",
        token: "/alexa/token",
        revoke: "/alexa/revoke",
        id: id.clone(),
        secret: secret.clone(),
        post_id: id.clone(),
        other_id,
        other_secret,
        ours: Some(Arc::clone(&ours)),
    };
    let peer_side = Side {
        who: Who::Peer,
        addr: peer.addr,
        issuer: peer.issuer.clone(),
        authorize: "/auth",
        token: "/token",
        revoke: "/token/revocation",
        id: id.clone(),
        secret: secret.clone(),
        post_id: format!("{id}-post"),
        other_id: format!("{id}-post"),
        other_secret: secret.clone(),
        ours: None,
    };

    let cases = cases();
    let mut names = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "case name used twice: {}", c.name);
    }
    let mut rows = Vec::new();
    for c in &cases {
        let classify = |side: &Side, r: &Resp| match c.endpoint {
            Endpoint::Authorize => classify_authorize(side, r),
            Endpoint::Token => classify_token(r),
        };
        let pr = (c.run)(&peer_side).await;
        let or = (c.run)(&our_side).await;
        rows.push(Row {
            name: c.name,
            endpoint: c.endpoint,
            peer: classify(&peer_side, &pr),
            ours: classify(&our_side, &or),
        });
    }

    let mut failures = Vec::new();
    for (c, r) in cases.iter().zip(&rows) {
        if let Shape::RedirectElsewhere(loc) = &r.ours.shape {
            failures.push(format!(
                "{}: ours redirected to an unregistered URI {loc:?}",
                r.name
            ));
        }
        if r.ours.status >= 500 {
            failures.push(format!("{}: ours answered {}", r.name, r.ours.status));
        }
        if c.no_redirect {
            for (who, o) in [("oidc-provider", &r.peer), ("ours", &r.ours)] {
                if !matches!(o.shape, Shape::Page(_)) || !(400..500).contains(&o.status) {
                    failures.push(format!(
                        "{}: {who} must refuse with an error page and no redirect, got {}",
                        r.name,
                        o.cell()
                    ));
                }
            }
        }
        let less_strict = !r.peer.accepted() && r.ours.accepted();
        if less_strict {
            failures.push(format!(
                "{}: OURS IS LESS STRICT: oidc-provider {} but ours {}",
                r.name,
                r.peer.cell(),
                r.ours.cell()
            ));
        }
        let differs = !r.peer.same_as(&r.ours);
        let explained = lookup(EXPLANATIONS, r.name).is_some();
        if differs && !less_strict && !explained {
            failures.push(format!(
                "{}: outcomes differ (oidc-provider {}, ours {}) and EXPLANATIONS has no entry",
                r.name,
                r.peer.cell(),
                r.ours.cell()
            ));
        }
        if explained && !differs {
            failures.push(format!(
                "{}: EXPLANATIONS has an entry but the outcomes are the same ({})",
                r.name,
                r.ours.cell()
            ));
        }
    }
    for (name, _) in EXPLANATIONS {
        if !names.contains(name) {
            failures.push(format!("explanation for an unknown case {name:?}"));
        }
    }
    // The baselines prove each side can succeed, so refusals mean something.
    for r in rows.iter().filter(|r| r.name.contains("(baseline)")) {
        if !r.peer.accepted() || !r.ours.accepted() {
            failures.push(format!(
                "{}: a baseline must be accepted by both ({} / {})",
                r.name,
                r.peer.cell(),
                r.ours.cell()
            ));
        }
    }

    let text = report(&rows, &peer.version);
    let generated = target_dir().join("differential-report.md");
    std::fs::create_dir_all(generated.parent().unwrap()).unwrap();
    write_text(&generated, &text);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(REPORT);
    if std::env::var_os(UPDATE_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
        write_text(&committed, &text);
        println!("wrote {}", committed.display());
    } else {
        match std::fs::read_to_string(&committed) {
            Ok(c) if c == text => {}
            Ok(_) => failures.push(format!(
                "{REPORT} differs from the generated {}: review it and run with \
                 {UPDATE_ENV}=1 to rewrite the committed file",
                generated.display()
            )),
            Err(e) => failures.push(format!(
                "{REPORT} cannot be read ({e}): run with {UPDATE_ENV}=1 to write it"
            )),
        }
    }
    println!(
        "{} cases against oidc-provider {} in {:?}; report: {}",
        rows.len(),
        peer.version,
        started.elapsed(),
        generated.display()
    );
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The peer script's own login interaction (the real flow, not the mint
/// route) ends in a code that its token endpoint exchanges, and a wrong
/// password is refused: the script works the way its header says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_login_interaction_issues_a_redeemable_code() {
    let secret = ma_alexa_oauth::oauth::client_auth::new_secret();
    let peer = start_peer("client-interaction", &secret).await;
    let enc = |pairs: &[(&str, &str)]| encode_form(pairs);
    let challenge = pkce::s256(VERIFIER);
    let query = enc(&[
        ("client_id", "client-interaction"),
        ("response_type", "code"),
        ("scope", "music:read"),
        ("redirect_uri", LAYLA),
        ("state", "st+/="),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let mut jar = Browser::default();
    let mut go = async |method: &str, path: &str, body: Option<String>| {
        let cookie = jar.cookie_header();
        let mut h: Vec<(&str, &str)> = vec![("cookie", &cookie)];
        if body.is_some() {
            h.push(("content-type", "application/x-www-form-urlencoded"));
        }
        let r = request(peer.addr, method, path, &h, body.map(String::into_bytes)).await;
        jar.remember(&r);
        r
    };
    let path_of = |r: &Resp| {
        let loc = r.header("location").expect("a redirect");
        loc.strip_prefix(&peer.issuer).unwrap_or(&loc).to_owned()
    };
    let r = go("GET", &format!("/auth?{query}"), None).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let interaction = path_of(&r);
    assert!(interaction.starts_with("/interaction/"), "{interaction}");
    let form = go("GET", &interaction, None).await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("name=\"password\""), "{}", form.text());
    let wrong = go(
        "POST",
        &interaction,
        Some(enc(&[("login", USER), ("password", "wrong")])),
    )
    .await;
    assert_eq!(wrong.status, 401, "{}", wrong.text());
    let ok = go(
        "POST",
        &interaction,
        Some(enc(&[("login", USER), ("password", PASSWORD)])),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let resume = path_of(&ok);
    let back = go("GET", &resume, None).await;
    assert_eq!(back.status, 303, "{}", back.text());
    let loc = back.header("location").unwrap();
    assert!(loc.starts_with(&format!("{LAYLA}?")), "{loc}");
    let p = query_params(&loc);
    assert_eq!(p.get("state").map(String::as_str), Some("st+/="));
    assert_eq!(p.get("iss"), Some(&peer.issuer));
    let code = p.get("code").expect("a code").clone();
    let token = |code: String, verifier: &'static str| {
        let body = enc(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", LAYLA),
            ("code_verifier", verifier),
        ]);
        let auth = basic_header("client-interaction", &secret);
        async move {
            request(
                peer.addr,
                "POST",
                "/token",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                Some(body.into_bytes()),
            )
            .await
        }
    };
    let r = token(code.clone(), VERIFIER).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["scope"], "music:read");
    assert!(v["refresh_token"].is_string(), "{v}");
    let again = token(code, VERIFIER).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.error(), "invalid_grant");
}
