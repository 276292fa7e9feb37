//! Renderers: pure functions from step logs to text, one module per format.
//!
//! Renderers never print and never redact: the caller passes their output
//! through [`crate::secret::Redactor::redact`].

mod advice;
mod checks;
mod dispatch;
mod exchange;
mod flow;
mod format;
mod hint;
pub mod index;
mod json;
mod junit;
mod label;
pub mod markdown;
mod mermaid;
mod notes;
mod page;
pub mod pretty;
mod section;
mod snapshot;
mod summary;
pub mod terminal;
mod wire;
mod yaml;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod fixture_steps;

pub use dispatch::{render_run, render_scenario};
pub use format::{Format, ParseFormatError, RenderOptions};
