//! What the two servers (the mock org and the callback listener) share about
//! their accepted connections.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

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
