//! Interop: the server against OAuth 2.0 implementations we did not write.
//!
//! - Authlib (Python, `tests/peers/authlib_flow.py`): RFC 8414 metadata
//!   validation, and authorization code + PKCE + refresh + revocation +
//!   introspection with `OAuth2Session`, once per client authentication method.
//! - oauth4webapi (JavaScript, `tests/peers/oauth4webapi_flow.mjs`): RFC 8414
//!   discovery, `validateAuthResponse` (state and RFC 9207 `iss`, including
//!   forged callbacks it must refuse), code exchange, refresh, the access
//!   token validated as an RFC 9068 JWT, introspection and revocation.
//! - The `oauth2` crate (Rust, in this file, over hyper): code exchange,
//!   refresh, introspection and revocation with `AuthType::BasicAuth` (it
//!   form-urlencodes id and secret, RFC 6749 2.3.1) and `AuthType::RequestBody`,
//!   with a client secret containing `:`, `%`, `+` and spaces.
//!
//! The peers are pinned in `tests/peers` and installed by `scripts/test`
//! (`npm ci` there, and a venv in `target/peers-venv`). A test whose peer is
//! missing fails and says how to install it. All traffic stays on loopback.
//! The scripts print one JSON line of results, asserted on here; the server's
//! side (audit events, the link's state in the store) is checked as well.
mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use ma_alexa_oauth::audit::AuditEvent;
use ma_alexa_oauth::oauth::metadata;
use ma_alexa_oauth::store::{self, ClientKind};
use serde_json::{Value, json};
use tokio::process::Command;

/// Where the peers send the person after login. Nothing listens there: the
/// redirect is read from the login answer's `Location`, never followed.
const REDIRECT: &str = "http://127.0.0.1/interop/callback";
const SCOPE: &str = "music:read music:control";
/// A secret that RFC 6749 2.3.1 encoding must carry through HTTP Basic intact.
const ODD_SECRET: &str = "s3cr:et%2B with+plus%:and spaces ";
/// A production-like issuer (https, as behind Funnel or a TLS proxy) for the
/// tests that need one: Authlib's metadata validation requires it, and the
/// oauth2 crate refuses a revocation endpoint that is not https. Its traffic
/// is delivered to the loopback server all the same.
const PUBLIC_ISSUER: &str = "https://auth.example.test";
/// Longest a peer script may take (a cold Python start and two logins take ~2 s).
const PEER_TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// Running the peers

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// `<target>/peers-venv/bin/python`: the target directory is found from this
/// test binary's own path (`<target>/debug/deps/interop-*`), so a shared
/// `CARGO_TARGET_DIR` works too.
fn peers_python() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let candidates: Vec<PathBuf> = exe
        .ancestors()
        .map(|d| d.join("peers-venv/bin/python"))
        .chain([Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers-venv/bin/python")])
        .collect();
    match candidates.iter().find(|p| p.exists()) {
        Some(p) => p.clone(),
        None => panic!(
            "the authlib interop peer is not installed (no peers-venv/bin/python in a directory above {}): run scripts/test, \
             or `python3 -m venv target/peers-venv && target/peers-venv/bin/pip install -r tests/peers/requirements.txt` \
             (in the target directory cargo uses)",
            exe.display()
        ),
    }
}

fn node_peer_ready() {
    let module = peers_dir().join("node_modules/oauth4webapi/package.json");
    assert!(
        module.exists(),
        "the oauth4webapi interop peer is not installed ({} is missing): run scripts/test, or `cd tests/peers && npm ci`",
        module.display()
    );
}

/// Runs a peer script and returns the JSON line it printed last. Fails the
/// test with the script's own output if it exits non-zero or prints no JSON.
async fn run_peer(mut cmd: Command, what: &str) -> Value {
    // Loopback only: no proxy from the environment may see the traffic.
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_PROXY", "*")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().unwrap_or_else(|e| {
        panic!("{what}: cannot start the peer ({e}); scripts/test installs node, npm and python3")
    });
    let out = tokio::time::timeout(PEER_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{what}: the peer did not finish within {PEER_TIMEOUT:?}"))
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stderr\n{stderr}\n--- stdout\n{stdout}",
        out.status
    );
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_else(|| panic!("{what} printed nothing; stderr:\n{stderr}"));
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}): {line}\nstderr:\n{stderr}"))
}

