//! The loopback port `free_port()` gives a scenario's run: reserved once, and
//! held bound until the callback listener takes the socket, so that no other
//! program can take the port in between.

use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};

/// One scenario's reservation; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Reservation {
    port: Arc<OnceLock<u16>>,
    socket: Arc<Mutex<Option<TcpListener>>>,
}

impl Reservation {
    /// The reserved port, reserving it on first use.
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub fn port(&self) -> std::io::Result<u16> {
        if let Some(port) = self.port.get() {
            return Ok(*port);
        }
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let port = listener.local_addr()?.port();
        if let Ok(mut slot) = self.socket.lock() {
            *slot = Some(listener);
        }
        Ok(*self.port.get_or_init(|| port))
    }

    /// The port, if one was reserved.
    #[must_use]
    pub fn reserved(&self) -> Option<u16> {
        self.port.get().copied()
    }

    /// The bound socket behind `port`, handed over once.
    #[must_use]
    pub fn take(&self, port: u16) -> Option<TcpListener> {
        let mut slot = self.socket.lock().ok()?;
        let matches = slot
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .is_some_and(|a| a.port() == port);
        if matches { slot.take() } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::Reservation;

    #[test]
    fn one_port_per_reservation_handed_over_once() {
        let r = Reservation::default();
        assert_eq!(r.reserved(), None);
        let port = r.port().expect("a free port");
        assert_eq!(r.clone().port().ok(), Some(port));
        assert!(r.take(port.wrapping_add(1)).is_none());
        assert!(r.take(port).is_some());
        assert!(r.take(port).is_none());
    }
}
