//! The shape of scenario files as data: every key of every step kind, its type
//! and its limits. The loader checks files against it, and the same table can
//! produce the JSON Schema, so the two never drift apart.

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
    /// A duration such as `30s`, `2m`, `1h`, `500ms`.
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

const fn key(name: &'static str, ty: Ty, doc: &'static str) -> KeySpec {
    KeySpec {
        name,
        ty,
        required: false,
        doc,
    }
}

const fn required(name: &'static str, ty: Ty, doc: &'static str) -> KeySpec {
    KeySpec {
        name,
        ty,
        required: true,
        doc,
    }
}

pub const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

pub const PKCE: &[KeySpec] = &[
    key(
        "method",
        Ty::Enum(&["S256", "plain"]),
        "challenge method (default S256)",
    ),
    key(
        "length",
        Ty::Int {
            min: crate::pkce::GENERATED_MIN,
            max: crate::pkce::GENERATED_MAX,
        },
        "verifier length, 43–128 (default 64)",
    ),
    key(
        "generator",
        Ty::Enum(&["local", "server"]),
        "make the pair locally or with the org's /services/oauth2/pkce/generator",
    ),
];

const AS: &[KeySpec] = &[
    key(
        "username",
        Ty::Str,
        "user the built-in user agent logs in as",
    ),
    key("password", Ty::Str, "password it types"),
    key(
        "consent",
        Ty::Enum(&["allow", "deny"]),
        "button it presses on the consent page",
    ),
];

pub const AUTHORIZE: &[KeySpec] = &[
    key(
        "url",
        Ty::Str,
        "authorize endpoint (default {{ org.login_url }}/services/oauth2/authorize)",
    ),
    key(
        "params",
        Ty::AnyMap,
        "query parameters; a random state is added unless given",
    ),
    key(
        "as",
        Ty::Map(AS),
        "how the built-in user agent logs in and answers the consent page",
    ),
];

pub const CALLBACK: &[KeySpec] = &[
    required(
        "listen",
        Ty::Str,
        "the redirect URI to serve (loopback only)",
    ),
    key(
        "timeout",
        Ty::Duration,
        "how long to wait for the redirect (default 120s)",
    ),
];

const POLL: &[KeySpec] = &[
    key(
        "interval",
        Ty::Duration,
        "time between polls (default: the server's interval)",
    ),
    key("timeout", Ty::Duration, "give up after (default 5m)"),
];

pub const TOKEN: &[KeySpec] = &[
    key(
        "url",
        Ty::Str,
        "token endpoint (default {{ org.login_url }}/services/oauth2/token)",
    ),
    key("form", Ty::AnyMap, "form fields"),
    key("headers", Ty::AnyMap, "extra request headers"),
    key(
        "poll",
        Ty::Map(POLL),
        "device flow: poll while authorization_pending / slow_down",
    ),
    key("timeout", Ty::Duration, "timeout of the exchange"),
];

pub const REQUEST: &[KeySpec] = &[
    key(
        "method",
        Ty::Enum(HTTP_METHODS),
        "HTTP method (default GET)",
    ),
    required("url", Ty::Str, "absolute URL"),
    key("query", Ty::AnyMap, "query parameters"),
    key("headers", Ty::AnyMap, "request headers"),
    key(
        "bearer",
        Ty::Str,
        "access token sent as Authorization: Bearer",
    ),
    key("json", Ty::Any, "JSON body"),
    key("form", Ty::AnyMap, "form body"),
    key("body", Ty::Str, "raw body"),
    key("timeout", Ty::Duration, "timeout of the exchange"),
];

pub const JWT: &[KeySpec] = &[
    key(
        "claims",
        Ty::AnyMap,
        "claims; exp may be a duration like 3m",
    ),
    key(
        "key",
        Ty::Str,
        "PEM private key (default {{ org.private_key }})",
    ),
    key("alg", Ty::Enum(&["RS256"]), "signing algorithm"),
];

pub const METADATA: &[KeySpec] = &[
    required(
        "operation",
        Ty::Enum(&["describeMetadata", "listMetadata", "readMetadata"]),
        "Metadata API operation",
    ),
    key("type", Ty::Str, "metadata type, e.g. ConnectedApp"),
    key("full_names", Ty::StrList, "full names for readMetadata"),
    key(
        "url",
        Ty::Str,
        "SOAP endpoint (default from the last token)",
    ),
    key(
        "session",
        Ty::Str,
        "session id (default the last access token)",
    ),
];

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

/// The step kinds and their parameter tables (`set` takes free keys).
pub const STEP_KINDS: &[(&str, Option<&[KeySpec]>)] = &[
    ("pkce", Some(PKCE)),
    ("authorize", Some(AUTHORIZE)),
    ("callback", Some(CALLBACK)),
    ("token", Some(TOKEN)),
    ("request", Some(REQUEST)),
    ("jwt", Some(JWT)),
    ("metadata", Some(METADATA)),
    ("set", None),
];

/// Keys every step may have besides its kind.
pub const STEP_COMMON: &[&str] = &["id", "name", "doc", "expect"];

/// Top-level keys.
pub const TOP: &[&str] = &["name", "description", "vars", "secrets", "mock", "steps"];

/// Keys of `expect`.
pub const EXPECT: &[&str] = &["status", "json", "headers", "that"];
