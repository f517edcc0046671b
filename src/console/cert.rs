//! What Amazon requires of the public URL (HTTPS on port 443, for account
//! linking and for the skill's endpoint alike) and which of the endpoint's
//! certificate options fits it.
//!
//! A `*.ts.net` name is a Tailscale Funnel node: its certificate is Let's
//! Encrypt's, for exactly that name, so "a certificate from a trusted
//! certificate authority" is the option. Behind a person's own proxy the
//! certificate cannot be seen from the URL: we print the rule (which option
//! goes with which kind of certificate) rather than guess.

use super::labels;

/// The suffix of Tailscale's MagicDNS names (Funnel's public names).
pub const TAILSCALE_SUFFIX: &str = ".ts.net";

/// Why `url` cannot be given to Alexa, or `None` when it can: Alexa calls
/// account linking URIs and skill endpoints over HTTPS on port 443 only.
pub fn alexa_url_problem(url: &str) -> Option<String> {
    let u = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return Some(format!("{url:?} is not a URL ({e})")),
    };
    if u.scheme() != "https" {
        return Some(format!(
            "{url} is not HTTPS: Alexa reaches account linking and the skill only over HTTPS on port 443"
        ));
    }
    if u.port().is_some_and(|p| p != 443) {
        return Some(format!(
            "{url} uses port {}: Alexa reaches account linking and the skill only on port 443",
            u.port().unwrap_or(443)
        ));
    }
    None
}

/// Which certificate option to choose on the endpoint page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certificate {
    /// A Funnel name (`*.ts.net`): [`labels::CERT_TRUSTED`].
    Trusted,
    /// Behind the person's own proxy: it depends on the proxy's certificate.
    DependsOnProxy,
}

impl Certificate {
    /// The option for the public URL `base`.
    pub fn for_url(base: &str) -> Certificate {
        let host = url::Url::parse(base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        match host {
            Some(h) if h.ends_with(TAILSCALE_SUFFIX) => Certificate::Trusted,
            _ => Certificate::DependsOnProxy,
        }
    }

    /// The option in the console's words, when one fits whatever the proxy.
    pub fn option(self) -> Option<&'static str> {
        match self {
            Certificate::Trusted => Some(labels::CERT_TRUSTED),
            Certificate::DependsOnProxy => None,
        }
    }

    /// Which option goes with which certificate: (when, option). For a
    /// Funnel name, the one option.
    pub fn rule(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Certificate::Trusted => vec![(
                "Tailscale Funnel's certificate (Let's Encrypt, for this exact name)",
                labels::CERT_TRUSTED,
            )],
            Certificate::DependsOnProxy => vec![
                (
                    "your proxy's certificate names this exact host and comes from a public CA",
                    labels::CERT_TRUSTED,
                ),
                (
                    "it is a wildcard certificate (*.example.com)",
                    labels::CERT_WILDCARD,
                ),
                (
                    "it is self-signed (testing only; Alexa's certification refuses it)",
                    labels::CERT_SELF_SIGNED,
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_on_443_is_accepted() {
        assert_eq!(alexa_url_problem("https://auth.example.com"), None);
        assert_eq!(alexa_url_problem("https://auth.example.com:443"), None);
        assert_eq!(alexa_url_problem("https://a.tail1.ts.net/"), None);
        let http = alexa_url_problem("http://auth.example.com").unwrap();
        assert!(http.contains("not HTTPS"), "{http}");
        let port = alexa_url_problem("https://auth.example.com:8443").unwrap();
        assert!(port.contains("port 8443"), "{port}");
        assert!(alexa_url_problem("not a url").is_some());
        for p in [http, port] {
            assert!(!p.contains('\n'), "one line: {p}");
        }
    }

    #[test]
    fn funnel_names_get_the_trusted_option_and_others_the_rule() {
        let f = Certificate::for_url("https://ma-alexa.tail1234.ts.net");
        assert_eq!(f, Certificate::Trusted);
        assert_eq!(f.option(), Some(labels::CERT_TRUSTED));
        let own = Certificate::for_url("https://auth.example.com");
        assert_eq!(own, Certificate::DependsOnProxy);
        assert_eq!(own.option(), None);
        let options: Vec<&str> = own.rule().iter().map(|(_, o)| *o).collect();
        assert_eq!(
            options,
            [
                labels::CERT_TRUSTED,
                labels::CERT_WILDCARD,
                labels::CERT_SELF_SIGNED
            ]
        );
        // A name merely containing ts.net is not a Funnel name.
        assert_eq!(
            Certificate::for_url("https://ts.net.example.com"),
            Certificate::DependsOnProxy
        );
    }
}
