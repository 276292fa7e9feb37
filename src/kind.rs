//! The step kinds: the one list of them. The file format, the interpreter
//! and every renderer match on [`Kind`], so a new kind does not compile
//! until each of them says what to do with it.

use std::fmt;

use serde::Serialize;

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Pkce,
    Authorize,
    Callback,
    Token,
    Request,
    Jwt,
    Metadata,
    Set,
}

impl Kind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Kind; 8] = [
        Kind::Pkce,
        Kind::Authorize,
        Kind::Callback,
        Kind::Token,
        Kind::Request,
        Kind::Jwt,
        Kind::Metadata,
        Kind::Set,
    ];

    /// The key that names the kind in a scenario file.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pkce => "pkce",
            Kind::Authorize => "authorize",
            Kind::Callback => "callback",
            Kind::Token => "token",
            Kind::Request => "request",
            Kind::Jwt => "jwt",
            Kind::Metadata => "metadata",
            Kind::Set => "set",
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn names_round_trip_and_serialize_as_the_file_writes_them() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::String(kind.name().to_owned()))
            );
        }
        assert_eq!(Kind::from_name("pkce2"), None);
    }
}
