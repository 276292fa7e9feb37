//! The command line, as clap sees it.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};

use crate::duration::Duration;
use crate::render::Format;
use crate::runner::run_config::BrowserMode;

/// Declarative Salesforce OAuth and API scenarios, run against a real org or
/// the built-in mock org.
#[derive(Debug, Parser)]
#[command(name = "sfscenario", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files or directories of them (*.yaml, *.yml)
    Run(Box<RunArgs>),
    /// Parse, type-check and template-check scenario files without any network call
    Validate(ValidateArgs),
    /// Run the built-in mock org as a standalone server
    Mock(MockArgs),
    /// Write a starter scenario, or with --from a suite per app in Salesforce DX source
    Init(InitArgs),
    /// Print the JSON Schema of scenario files
    Schema,
    /// Print shell completions
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files or directories
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Run against a real org: production, sandbox, or a login / My Domain URL [default: the built-in mock]
    #[arg(long, env = "SF_LOGIN_URL", value_name = "URL")]
    pub org: Option<String>,
    /// Run against an org the Salesforce CLI has authorised: `org.instance_url`, `org.access_token` and `org.username` come from `sf org display`
    #[arg(long, value_name = "ALIAS")]
    pub target_org: Option<String>,
    /// Whether `org` came from `SF_LOGIN_URL` rather than `--org`: then
    /// `--target-org` takes its place instead of conflicting with it.
    #[arg(skip)]
    pub org_from_env: bool,
    /// Override a scenario variable (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<Assignment>,
    /// Load KEY=VALUE lines into the environment first [default: ./.env when present]
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<PathBuf>,
    /// What goes to stdout: pretty, markdown, json, junit, snapshot
    #[arg(long, default_value = "pretty", value_name = "FORMAT")]
    pub format: Format,
    /// Also write FORMAT to PATH (repeatable); a PATH ending in / gets one file per scenario
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<ReportArg>,
    /// Scenarios run in parallel [default: number of CPUs]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only the K-th of N deterministic slices of the files (e.g. 2/4), for CI matrices
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Make every random value (PKCE verifier, state, mock ids and tokens) reproducible
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// How an authorize step reaches a user agent: auto, system, print, headless
    #[arg(long, value_name = "MODE")]
    pub browser: Option<BrowserMode>,
    /// Compare each scenario's snapshot log with DIR/<stem>.snap
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// Write the snapshot files instead of comparing them
    #[arg(long, requires = "snapshots")]
    pub update_snapshots: bool,
    /// Turn redaction off (never the default)
    #[arg(long)]
    pub show_secrets: bool,
    /// Default per-step timeout (e.g. 30s); also the callback timeout when given
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<Duration>,
    /// Trust this CA certificate (PEM), e.g. the one `sfscenario mock --tls` prints
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,
    /// Show every exchange in full
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print only failures and the summary
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files or directories
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A variable that `run` will be given (its name counts as defined)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<Assignment>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Salesforce DX source (an app file, a package directory or a project): a suite per app found
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,
    /// Where to write [default: the current folder; scenarios/ with --from]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace files that exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Port to listen on [default: any free port]
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to bind
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Mock configuration (the schema of a scenario's `mock:` section), YAML
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve the apps in Salesforce DX source: an app file or a directory (repeatable)
    #[arg(long = "app", value_name = "PATH")]
    pub apps: Vec<PathBuf>,
    /// Make the mock's tokens and codes reproducible, on a logical clock from 2026-01-01 (1 ms per request)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Serve HTTPS with a CA and a localhost certificate made at start-up; the CA file is printed
    #[arg(long)]
    pub tls: bool,
    /// Where to write the CA certificate (ca.pem) [default: a new directory in the temp dir, removed at exit]
    #[arg(long, value_name = "DIR", requires = "tls")]
    pub tls_dir: Option<PathBuf>,
    /// Do not log requests to stderr
    #[arg(short, long)]
    pub quiet: bool,
    /// Open connections at most; at the cap, new ones wait until one closes
    #[arg(long, value_name = "N", default_value_t = crate::net::ServerLimits::DEFAULT_MAX_CONNECTIONS, value_parser = at_least_one)]
    pub max_connections: usize,
    /// Live tokens of each kind (and codes, sessions, device codes) at most; the oldest is forgotten first
    #[arg(long, value_name = "N", default_value_t = crate::mock::MockOptions::DEFAULT_MAX_TOKENS, value_parser = at_least_one)]
    pub max_tokens: usize,
}

