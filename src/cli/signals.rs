//! SIGINT and SIGTERM for `serve`, with handlers the Go runtime of the
//! tailnet layer can live with.

use super::LOG_TARGET;
#[cfg(feature = "tailnet")]
use crate::tailnet;

/// SIGINT and SIGTERM, received through tokio.
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (inside a runtime). The Go runtime of the
    /// tailnet layer runs in every process of this binary, so the handlers
    /// get SA_ONSTACK, which Go requires of non-Go handlers.
    pub fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        let s = Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        };
        #[cfg(feature = "tailnet")]
        tailnet::make_signal_handlers_go_safe()?;
        Ok(s)
    }

    /// Completes on the next SIGINT or SIGTERM.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.int.recv() => tracing::info!(target: LOG_TARGET, "SIGINT received"),
            _ = self.term.recv() => tracing::info!(target: LOG_TARGET, "SIGTERM received"),
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    match Signals::new() {
        Ok(mut s) => s.recv().await,
        Err(e) => {
            tracing::error!(target: LOG_TARGET, error = %e, "cannot install signal handlers; stop the server with SIGKILL");
            std::future::pending().await
        }
    }
}

#[cfg(all(test, feature = "tailnet"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signal_handlers_carry_sa_onstack_for_go() {
        let _signals = Signals::new().unwrap();
        assert!(tailnet::signal_handlers_are_go_safe().unwrap());
    }
}
