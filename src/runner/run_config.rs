//! What a run is asked to do, after the command line has been checked.

use std::collections::BTreeMap;
use std::time::Duration;

/// Where scenarios run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The built-in mock org, started in-process per scenario.
    Mock,
    /// A real org (or a standalone mock) at this login URL.
    Org(String),
    /// An org the Salesforce CLI has authorised (`--target-org ALIAS`).
    CliOrg(CliOrg),
}

/// What the Salesforce CLI knows of an org: `sf org display --json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliOrg {
    /// The alias or username it was asked for.
    pub alias: String,
    /// Without a trailing `/`.
    pub instance_url: String,
    pub access_token: crate::secret::Secret,
    pub username: Option<String>,
}

impl Target {
    /// The URL a run's steps start from: the login URL, or the instance of
    /// a Salesforce CLI org. `None` on the mock.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        match self {
            Target::Mock => None,
            Target::Org(url) => Some(url),
            Target::CliOrg(org) => Some(&org.instance_url),
        }
    }
}

pub use crate::steps::BrowserMode;
use crate::steps::Settings;

/// Settings shared by every scenario of a run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub target: Target,
    /// `None`: `auto` on the mock or a loopback org, `system` otherwise.
    pub browser: Option<BrowserMode>,
    pub seed: Option<u64>,
    /// `--var NAME=VALUE`, literal.
    pub vars: Vec<(String, String)>,
    /// `--timeout`: default per-step timeout, and the callback timeout when given.
    pub timeout: Option<Duration>,
    pub ca_cert: Option<Vec<u8>>,
    /// The process environment (after `.env` files), as templates see it.
    pub env: BTreeMap<String, String>,
}

impl RunConfig {
    pub fn new(target: Target) -> Self {
        RunConfig {
            target,
            browser: None,
            seed: None,
            vars: Vec::new(),
            timeout: None,
            ca_cert: None,
            env: BTreeMap::new(),
        }
    }

    /// The browser mode in force.
    pub fn browser_mode(&self) -> BrowserMode {
        if let Some(b) = self.browser {
            return b;
        }
        match self.target.url() {
            None => BrowserMode::Auto,
            Some(url) if is_loopback_url(url) => BrowserMode::Auto,
            Some(_) => BrowserMode::System,
        }
    }

    /// What every step of the run is told.
    #[must_use]
    pub fn settings(&self) -> Settings {
        Settings {
            browser: self.browser_mode(),
            timeout: self.timeout,
        }
    }
}

pub use crate::loopback::is_loopback_url;

/// `production`, `sandbox` or a URL, as `--org` takes it.
pub fn org_url(arg: &str) -> Result<String, String> {
    let url = match arg {
        "production" | "prod" => "https://login.salesforce.com".to_owned(),
        "sandbox" | "test" => "https://test.salesforce.com".to_owned(),
        other => other.trim_end_matches('/').to_owned(),
    };
    let parsed = url::Url::parse(&url).map_err(|e| format!("`--org {arg}`: not a URL ({e})"))?;
    match parsed.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_url(&url) => Ok(url),
        "http" => Err(format!(
            "`--org {arg}`: Salesforce requires https (http is only allowed on loopback)"
        )),
        s => Err(format!("`--org {arg}`: unsupported scheme `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_shorthands() {
        assert_eq!(
            org_url("production").unwrap(),
            "https://login.salesforce.com"
        );
        assert_eq!(org_url("sandbox").unwrap(), "https://test.salesforce.com");
        assert_eq!(
            org_url("https://x.my.salesforce.com/").unwrap(),
            "https://x.my.salesforce.com"
        );
        assert!(org_url("http://example.com").is_err());
        assert!(org_url("http://127.0.0.1:9999").is_ok());
    }

    #[test]
    fn browser_defaults() {
        assert_eq!(
            RunConfig::new(Target::Mock).browser_mode(),
            BrowserMode::Auto
        );
        let real = RunConfig::new(Target::Org("https://login.salesforce.com".into()));
        assert_eq!(real.browser_mode(), BrowserMode::System);
    }
}