/// A count of at least 1.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Text that is not what an option takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}`: expected {expected}")]
pub struct BadValue {
    text: String,
    expected: &'static str,
}

/// `--var NAME=VALUE`: the value is literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: String,
}

impl FromStr for Assignment {
    type Err = BadValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok(Assignment {
                name: k.trim().to_owned(),
                value: v.to_owned(),
            }),
            _ => Err(BadValue {
                text: s.to_owned(),
                expected: "NAME=VALUE",
            }),
        }
    }
}

/// `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportArg {
    pub format: Format,
    pub path: PathBuf,
}

impl FromStr for ReportArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Assignment { name, value } = s.parse().map_err(|_| {
            BadValue {
                text: s.to_owned(),
                expected: "FORMAT=PATH",
            }
            .to_string()
        })?;
        Ok(ReportArg {
            format: name.parse().map_err(|e| format!("{e}"))?,
            path: PathBuf::from(value),
        })
    }
}

/// `--shard K/N`: the K-th of N slices (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl FromStr for Shard {
    type Err = BadValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadValue {
            text: s.to_owned(),
            expected: "K/N with 1 <= K <= N",
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_run() {
        let cli =
            Cli::try_parse_from(["sfscenario", "run", "a.yaml", "--var", "x=1", "--seed", "7"])
                .unwrap();
        let Command::Run(run) = cli.command else {
            panic!("run expected")
        };
        assert_eq!(
            run.vars,
            vec![Assignment {
                name: "x".into(),
                value: "1".into()
            }]
        );
        assert_eq!(run.seed, Some(7));
        assert!("novalue".parse::<Assignment>().is_err());
        assert_eq!(
            "a=b=c".parse::<Assignment>().unwrap(),
            Assignment {
                name: "a".into(),
                value: "b=c".into()
            }
        );
    }

    #[test]
    fn option_values_are_typed_before_anything_runs() {
        for bad in [
            &["--format", "xml"][..],
            &["--report", "json"],
            &["--report", "yaml=x"],
            &["--shard", "3/2"],
            &["--shard", "0/2"],
            &["--browser", "lynx"],
            &["--timeout", "soon"],
            &["--var", "=x"],
        ] {
            let mut args = vec!["sfscenario", "run", "a.yaml"];
            args.extend(bad);
            assert!(Cli::try_parse_from(&args).is_err(), "{bad:?}");
        }
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
    }

    #[test]
    fn parses_mock() {
        let cli = Cli::try_parse_from(["sfscenario", "mock", "--tls", "--port", "8443"]).unwrap();
        let Command::Mock(mock) = cli.command else {
            panic!("mock expected")
        };
        assert!(mock.tls && !mock.quiet);
        assert_eq!(mock.port, 8443);
        assert!(mock.host.is_loopback());
        assert!(Cli::try_parse_from(["sfscenario", "mock", "--tls-dir", "x"]).is_err());
        assert_eq!(mock.max_connections, 1024);
        assert_eq!(mock.max_tokens, 100_000);
        let cli = Cli::try_parse_from(["sfscenario", "mock", "--max-connections", "2"]).unwrap();
        let Command::Mock(mock) = cli.command else {
            panic!("mock expected")
        };
        assert_eq!(mock.max_connections, 2);
        for bad in ["0", "-1", "many"] {
            let args = ["sfscenario", "mock", "--max-connections", bad];
            assert!(Cli::try_parse_from(args).is_err(), "{bad}");
            let args = ["sfscenario", "mock", "--max-tokens", bad];
            assert!(Cli::try_parse_from(args).is_err(), "{bad}");
        }
    }

    #[test]
    fn target_org_takes_an_alias() {
        let cli =
            Cli::try_parse_from(["sfscenario", "run", "a.yaml", "--target-org", "dev"]).unwrap();
        let Command::Run(run) = cli.command else {
            panic!("run expected")
        };
        assert_eq!(run.target_org.as_deref(), Some("dev"));
        assert!(!run.org_from_env);
    }

    #[test]
    fn update_snapshots_needs_a_directory() {
        assert!(
            Cli::try_parse_from(["sfscenario", "run", "a.yaml", "--update-snapshots"]).is_err()
        );
    }
}
