//! The interpreter: runs a scenario's steps against the mock or a real org
//! and produces its step log. The step kinds themselves are in
//! `crate::steps`; the network parts in `crate::net`.

mod browser;
mod driver;
pub mod expect;
mod prepare;
pub mod run_config;
mod scope;
pub mod source_app;
mod verdict;

pub use crate::steps::{Events, Quiet};
pub use driver::{Outcome, Verdict, run_scenario};
