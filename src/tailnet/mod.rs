//! The embedded tailnet node: a safe layer over the Go shim `vendor/tsshim`
//! (tailscale.com/tsnet compiled as a C archive).
//!
//! - [`NodeBuilder`] / [`Node`]: a node handle (state directory, hostname,
//!   auth key, control URL, ephemeral, logs to `tailscaled.log` in the state
//!   directory), async [`Node::up`], [`Node::status`], [`Node::close`].
//! - [`FunnelListener`]: the Funnel listener on port 443, an implementation of
//!   [`crate::listener::Listener`]. Connections arrive TLS-terminated by Go over
//!   a unix socketpair, together with the public client's address, and are
//!   accepted through tokio's `AsyncFd` (no thread per accept).
//!
//! - `host_guard`: tailnet mode's guarantee that nothing listens on the host
//!   network (seccomp filter on listen(2), or shutting host listeners down).
//! - [`accept`]: the decoder of the accept message's payload, pure and
//!   compiled without the feature too (it is fuzzed: fuzz/).
//!
//! - [`snapshot`]: the node as `status` and the add-on's page see it (the
//!   snapshot `serve` keeps), built without the feature.
//!
//! Everything that needs the Go archive is behind the `tailnet` cargo feature
//! (on by default); [`cert`], [`accept`] and the constants are not.
//! All `unsafe` code lives in `sys`.

pub mod accept;
pub mod cert;
#[cfg(feature = "tailnet")]
mod host_guard;
#[cfg(feature = "tailnet")]
mod node;
pub mod snapshot;
#[cfg(feature = "tailnet")]
#[allow(unsafe_code)]
pub mod sys;

use std::path::Path;

pub use accept::{AcceptMeta, parse_accept_payload};
#[cfg(feature = "tailnet")]
pub use host_guard::{deny_host_listeners, shut_host_tcp_listeners};
#[cfg(feature = "tailnet")]
pub use node::*;

/// The name of the node's log file in its state directory.
pub const LOG_FILE: &str = "tailscaled.log";
/// The node state file tsnet keeps in the state directory.
pub const STATE_FILE: &str = "tailscaled.state";
/// The default hostname (the node becomes `ma-alexa.<tailnet>.ts.net`).
pub const DEFAULT_HOSTNAME: &str = "ma-alexa";

/// What `status` can say about a data directory's tailnet node without starting it.
pub fn has_node_state(state_dir: &Path) -> bool {
    state_dir.join(STATE_FILE).is_file()
}