async fn authlib(mode: &str, cfg: Value) -> Value {
    let mut cmd = Command::new(peers_python());
    cmd.arg(peers_dir().join("authlib_flow.py"))
        .arg(mode)
        .arg(cfg.to_string());
    run_peer(cmd, &format!("authlib_flow.py {mode}")).await
}

async fn oauth4webapi(cfg: Value) -> Value {
    node_peer_ready();
    let mut cmd = Command::new("node");
    cmd.current_dir(peers_dir())
        .arg("oauth4webapi_flow.mjs")
        .arg(cfg.to_string());
    run_peer(cmd, "oauth4webapi_flow.mjs").await
}

// ---------------------------------------------------------------------------
// Shared assertions

/// A server with one user and one generic client whose secret is `secret`
/// (a generated one if None); returns (server, client_id, secret).
async fn server_with_client(secret: Option<&str>) -> (TestServer, String, String) {
    let s = TestServer::start().await;
    s.add_user(USER, PASSWORD);
    let (id, secret) = s.add_client_full(
        "Interop peer",
        ClientKind::Generic,
        vec![REDIRECT.into()],
        vec!["music:read".into(), "music:control".into()],
        secret,
    );
    (s, id, secret)
}

fn peer_config(s: &TestServer, id: &str, secret: &str, method: &str) -> Value {
    json!({
        "base": s.base, "issuer": s.base, "client_id": id, "client_secret": secret,
        "auth_method": method, "redirect_uri": REDIRECT, "scope": SCOPE,
        "username": USER, "password": PASSWORD,
    })
}

