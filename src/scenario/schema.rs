//! The shape of a scenario file beyond its steps' parameters (which each
//! step kind declares in `crate::steps`): top-level keys, the keys every step
//! may have, `expect` and its matchers. The loader checks files against
//! these; the JSON Schema is generated from them.

use crate::keys::key;
pub use crate::keys::{HTTP_METHODS, KeySpec, Ty};

const MATCHER: &[KeySpec] = &[
    key("equals", Ty::Any, "equal to"),
    key("contains", Ty::Any, "string contains, or list contains"),
    key("matches", Ty::Str, "regular expression"),
    key("exists", Ty::Bool, "present (true) or absent (false)"),
    key("one_of", Ty::Any, "equal to one of a list"),
    key("gt", Ty::Any, "greater than"),
    key("lt", Ty::Any, "less than"),
];

/// Operators of an expectation matcher.
pub fn matcher_keys() -> &'static [KeySpec] {
    MATCHER
}

/// Keys every step may have besides its kind.
pub const STEP_COMMON: &[&str] = &["id", "name", "doc", "expect"];

/// Top-level keys.
pub const TOP: &[&str] = &[
    "name",
    "description",
    "vars",
    "secrets",
    "mock",
    "mock_only",
    "steps",
];

/// Keys of `expect`.
pub const EXPECT: &[&str] = &["status", "json", "headers", "that"];
