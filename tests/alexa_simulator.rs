//! End-to-end simulation of Alexa account linking, request by request: the
//! Alexa app's web view opens the authorization URI, the person signs in on
//! our page, the web view follows the 303 to Amazon's redirect URL, and
//! Amazon's server (Apache HttpClient on Java) exchanges the code and later
//! refreshes the access token on its own.
mod common;
use common::*;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hyper::StatusCode;
use serde_json::Value;

/// What Amazon's token client identifies as.
const AMAZON_UA: &str = "Apache-HttpClient/4.5.13 (Java/17.0.8)";
/// A mobile web view (the Alexa app on Android).
const WEBVIEW_UA: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.0.0 Mobile Safari/537.36";
const SCOPE: &str = "music:read music:control";

/// States as Alexa makes them: opaque, base64-like, with `=`, `+` and `/`.
const STATES: &[&str] = &[
    "AmaseyXXXXXXXX=",
    "Amasey+abc/def==",
    "A+/+/+//==",
    "AmaseyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9/eyJ+c3ViIjoiMTIzNCJ9+sig==",
];

/// RFC 3986 percent-encoding of everything but the unreserved characters, the
/// way Alexa encodes its query (`=` as `%3D`, `+` as `%2B`, `/` as `%2F`,
/// space as `%20`).
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The authorization URI exactly as the Alexa app opens it (parameter order
/// from the example seen in the wild), with optional PKCE.
fn alexa_authorize_uri(
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    pkce_verifier: Option<&str>,
) -> String {
    let mut q = format!(
        "client_id={}&response_type=code&scope={}&redirect_uri={}&state={}",
        pct(client_id),
        pct(SCOPE),
        pct(redirect_uri),
        pct(state)
    );
    if let Some(v) = pkce_verifier {
        q.push_str(&format!(
            "&code_challenge={}&code_challenge_method=S256",
            pct(&ma_alexa_oauth::oauth::pkce::s256(v))
        ));
    }
    format!("/alexa/authorize?{q}")
}

/// The Alexa app's web view: keeps cookies, sends a mobile User-Agent and the
/// headers a browser sends when posting a form from our page.
struct WebView {
    /// The harness's cookie jar.
    jar: Browser,
    /// `Origin` on form posts: `null` (what a browser sends under our
    /// `Referrer-Policy: no-referrer`) or our own origin.
    origin: String,
}

impl WebView {
    fn new(origin: &str) -> Self {
        WebView {
            jar: Browser::default(),
            origin: origin.to_owned(),
        }
    }

    fn remember(&mut self, r: &Resp) {
        self.jar.remember(r);
    }

    fn cookie(&self) -> String {
        self.jar.cookie_header()
    }

    async fn open(&mut self, s: &TestServer, uri: &str) -> Resp {
        let c = self.cookie();
        let mut h = vec![
            ("user-agent", WEBVIEW_UA),
            (
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "navigate"),
        ];
        if !c.is_empty() {
            h.push(("cookie", &c));
        }
        let r = send(s.addr, "GET", uri, &h, None).await;
        self.remember(&r);
        r
    }

    /// Submits the page's form the way the web view does: every hidden field
    /// as the page set it, then username, password and the button pressed.
    async fn submit(
        &mut self,
        s: &TestServer,
        page: &Resp,
        user: &str,
        password: &str,
        action: &str,
    ) -> Resp {
        let fields = hidden_fields(&page.text());
        let form = login_form(&fields, user, password, action);
        let c = self.cookie();
        let h = vec![
            ("user-agent", WEBVIEW_UA),
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", &self.origin),
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-mode", "navigate"),
            ("cookie", &c),
        ];
        let r = send(
            s.addr,
            "POST",
            "/alexa/authorize",
            &h,
            Some(encode_form(&form).into_bytes()),
        )
        .await;
        self.remember(&r);
        r
    }
}

/// Runs the web-view half of linking and returns the code. Checks the page,
/// the 303 and the byte-for-byte state.
async fn webview_link(
    s: &TestServer,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    pkce_verifier: Option<&str>,
    origin: &str,
) -> String {
    let mut wv = WebView::new(origin);
    let page = wv
        .open(
            s,
            &alexa_authorize_uri(client_id, redirect_uri, state, pkce_verifier),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "login page: {}", page.text());
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html"),
    );
    assert!(
        wv.jar.cookies.contains_key("ma_login"),
        "the page sets the login cookie"
    );
    let hidden: BTreeMap<String, String> = hidden_fields(&page.text()).into_iter().collect();
    assert_eq!(
        hidden.get("state").map(String::as_str),
        Some(state),
        "the page carries state unchanged"
    );
    assert_eq!(
        hidden.get("redirect_uri").map(String::as_str),
        Some(redirect_uri)
    );
    let r = wv.submit(s, &page, USER, PASSWORD, "approve").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.text());
    let loc = r.header("location").unwrap();
    assert!(
        loc.starts_with(&format!("{redirect_uri}?")),
        "303 to the region's redirect URL: {loc}"
    );
    let q = r.location_params();
    assert_eq!(
        q.get("state").map(String::as_str),
        Some(state),
        "state byte for byte in {loc}"
    );
    assert_eq!(
        q.get("iss").map(String::as_str),
        Some(s.base.as_str()),
        "RFC 9207 iss"
    );
    assert!(!q.contains_key("error"), "{loc}");
    let code = q.get("code").cloned().expect("a code");
    assert!(code.len() >= 22, "a code of at least 128 bits: {code}");
    code
}

