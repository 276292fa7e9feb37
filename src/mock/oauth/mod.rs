//! The OAuth endpoints under `/services/oauth2/`, the identity service and
//! the device flow's verification page: one file per endpoint or flow.

pub(crate) mod access;
pub(crate) mod authorize;
mod client_credentials;
mod consent;
mod device;
pub(crate) mod discovery;
pub(crate) mod error_page;
pub(crate) mod frontdoor;
mod id_token;
pub(crate) mod identity;
mod identity_format;
pub(crate) mod introspect;
pub(super) mod issue;
mod jwt_bearer;
pub(crate) mod logout;
pub(crate) mod pkce;
pub(crate) mod revoke;
pub(crate) mod token;
pub(crate) mod userinfo;
pub(crate) mod verification;
