//! sfscenario: declarative Salesforce OAuth and API scenarios, run against a
//! real org or against the built-in mock org, with step logs rendered for the
//! terminal, snapshots, JUnit and Markdown documentation.

pub mod apps;
pub mod cli;
pub mod clock;
pub mod doctor;
pub mod duration;
pub mod headless;
pub mod keys;
pub mod kind;
pub mod location;
pub mod log;
pub mod loopback;
pub mod mock;
pub mod net;
pub mod org;
pub mod paths;
pub mod pkce;
pub mod ports;
pub mod render;
pub mod runner;
pub mod scenario;
pub mod secret;
pub mod steps;
pub mod totp;
