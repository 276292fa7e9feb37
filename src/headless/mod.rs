//! `--browser headless`: a headless Chromium, driven over WebDriver
//! (chromedriver), walks the login host's pages as a person would — logs
//! in, answers the MFA verification page with a one-time code, presses
//! Allow or Deny — and lets the redirect reach the callback listener. For
//! CI runs of the interactive flows against a real org.

mod chromium;
mod evidence;
mod selectors;
mod walk;

pub use chromium::{CHROMEDRIVER_VAR, CHROMIUM_VAR, Chromium, LaunchError, Tools};
pub use evidence::EvidenceDir;
pub use selectors::{KEYS as SELECTOR_KEYS, Overrides, Selectors};
pub use walk::{Captured, Login, Reached, Walk, WalkError, walk};

/// What a scenario's steps need to open a headless browser.
#[derive(Debug, Clone)]
pub struct Setup {
    pub tools: Tools,
    pub evidence: EvidenceDir,
    /// The scenario file, as given (saved pages are named after it).
    pub scenario: String,
}
