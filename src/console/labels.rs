//! The Alexa developer console's words, in one place: every page, field,
//! switch and option this program names, as the console shows them
//! (checked against Amazon's documentation in 2026: account linking is
//! configured under "TOOLS > Account Linking"; the endpoint, interfaces and
//! the interaction model's JSON editor are under "CUSTOM"). The CLI, the
//! add-on's log and the add-on's page print these constants; README.md and
//! the add-on's DOCS.md quote them, and `tests/console_words.rs` checks that
//! they still do. When Amazon renames something, change it here.

/// Where skills are made.
pub const CONSOLE_URL: &str = "https://developer.amazon.com/alexa/console/ask";

// Creating the skill.
pub const CREATE_SKILL: &str = "Create Skill";
/// The model to choose when creating the skill.
pub const MODEL_CUSTOM: &str = "Custom";
/// The hosting to choose: our own endpoint, not Alexa-hosted or Lambda.
pub const HOSTING_OWN: &str = "Provision your own";
pub const TEMPLATE_SCRATCH: &str = "Start from Scratch";

// Account linking.
pub const ACCOUNT_LINKING_PAGE: &str = "TOOLS > Account Linking";
/// The switch at the top of the account linking page; the redirect URLs
/// (and so the vendor id) appear only once it is on.
pub const LINKING_SWITCH: &str =
    "Do you allow users to create an account or link to an existing account with you?";
pub const REDIRECT_URLS: &str = "Alexa Redirect URLs";
pub const GRANT_TYPE: &str = "Authorization Grant Type";
pub const GRANT_TYPE_VALUE: &str = "Auth Code Grant";
pub const AUTHORIZATION_URI: &str = "Your Web Authorization URI";
pub const TOKEN_URI: &str = "Access Token URI";
pub const CLIENT_ID: &str = "Your Client ID";
pub const SECRET: &str = "Your Secret";
pub const AUTH_SCHEME: &str = "Your Authentication Scheme";
pub const AUTH_SCHEME_VALUE: &str = "HTTP Basic (Recommended)";
pub const SCOPE: &str = "Scope";
pub const DOMAIN_LIST: &str = "Domain List";
pub const TOKEN_EXPIRATION: &str = "Default Access Token Expiration Time";
pub const PKCE: &str = "PKCE Authorization";
pub const SAVE: &str = "Save";

// The endpoint.
pub const ENDPOINT_PAGE: &str = "CUSTOM > Endpoint";
pub const ENDPOINT_HTTPS: &str = "HTTPS";
pub const DEFAULT_REGION: &str = "Default Region";
/// Where the console shows the skill's id (also under the skill's name in
/// the list of skills).
pub const SKILL_ID: &str = "Your Skill ID";
/// The endpoint's certificate options ("SSL certificate type").
pub const CERT_TRUSTED: &str =
    "My development endpoint has a certificate from a trusted certificate authority";
pub const CERT_WILDCARD: &str = "My development endpoint is a sub-domain of a domain that has a wildcard certificate from a certificate authority";
pub const CERT_SELF_SIGNED: &str = "I will upload a self-signed certificate in X.509 format";

// Interfaces and the interaction model.
pub const INTERFACES_PAGE: &str = "CUSTOM > Interfaces";
/// The interface to switch on for playing on the Echo itself
/// (`AudioPlayer.Play` is refused without it).
pub const AUDIO_PLAYER: &str = "Audio Player";
pub const SAVE_INTERFACES: &str = "Save Interfaces";
pub const JSON_EDITOR_PAGE: &str = "CUSTOM > Interaction Model > JSON Editor";
pub const SAVE_MODEL: &str = "Save Model";
pub const BUILD_MODEL: &str = "Build Model";

// Testing.
pub const TEST_TAB: &str = "Test";
pub const TEST_SWITCH: &str = "Skill testing is enabled in";
pub const TEST_STAGE: &str = "Development";
/// In the Alexa app, where a skill in development is enabled.
pub const APP_DEV_SKILLS: &str = "More > Skills & Games > Your Skills > Dev";

/// Every label README.md and the add-on's DOCS.md quote (checked by
/// `tests/console_words.rs`).
pub const QUOTED_IN_DOCS: &[&str] = &[
    CREATE_SKILL,
    MODEL_CUSTOM,
    HOSTING_OWN,
    ACCOUNT_LINKING_PAGE,
    LINKING_SWITCH,
    REDIRECT_URLS,
    AUTHORIZATION_URI,
    TOKEN_URI,
    CLIENT_ID,
    SECRET,
    AUTH_SCHEME,
    SCOPE,
    ENDPOINT_PAGE,
    DEFAULT_REGION,
    SKILL_ID,
    CERT_TRUSTED,
    JSON_EDITOR_PAGE,
    BUILD_MODEL,
    INTERFACES_PAGE,
    AUDIO_PLAYER,
    TEST_TAB,
    APP_DEV_SKILLS,
];

/// Older console paths that must no longer appear anywhere we print or
/// document (the console moved these pages).
pub const OUTDATED: &[&str] = &[
    "Build > Account Linking",
    "Build > Endpoint",
    "Build > Interaction Model",
];
