//! Where something stands in a scenario file.

use serde::Serialize;

/// 1-based position in a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Location {
    pub line: u64,
    pub column: u64,
}
