//! The built-in mock org: one HTTP server that plays both the login host and
//! the instance, with Salesforce's endpoints, field names, status codes and
//! error strings (see `docs/salesforce-contract.md`).

mod config;
mod connection;
mod duration;
mod files;
mod keys;
mod ledger;
mod merge;
mod oauth;
mod org_metadata;
mod pages;
mod random;
mod request;
mod response;
mod rest;
mod routes;
mod server;
mod soap;
mod sobjects;
mod soql;
mod state;
#[cfg(test)]
mod testing;
mod tls;

pub use config::{
    AppSources, CURRENT_API_VERSION, ConfigError, ConnectedApp, MockConfig, MockUser, OrgSettings,
    Profile,
};
pub use files::MockFile;
pub use keys::{APP_CERTIFICATE_PEM, APP_PRIVATE_KEY_PEM};
pub use server::{MockOptions, MockServer};
pub use tls::{LEAF_NAMES, MockTls};
