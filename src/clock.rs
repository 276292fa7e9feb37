//! The one clock for clock values: `issued_at`, token and code lifetimes,
//! `iat`/`exp` of `id_token`s and JWT assertions, record dates, and the
//! mock's purging of what has expired.
//!
//! Timeouts and the durations shown in step logs are not clock values: they
//! measure real time and stay on the wall clock (`Instant`), whatever the
//! clock below says.
//!
//! Three kinds: the system clock; a logical clock for reproducible runs
//! (`--seed`), which starts at 2026-01-01T00:00:00Z and advances one
//! millisecond for each request the mock serves; and a manual clock that a
//! test advances by hand, so that expiry is tested without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the logical clock starts: 2026-01-01T00:00:00Z, in milliseconds
/// since the Unix epoch.
pub const LOGICAL_START_MS: u64 = 1_767_225_600_000;

/// A clock, cheap to clone: clones share the same time.
#[derive(Debug, Clone)]
pub struct Clock {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    System,
    /// Milliseconds since the epoch; the mock ticks it once per request.
    Logical(Arc<AtomicU64>),
    /// Milliseconds since the epoch; only [`Clock::advance`] moves it.
    Manual(Arc<AtomicU64>),
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The wall clock.
    #[must_use]
    pub fn system() -> Clock {
        Clock { kind: Kind::System }
    }

    /// A logical clock at `start_ms` (milliseconds since the epoch; see
    /// [`LOGICAL_START_MS`]) that advances one millisecond per [`Clock::tick`].
    #[must_use]
    pub fn logical(start_ms: u64) -> Clock {
        Clock {
            kind: Kind::Logical(Arc::new(AtomicU64::new(start_ms))),
        }
    }

    /// The logical clock of reproducible runs, at 2026-01-01T00:00:00Z.
    #[must_use]
    pub fn seeded() -> Clock {
        Clock::logical(LOGICAL_START_MS)
    }

    /// A clock at `start_ms` that only [`Clock::advance`] moves (for tests).
    #[must_use]
    pub fn manual(start_ms: u64) -> Clock {
        Clock {
            kind: Kind::Manual(Arc::new(AtomicU64::new(start_ms))),
        }
    }

    /// Milliseconds since the Unix epoch.
    #[must_use]
    pub fn now_ms(&self) -> u64 {
        match &self.kind {
            Kind::System => {
                let since = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or(Duration::ZERO);
                u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
            }
            Kind::Logical(ms) | Kind::Manual(ms) => ms.load(Ordering::Relaxed),
        }
    }

    /// Whole seconds since the Unix epoch.
    #[must_use]
    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// One request served: the logical clock advances a millisecond; the
    /// others do not move.
    pub fn tick(&self) {
        if let Kind::Logical(ms) = &self.kind {
            ms.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Moves a logical or manual clock forward; the system clock cannot be
    /// moved, and is left alone.
    pub fn advance(&self, by: Duration) {
        if let Kind::Logical(ms) | Kind::Manual(ms) = &self.kind {
            let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
            let _ = ms.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
                Some(now.saturating_add(by))
            });
        }
    }

    /// Whether this is the wall clock.
    #[must_use]
    pub fn is_system(&self) -> bool {
        matches!(self.kind, Kind::System)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Clock, LOGICAL_START_MS};

    #[test]
    fn the_logical_clock_starts_in_2026_and_ticks_a_millisecond() {
        // 2026-01-01T00:00:00Z: 56 years of 365 days and 14 leap days.
        assert_eq!(LOGICAL_START_MS, (56 * 365 + 14) * 86_400 * 1000);
        let clock = Clock::seeded();
        let copy = clock.clone();
        assert_eq!(clock.now_ms(), LOGICAL_START_MS);
        copy.tick();
        copy.tick();
        assert_eq!(clock.now_ms(), LOGICAL_START_MS + 2);
        clock.advance(Duration::from_secs(1));
        assert_eq!(copy.now_ms(), LOGICAL_START_MS + 1002);
        assert_eq!(copy.now_secs(), LOGICAL_START_MS / 1000 + 1);
        assert!(!clock.is_system());
    }

    #[test]
    fn the_manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual(5_000);
        clock.tick();
        assert_eq!(clock.now_ms(), 5_000);
        clock.advance(Duration::from_millis(250));
        assert_eq!(clock.now_ms(), 5_250);
        clock.advance(Duration::MAX);
        assert_eq!(clock.now_ms(), u64::MAX);
    }

    #[test]
    fn the_system_clock_reads_the_wall_clock_and_cannot_be_moved() {
        let clock = Clock::system();
        let before = clock.now_ms();
        clock.advance(Duration::from_secs(3600));
        clock.tick();
        let after = clock.now_ms();
        assert!(after >= before && after < before + 3_600_000);
        assert!(clock.is_system());
    }
}
