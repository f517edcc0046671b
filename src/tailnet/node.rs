//! The node itself (needs the Go archive: only with the `tailnet` feature).

use std::ffi::{CString, c_int};
use std::io;
use std::os::fd::{AsFd as _, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::unix::AsyncFd;
use tokio::sync::watch;

use super::accept::{AcceptMeta, parse_accept_payload};
use super::{DEFAULT_HOSTNAME, LOG_FILE, sys};
use crate::listener::{ConnInfo, Listener};

/// A failure of the tailnet layer. The text is tsshim's own message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{op}: {msg}")]
    Failed { op: &'static str, msg: String },
    #[error("{op}: the node handle is closed")]
    BadHandle { op: &'static str },
    #[error("{op}: invalid argument: {msg}")]
    InvalidArgument { op: &'static str, msg: String },
    #[error("{op}: {msg}")]
    WrongState { op: &'static str, msg: String },
    #[error("{op}: timed out: {msg}")]
    TimedOut { op: &'static str, msg: String },
    #[error("{op}: cancelled (the node was closed)")]
    Cancelled { op: &'static str },
    #[error("Funnel is not permitted for this node: {reason}")]
    FunnelNotPermitted { reason: String },
    #[error("{op}: the listener is closed")]
    Closed { op: &'static str },
    #[error("{op}: internal error in the Go shim (recovered panic): {msg}")]
    Panic { op: &'static str, msg: String },
    #[error("{op}: unexpected return code {code}: {msg}")]
    Unknown {
        op: &'static str,
        code: c_int,
        msg: String,
    },
    #[error("{0:?} contains a NUL byte")]
    Nul(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot parse the node status: {0}")]
    Status(#[from] serde_json::Error),
    #[error("the blocking call was lost: {0}")]
    Join(String),
}

impl Error {
    fn from_rc(op: &'static str, rc: c_int, err: &sys::ErrBuf) -> Error {
        let msg = err.message();
        match rc {
            sys::ERR => Error::Failed { op, msg },
            sys::EBADHANDLE => Error::BadHandle { op },
            sys::EINVAL => Error::InvalidArgument { op, msg },
            sys::ESTATE => Error::WrongState { op, msg },
            sys::ETIMEDOUT => Error::TimedOut { op, msg },
            sys::ECANCELED => Error::Cancelled { op },
            sys::EFUNNEL => Error::FunnelNotPermitted { reason: msg },
            sys::ECLOSED => Error::Closed { op },
            sys::EPANIC => Error::Panic { op, msg },
            code => Error::Unknown { op, code, msg },
        }
    }
}

fn check(op: &'static str, rc: c_int, err: &sys::ErrBuf) -> Result<(), Error> {
    if rc == sys::OK {
        Ok(())
    } else {
        Err(Error::from_rc(op, rc, err))
    }
}

fn cstring(s: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|_| Error::Nul(s.to_owned()))
}

/// Sets an environment variable for the Go runtime (which snapshots the
/// environment at process start). Use before the first node starts.
pub fn setenv(key: &str, value: &str) -> Result<(), Error> {
    let (k, v) = (cstring(key)?, cstring(value)?);
    let mut err = sys::ErrBuf::new();
    check("setenv", sys::setenv(&k, &v, &mut err), &err)
}

/// Makes the process's SIGINT/SIGTERM handlers (tokio's) safe next to the Go
/// runtime by adding SA_ONSTACK. Call after creating the tokio signal streams.
pub fn make_signal_handlers_go_safe() -> io::Result<()> {
    sys::add_sa_onstack(libc::SIGINT)?;
    sys::add_sa_onstack(libc::SIGTERM)
}

/// Whether SIGINT's and SIGTERM's handlers carry SA_ONSTACK.
pub fn signal_handlers_are_go_safe() -> io::Result<bool> {
    Ok(sys::has_sa_onstack(libc::SIGINT)? && sys::has_sa_onstack(libc::SIGTERM)?)
}

/// Configures a node before it starts.
#[derive(Debug, Clone)]
pub struct NodeBuilder {
    dir: PathBuf,
    hostname: String,
    authkey: Option<String>,
    control_url: Option<String>,
    ephemeral: bool,
    log_to_file: bool,
}

impl NodeBuilder {
    /// A node keeping its state (identity, certificates) in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> NodeBuilder {
        NodeBuilder {
            dir: dir.into(),
            hostname: DEFAULT_HOSTNAME.to_owned(),
            authkey: None,
            control_url: None,
            ephemeral: false,
            log_to_file: true,
        }
    }
    pub fn hostname(mut self, h: impl Into<String>) -> Self {
        self.hostname = h.into();
        self
    }
    /// An auth key (used only while the state directory has no node state).
    pub fn authkey(mut self, k: Option<String>) -> Self {
        self.authkey = k.filter(|k| !k.is_empty());
        self
    }
    /// The auth key from env `TS_AUTHKEY`, or from `file` if given (the file wins).
    pub fn authkey_from(self, file: Option<&Path>) -> Result<Self, Error> {
        let key = match file {
            Some(f) => Some(
                std::fs::read_to_string(f)
                    .map_err(|source| Error::Io {
                        what: format!("cannot read the auth key file {}", f.display()),
                        source,
                    })?
                    .trim()
                    .to_owned(),
            ),
            None => std::env::var("TS_AUTHKEY").ok(),
        };
        Ok(self.authkey(key))
    }
    /// The control server; `None` means Tailscale's.
    pub fn control_url(mut self, u: Option<String>) -> Self {
        self.control_url = u.filter(|u| !u.is_empty());
        self
    }
    pub fn ephemeral(mut self, e: bool) -> Self {
        self.ephemeral = e;
        self
    }
    /// Write the node's logs to `tailscaled.log` in the state directory (default) or discard them.
    pub fn log_to_file(mut self, on: bool) -> Self {
        self.log_to_file = on;
        self
    }

    /// Creates the node (not started yet).
    pub fn build(self) -> Result<Node, Error> {
        create_private_dir(&self.dir)?;
        let sd = sys::new();
        if sd <= 0 {
            return Err(Error::from_rc("new", sd, &sys::ErrBuf::new()));
        }
        // From here on, `node` closes the handle if a setter fails.
        let node = Node {
            inner: Arc::new(Inner {
                sd,
                closed: AtomicBool::new(false),
            }),
            dir: self.dir.clone(),
        };
        let dir = self.dir.to_str().ok_or_else(|| Error::InvalidArgument {
            op: "set_dir",
            msg: format!("{} is not UTF-8", self.dir.display()),
        })?;
        node.set(sys::StrSetting::Dir, "set_dir", dir)?;
        node.set(sys::StrSetting::Hostname, "set_hostname", &self.hostname)?;
        if let Some(k) = &self.authkey {
            node.set(sys::StrSetting::AuthKey, "set_authkey", k)?;
        }
        if let Some(u) = &self.control_url {
            node.set(sys::StrSetting::ControlUrl, "set_control_url", u)?;
        }
        let mut err = sys::ErrBuf::new();
        check(
            "set_ephemeral",
            sys::set_ephemeral(sd, self.ephemeral, &mut err),
            &err,
        )?;
        if self.log_to_file {
            let path = self.dir.join(LOG_FILE);
            let file = open_log(&path).map_err(|source| Error::Io {
                what: format!("cannot open {}", path.display()),
                source,
            })?;
            // tsshim duplicates the descriptor; ours closes when `file` drops.
            check(
                "set_logfd",
                sys::set_logfd(sd, Some(file.as_fd()), &mut err),
                &err,
            )?;
        }
        Ok(node)
    }
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::DirBuilderExt as _;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| Error::Io {
            what: format!("cannot create {}", dir.display()),
            source,
        })
}

fn open_log(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

struct Inner {
    sd: c_int,
    closed: AtomicBool,
}

impl Inner {
    /// Closes the handle once (blocking: stops the node, cancels `up`).
    fn close(&self) -> bool {
        if self.closed.swap(true, Ordering::SeqCst) {
            return false;
        }
        sys::close(self.sd) == sys::OK
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.close();
    }
}

/// A tailnet node. Cloning shares the handle; the node stops when
/// [`Node::close`] is called or the last clone (and listener) is dropped.
#[derive(Clone)]
pub struct Node {
    inner: Arc<Inner>,
    dir: PathBuf,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("sd", &self.inner.sd)
            .field("dir", &self.dir)
            .finish()
    }
}

/// The node's state, from tsshim's status JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub backend_state: String,
    #[serde(default)]
    pub auth_url: String,
    #[serde(default)]
    pub tailscale_ips: Vec<String>,
    #[serde(default)]
    pub dns_name: String,
    #[serde(default)]
    pub magic_dns_suffix: String,
    #[serde(default)]
    pub cert_domains: Vec<String>,
    #[serde(default)]
    pub https_enabled: bool,
    #[serde(default)]
    pub funnel: FunnelStatus,
    #[serde(default)]
    pub health: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelStatus {
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub permitted: bool,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub listeners: u32,
}

impl Status {
    /// `https://<dns name>` (no trailing dot), if the node has a DNS name.
    pub fn public_url(&self) -> Option<String> {
        let name = self.dns_name.trim_end_matches('.');
        (!name.is_empty()).then(|| format!("https://{name}"))
    }
}

const BLOCKING_POLL: Duration = Duration::from_millis(500);

impl Node {
    fn set(&self, which: sys::StrSetting, op: &'static str, v: &str) -> Result<(), Error> {
        let v = cstring(v)?;
        let mut err = sys::ErrBuf::new();
        check(op, sys::set_str(self.inner.sd, which, &v, &mut err), &err)
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs a blocking tsshim call on tokio's blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(c_int) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let sd = self.inner.sd;
        // The Arc keeps the handle open while the call runs.
        let keep = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let r = f(sd);
            drop(keep);
            r
        })
        .await
        .map_err(|e| Error::Join(e.to_string()))
    }

    /// Starts the node and waits until it is Running. While it waits for an
    /// interactive login, `on_login_url` is called with each new login URL.
    /// Cancelled by [`Node::close`] (then [`Error::Cancelled`]).
    pub async fn up(&self, mut on_login_url: impl FnMut(&str) + Send) -> Result<(), Error> {
        let task = self.blocking(|sd| {
            let mut err = sys::ErrBuf::new();
            let rc = sys::up(sd, 0, &mut err);
            check("up", rc, &err)
        });
        tokio::pin!(task);
        let mut shown = String::new();
        let mut tick = tokio::time::interval(BLOCKING_POLL);
        loop {
            tokio::select! {
                r = &mut task => return r?,
                _ = tick.tick() => {
                    if let Ok(st) = self.status().await
                        && !st.auth_url.is_empty()
                        && st.auth_url != shown
                    {
                        shown.clone_from(&st.auth_url);
                        on_login_url(&st.auth_url);
                    }
                }
            }
        }
    }

    /// The node's status (cheap; does not block on the network).
    pub async fn status(&self) -> Result<Status, Error> {
        self.blocking(status_blocking).await?
    }

    /// The node's status, from a blocking context.
    pub fn status_now(&self) -> Result<Status, Error> {
        status_blocking(self.inner.sd)
    }

    /// Obtains the TLS certificate (from the cache in the state directory, or
    /// through ACME) so the first client does not wait for it.
    pub async fn fetch_cert(&self, timeout: Duration) -> Result<(), Error> {
        let ms = c_int::try_from(timeout.as_millis()).unwrap_or(c_int::MAX);
        self.blocking(move |sd| {
            let mut err = sys::ErrBuf::new();
            let rc = sys::fetch_cert(sd, ms, &mut err);
            check("fetch_cert", rc, &err)
        })
        .await?
    }

    /// Exposes `port` (443, 8443 or 10000) through Funnel, Funnel traffic only.
    /// Must be called within a tokio runtime.
    pub async fn listen_funnel(&self, port: u16) -> Result<FunnelListener, Error> {
        let port = c_int::from(port);
        let fd = self
            .blocking(move |sd| {
                let mut err = sys::ErrBuf::new();
                let (rc, fd) = sys::listen_funnel(sd, port, &mut err);
                check("listen_funnel", rc, &err).map(|()| fd)
            })
            .await??;
        let fd = fd.ok_or(Error::Unknown {
            op: "listen_funnel",
            code: 0,
            msg: "no listener descriptor returned".into(),
        })?;
        FunnelListener::new(fd, Arc::clone(&self.inner))
    }

    /// Listens on the tailnet (`network` "tcp", `addr` ":port").
    pub async fn listen(&self, network: &str, addr: &str) -> Result<FunnelListener, Error> {
        let (n, a) = (cstring(network)?, cstring(addr)?);
        let fd = self
            .blocking(move |sd| {
                let mut err = sys::ErrBuf::new();
                let (rc, fd) = sys::listen(sd, &n, &a, &mut err);
                check("listen", rc, &err).map(|()| fd)
            })
            .await??;
        let fd = fd.ok_or(Error::Unknown {
            op: "listen",
            code: 0,
            msg: "no listener descriptor returned".into(),
        })?;
        FunnelListener::new(fd, Arc::clone(&self.inner))
    }

    /// Dials `addr` ("host:port") over the tailnet.
    pub async fn dial(
        &self,
        network: &str,
        addr: &str,
        timeout: Duration,
    ) -> Result<tokio::net::UnixStream, Error> {
        let (n, a) = (cstring(network)?, cstring(addr)?);
        let ms = c_int::try_from(timeout.as_millis()).unwrap_or(c_int::MAX);
        let fd = self
            .blocking(move |sd| {
                let mut err = sys::ErrBuf::new();
                let (rc, fd) = sys::dial(sd, &n, &a, ms, &mut err);
                check("dial", rc, &err).map(|()| fd)
            })
            .await??;
        let fd = fd.ok_or(Error::Unknown {
            op: "dial",
            code: 0,
            msg: "no descriptor returned".into(),
        })?;
        to_tokio_stream(fd).map_err(|source| Error::Io {
            what: "dial".into(),
            source,
        })
    }

    /// Stops the node: cancels a pending `up`, closes its listeners. Waits
    /// (off the async threads) until tsnet has shut down.
    pub async fn close(&self) {
        let inner = Arc::clone(&self.inner);
        let _ = tokio::task::spawn_blocking(move || inner.close()).await;
    }
}

fn status_blocking(sd: c_int) -> Result<Status, Error> {
    let mut buf = vec![0u8; 4096];
    for _ in 0..4 {
        let mut needed = 0usize;
        let mut err = sys::ErrBuf::new();
        let rc = sys::query(sd, sys::Query::StatusJson, &mut buf, &mut needed, &mut err);
        if rc == sys::ERANGE {
            buf = vec![0u8; needed.saturating_add(1)];
            continue;
        }
        check("status", rc, &err)?;
        let end = needed.min(buf.len());
        return Ok(serde_json::from_slice(buf.get(..end).unwrap_or_default())?);
    }
    Err(Error::Failed {
        op: "status",
        msg: "the status kept growing".into(),
    })
}

fn to_tokio_stream(fd: OwnedFd) -> io::Result<tokio::net::UnixStream> {
    let s = std::os::unix::net::UnixStream::from(fd);
    s.set_nonblocking(true)?;
    tokio::net::UnixStream::from_std(s)
}

/// A listener of the node (Funnel or tailnet): the accept channel's
/// descriptor, polled by tokio.
pub struct FunnelListener {
    fd: AsyncFd<OwnedFd>,
    closed: watch::Sender<bool>,
    // Keeps the node open as long as the listener exists.
    _node: Arc<Inner>,
}

impl FunnelListener {
    fn new(fd: OwnedFd, node: Arc<Inner>) -> Result<FunnelListener, Error> {
        let fd = sys::register_readable(fd).map_err(|source| Error::Io {
            what: "cannot register the listener with tokio".into(),
            source,
        })?;
        Ok(FunnelListener {
            fd,
            closed: watch::Sender::new(false),
            _node: node,
        })
    }

    /// Completes once the node closed the listener (e.g. the node stopped).
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.closed.subscribe();
        async move {
            let _ = rx.wait_for(|c| *c).await;
        }
    }

    /// The next connection: a plaintext stream and its metadata.
    /// Malformed messages drop that connection, not the listener.
    pub async fn accept_conn(&mut self) -> io::Result<(tokio::net::UnixStream, AcceptMeta)> {
        if *self.closed.borrow() {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the tailnet listener is closed",
            ));
        }
        loop {
            let mut guard = self.fd.readable().await?;
            let received = match guard.try_io(|fd| sys::recv_accept(fd.get_ref().as_fd())) {
                Ok(r) => r?,
                Err(_would_block) => continue,
            };
            match received {
                sys::Received::Closed => {
                    self.closed.send_replace(true);
                    tracing::warn!("the tailnet listener was closed by the node");
                    return Err(io::Error::new(
                        io::ErrorKind::NotConnected,
                        "the tailnet listener is closed",
                    ));
                }
                sys::Received::Message {
                    payload,
                    mut fds,
                    ctrunc,
                    truncated,
                } => {
                    if ctrunc || truncated || fds.len() != 1 {
                        tracing::warn!(
                            ctrunc,
                            truncated,
                            fds = fds.len(),
                            "dropping a malformed accept message"
                        );
                        continue; // drops every fd received
                    }
                    let meta = match parse_accept_payload(&payload) {
                        Ok(m) => m,
                        Err(e) => {
                            tracing::warn!(error = %e, "dropping a connection with a malformed accept message");
                            continue;
                        }
                    };
                    let Some(fd) = fds.pop() else { continue };
                    match to_tokio_stream(fd) {
                        Ok(s) => return Ok((s, meta)),
                        Err(e) => {
                            tracing::warn!(error = %e, "dropping a connection that tokio cannot register");
                            continue;
                        }
                    }
                }
            }
        }
    }
}

impl Listener for FunnelListener {
    type Io = tokio::net::UnixStream;
    async fn accept(&mut self) -> io::Result<(Self::Io, ConnInfo)> {
        if *self.closed.borrow() {
            // The server loop retries failed accepts; a closed listener has
            // nothing more to give: wait for shutdown instead of spinning.
            std::future::pending::<()>().await;
        }
        let (s, meta) = self.accept_conn().await?;
        Ok((s, ConnInfo { peer: meta.remote }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_json_parses() {
        let j = r#"{"backend_state":"Running","auth_url":"","tailscale_ips":["100.64.0.1"],
            "dns_name":"ma-alexa.tail-lab.ts.net","magic_dns_suffix":"tail-lab.ts.net",
            "cert_domains":["ma-alexa.tail-lab.ts.net"],"https_enabled":true,
            "funnel":{"port":443,"permitted":false,"reason":"\"funnel\" node attribute not set","listeners":0},
            "health":[]}"#;
        let s: Status = serde_json::from_str(j).unwrap();
        assert_eq!(s.public_url().unwrap(), "https://ma-alexa.tail-lab.ts.net");
        assert!(!s.funnel.permitted);
        assert!(s.funnel.reason.contains("node attribute"));
    }

    #[test]
    fn node_errors_carry_the_shim_message() {
        // Setters on a handle that does not exist: no node is started.
        let mut err = sys::ErrBuf::new();
        let v = CString::new("x").unwrap();
        let rc = sys::set_str(987_654, sys::StrSetting::Hostname, &v, &mut err);
        let e = Error::from_rc("set_hostname", rc, &err);
        assert!(matches!(e, Error::BadHandle { .. }), "{e:?}");
        assert!(setenv("", "x").is_err());
    }

    #[tokio::test]
    async fn malformed_accept_messages_drop_the_connection_not_the_listener() {
        use std::io::Write as _;
        use std::os::unix::net::UnixDatagram;
        // A SOCK_SEQPACKET pair stands in for tsshim's accept channel.
        let (ours, theirs) = seqpacket_pair();
        let node = Arc::new(Inner {
            sd: 987_654, // no such handle: closing it is a no-op error
            closed: AtomicBool::new(false),
        });
        let mut l = FunnelListener::new(ours, node).unwrap();
        let theirs = UnixDatagram::from(theirs);
        // 1. No fd at all.
        theirs.send(b"\x01\x03127.0.0.1:9").unwrap();
        // 2. An fd with a bad payload.
        let (a, _a2) = std::os::unix::net::UnixStream::pair().unwrap();
        send_with_fd(&theirs, b"\x07\x03127.0.0.1:9", a.as_fd());
        // 3. A good one.
        let (b, mut b2) = std::os::unix::net::UnixStream::pair().unwrap();
        send_with_fd(&theirs, b"\x01\x03198.51.100.7:4242", b.as_fd());
        drop((a, b));
        let (mut s, meta) = l.accept_conn().await.unwrap();
        assert_eq!(meta.remote, "198.51.100.7:4242".parse().unwrap());
        b2.write_all(b"hi").unwrap();
        let mut got = [0u8; 2];
        tokio::io::AsyncReadExt::read_exact(&mut s, &mut got)
            .await
            .unwrap();
        assert_eq!(&got, b"hi");
        // 4. Closing the channel closes the listener.
        drop(theirs);
        let closed = l.closed();
        assert!(l.accept_conn().await.is_err());
        closed.await;
    }

    fn seqpacket_pair() -> (OwnedFd, OwnedFd) {
        sys::test_support::seqpacket_pair().unwrap()
    }

    fn send_with_fd(
        sock: &std::os::unix::net::UnixDatagram,
        payload: &[u8],
        fd: std::os::fd::BorrowedFd<'_>,
    ) {
        sys::test_support::send_with_fd(sock.as_fd(), payload, fd).unwrap();
    }
}
