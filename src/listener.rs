//! Where connections come from: the [`Listener`] trait the HTTP edge accepts
//! from, with the TCP implementation here and the Funnel listener in the
//! tailnet layer, and [`ConnInfo`], what the router knows of a connection.
//! A low module so that the state (`app`) and the tailnet layer can name
//! these types without importing the HTTP edge.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncWrite};

/// Where a connection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnInfo {
    /// The peer address. For Funnel connections this is already the public
    /// client's address, carried alongside the stream by the tailnet layer.
    pub peer: SocketAddr,
}

/// A source of connections. Implemented for TCP here and for the Funnel
/// listener in the tailnet layer.
pub trait Listener: Send + 'static {
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Io, ConnInfo)>> + Send;
}

impl Listener for tokio::net::TcpListener {
    type Io = tokio::net::TcpStream;
    async fn accept(&mut self) -> io::Result<(Self::Io, ConnInfo)> {
        let (s, peer) = tokio::net::TcpListener::accept(self).await?;
        let _ = s.set_nodelay(true);
        Ok((s, ConnInfo { peer }))
    }
}