#[derive(Clone, Copy)]
enum Auth {
    Basic,
    Body,
}

/// A request from Amazon's token client.
async fn amazon_token(
    s: &TestServer,
    auth: Auth,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> Resp {
    let mut f = form.to_vec();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    );
    let mut h = vec![
        ("user-agent", AMAZON_UA),
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        ),
        ("accept", "application/json"),
        ("accept-encoding", "gzip,deflate"),
    ];
    match auth {
        Auth::Basic => h.push(("authorization", &basic)),
        Auth::Body => {
            f.push(("client_id", id));
            f.push(("client_secret", secret));
        }
    }
    let started = Instant::now();
    let r = send(
        s.addr,
        "POST",
        "/alexa/token",
        &h,
        Some(encode_form(&f).into_bytes()),
    )
    .await;
    // Alexa allows 4.5 s; informational only, never asserted.
    println!(
        "token endpoint ({}) answered {} in {:?}",
        form.first().map(|p| p.1).unwrap_or(""),
        r.status,
        started.elapsed()
    );
    r
}

async fn exchange(
    s: &TestServer,
    auth: Auth,
    id: &str,
    secret: &str,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
) -> Resp {
    let f = code_grant(code, redirect_uri, verifier);
    amazon_token(s, auth, id, secret, &f).await
}

async fn refresh(s: &TestServer, auth: Auth, id: &str, secret: &str, rt: &str) -> Resp {
    amazon_token(s, auth, id, secret, &refresh_grant(rt)).await
}

/// Checks a successful token reply the way Alexa reads it; returns its JSON.
fn check_token_reply(r: &Resp, expected_ttl: i64) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json"),
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let j = r.json();
    let at = j["access_token"].as_str().expect("access_token");
    assert!(!at.is_empty());
    assert!(
        at.len() < 1024,
        "access token of {} bytes; Amazon's own stay under 2048",
        at.len()
    );
    assert_eq!(j["token_type"], "Bearer");
    assert!(
        j["expires_in"].is_i64() || j["expires_in"].is_u64(),
        "expires_in must be an integer: {j}"
    );
    assert_eq!(j["expires_in"].as_i64(), Some(expected_ttl));
    let rt = j["refresh_token"].as_str().expect("refresh_token");
    assert!(rt.len() >= 22 && rt.len() < 1024);
    assert_eq!(j["scope"], SCOPE);
    let claims = jwt_claims(at);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        expected_ttl
    );
    j
}

/// The payload of a JWT, unverified (the server verifies; this only reads).
fn jwt_claims(jwt: &str) -> Value {
    assert_eq!(jwt.split('.').count(), 3, "a JWS compact token");
    jwt_part(jwt, 1)
}

#[tokio::test]
async fn alexa_links_in_all_three_regions_with_http_basic() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    for (i, region) in [PITANGUI, LAYLA, JP].into_iter().enumerate() {
        let state = STATES[i % STATES.len()];
        let origin = if i == 0 { "null" } else { s.base.as_str() };
        let code = webview_link(&s, &id, region, state, None, origin).await;
        let r = exchange(&s, Auth::Basic, &id, &secret, &code, region, None).await;
        let j = check_token_reply(&r, 3600);
        let at = j["access_token"].as_str().unwrap();
        let claims = jwt_claims(at);
        assert_eq!(claims["client_id"], id.as_str());
        assert_eq!(claims["iss"], s.base.as_str());
        assert_eq!(claims["scope"], SCOPE);
        let info = introspect_json(&s, &id, &secret, at).await;
        assert_eq!(info["active"], true, "{info}");
        assert_eq!(info["username"], USER);
        // The code is single use: Amazon repeating the exchange gets invalid_grant.
        let again = exchange(&s, Auth::Basic, &id, &secret, &code, region, None).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert_eq!(again.error(), "invalid_grant");
    }
    // Each region's first exchange made a link; each replay revoked its own.
    let links = s.links();
    assert_eq!(links.len(), 3);
}

