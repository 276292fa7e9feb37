//! How a command ended, and the one place where that becomes an exit status.

use std::process::ExitCode;

use crate::runner::Verdict;

/// The end of a command, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Every scenario passed (or the command did what it was asked).
    Passed,
    /// At least one scenario failed: an expectation, an HTTP or OAuth error.
    Failed,
    /// The input was unusable: arguments, files, templates.
    Unusable,
    /// Ctrl-C: the reports of what ran were written.
    Interrupted,
}

impl Exit {
    /// The process exit status.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Exit::Passed => 0,
            Exit::Failed => 1,
            Exit::Unusable => 2,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

impl From<Verdict> for Exit {
    fn from(v: Verdict) -> Exit {
        match v {
            Verdict::Passed => Exit::Passed,
            Verdict::Failed => Exit::Failed,
            Verdict::Unusable => Exit::Unusable,
        }
    }
}

/// Why a command could not do what it was asked: printed as `error: …`,
/// exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An option's value, checked after parsing (`--org`, `--ca-cert`, …).
    #[error("{option}: {message}")]
    Option {
        option: &'static str,
        message: String,
    },
    /// Files or directories given as arguments.
    #[error("{0}")]
    Paths(String),
    /// `--env-file` or `.env`.
    #[error("{0}")]
    EnvFile(String),
    /// A report or snapshot that could not be written.
    #[error("{0}")]
    Write(String),
    /// The mock's configuration file.
    #[error("{0}")]
    MockConfig(String),
    /// What the process needs to run at all (the async runtime, signals, a port).
    #[error("{0}")]
    Start(String),
}

impl CliError {
    /// Prints the error; its exit.
    pub fn report(&self) -> Exit {
        eprintln!("error: {self}");
        Exit::Unusable
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn the_worst_end_wins_and_has_its_status() {
        assert_eq!(Exit::Passed.max(Exit::Failed), Exit::Failed);
        assert_eq!(Exit::Failed.max(Exit::Unusable), Exit::Unusable);
        let codes: Vec<u8> = [
            Exit::Passed,
            Exit::Failed,
            Exit::Unusable,
            Exit::Interrupted,
        ]
        .map(Exit::code)
        .to_vec();
        assert_eq!(codes, [0, 1, 2, 130]);
    }
}
