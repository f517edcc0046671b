//! The values to paste into the Alexa developer console for one client,
//! page by page, in the console's words ([`super::labels`]): the account
//! linking fields, the skill's endpoint and its certificate option. One
//! source for `client add` (text and `--json`), the add-on's log and the
//! add-on's page.

use serde_json::{Value, json};

use super::cert::{Certificate, alexa_url_problem};
use super::labels as l;
use super::{SKILL_PATH, TOKEN_EXPIRATION_SECS};
use crate::oauth::metadata;
use crate::store::{Client, ClientKind};

/// A placeholder printed while the public URL is not known yet.
pub const UNKNOWN_PUBLIC_URL: &str = "https://YOUR-PUBLIC-HOST";

/// One client's console values.
#[derive(Debug, Clone)]
pub struct ConsoleValues {
    /// The public base URL (the issuer), without a trailing slash.
    pub base: String,
    /// Whether `base` is the server's real public URL (not the placeholder).
    pub base_known: bool,
    pub authorization_uri: String,
    pub token_uri: String,
    pub client_id: String,
    pub client_name: String,
    pub kind: ClientKind,
    /// The secret, when it was just made (it is stored only hashed).
    pub secret: Option<String>,
    pub scopes: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub require_pkce: bool,
    pub skill_endpoint: String,
    pub certificate: Certificate,
}

/// What the text version says to do next, in the caller's terms (a
/// command to paste, or a place on the add-on's page).
#[derive(Debug, Clone, Copy)]
pub struct NextSteps<'a> {
    /// How to require PKCE once the console switch is on.
    pub require_pkce: &'a str,
    /// How to register the skill id.
    pub skill_id: &'a str,
    /// How to get the interaction model.
    pub model: &'a str,
}

impl ConsoleValues {
    pub fn new(base: &str, base_known: bool, c: &Client, secret: Option<&str>) -> ConsoleValues {
        let base = base.trim_end_matches('/').to_owned();
        ConsoleValues {
            authorization_uri: format!("{base}{}", metadata::AUTHORIZE_PATH),
            token_uri: format!("{base}{}", metadata::TOKEN_PATH),
            skill_endpoint: format!("{base}{SKILL_PATH}"),
            certificate: Certificate::for_url(&base),
            base,
            base_known,
            client_id: c.id.clone(),
            client_name: c.name.clone(),
            kind: c.kind,
            secret: secret.map(str::to_owned),
            scopes: c.scopes.clone(),
            redirect_uris: c.redirect_uris.clone(),
            require_pkce: c.require_pkce,
        }
    }

    /// Why Alexa would refuse the public URL (not HTTPS on 443), if it would.
    pub fn public_url_problem(&self) -> Option<String> {
        if self.base_known {
            alexa_url_problem(&self.base)
        } else {
            None
        }
    }

    /// The account linking page's fields, in the console's order:
    /// (label, value). The secret's row says how to get one when it is not
    /// at hand; scopes are one per row (the console takes each as its own
    /// entry).
    pub fn account_linking(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![
            (l::GRANT_TYPE, l::GRANT_TYPE_VALUE.to_owned()),
            (l::AUTHORIZATION_URI, self.authorization_uri.clone()),
            (l::TOKEN_URI, self.token_uri.clone()),
            (l::CLIENT_ID, self.client_id.clone()),
        ];
        if let Some(s) = &self.secret {
            rows.push((l::SECRET, s.clone()));
        }
        rows.push((l::AUTH_SCHEME, l::AUTH_SCHEME_VALUE.to_owned()));
        for s in &self.scopes {
            rows.push((l::SCOPE, s.clone()));
        }
        rows.push((l::TOKEN_EXPIRATION, TOKEN_EXPIRATION_SECS.to_string()));
        rows
    }

    /// `client add --json`'s object.
    pub fn json(&self) -> Value {
        json!({
            "client_id": self.client_id, "client_secret": self.secret, "name": self.client_name,
            "kind": self.kind, "authorization_uri": self.authorization_uri,
            "token_uri": self.token_uri, "redirect_uris": self.redirect_uris,
            "scopes": self.scopes, "authentication_scheme": "HTTP Basic",
            "default_access_token_expiration": TOKEN_EXPIRATION_SECS,
            "public_url_known": self.base_known, "require_pkce": self.require_pkce,
            "skill_endpoint": self.skill_endpoint,
            "certificate_option": self.certificate.option(),
        })
    }

