//! Renderers: pure functions from step logs to text, one module per format.
//!
//! Renderers never print and never redact: the caller passes their output
//! through [`crate::secret::Redactor::redact`].

mod dispatch;
mod exchange;
mod format;
mod hint;
mod json;
mod junit;
mod markdown;
mod mermaid;
mod page;
pub mod pretty;
mod section;
mod snapshot;
pub mod terminal;
mod yaml;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod fixture_steps;

pub use dispatch::{render_run, render_scenario};
pub use format::{Format, ParseFormatError, RenderOptions};