#[tokio::test]
async fn alexa_links_with_credentials_in_request_body() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    for (i, region) in [PITANGUI, LAYLA, JP].into_iter().enumerate() {
        let state = STATES[(i + 1) % STATES.len()];
        let code = webview_link(&s, &id, region, state, None, "null").await;
        let r = exchange(&s, Auth::Body, &id, &secret, &code, region, None).await;
        let j = check_token_reply(&r, 3600);
        // Refresh with the same scheme Amazon uses for the exchange.
        let rt = j["refresh_token"].as_str().unwrap();
        let r2 = refresh(&s, Auth::Body, &id, &secret, rt).await;
        let j2 = check_token_reply(&r2, 3600);
        assert_eq!(j2["refresh_token"], rt, "no rotation");
        // A wrong secret in the body is invalid_client, 401.
        let bad = refresh(&s, Auth::Body, &id, "wrong-secret", rt).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        assert_eq!(bad.error(), "invalid_client");
    }
}

#[tokio::test]
async fn alexa_links_with_pkce_s256() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = webview_link(&s, &id, LAYLA, STATES[1], Some(VERIFIER), "null").await;
    let r = exchange(&s, Auth::Basic, &id, &secret, &code, LAYLA, Some(VERIFIER)).await;
    check_token_reply(&r, 3600);

    // PKCE on but the verifier missing at the token step: refused.
    let code = webview_link(&s, &id, JP, STATES[2], Some(VERIFIER), "null").await;
    let r = exchange(&s, Auth::Basic, &id, &secret, &code, JP, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");

    // A different (well-formed) verifier: refused.
    let code = webview_link(&s, &id, PITANGUI, STATES[0], Some(VERIFIER), "null").await;
    let other = "x".repeat(43);
    let r = exchange(&s, Auth::Basic, &id, &secret, &code, PITANGUI, Some(&other)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");

    // PKCE off at authorize but a verifier at the token step (downgrade): refused.
    let code = webview_link(&s, &id, PITANGUI, STATES[3], None, "null").await;
    let r = exchange(
        &s,
        Auth::Basic,
        &id,
        &secret,
        &code,
        PITANGUI,
        Some(VERIFIER),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");
}

#[tokio::test]
async fn alexa_state_comes_back_byte_for_byte() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    let mut random = [0u8; 48];
    for (i, b) in random.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(97).wrapping_add(0xfb);
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(random);
    assert!(b64.contains('+') && b64.contains('/'), "{b64}");
    let mut states: Vec<String> = STATES.iter().map(|s| s.to_string()).collect();
    states.push(b64);
    for state in &states {
        let code = webview_link(&s, &id, JP, state, None, "null").await;
        assert!(!code.is_empty());
    }
    // The same with the scope's space sent as `+` (form encoding) instead of `%20`.
    let mut wv = WebView::new("null");
    let uri = format!(
        "/alexa/authorize?client_id={id}&response_type=code&scope=music%3Aread+music%3Acontrol&redirect_uri={}&state={}",
        pct(PITANGUI),
        pct(STATES[1])
    );
    let page = wv.open(&s, &uri).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let r = wv.submit(&s, &page, USER, PASSWORD, "approve").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        r.location_params().get("state").map(String::as_str),
        Some(STATES[1])
    );
}