    /// The text version, page by page, ending with a blank line.
    pub fn text(&self, next: &NextSteps<'_>) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!(
            "Paste these into the Alexa developer console, on your skill's {} page \
             (first switch on \"{}\"; the redirect URLs appear then):",
            l::ACCOUNT_LINKING_PAGE,
            l::LINKING_SWITCH
        ));
        let rows = self.account_linking();
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
        let mut scope_noted = false;
        for (label, value) in &rows {
            if *label == l::TOKEN_EXPIRATION {
                line(format!(
                    "  {:<width$} (leave empty)",
                    format!("{}:", l::DOMAIN_LIST)
                ));
            }
            let mut v = value.clone();
            if *label == l::SCOPE && !scope_noted {
                v.push_str("  (each scope is its own entry: \"Add scope\")");
                scope_noted = true;
            }
            line(format!("  {:<width$} {v}", format!("{label}:")));
        }
        let pkce = if self.require_pkce {
            "switch it ON (this client requires PKCE; linking fails without it)".to_owned()
        } else {
            format!(
                "optional; recommended: switch it on, then {}",
                next.require_pkce
            )
        };
        line(format!("  {:<width$} {pkce}", format!("{}:", l::PKCE)));
        line(format!("Then \"{}\".", l::SAVE));
        if self.kind == ClientKind::Alexa {
            line(String::new());
            for s in self.endpoint_text(next) {
                line(s);
            }
        }
        out
    }

    /// The endpoint page, the skill id and the model, as text lines.
    fn endpoint_text(&self, next: &NextSteps<'_>) -> Vec<String> {
        let mut v = vec![
            format!(
                "The skill's endpoint ({}: {}, {}):",
                l::ENDPOINT_PAGE,
                l::ENDPOINT_HTTPS,
                l::DEFAULT_REGION
            ),
            format!("  URL:          {}", self.skill_endpoint),
        ];
        match self.certificate.option() {
            Some(o) => v.push(format!("  Certificate:  \"{o}\"")),
            None => {
                v.push("  Certificate:  it depends on your proxy's certificate:".to_owned());
                for (when, option) in self.certificate.rule() {
                    v.push(format!("    if {when}: \"{option}\""));
                }
            }
        }
        v.push(format!(
            "Then register the skill id (\"{}\" on that page, amzn1.ask.skill.…): {}",
            l::SKILL_ID,
            next.skill_id
        ));
        v.push(format!(
            "The interaction model ({}): {}",
            l::JSON_EDITOR_PAGE,
            next.model
        ));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client {
            id: "alexa-abc".into(),
            name: "alexa".into(),
            kind: ClientKind::Alexa,
            vendor_id: Some("M2ABC".into()),
            secret_hash: [0; 32],
            redirect_uris: crate::console::alexa_redirect_uris("M2ABC"),
            scopes: crate::oauth::default_scopes(),
            created_at: 0,
            require_pkce: false,
        }
    }

    const NEXT: NextSteps<'static> = NextSteps {
        require_pkce: "PKCE-HINT",
        skill_id: "SKILL-HINT",
        model: "MODEL-HINT",
    };

    #[test]
    fn funnel_values_name_the_trusted_certificate_and_scopes_one_per_line() {
        let v = ConsoleValues::new("https://ma.tail1.ts.net/", true, &client(), Some("s3cret"));
        assert_eq!(
            v.authorization_uri,
            "https://ma.tail1.ts.net/alexa/authorize"
        );
        assert_eq!(v.skill_endpoint, "https://ma.tail1.ts.net/alexa/skill");
        let t = v.text(&NEXT);
        assert!(t.contains(l::ACCOUNT_LINKING_PAGE), "{t}");
        assert!(t.contains(&format!("\"{}\"", l::CERT_TRUSTED)), "{t}");
        assert!(!t.contains(l::CERT_WILDCARD), "{t}");
        assert!(t.contains("s3cret") && t.contains("SKILL-HINT") && t.contains("PKCE-HINT"));
        let scope_lines = t
            .lines()
            .filter(|x| x.trim_start().starts_with("Scope:"))
            .count();
        assert_eq!(scope_lines, 2, "{t}");
        assert_eq!(v.json()["certificate_option"], l::CERT_TRUSTED);
        assert_eq!(v.public_url_problem(), None);
    }

    #[test]
    fn own_proxy_values_print_the_rule() {
        let v = ConsoleValues::new("https://auth.example.com", true, &client(), None);
        let t = v.text(&NEXT);
        for o in [l::CERT_TRUSTED, l::CERT_WILDCARD, l::CERT_SELF_SIGNED] {
            assert!(t.contains(o), "{t}");
        }
        assert!(!t.contains(l::SECRET), "no secret row without one: {t}");
        assert!(v.json()["certificate_option"].is_null());
    }
}
