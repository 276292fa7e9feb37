//! The shape of a map of parameters as data: each key, the type its value
//! must have and its limits. Each step kind declares its keys with these
//! (`src/steps/<kind>.rs`); the loader checks files against them before any
//! request, and the JSON Schema for editors is generated from them.

/// The type a key's value must have (after template rendering, for templated strings).
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// Any string (a template).
    Str,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// An integer within bounds.
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// A duration such as `30s`, `2m`, `1h30m`, `500ms`.
    Duration,
    /// A map with free keys and any values (templated).
    AnyMap,
    /// A map with these keys.
    Map(&'static [KeySpec]),
    /// A list of strings.
    StrList,
    /// Any value.
    Any,
}

/// One allowed key.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    pub doc: &'static str,
}

/// An optional key.
#[must_use]
pub const fn key(name: &'static str, ty: Ty, doc: &'static str) -> KeySpec {
    KeySpec {
        name,
        ty,
        required: false,
        doc,
    }
}

/// A key every map of its kind must have.
#[must_use]
pub const fn required(name: &'static str, ty: Ty, doc: &'static str) -> KeySpec {
    KeySpec {
        name,
        ty,
        required: true,
        doc,
    }
}

/// The methods a `request` step may use.
pub const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
