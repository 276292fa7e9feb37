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

use crate::headless::EvidenceDir;
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
    /// Where `--browser headless` saves a page it failed on.
    pub evidence: EvidenceDir,
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
            evidence: EvidenceDir::default(),
        }
    }

    /// Why `--browser system` cannot reach a person here, if it cannot: a
    /// real org (not loopback), `CI` set, no display and no `BROWSER` — a
    /// redirect would never come.
    #[must_use]
    pub fn no_browser_here(&self) -> Option<String> {
        let Target::Org(url) = &self.target else {
            return None;
        };
        let set = |k: &str| self.env.get(k).is_some_and(|v| !v.is_empty());
        let ci = self
            .env
            .get("CI")
            .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
        let display = set("DISPLAY") || set("WAYLAND_DISPLAY") || set("BROWSER");
        (self.browser_mode() == BrowserMode::System && !is_loopback_url(url) && ci && !display)
            .then(|| {
                "--browser system cannot open a browser here (CI is set, and neither DISPLAY nor \
                 WAYLAND_DISPLAY nor BROWSER is): no redirect would ever come. Run the interactive \
                 flows with --browser headless (Chromium logs in as SF_USERNAME with SF_PASSWORD \
                 and answers MFA with SF_TOTP_SECRET), or --browser print to only print the URL"
                    .to_owned()
            })
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

    #[test]
    fn system_is_refused_in_ci_without_a_display_against_a_real_org() {
        let with = |target: &str, env: &[(&str, &str)], browser: Option<BrowserMode>| {
            let mut cfg = RunConfig::new(Target::Org(target.into()));
            cfg.browser = browser;
            cfg.env = env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            cfg.no_browser_here()
        };
        let real = "https://login.salesforce.com";
        let message = with(real, &[("CI", "true")], None).expect("refused");
        assert!(message.contains("--browser headless"), "{message}");
        assert!(with(real, &[("CI", "true"), ("DISPLAY", ":0")], None).is_none());
        assert!(with(real, &[("CI", "true"), ("WAYLAND_DISPLAY", "w")], None).is_none());
        assert!(with(real, &[("CI", "true"), ("BROWSER", "firefox")], None).is_none());
        assert!(with(real, &[], None).is_none(), "not CI");
        assert!(with(real, &[("CI", "false")], None).is_none());
        let headless = Some(BrowserMode::Headless);
        assert!(with(real, &[("CI", "true")], headless).is_none());
        assert!(
            with("http://127.0.0.1:9", &[("CI", "true")], None).is_none(),
            "loopback: auto"
        );
        let system = Some(BrowserMode::System);
        assert!(
            with("http://127.0.0.1:9", &[("CI", "true")], system).is_none(),
            "a local mock"
        );
        assert!(RunConfig::new(Target::Mock).no_browser_here().is_none());
    }
}
