//! `ma-alexa-oauth`: an OAuth 2.0 authorization server that links an Amazon
//! Alexa skill with a Music Assistant server.
//!
//! # Layout
//!
//! - [`cli`]: command-line interface (`serve`, `client`, `user`, `links`, `status`).
//! - [`server`]: the connection loop, `run(listener, app, shutdown)`, generic
//!   over any [`server::Listener`] (TCP here; the tailnet's Funnel listener later).
//! - [`app`]: shared state and the router.
//! - [`oauth`]: the protocol: authorize (login page), token, revoke,
//!   introspect, metadata.
//! - [`http`]: strict input parsers (form/query, Basic, cookies) and response builders.
//! - [`pages`]: server-rendered HTML.
//! - [`store`]: SQLite schema, migrations and every SQL statement.
//! - [`keys`]: the Ed25519 signing key, JWKS and JWT access tokens (RFC 9068).
//! - [`identity`]: who may log in, behind [`identity::IdentityProvider`];
//!   bounded Argon2id hashing.
//! - [`ma`]: Music Assistant: REST client, token encryption at rest, the
//!   gateway's command allowlist, token renewal and revocation.
//! - [`skill`]: the Alexa skill: request verification, intents, speech,
//!   rooms, fuzzy names, the interaction model.
//! - [`echo`]: playing on the Echo itself: Music Assistant's Alexa provider's
//!   API, its pushed streams, the private stream relay.
//! - [`gateway`]: `POST /ma/api`, the token-guarded proxy to Music Assistant.
//! - [`throttle`]: login slow-down per account and per address.
//! - [`audit`]: typed audit events.
//! - [`logsink`]: a serving process's stderr, written in batches by one thread.
//! - [`tailnet`]: the embedded Tailscale node (Go shim via FFI) and its Funnel listener.
//! - [`console`]: what is pasted into the Alexa developer console, in its words.
//! - [`admin`]: the add-on's page (Home Assistant ingress, or `serve --admin-listen`).
//! - [`config`], [`util`]: configuration and small primitives.
//!
//! See ARCHITECTURE.md for the invariants.

// Library code handles every error; a panic would be a bug a client could trigger.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
// Only the tailnet FFI layer (src/tailnet/sys.rs) may use `unsafe`; it opts in explicitly.
#![deny(unsafe_code)]

pub mod admin;
pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod console;
pub mod der;
pub mod echo;
pub mod files;
pub mod handlers;
pub mod http;
pub mod identity;
pub mod keys;
pub mod listener;
pub mod logsink;
pub mod ma;
pub mod oauth;
pub mod pages;
pub mod router;
pub mod server;
pub mod skill;
pub mod startup;
pub mod store;
pub mod tailnet;
pub mod throttle;
pub mod util;