#[tokio::test]
async fn alexa_refreshes_after_access_token_expired_without_rotation() {
    // Config itself accepts a short lifetime (the CLI bounds it to >= 60 s).
    let ttl = 2;
    let s = TestServer::start_with(|c| c.access_token_ttl = ttl).await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = webview_link(&s, &id, PITANGUI, STATES[0], Some(VERIFIER), "null").await;
    let r = exchange(
        &s,
        Auth::Basic,
        &id,
        &secret,
        &code,
        PITANGUI,
        Some(VERIFIER),
    )
    .await;
    let first = check_token_reply(&r, ttl);
    let old_at = first["access_token"].as_str().unwrap().to_owned();
    let rt = first["refresh_token"].as_str().unwrap().to_owned();
    let exp = jwt_claims(&old_at)["exp"].as_i64().unwrap();

    // Wait until the access token has expired (whole seconds, no leeway).
    while ma_alexa_oauth::util::now() <= exp {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let info = introspect_json(&s, &id, &secret, &old_at).await;
    assert_eq!(info["active"], false, "expired token: {info}");

    // Alexa refreshes on its own: a fresh access token, the same refresh token.
    let r = refresh(&s, Auth::Basic, &id, &secret, &rt).await;
    let second = check_token_reply(&r, ttl);
    let new_at = second["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new_at, old_at);
    assert_eq!(second["refresh_token"], rt.as_str(), "no rotation");
    assert!(jwt_claims(&new_at)["exp"].as_i64().unwrap() > exp);
    let info = introspect_json(&s, &id, &secret, &new_at).await;
    assert_eq!(info["active"], true, "fresh token: {info}");
    let info = introspect_json(&s, &id, &secret, &old_at).await;
    assert_eq!(info["active"], false, "old token stays expired: {info}");
    let info = introspect_json(&s, &id, &secret, &rt).await;
    assert_eq!(
        info["active"], true,
        "the refresh token is still valid: {info}"
    );

    // Alexa retries the refresh with the same token (lost reply, say): still works.
    let mut last = new_at;
    for _ in 0..3 {
        let r = refresh(&s, Auth::Basic, &id, &secret, &rt).await;
        let j = check_token_reply(&r, ttl);
        assert_eq!(j["refresh_token"], rt.as_str());
        let at = j["access_token"].as_str().unwrap().to_owned();
        assert_ne!(at, last, "each refresh signs a new access token");
        last = at;
    }
    let links = s.links();
    assert_eq!(links.len(), 1);
    assert!(links[0].revoked_at.is_none());
}

#[tokio::test]
async fn alexa_cancel_returns_access_denied_with_state() {
    let s = TestServer::start().await;
    let (id, _) = s.add_alexa_client_and_user();
    for (region, state) in [(PITANGUI, STATES[0]), (LAYLA, STATES[2])] {
        let mut wv = WebView::new("null");
        let page = wv
            .open(&s, &alexa_authorize_uri(&id, region, state, None))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        // "Cancel" is pressed with empty credentials (formnovalidate).
        let r = wv.submit(&s, &page, "", "", "deny").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let loc = r.header("location").unwrap();
        assert!(loc.starts_with(&format!("{region}?")), "{loc}");
        let q = r.location_params();
        assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
        assert_eq!(q.get("state").map(String::as_str), Some(state));
        assert_eq!(q.get("iss").map(String::as_str), Some(s.base.as_str()));
        assert!(!q.contains_key("code"), "no code on cancel: {loc}");
    }
    let links = s.links();
    assert!(links.is_empty());
}

#[tokio::test]
async fn alexa_token_request_from_another_region_is_refused() {
    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = webview_link(&s, &id, PITANGUI, STATES[0], None, "null").await;
    // The code was issued for pitangui; the token request names layla.
    let r = exchange(&s, Auth::Basic, &id, &secret, &code, LAYLA, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");
    // An unknown code, as Alexa would see it after a stale retry.
    let r = exchange(
        &s,
        Auth::Basic,
        &id,
        &secret,
        "not-a-real-code",
        PITANGUI,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error(), "invalid_grant");
    assert!(r.json()["error_description"].is_string());
}

/// Amazon's HTTP client pools connections: the exchange and the refreshes
/// may arrive on one kept-alive connection.
#[tokio::test]
async fn amazon_reuses_one_connection_for_exchange_and_refreshes() {
    use bytes::Bytes;
    use http_body_util::{BodyExt as _, Full};
    use hyper_util::rt::TokioIo;

    let s = TestServer::start().await;
    let (id, secret) = s.add_alexa_client_and_user();
    let code = webview_link(&s, &id, LAYLA, STATES[3], None, "null").await;
    let stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    );
    let mut rt = String::new();
    for i in 0..4 {
        let body = if i == 0 {
            encode_form(&code_grant(&code, LAYLA, None))
        } else {
            encode_form(&refresh_grant(&rt))
        };
        sender.ready().await.unwrap();
        let req = hyper::Request::builder()
            .method("POST")
            .uri("/alexa/token")
            .header("host", s.addr.to_string())
            .header("user-agent", AMAZON_UA)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            )
            .header("connection", "keep-alive")
            .header("authorization", &auth)
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        let r = Resp {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        };
        let j = check_token_reply(&r, 3600);
        if i == 0 {
            rt = j["refresh_token"].as_str().unwrap().to_owned();
        } else {
            assert_eq!(j["refresh_token"], rt.as_str());
        }
    }
}
