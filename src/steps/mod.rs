//! The step kinds, one module each: its keys in a scenario file (checked by
//! the loader, and the JSON Schema's source), a serde struct its rendered
//! parameters are decoded into (unknown keys refused), its typed result with
//! the empty form every field of which exists as none, its default title, and
//! its run function.
//!
//! Adding a kind: its module here, a variant in [`crate::kind::Kind`], and
//! the arms of the matches below and in the renderers, which the compiler
//! points at.

pub mod authorize;
mod browse;
pub mod callback;
mod ctx;
mod error;
mod fields;
pub mod jwt;
pub mod metadata;
mod metadata_files;
pub mod pkce;
pub mod request;
pub mod set;
mod soap;
pub mod token;

use serde::Serialize;
use serde_json::Value;

pub use ctx::{BrowserMode, Ctx, Events, Quiet, SECRET_FIELDS, Session, Settings};
pub use error::{Failure, StepError};
pub use fields::scalar_text;
pub use soap::element_texts;

use browse::{browse, learn_codes, totp_key};

use crate::keys::KeySpec;
use crate::kind::Kind;

/// The keys a kind takes; `None` for `set`, whose keys are the new variables.
#[must_use]
pub fn keys(kind: Kind) -> Option<&'static [KeySpec]> {
    match kind {
        Kind::Pkce => Some(pkce::KEYS),
        Kind::Authorize => Some(authorize::KEYS),
        Kind::Callback => Some(callback::KEYS),
        Kind::Token => Some(token::KEYS),
        Kind::Request => Some(request::KEYS),
        Kind::Jwt => Some(jwt::KEYS),
        Kind::Metadata => Some(metadata::KEYS),
        Kind::Set => None,
    }
}

/// The title of a step without a `name`.
#[must_use]
pub fn title(kind: Kind) -> &'static str {
    match kind {
        Kind::Pkce => pkce::TITLE,
        Kind::Authorize => authorize::TITLE,
        Kind::Callback => callback::TITLE,
        Kind::Token => token::TITLE,
        Kind::Request => request::TITLE,
        Kind::Jwt => jwt::TITLE,
        Kind::Metadata => metadata::TITLE,
        Kind::Set => set::TITLE,
    }
}

/// The result of a step that failed before it had one: every field as none.
#[must_use]
pub fn empty(kind: Kind) -> Value {
    match kind {
        Kind::Pkce => value(&pkce::Output::default()),
        Kind::Authorize => value(&authorize::Output::default()),
        Kind::Callback => value(&callback::Output::default()),
        Kind::Token => value(&token::Output::default()),
        Kind::Request => value(&request::Output::default()),
        Kind::Jwt => value(&jwt::Output::default()),
        Kind::Metadata => value(&metadata::Output::default()),
        Kind::Set => value(&set::Output::default()),
    }
}

/// What a template may read of a step's result (`{{ id.field }}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fields {
    /// Exactly these fields.
    Closed(Vec<String>),
    /// These and whatever the server sends (a token response).
    Open,
}

/// The fields of a kind's result. `set` results are the variables its step
/// defines, known from the file.
#[must_use]
pub fn fields(kind: Kind) -> Fields {
    match kind {
        Kind::Token => Fields::Open,
        Kind::Pkce
        | Kind::Authorize
        | Kind::Callback
        | Kind::Request
        | Kind::Jwt
        | Kind::Metadata
        | Kind::Set => match empty(kind) {
            Value::Object(map) => Fields::Closed(map.keys().cloned().collect()),
            _ => Fields::Closed(Vec::new()),
        },
    }
}

/// Runs one step: decodes its rendered parameters, runs it, and gives its
/// result as the data templates and the log see.
///
/// # Errors
///
/// Why the step did not pass, with what result it had.
pub async fn run(kind: Kind, ctx: &mut Ctx<'_>, params: Value) -> Result<Value, StepError> {
    use fields::decode;
    match kind {
        Kind::Pkce => done(pkce::run(ctx, decode(params)?).await),
        Kind::Authorize => done(authorize::run(ctx, decode(params)?).await),
        Kind::Callback => done(callback::run(ctx, decode(params)?).await),
        Kind::Token => done(token::run(ctx, decode(params)?).await),
        Kind::Request => done(request::run(ctx, decode(params)?).await),
        Kind::Jwt => done(jwt::run(ctx, decode(params)?)),
        Kind::Metadata => done(metadata::run(ctx, decode(params)?).await),
        Kind::Set => done(set::run(ctx, decode(params)?)),
    }
}

fn done<T: Serialize>(result: Result<T, StepError>) -> Result<Value, StepError> {
    result.map(|out| value(&out))
}

fn value<T: Serialize>(out: &T) -> Value {
    serde_json::to_value(out).unwrap_or(Value::Null)
}

/// Opens the system browser (`$BROWSER` first).
///
/// # Errors
///
/// When no browser could be started.
pub fn open_browser(url: &str) -> Result<(), String> {
    let candidates: Vec<String> = match std::env::var("BROWSER") {
        Ok(b) if !b.trim().is_empty() => vec![b],
        _ if cfg!(target_os = "macos") => vec!["open".into()],
        _ if cfg!(windows) => vec!["explorer".into()],
        _ => vec!["xdg-open".into()],
    };
    for c in candidates {
        let mut parts = c.split_whitespace();
        let Some(program) = parts.next() else {
            continue;
        };
        let spawned = std::process::Command::new(program)
            .args(parts)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return Ok(());
        }
    }
    Err("no browser could be started".into())
}

#[cfg(test)]
mod tests;
