//! The output formats and the options every renderer takes.

use std::fmt;
use std::str::FromStr;

/// An output format of a step log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Numbered steps for the terminal.
    Pretty,
    /// A walkthrough document.
    Markdown,
    /// The step log itself, as JSON.
    Json,
    /// An XML report in the `JUnit` format.
    Junit,
    /// The step log as stable YAML, for snapshot comparison.
    Snapshot,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 5] = [
        Format::Pretty,
        Format::Markdown,
        Format::Json,
        Format::Junit,
        Format::Snapshot,
    ];

    /// The name used on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Pretty => "pretty",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Snapshot => "snapshot",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}` (expected pretty, markdown, json, junit or snapshot)")]
pub struct ParseFormatError(pub String);

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| ParseFormatError(s.to_owned()))
    }
}

/// How output is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colours (pretty only).
    pub color: bool,
    /// Every exchange in full (pretty only).
    pub verbose: bool,
    /// Only failures and the summary (pretty only).
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>(), Ok(f));
        }
    }

    #[test]
    fn unknown_name_is_an_error() {
        let err = "yaml".parse::<Format>().unwrap_err();
        assert!(err.to_string().contains("unknown format `yaml`"));
    }
}
