//! Everything a person pastes into the Alexa developer console, below the
//! CLI so that the CLI, the add-on's log and the add-on's page (the admin
//! handlers) say the same thing: the console's words ([`labels`]), the
//! account linking values and the endpoint ([`values`]), which certificate
//! option fits the public URL and what Amazon requires of it ([`cert`]),
//! the Alexa redirect URLs of a vendor id, and the interaction model's text
//! (`skill model` and the page's download are the same bytes).

pub mod cert;
pub mod labels;
pub mod values;

pub use cert::{Certificate, alexa_url_problem};
pub use values::{ConsoleValues, NextSteps, UNKNOWN_PUBLIC_URL};

/// The skill's endpoint path (`POST`, served by `handlers::skill`).
pub const SKILL_PATH: &str = "/alexa/skill";

/// What the console's "Default Access Token Expiration Time" should say;
/// our token replies carry `expires_in` anyway.
pub const TOKEN_EXPIRATION_SECS: u32 = 3600;

/// Where Alexa sends the browser back after login, one per region.
pub const ALEXA_REDIRECT_HOSTS: [&str; 3] = [
    "https://pitangui.amazon.com",
    "https://layla.amazon.com",
    "https://alexa.amazon.co.jp",
];

/// Meta key: the client the Home Assistant add-on manages (set by `addon`
/// from its options, or by the add-on's page).
pub const ADDON_CLIENT_META: &str = "addon_client_id";

/// The three Alexa redirect URLs for a vendor id.
pub fn alexa_redirect_uris(vendor_id: &str) -> Vec<String> {
    ALEXA_REDIRECT_HOSTS
        .iter()
        .map(|h| format!("{h}/api/skill/link/{vendor_id}"))
        .collect()
}

/// An Alexa vendor id: 1 to 64 ASCII letters and digits.
pub fn valid_vendor_id(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Why `v` is not a vendor id, in one line.
pub fn vendor_id_problem(v: &str) -> String {
    format!(
        "{v:?} is not an Alexa vendor id (letters and digits, as at the end of the console's \
         {}: …/api/skill/link/<VendorID>)",
        labels::REDIRECT_URLS
    )
}

/// The interaction model of `locale` as the JSON editor takes it: pretty
/// JSON and a newline, exactly what `skill model` prints and the add-on's
/// page downloads.
/// `invocation`: the name people say, or None for the locale's default.
pub fn model_text(
    locale: &str,
    invocation: Option<&str>,
) -> Result<String, crate::skill::model::ModelError> {
    model_text_with(locale, invocation, &Vec::new())
}

/// [`model_text`] with the user's own library names as slot values
/// (`skill model --library`).
pub fn model_text_with(
    locale: &str,
    invocation: Option<&str>,
    values: &crate::skill::model::LibraryValues,
) -> Result<String, crate::skill::model::ModelError> {
    let m = crate::skill::model::model_with(locale, invocation, values)?;
    let mut text = serde_json::to_string_pretty(&m).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alexa_uris_cover_the_three_regions() {
        assert_eq!(
            alexa_redirect_uris("M2ABC"),
            vec![
                "https://pitangui.amazon.com/api/skill/link/M2ABC",
                "https://layla.amazon.com/api/skill/link/M2ABC",
                "https://alexa.amazon.co.jp/api/skill/link/M2ABC",
            ]
        );
        assert!(valid_vendor_id("M2ABC") && !valid_vendor_id("M2-ABC") && !valid_vendor_id(""));
    }

    #[test]
    fn model_text_is_the_model_pretty_with_a_newline() {
        for invocation in [None, Some("kitchen music")] {
            let t = model_text("en-US", invocation).unwrap();
            assert!(t.ends_with("}\n"));
            let v: serde_json::Value = serde_json::from_str(&t).unwrap();
            assert_eq!(v, crate::skill::model::model("en-US", invocation).unwrap());
        }
    }
}
