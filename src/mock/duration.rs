//! Durations (`15m`, `2h`, `1h30m`, `0s`) and the refresh token policy.

use std::time::Duration;

/// Parses `<number><unit>` groups, units `ms`, `s`, `m`, `h`, `d`.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let millis = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(Duration::from_millis(number.checked_mul(millis)?))?;
    }
    Some(total)
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

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

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
        for bad in ["", "15", "m", "1x", "-1s", "99999999999999999999d", "1h 2m"] {
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
