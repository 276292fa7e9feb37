//! One duration grammar for everything that takes a duration: step
//! parameters (`timeout: 30s`, `exp: 3m`), the mock's configuration
//! (`code_lifetime: 15m`, `refresh_token_policy: 24h`) and the command line
//! (`--timeout 2m`). The grammar is humantime's: a number and a unit, several
//! of them in a row (`1h30m`, `1h 30m`), units from `ns` to `y`.

use std::fmt;
use std::str::FromStr;

/// A duration written the way scenarios write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub std::time::Duration);

/// Text that is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a duration like 30s, 2m, 1h30m or 500ms")]
pub struct ParseDurationError(pub String);

impl FromStr for Duration {
    type Err = ParseDurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text)
            .map(Duration)
            .ok_or_else(|| ParseDurationError(text.to_owned()))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human(self.0))
    }
}

/// Parses a duration; `None` when `text` is not one.
#[must_use]
pub fn parse(text: &str) -> Option<std::time::Duration> {
    let text = text.trim();
    // humantime takes a bare `0` as zero; a unit is always asked for here.
    if text.is_empty() || text.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    humantime::parse_duration(text).ok()
}

/// `30s`, `2m`, `500ms`: the shortest exact form, for messages.
#[must_use]
pub fn human(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A duration in whole milliseconds, saturating.
#[must_use]
pub fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::time::Duration as Std;

    use super::{Duration, human, parse};

    #[test]
    fn durations_parse() {
        assert_eq!(parse("30s"), Some(Std::from_secs(30)));
        assert_eq!(parse("2m"), Some(Std::from_secs(120)));
        assert_eq!(parse("500ms"), Some(Std::from_millis(500)));
        assert_eq!(parse("0s"), Some(Std::ZERO));
        assert_eq!(parse("1h30m"), Some(Std::from_secs(5400)));
        assert_eq!(parse("1h 30m"), Some(Std::from_secs(5400)));
        assert_eq!(parse(" 15m "), Some(Std::from_secs(900)));
        for bad in [
            "",
            "5",
            "0",
            "s",
            "3 weeks ago",
            "1x",
            "-1s",
            "99999999999999999999d",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!("2m".parse::<Duration>().is_ok());
        let err = "soon".parse::<Duration>().unwrap_err();
        assert!(err.to_string().contains("not a duration"), "{err}");
    }

    #[test]
    fn printed_durations() {
        assert_eq!(human(Std::from_secs(120)), "2m");
        assert_eq!(human(Std::from_secs(30)), "30s");
        assert_eq!(human(Std::from_millis(1500)), "1500ms");
        assert_eq!(human(Std::ZERO), "0s");
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::{human, parse};

    const UNITS: &[(&str, u64)] = &[
        ("ms", 1),
        ("s", 1000),
        ("m", 60_000),
        ("h", 3_600_000),
        ("d", 86_400_000),
    ];

    proptest! {
        #[test]
        fn a_number_and_a_unit_parse_back(n in 0u64..10_000_000, unit in 0..UNITS.len()) {
            let (name, factor) = UNITS[unit];
            let ms = |t: &str| parse(t).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            prop_assert_eq!(ms(&format!("{n}{name}")), Some(n * factor));
            prop_assert_eq!(ms(&format!(" {n}{name} ")), Some(n * factor));
        }

        #[test]
        fn a_printed_duration_parses_back(ms in 0u64..1_000_000_000_000) {
            let d = std::time::Duration::from_millis(ms);
            prop_assert_eq!(parse(&human(d)), Some(d), "{}", human(d));
        }

        #[test]
        fn any_text_parses_or_not_without_panic(text in any::<String>()) {
            if parse(&text).is_some() {
                // What parses starts with a number.
                prop_assert!(text.trim().starts_with(|c: char| c.is_ascii_digit()), "{text:?}");
            }
        }
    }
}
