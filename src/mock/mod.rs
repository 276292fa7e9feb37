//! The built-in mock org: one HTTP server that plays both the login host and
//! the instance, with Salesforce's endpoints, field names, status codes and
//! error strings (see `salesforce-contract.md`).

mod config;
mod connection;
mod duration;
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
mod server;
mod soap;
mod sobjects;
mod soql;
mod state;
#[cfg(test)]
mod testing;
mod tls;

pub use config::{AppSources, ConfigError, ConnectedApp, MockConfig, MockUser};
pub use keys::{APP_CERTIFICATE_PEM, APP_PRIVATE_KEY_PEM};
pub use server::{MockOptions, MockServer};
pub use tls::{CaFile, LEAF_NAMES, MockTls};
