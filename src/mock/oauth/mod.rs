//! The OAuth endpoints under `/services/oauth2/`, the identity service and
//! the device flow's verification page: one file per endpoint or flow.

pub(crate) mod authorize;
mod client_credentials;
mod consent;
mod device;
mod discovery;
mod id_token;
mod identity;
mod introspect;
pub(super) mod issue;
mod jwt_bearer;
pub(crate) mod mfa;
pub(crate) mod pkce;
mod revoke;
pub(crate) mod routes;
pub(crate) mod token;
mod userinfo;
mod verification;
