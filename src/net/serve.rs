//! What the two servers (the mock org and the callback listener) share: the
//! accept loop and its limits, the HTTP/1.1 settings, and how their
//! accepted connections close.
//!
//! Limits: a client has [`ServerLimits::header_timeout`] to send a request's
//! head (and an idle keep-alive connection is closed after as long); at
//! [`ServerLimits::max_connections`] open connections the server stops
//! accepting until one closes (new clients wait in the kernel's backlog);
//! and when `accept` fails for want of resources (`EMFILE`, `ENFILE`,
//! `ENOBUFS`, …) the loop sleeps, 10 ms doubling up to 1 s, instead of
//! spinning on the error.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// How much a server takes from its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Open connections at most; at the cap, no more are accepted until one
    /// closes. At least 1.
    pub max_connections: usize,
    /// How long a client may take to send a request's head, and how long an
    /// idle keep-alive connection stays open.
    pub header_timeout: Duration,
}

impl ServerLimits {
    /// Far above what a run or a benchmark opens (`wrk -c64`, 500 flows at once).
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            header_timeout: Self::DEFAULT_HEADER_TIMEOUT,
        }
    }
}

/// The HTTP/1.1 settings of both servers.
#[must_use]
pub fn http1_builder(limits: &ServerLimits) -> http1::Builder {
    let mut builder = http1::Builder::new();
    // hyper applies the header timeout only with a timer.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // One buffer per response rather than a vectored write of head and
        // body: on loopback the vectored write went out as two segments and
        // woke the client twice; the token endpoint answered 45k requests a
        // second under wrk, and 55k with one buffer (bench/RESULTS.md).
        .writev(false);
    builder
}

/// Accepts connections on `listener` until `stopped` turns `true` (or its
/// sender goes away), within `limits`, and serves each with `serve` on its
/// own task; when stopped, ends the connections still open.
pub async fn accept_loop<S, F>(
    listener: TcpListener,
    limits: ServerLimits,
    mut stopped: watch::Receiver<bool>,
    serve: S,
) where
    S: Fn(ServerStream, SocketAddr) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    let mut backoff = Backoff::default();
    let mut permit = None;
    loop {
        tokio::select! {
            // A send or a dropped sender both mean stop.
            _ = stopped.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            acquired = Arc::clone(&permits).acquire_owned(), if permit.is_none() => {
                match acquired {
                    Ok(acquired) => permit = Some(acquired),
                    Err(_) => break, // never closed: unreachable
                }
            }
            accepted = listener.accept(), if permit.is_some() => match accepted {
                Ok((stream, peer)) => {
                    backoff.reset();
                    let held = permit.take();
                    let connection = serve(ServerStream::new(stream, stopped.clone()), peer);
                    connections.spawn(async move {
                        connection.await;
                        drop(held);
                    });
                }
                Err(error) if is_connection_error(&error) => {}
                Err(_) => {
                    let pause = backoff.next_pause();
                    tokio::select! {
                        _ = stopped.changed() => break,
                        () = tokio::time::sleep(pause) => {}
                    }
                }
            },
        }
    }
    connections.shutdown().await;
}

/// Errors of one connection that went away before it was accepted: the
/// next one may be fine at once.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

/// The pauses after failed accepts: 10 ms, doubling up to 1 s; back to
/// 10 ms after a connection is accepted.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub const FIRST: Duration = Duration::from_millis(10);
    pub const MAX: Duration = Duration::from_secs(1);

    /// The pause after one more failure.
    pub fn next_pause(&mut self) -> Duration {
        let doubled = Self::FIRST.saturating_mul(1u32 << self.failures.min(16));
        self.failures = self.failures.saturating_add(1);
        doubled.min(Self::MAX)
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// An accepted connection that, when its server stops, closes with a reset
/// instead of a FIN.
///
/// A closed TCP connection leaves its closing side in TIME_WAIT for a
/// minute, holding the port. A suite of a thousand scenarios starts two
/// servers per scenario; a few suites in a row left the loopback port range
/// so full of TIME_WAIT entries that every `bind` to port 0 took
/// milliseconds of kernel time scanning them. When a scenario's servers
/// stop, every exchange on their connections has been answered and read, so
/// nothing is lost by a reset (`SO_LINGER` 0), and no TIME_WAIT remains; a
/// standalone `sfscenario mock` stopped by Ctrl-C resets what is still open.
/// A connection that ends while the server runs closes normally.
pub struct ServerStream {
    stream: TcpStream,
    stopped: watch::Receiver<bool>,
}

impl ServerStream {
    /// `stopped` turns `true` (or its sender goes away) when the server stops.
    pub fn new(stream: TcpStream, stopped: watch::Receiver<bool>) -> Self {
        ServerStream { stream, stopped }
    }

    /// Reads without consuming (to tell TLS from plain HTTP).
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.peek(buf).await
    }
}

impl Drop for ServerStream {
    fn drop(&mut self) {
        if *self.stopped.borrow() || self.stopped.has_changed().is_err() {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ServerStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ServerStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Backoff;

    #[test]
    fn accept_errors_back_off_from_10_ms_doubling_to_1_s() {
        let mut backoff = Backoff::default();
        let pauses: Vec<u128> = (0..10).map(|_| backoff.next_pause().as_millis()).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        for _ in 0..100 {
            assert_eq!(backoff.next_pause(), Duration::from_secs(1));
        }
        backoff.reset();
        assert_eq!(backoff.next_pause(), Duration::from_millis(10));
    }
}
