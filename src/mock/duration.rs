//! The refresh token policy, and the mock's name for the one duration parser.

use std::time::Duration;

/// Parses a duration (the one grammar of `crate::duration`).
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    crate::duration::parse(text)
}

/// How long a refresh token stays valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshPolicy {
    /// Valid until revoked (Salesforce's default).
    Infinite,
    /// Expired as soon as issued.
    Immediately,
    /// Expires this long after it was issued.
    After(Duration),
}

impl RefreshPolicy {
    pub(crate) fn parse(text: &str) -> Option<RefreshPolicy> {
        match text.trim() {
            "infinite" => Some(RefreshPolicy::Infinite),
            "immediately" => Some(RefreshPolicy::Immediately),
            other => parse_duration(other).map(RefreshPolicy::After),
        }
    }

    /// When a token issued at `issued_ms` expires (ms since epoch), if ever.
    pub(crate) fn expiry(self, issued_ms: u64) -> Option<u64> {
        match self {
            RefreshPolicy::Infinite => None,
            RefreshPolicy::Immediately => Some(issued_ms),
            RefreshPolicy::After(duration) => Some(issued_ms.saturating_add(millis(duration))),
        }
    }
}

pub(crate) use crate::duration::millis;

#[cfg(test)]
mod tests {
    use super::{RefreshPolicy, parse_duration};
    use std::time::Duration;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        for bad in ["", "15", "m", "1x", "-1s", "99999999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn policies_parse() {
        assert_eq!(
            RefreshPolicy::parse("infinite"),
            Some(RefreshPolicy::Infinite)
        );
        assert_eq!(
            RefreshPolicy::parse("immediately"),
            Some(RefreshPolicy::Immediately)
        );
        assert_eq!(
            RefreshPolicy::parse("24h"),
            Some(RefreshPolicy::After(Duration::from_secs(86_400)))
        );
        assert_eq!(RefreshPolicy::parse("forever"), None);
    }
}
