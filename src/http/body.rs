//! The body of every response: whole bytes (almost every answer), or a
//! stream of frames from a producer elsewhere (the Echo's audio relay,
//! `crate::echo::relay`), polled only as fast as the connection takes it.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Frame, SizeHint};

/// Why a streamed body ended early (the connection is then closed without
/// the final chunk, so the client sees a truncated response, not a whole one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the response ended early: {0}")]
pub struct StreamError(pub &'static str);

type Streamed = Pin<Box<dyn hyper::body::Body<Data = Bytes, Error = StreamError> + Send + Sync>>;

/// A response body: [`Body::full`] or [`Body::stream`].
pub struct Body(Inner);

enum Inner {
    Full(Full<Bytes>),
    Stream(Streamed),
}

impl Body {
    /// The whole body at once.
    pub fn full(bytes: Bytes) -> Body {
        Body(Inner::Full(Full::new(bytes)))
    }

    /// An empty body.
    pub fn empty() -> Body {
        Body::full(Bytes::new())
    }

    /// Frames from `inner`, polled as the connection takes them.
    pub fn stream<B>(inner: B) -> Body
    where
        B: hyper::body::Body<Data = Bytes, Error = StreamError> + Send + Sync + 'static,
    {
        Body(Inner::Stream(Box::pin(inner)))
    }

    /// True for a [`Body::stream`] body.
    pub fn is_stream(&self) -> bool {
        matches!(self.0, Inner::Stream(_))
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::empty()
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Body {
        Body::full(b)
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Inner::Full(b) => f
                .debug_tuple("Body::Full")
                .field(&hyper::body::Body::size_hint(b).exact())
                .finish(),
            Inner::Stream(_) => f.write_str("Body::Stream"),
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = StreamError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, StreamError>>> {
        match &mut self.0 {
            Inner::Full(b) => Pin::new(b).poll_frame(cx).map_err(|e| match e {}),
            Inner::Stream(s) => s.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Inner::Full(b) => b.is_end_stream(),
            Inner::Stream(s) => s.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Inner::Full(b) => b.size_hint(),
            Inner::Stream(s) => s.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    /// A stream that ends with an error after one frame.
    fn futures_stream() -> impl hyper::body::Body<Data = Bytes, Error = StreamError> + Send + Sync {
        struct Once(u8);
        impl hyper::body::Body for Once {
            type Data = Bytes;
            type Error = StreamError;
            fn poll_frame(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<Option<Result<Frame<Bytes>, StreamError>>> {
                self.0 += 1;
                Poll::Ready(Some(match self.0 {
                    1 => Ok(Frame::data(Bytes::from_static(b"x"))),
                    _ => Err(StreamError("test")),
                }))
            }
        }
        Once(0)
    }

    #[tokio::test]
    async fn full_and_streamed_bodies_give_their_bytes() {
        let b = Body::full(Bytes::from_static(b"hello"));
        assert!(!b.is_stream());
        assert_eq!(hyper::body::Body::size_hint(&b).exact(), Some(5));
        assert_eq!(b.collect().await.unwrap().to_bytes(), "hello");
        let s = Body::stream(Full::new(Bytes::from_static(b"abc")).map_err(|e| match e {}));
        let cut = Body::stream(futures_stream());
        assert!(cut.collect().await.is_err());
        assert!(s.is_stream());
        assert_eq!(s.collect().await.unwrap().to_bytes(), "abc");
    }
}
