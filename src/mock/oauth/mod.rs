//! The OAuth endpoints under `/services/oauth2/`, one file per endpoint.

pub(crate) mod authorize;
mod consent;
mod issue;
pub(crate) mod pkce;
pub(crate) mod token;
