//! RFC 8414 authorization server metadata, built once at start.

use crate::config::Config;

pub const AUTHORIZE_PATH: &str = "/alexa/authorize";
pub const TOKEN_PATH: &str = "/alexa/token";
pub const REVOKE_PATH: &str = "/alexa/revoke";
pub const INTROSPECT_PATH: &str = "/alexa/introspect";
pub const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
pub const HEALTH_PATH: &str = "/health";

pub fn document(config: &Config) -> serde_json::Value {
    let auth_methods = ["client_secret_basic", "client_secret_post"];
    serde_json::json!({
        "issuer": config.issuer,
        "authorization_endpoint": config.url(AUTHORIZE_PATH),
        "token_endpoint": config.url(TOKEN_PATH),
        "revocation_endpoint": config.url(REVOKE_PATH),
        "introspection_endpoint": config.url(INTROSPECT_PATH),
        "jwks_uri": config.url(JWKS_PATH),
        "scopes_supported": super::default_scopes(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
    })
}
