//! The network parts that are not the mock org: the run's HTTP client, the
//! callback listener, the built-in user agent, and the accept loop the mock
//! and the listener share.

pub mod client;
pub mod listener;
mod serve;
pub mod user_agent;

pub use serve::*;
