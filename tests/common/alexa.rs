//! The Alexa account-linking steps: the authorization request, the login,
//! and the calls Alexa makes to the token, introspection and revocation
//! endpoints.

use hyper::StatusCode;

use super::TestServer;
use super::browser::Browser;
use super::http::{Resp, basic_header, encode_form};
use super::{PASSWORD, PITANGUI, USER};

/// Parameters of an authorization request.
#[derive(Debug, Clone)]
pub struct AuthParams {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

impl AuthParams {
    pub fn new(client_id: &str, redirect_uri: &str) -> Self {
        AuthParams {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scope: Some("music:read music:control".into()),
            state: Some("AmaseyXXXXXXXX=".into()),
            code_challenge: None,
            code_challenge_method: None,
        }
    }

    pub fn pkce(mut self, verifier: &str) -> Self {
        self.code_challenge = Some(ma_alexa_oauth::oauth::pkce::s256(verifier));
        self.code_challenge_method = Some("S256".into());
        self
    }

    pub fn query(&self) -> String {
        let mut f: Vec<(&str, &str)> =
            vec![("client_id", &self.client_id), ("response_type", "code")];
        if let Some(s) = &self.scope {
            f.push(("scope", s));
        }
        f.push(("redirect_uri", &self.redirect_uri));
        if let Some(s) = &self.state {
            f.push(("state", s));
        }
        if let Some(c) = &self.code_challenge {
            f.push(("code_challenge", c));
        }
        if let Some(m) = &self.code_challenge_method {
            f.push(("code_challenge_method", m));
        }
        encode_form(&f)
    }

    /// The authorization endpoint with this query: `/alexa/authorize?…`.
    pub fn path(&self) -> String {
        format!("/alexa/authorize?{}", self.query())
    }
}

/// The token request redeeming `code` (RFC 6749 4.1.3), with the PKCE
/// `code_verifier` if given.
pub fn code_grant<'a>(
    code: &'a str,
    redirect_uri: &'a str,
    verifier: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(v) = verifier {
        f.push(("code_verifier", v));
    }
    f
}

/// `form` with the client's credentials added to the body (RFC 6749 2.3.1
/// `client_secret_post`).
pub fn client_in_body<'a>(
    mut form: Vec<(&'a str, &'a str)>,
    id: &'a str,
    secret: &'a str,
) -> Vec<(&'a str, &'a str)> {
    form.push(("client_id", id));
    form.push(("client_secret", secret));
    form
}

/// The token request refreshing with `refresh_token` (RFC 6749 6).
pub fn refresh_grant(refresh_token: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ]
}

impl TestServer {
    /// Token endpoint with HTTP Basic client authentication (RFC 6749 2.3.1 encoding).
    pub async fn token_basic(&self, id: &str, secret: &str, form: &[(&str, &str)]) -> Resp {
        let auth = basic_header(id, secret);
        self.post_form("/alexa/token", &[("authorization", &auth)], form)
            .await
    }

    /// Token endpoint with credentials in the body.
    pub async fn token_post(&self, id: &str, secret: &str, form: &[(&str, &str)]) -> Resp {
        let f = client_in_body(form.to_vec(), id, secret);
        self.post_form("/alexa/token", &[], &f).await
    }

    /// Redeems an authorization code ([`code_grant`]) with HTTP Basic client authentication.
    pub async fn redeem(
        &self,
        id: &str,
        secret: &str,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Resp {
        self.token_basic(id, secret, &code_grant(code, redirect_uri, verifier))
            .await
    }

    /// Redeems an authorization code issued for the Alexa redirect URI
    /// (PITANGUI), with HTTP Basic client authentication.
    pub async fn redeem_code(&self, id: &str, secret: &str, code: &str) -> Resp {
        self.redeem(id, secret, code, PITANGUI, None).await
    }

    /// Refreshes ([`refresh_grant`]) with HTTP Basic client authentication.
    pub async fn refresh(&self, id: &str, secret: &str, refresh_token: &str) -> Resp {
        self.token_basic(id, secret, &refresh_grant(refresh_token))
            .await
    }

    /// Refreshes with HTTP Basic, asking for `scope` (RFC 6749 6).
    pub async fn refresh_scope(
        &self,
        id: &str,
        secret: &str,
        refresh_token: &str,
        scope: &str,
    ) -> Resp {
        let mut f = refresh_grant(refresh_token);
        f.push(("scope", scope));
        self.token_basic(id, secret, &f).await
    }

    /// Refreshes with the client credentials in the body.
    pub async fn refresh_post(&self, id: &str, secret: &str, refresh_token: &str) -> Resp {
        self.token_post(id, secret, &refresh_grant(refresh_token))
            .await
    }

    /// RFC 7662 introspection of `token` with HTTP Basic.
    pub async fn introspect(&self, id: &str, secret: &str, token: &str) -> Resp {
        self.post_form(
            "/alexa/introspect",
            &[("authorization", &basic_header(id, secret))],
            &[("token", token)],
        )
        .await
    }

    /// RFC 7009 revocation with HTTP Basic; `form` holds `token` and any hint.
    pub async fn revoke(&self, id: &str, secret: &str, form: &[(&str, &str)]) -> Resp {
        self.post_form(
            "/alexa/revoke",
            &[("authorization", &basic_header(id, secret))],
            form,
        )
        .await
    }
}

/// Runs authorize + login and returns the code from the 303 redirect.
pub async fn obtain_code(server: &TestServer, p: &AuthParams) -> String {
    let mut b = Browser::default();
    let r = b.login(server, p, USER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.text());
    let loc = r.header("location").unwrap();
    assert!(loc.starts_with(&p.redirect_uri), "{loc}");
    r.location_params().get("code").cloned().expect("a code")
}

/// Full link: a server with the Alexa client and user; returns (client_id, secret, token JSON).
pub async fn linked(server: &TestServer) -> (String, String, serde_json::Value) {
    let (id, secret) = server.add_alexa_client_and_user();
    let code = obtain_code(server, &AuthParams::new(&id, PITANGUI)).await;
    let r = server.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (id, secret, r.json())
}

/// RFC 7662 introspection with HTTP Basic; asserts 200 and returns the JSON.
pub async fn introspect_json(
    s: &TestServer,
    id: &str,
    secret: &str,
    token: &str,
) -> serde_json::Value {
    let r = s.introspect(id, secret, token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// The JSON of one base64url segment of a JWT (0: header, 1: claims),
/// without verifying anything.
pub fn jwt_part(token: &str, i: usize) -> serde_json::Value {
    use base64::Engine as _;
    let part = token.split('.').nth(i).expect("a JWT segment");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}
