//! The interpreter: runs a scenario's steps against the mock or a real org and
//! produces its step log.

pub mod authorize;
pub mod browser;
pub mod callback;
pub mod config;
pub mod device;
pub mod expect;
pub mod http;
pub mod jwt;
pub mod metadata;
pub mod run;
pub mod steps;
pub mod xml;
