//! Test harness shared by the integration tests:
//!
//! - `server`: an in-process server on an ephemeral loopback port with a fresh
//!   data directory, and what a test registers in its store;
//! - `http`: a minimal HTTP/1.1 client;
//! - `browser`: the login page's form and a cookie-keeping "browser";
//! - `alexa`: the Alexa linking steps and the calls to the OAuth endpoints;
//! - `process`: the real binary as a child process (`serve --listen`);
//! - `webdriver`: headless Chromium through chromedriver (the browser tests);
//! - `skill_sign`: a test CA standing in for Amazon's signing chain, signed
//!   skill requests (`SignatureCertChainUrl`, `Signature-256`).
//!
//! Every test binary includes this module and uses a different part of it.
#![allow(dead_code)]

mod alexa;
mod browser;
mod http;
mod process;
mod server;
mod skill_sign;
mod webdriver;

// Like dead code above: a test binary that uses no part of a module leaves
// its re-export unused.
#[allow(unused_imports)]
pub use self::{alexa::*, browser::*, http::*, process::*, server::*, skill_sign::*, webdriver::*};

use ma_alexa_oauth::throttle::Policy;

pub const VENDOR: &str = "M2TESTVENDOR1";
pub const PITANGUI: &str = "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR1";
pub const LAYLA: &str = "https://layla.amazon.com/api/skill/link/M2TESTVENDOR1";
pub const JP: &str = "https://alexa.amazon.co.jp/api/skill/link/M2TESTVENDOR1";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse battery";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A login throttle that lets a test fail (or flood) logins without being slowed.
pub fn generous_policy() -> Policy {
    Policy {
        free_failures_per_account: 10_000,
        free_failures_per_address: 10_000,
        ..Policy::default()
    }
}
