//! Why an app's source could not be read: the file, the place and the
//! reason, as one `path:line:col: message` line (exit status 2).

use crate::location::Location;

/// A problem in an app's source files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{}:{}: {message}", at.line, at.column)]
pub struct SourceError {
    /// The file, as the user named it (or as found under a directory).
    pub path: String,
    /// 1-based; line 1 column 1 for problems with a whole file.
    pub at: Location,
    /// Lowercase fragment.
    pub message: String,
}

impl SourceError {
    /// A problem at a place in a file.
    pub fn at(path: &str, at: Location, message: impl Into<String>) -> Self {
        SourceError {
            path: path.to_owned(),
            at,
            message: message.into(),
        }
    }

    /// A problem with a whole file or directory.
    pub fn file(path: &str, message: impl Into<String>) -> Self {
        Self::at(path, Location { line: 1, column: 1 }, message)
    }
}
