//! HTTP handlers: one file per endpoint (or pair of endpoints). Each takes
//! the shared state ([`crate::app::App`]) and the parsed request, calls the
//! domain (`oauth`, `identity`, `ma`) and the store, and returns a response;
//! none panics on input or answers 500. The router (`crate::router`) is the
//! only caller, except for [`admin`], whose caller is `crate::admin`.
//!
//! - [`authorize`]: `GET`/`POST /alexa/authorize`, the login page.
//! - [`token`]: `POST /alexa/token`, the two grants.
//! - [`revoke`], [`introspect`]: RFC 7009 and RFC 7662.
//! - [`form`]: the client's authenticated form request those three share.
//! - [`gateway`]: `POST /ma/api`, the token-guarded proxy to Music Assistant.
//! - [`discovery`]: `/health`, RFC 8414 metadata, JWKS.
//! - [`admin`]: the add-on's page, on its own listener (`crate::admin`).
//! - [`provider`]: the API Music Assistant's Alexa provider calls.
//! - [`stream`]: the stream relay and cover art the Echo fetches.

pub mod admin;
pub mod authorize;
pub mod discovery;
pub mod form;
pub mod gateway;
pub mod introspect;
pub mod provider;
pub mod revoke;
pub mod skill;
pub mod stream;
pub mod token;