/// The token-endpoint, revocation and introspection requests a peer made, as
/// `(path, grant_type, status)`, after checking each authenticated the client
/// with `method` and only with it.
fn client_requests(out: &Value, method: &str) -> Vec<(String, String, u64)> {
    let basic = method == "client_secret_basic";
    out["requests"]
        .as_array()
        .expect("the peer's request log")
        .iter()
        .filter(|r| r["path"] != metadata::METADATA_PATH && r["path"] != metadata::JWKS_PATH)
        .map(|r| {
            assert_eq!(r["basic"], basic, "{method}: {r}");
            assert_eq!(r["secret_in_body"], !basic, "{method}: {r}");
            (
                r["path"].as_str().unwrap().to_owned(),
                r["grant_type"].as_str().unwrap_or("").to_owned(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn req(path: &str, grant: &str, status: u64) -> (String, String, u64) {
    (path.into(), grant.into(), status)
}

/// The server's own account of one peer flow: one code redeemed, refreshed,
/// the link revoked by the client, no client-authentication failure.
fn assert_server_saw_full_flow(s: &TestServer, id: &str) {
    let events = s.events();
    let link_ids: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            AuditEvent::CodeRedeemed {
                client_id, link_id, ..
            } if client_id == id => Some(link_id),
            _ => None,
        })
        .collect();
    assert_eq!(link_ids.len(), 1, "one code redeemed: {events:?}");
    let link_id = link_ids[0];
    assert!(
        events
            .iter()
            .any(|e| matches!(e, AuditEvent::TokenRefreshed { link_id: l, .. } if l == link_id)),
        "a refresh of {link_id}: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, AuditEvent::Revoked { client_id, what, .. }
            if client_id == id && what == &format!("link {link_id}"))),
        "link {link_id} revoked: {events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, AuditEvent::ClientAuthFailed { .. })),
        "no client-authentication failure: {events:?}"
    );
    let link = s
        .app
        .store()
        .with(|c| store::get_link(c, link_id))
        .unwrap()
        .expect("the link");
    assert_eq!(link.client_id, id);
    assert_eq!(link.scope, SCOPE);
    assert!(link.revoked_at.is_some(), "{link:?}");
}

// ---------------------------------------------------------------------------
// Authlib

/// Authlib's `AuthorizationServerMetadata.validate()` accepts our RFC 8414
/// document as served in production (https issuer behind Funnel or a proxy),
/// fetched here over loopback.
#[tokio::test]
async fn authlib_validates_rfc8414_metadata() {
    let s = TestServer::start_with(|c| c.issuer = PUBLIC_ISSUER.into()).await;
    let out = authlib(
        "metadata",
        json!({ "metadata_url": s.url(metadata::METADATA_PATH), "issuer": PUBLIC_ISSUER }),
    )
    .await;
    assert_eq!(out["validated"], true, "{out}");
    assert_eq!(out["issuer"], PUBLIC_ISSUER, "{out}");
    // The validator is live: it refuses the same document with an http issuer.
    assert_eq!(out["refuses_http_issuer"], true, "{out}");
    let fields: Vec<&str> = out["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for f in [
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "jwks_uri",
        "code_challenge_methods_supported",
        "authorization_response_iss_parameter_supported",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

async fn authlib_flow(method: &str) {
    let (s, id, secret) = server_with_client(None).await;
    let out = authlib("flow", peer_config(&s, &id, &secret, method)).await;

    assert_eq!(out["auth_method"], method);
    let params = out["authorize_params"].as_array().unwrap();
    for p in ["code_challenge", "code_challenge_method", "state"] {
        assert!(params.iter().any(|v| v == p), "{p} not sent: {out}");
    }
    assert_eq!(out["has_code"], true, "{out}");
    assert_eq!(out["state_matches"], true, "{out}");
    assert_eq!(out["callback"]["iss"], s.base, "RFC 9207 iss: {out}");
    assert_eq!(out["state_mismatch_rejected"], true, "{out}");

    assert_eq!(out["token"]["token_type"], "Bearer", "{out}");
    assert_eq!(out["token"]["scope"], SCOPE, "{out}");
    assert_eq!(out["token"]["expires_in"], 3600, "{out}");
    assert_eq!(out["token"]["has_access_token"], true, "{out}");
    assert_eq!(out["token"]["has_refresh_token"], true, "{out}");
    assert_eq!(out["refreshed"]["new_access_token"], true, "{out}");
    assert_eq!(out["refreshed"]["scope"], SCOPE, "{out}");

    let before = &out["introspect_before_revoke"];
    assert_eq!(before["active"], true, "{out}");
    assert_eq!(before["client_id"], id.as_str(), "{out}");
    assert_eq!(before["username"], USER, "{out}");
    assert_eq!(out["revoke_status"], 200, "{out}");
    assert_eq!(out["refresh_after_revoke"], "invalid_grant", "{out}");
    assert_eq!(
        out["introspect_refresh_after_revoke"],
        json!({ "active": false })
    );
    assert_eq!(
        out["introspect_access_after_revoke"],
        json!({ "active": false })
    );

    let (token, revoke, introspect) = (
        metadata::TOKEN_PATH,
        metadata::REVOKE_PATH,
        metadata::INTROSPECT_PATH,
    );
    assert_eq!(
        client_requests(&out, method),
        vec![
            req(token, "authorization_code", 200),
            req(token, "refresh_token", 200),
            req(introspect, "", 200),
            req(revoke, "", 200),
            req(token, "refresh_token", 400),
            req(introspect, "", 200),
            req(introspect, "", 200),
        ]
    );
    assert_server_saw_full_flow(&s, &id);
}

#[tokio::test]
async fn authlib_code_pkce_refresh_revoke_client_secret_basic() {
    authlib_flow("client_secret_basic").await;
}

#[tokio::test]
async fn authlib_code_pkce_refresh_revoke_client_secret_post() {
    authlib_flow("client_secret_post").await;
}

// ---------------------------------------------------------------------------
// oauth4webapi

/// `secret`: oauth4webapi form-urlencodes HTTP Basic credentials (RFC 6749
/// 2.3.1), so the Basic run uses [`ODD_SECRET`].
async fn oauth4webapi_flow(method: &str, secret: Option<&str>) {
    let (s, id, secret) = server_with_client(secret).await;
    let out = oauth4webapi(peer_config(&s, &id, &secret, method)).await;

    assert_eq!(out["auth_method"], method);
    assert_eq!(
        out["discovered"],
        json!({
            "issuer": s.base,
            "authorization_response_iss_parameter_supported": true,
            "code_challenge_methods_supported": ["S256"],
        })
    );
    assert_eq!(out["callback_iss"], s.base, "{out}");
    assert_eq!(out["validated_code"], true, "{out}");
    // The RFC 9207 check is live: a callback with another issuer, or none
    // while the metadata promises one, is refused; so is another state.
    assert_eq!(
        out["wrong_iss"],
        "OAUTH_INVALID_RESPONSE: unexpected \"iss\" (issuer) response parameter value",
        "{out}"
    );
    assert_eq!(
        out["missing_iss"], "OAUTH_INVALID_RESPONSE: response parameter \"iss\" (issuer) missing",
        "{out}"
    );
    assert_eq!(
        out["wrong_state"], "OAUTH_INVALID_RESPONSE: unexpected \"state\" response parameter value",
        "{out}"
    );

    // oauth4webapi lowercases token_type (we send "Bearer").
    assert_eq!(out["token"]["token_type"], "bearer", "{out}");
    assert_eq!(out["token"]["scope"], SCOPE, "{out}");
    assert_eq!(out["token"]["expires_in"], 3600, "{out}");
    assert_eq!(out["token"]["has_refresh_token"], true, "{out}");
    assert_eq!(out["refreshed"]["new_access_token"], true, "{out}");

    // RFC 9068: the access token checks out as a JWT against our JWKS.
    assert_eq!(
        out["jwt_claims"],
        json!({ "iss": s.base, "aud": s.base, "client_id": id, "scope": SCOPE, "sub": out["jwt_claims"]["sub"] })
    );
    assert!(
        out["jwt_claims"]["sub"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(
        out["tampered_jwt"], "OAUTH_INVALID_RESPONSE: JWT signature verification failed",
        "{out}"
    );

    assert_eq!(
        out["introspect_before_revoke"],
        json!({ "active": true, "client_id": id, "scope": SCOPE, "token_type": "Bearer", "iss": s.base })
    );
    assert_eq!(out["refresh_after_revoke"], "invalid_grant", "{out}");
    assert_eq!(out["introspect_refresh_after_revoke"]["active"], false);
    assert_eq!(out["introspect_access_after_revoke"]["active"], false);

    let (token, revoke, introspect) = (
        metadata::TOKEN_PATH,
        metadata::REVOKE_PATH,
        metadata::INTROSPECT_PATH,
    );
    assert_eq!(
        client_requests(&out, method),
        vec![
            req(token, "authorization_code", 200),
            req(token, "refresh_token", 200),
            req(introspect, "", 200),
            req(revoke, "", 200),
            req(token, "refresh_token", 400),
            req(introspect, "", 200),
            req(introspect, "", 200),
        ]
    );
    assert_server_saw_full_flow(&s, &id);
}

#[tokio::test]
async fn oauth4webapi_code_pkce_refresh_introspect_revoke_client_secret_basic() {
    oauth4webapi_flow("client_secret_basic", Some(ODD_SECRET)).await;
}

#[tokio::test]
async fn oauth4webapi_code_pkce_refresh_introspect_revoke_client_secret_post() {
    oauth4webapi_flow("client_secret_post", None).await;
}

// ---------------------------------------------------------------------------
// The oauth2 crate

/// One request the oauth2 crate sent, as the server received it.
#[derive(Debug, Clone)]
struct Sent {
    path: String,
    grant_type: Option<String>,
    /// The HTTP Basic credentials, base64-decoded but not form-decoded.
    basic: Option<String>,
    body_client_id: Option<String>,
    body_secret: Option<String>,
    status: u16,
}

/// The oauth2 crate's async HTTP client hook, over hyper: requests for the
/// public issuer go to the loopback server (where Funnel or a TLS proxy
/// would deliver them in production), anything else is an error.
#[derive(Clone)]
struct LoopbackHttp {
    addr: std::net::SocketAddr,
    log: Arc<Mutex<Vec<Sent>>>,
}

impl LoopbackHttp {
    fn new(s: &TestServer) -> Self {
        LoopbackHttp {
            addr: s.addr,
            log: Arc::default(),
        }
    }

    fn sent(&self) -> Vec<Sent> {
        self.log.lock().unwrap().clone()
    }

    async fn send(self, req: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, std::io::Error> {
        use base64::Engine as _;
        let refuse = |why: String| Err(std::io::Error::other(why));
        let uri = req.uri().clone();
        let public_host = PUBLIC_ISSUER.trim_start_matches("https://");
        if uri.scheme_str() != Some("https")
            || uri.authority().map(|a| a.as_str()) != Some(public_host)
        {
            return refuse(format!("not the server under test: {uri}"));
        }
        let form: Vec<(String, String)> = form_urlencoded::parse(req.body()).into_owned().collect();
        let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let basic = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()?.strip_prefix("Basic "))
            .map(|b| {
                let raw = base64::engine::general_purpose::STANDARD.decode(b).unwrap();
                String::from_utf8(raw).unwrap()
            });
        let mut sent = Sent {
            path: uri.path().to_owned(),
            grant_type: field("grant_type"),
            basic,
            body_client_id: field("client_id"),
            body_secret: field("client_secret"),
            status: 0,
        };

        let (mut parts, body) = req.into_parts();
        parts.uri = uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse()
            .unwrap();
        parts
            .headers
            .insert(hyper::header::HOST, public_host.parse().unwrap());
        let req = hyper::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let stream = tokio::net::TcpStream::connect(self.addr).await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(std::io::Error::other)?;
        tokio::spawn(conn);
        let resp = sender
            .send_request(req)
            .await
            .map_err(std::io::Error::other)?;
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .map_err(std::io::Error::other)?
            .to_bytes();
        sent.status = parts.status.as_u16();
        self.log.lock().unwrap().push(sent);
        Ok(hyper::Response::from_parts(parts, body.to_vec()))
    }
}

/// Authorization code + PKCE, refresh, introspection and revocation through
/// the oauth2 crate, its client authenticating the `auth_type` way with
/// [`ODD_SECRET`].
async fn oauth2_crate_flow(auth_type: oauth2::AuthType) {
    use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenType};
    use oauth2::{
        AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl,
        PkceCodeChallenge, RedirectUrl, RequestTokenError, RevocationUrl, Scope,
        StandardRevocableToken, TokenIntrospectionResponse as _, TokenResponse as _, TokenUrl,
    };

    let s = TestServer::start_with(|c| c.issuer = PUBLIC_ISSUER.into()).await;
    s.add_user(USER, PASSWORD);
    let (id, secret) = s.add_client_full(
        "oauth2 crate",
        ClientKind::Generic,
        vec![REDIRECT.into()],
        vec!["music:read".into(), "music:control".into()],
        Some(ODD_SECRET),
    );
    let public = |path: &str| format!("{PUBLIC_ISSUER}{path}");
    let client = BasicClient::new(ClientId::new(id.clone()))
        .set_client_secret(ClientSecret::new(secret.clone()))
        .set_auth_uri(AuthUrl::new(public(metadata::AUTHORIZE_PATH)).unwrap())
        .set_token_uri(TokenUrl::new(public(metadata::TOKEN_PATH)).unwrap())
        .set_revocation_url(RevocationUrl::new(public(metadata::REVOKE_PATH)).unwrap())
        .set_introspection_url(IntrospectionUrl::new(public(metadata::INTROSPECT_PATH)).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
        .set_auth_type(auth_type.clone());
    let http = LoopbackHttp::new(&s);
    let send = |req| http.clone().send(req);

    // The crate builds the authorization URL; the harness's browser logs in.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("music:read".into()))
        .add_scope(Scope::new("music:control".into()))
        .set_pkce_challenge(challenge)
        .url();
    assert_eq!(auth_url.origin().ascii_serialization(), PUBLIC_ISSUER);
    let mut browser = Browser::default();
    let page = browser
        .get(
            &s,
            &format!("{}?{}", auth_url.path(), auth_url.query().unwrap()),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let r = browser.submit(&s, &page, USER, PASSWORD, "approve").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cb = r.location_params();
    assert_eq!(cb["state"], *csrf.secret());
    assert_eq!(cb["iss"], PUBLIC_ISSUER);

    let tokens = client
        .exchange_code(AuthorizationCode::new(cb["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .unwrap_or_else(|e| panic!("code exchange: {e:?}"));
    assert_eq!(*tokens.token_type(), BasicTokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3600)));
    let scopes = |v: Option<&Vec<Scope>>| {
        v.map(|v| {
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    assert_eq!(scopes(tokens.scopes()).as_deref(), Some(SCOPE));
    let refresh = tokens.refresh_token().expect("a refresh token").clone();

    let refreshed = client
        .exchange_refresh_token(&refresh)
        .request_async(&send)
        .await
        .unwrap_or_else(|e| panic!("refresh: {e:?}"));
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    assert_eq!(scopes(refreshed.scopes()).as_deref(), Some(SCOPE));

    let intro = client
        .introspect(refreshed.access_token())
        .request_async(&send)
        .await
        .unwrap_or_else(|e| panic!("introspection: {e:?}"));
    assert!(intro.active(), "{intro:?}");
    assert_eq!(intro.client_id(), Some(&ClientId::new(id.clone())));
    assert_eq!(intro.username(), Some(USER));
    assert_eq!(intro.iss(), Some(PUBLIC_ISSUER));
    assert_eq!(intro.token_type(), Some(&BasicTokenType::Bearer));
    assert_eq!(scopes(intro.scopes()).as_deref(), Some(SCOPE));
    assert!(intro.exp().is_some() && intro.iat().is_some(), "{intro:?}");

    client
        .revoke_token(StandardRevocableToken::RefreshToken(refresh.clone()))
        .unwrap()
        .request_async(&send)
        .await
        .unwrap_or_else(|e| panic!("revocation: {e:?}"));
    match client
        .exchange_refresh_token(&refresh)
        .request_async(&send)
        .await
    {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant, "{e:?}")
        }
        other => panic!("refresh after revocation: {other:?}"),
    }
    let intro = client
        .introspect(refreshed.access_token())
        .request_async(&send)
        .await
        .unwrap_or_else(|e| panic!("introspection: {e:?}"));
    assert!(!intro.active(), "{intro:?}");

    // Every request authenticated the client the chosen way only, and the
    // secret arrived intact (the server answered 200 to each).
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let sent = http.sent();
    for r in &sent {
        match auth_type {
            oauth2::AuthType::BasicAuth => {
                // RFC 6749 2.3.1: form-urlencoded before base64.
                assert_eq!(
                    r.basic,
                    Some(format!("{}:{}", enc(&id), enc(ODD_SECRET))),
                    "{r:?}"
                );
                assert_eq!(r.body_secret, None, "{r:?}");
            }
            _ => {
                assert_eq!(r.basic, None, "{r:?}");
                assert_eq!(r.body_client_id.as_deref(), Some(id.as_str()), "{r:?}");
                assert_eq!(r.body_secret.as_deref(), Some(ODD_SECRET), "{r:?}");
            }
        }
    }
    let summary: Vec<(&str, Option<&str>, u16)> = sent
        .iter()
        .map(|r| (r.path.as_str(), r.grant_type.as_deref(), r.status))
        .collect();
    assert_eq!(
        summary,
        vec![
            (metadata::TOKEN_PATH, Some("authorization_code"), 200),
            (metadata::TOKEN_PATH, Some("refresh_token"), 200),
            (metadata::INTROSPECT_PATH, None, 200),
            (metadata::REVOKE_PATH, None, 200),
            (metadata::TOKEN_PATH, Some("refresh_token"), 400),
            (metadata::INTROSPECT_PATH, None, 200),
        ]
    );
    assert_server_saw_full_flow(&s, &id);

    // The secret is compared for real: the same secret with '+' read as a
    // space (what a decoder applying form rules to raw Basic would see) fails.
    let wrong = client.set_client_secret(ClientSecret::new(ODD_SECRET.replace('+', " ")));
    match wrong
        .exchange_refresh_token(&refresh)
        .request_async(&send)
        .await
    {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidClient, "{e:?}")
        }
        other => panic!("a wrong secret: {other:?}"),
    }
}

#[tokio::test]
async fn oauth2_crate_code_pkce_refresh_revoke_basic_auth_odd_secret() {
    oauth2_crate_flow(oauth2::AuthType::BasicAuth).await;
}

#[tokio::test]
async fn oauth2_crate_code_pkce_refresh_revoke_request_body_odd_secret() {
    oauth2_crate_flow(oauth2::AuthType::RequestBody).await;
}
