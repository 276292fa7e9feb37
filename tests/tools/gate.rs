//! Tests gated on outside tools.
//!
//! A test declares the programs it needs ([`Tool`]); each tool is probed once
//! per run. A test whose tools are all present runs. Otherwise it is
//! *ignored* — counted as such in the summary, with a note on stderr naming
//! the missing tool and how to install it — or, when
//! `SFSCENARIO_REQUIRE_TOOLS=1` (as in `.ci/run`), it *fails* with that note.
//! Run on purpose with `--include-ignored`, such a test fails with the same
//! note instead of breaking halfway.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

use crate::harness::root;

/// The variable that turns a missing tool into a failure.
pub const REQUIRE_TOOLS: &str = "SFSCENARIO_REQUIRE_TOOLS";

/// An outside program some tests need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    Bash,
    /// The `bash-completion` package, which loads completions on demand.
    BashCompletion,
    Chromedriver,
    Chromium,
    Elvish,
    Fish,
    Git,
    /// jsforce under `tests/interop/node_modules`, with Node.js.
    Jsforce,
    /// Python's `jsonschema` and `PyYAML`.
    Jsonschema,
    /// Mermaid, marked and github-markdown-css under `tests/render/node_modules`,
    /// loaded into Chromium.
    Render,
    /// Python's `simple-salesforce`.
    SimpleSalesforce,
    /// The Salesforce CLI under `tests/sf/node_modules`, with Node.js.
    Sf,
    /// Not a program: time for tests that take minutes (a release build),
    /// given by `SFSCENARIO_SLOW_TESTS=1`.
    SlowTests,
    Xmllint,
    Zsh,
}

impl Tool {
    /// What the tool is called in notes.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Bash => "bash",
            Tool::BashCompletion => "bash-completion",
            Tool::Chromedriver => "chromedriver",
            Tool::Chromium => "chromium",
            Tool::Elvish => "elvish",
            Tool::Fish => "fish",
            Tool::Git => "git",
            Tool::Jsforce => "jsforce",
            Tool::Jsonschema => "python3 with jsonschema and PyYAML",
            Tool::Render => "mermaid, marked and github-markdown-css",
            Tool::SimpleSalesforce => "python3 with simple-salesforce",
            Tool::Sf => "the Salesforce CLI (sf)",
            Tool::SlowTests => "time (a release build of minutes)",
            Tool::Xmllint => "xmllint",
            Tool::Zsh => "zsh",
        }
    }

    /// How to install it (what `.ci/run` does).
    pub fn install(self) -> &'static str {
        match self {
            Tool::Bash => "apt-get install bash",
            Tool::BashCompletion => "apt-get install bash-completion",
            Tool::Chromedriver => "apt-get install chromium-driver",
            Tool::Chromium => "apt-get install chromium",
            Tool::Elvish => "apt-get install elvish",
            Tool::Fish => "apt-get install fish",
            Tool::Git => "apt-get install git",
            Tool::Jsforce => "npm ci --prefix tests/interop",
            Tool::Jsonschema => "pip install -r tests/schema/requirements.txt",
            Tool::Render => "npm ci --prefix tests/render",
            Tool::SimpleSalesforce => "pip install -r tests/interop/requirements.txt",
            Tool::Sf => "npm ci --prefix tests/sf",
            Tool::SlowTests => "SFSCENARIO_SLOW_TESTS=1",
            Tool::Xmllint => "apt-get install libxml2-utils",
            Tool::Zsh => "apt-get install zsh",
        }
    }

    /// `Ok` when the tool works here, else why not.
    fn probe(self) -> Result<(), String> {
        let interop = root().join("tests/interop");
        match self {
            Tool::Bash => succeeds("bash", &["--version"], root()),
            Tool::BashCompletion => {
                let file = Path::new(BASH_COMPLETION);
                file.is_file()
                    .then_some(())
                    .ok_or_else(|| format!("{BASH_COMPLETION} is missing"))
            }
            Tool::Git => succeeds("git", &["--version"], root()),
            Tool::SlowTests => match std::env::var(SLOW_TESTS) {
                Ok(v) if !v.is_empty() && v != "0" => Ok(()),
                _ => Err(format!("{SLOW_TESTS} is not set")),
            },
            Tool::Zsh => succeeds("zsh", &["--version"], root()),
            Tool::Fish => succeeds("fish", &["--version"], root()),
            Tool::Elvish => succeeds("elvish", &["-version"], root()),
            Tool::Chromium | Tool::Chromedriver => program(self.name())
                .map(|_| ())
                .ok_or_else(|| format!("`{}` is not on PATH", self.name())),
            Tool::Xmllint => succeeds("xmllint", &["--version"], root()),
            Tool::Jsforce => succeeds("node", &["-e", "require('jsforce')"], &interop),
            Tool::Jsonschema => succeeds("python3", &["-c", "import jsonschema, yaml"], root()),
            Tool::Render => {
                let dir = crate::render::render_dir();
                match crate::render::BUNDLES
                    .iter()
                    .map(|bundle| dir.join(bundle))
                    .find(|file| !file.is_file())
                {
                    Some(file) => Err(format!("{} is missing", file.display())),
                    None => Ok(()),
                }
            }
            Tool::SimpleSalesforce => {
                succeeds("python3", &["-c", "import simple_salesforce"], root())
            }
            Tool::Sf => {
                let sf = sf_bin().join("sf");
                if is_executable(&sf) {
                    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
                    match Command::new(&sf)
                        .arg("--version")
                        .env("HOME", home.path())
                        .env("SF_AUTOUPDATE_DISABLE", "true")
                        .env("SF_DISABLE_TELEMETRY", "true")
                        .output()
                    {
                        Ok(out) if out.status.success() => Ok(()),
                        Ok(out) => Err(format!(
                            "`sf --version` failed: {}",
                            String::from_utf8_lossy(&out.stderr)
                                .lines()
                                .next()
                                .unwrap_or("")
                        )),
                        Err(e) => Err(format!("`{}`: {e}", sf.display())),
                    }
                } else {
                    Err(format!("{} is missing", sf.display()))
                }
            }
        }
    }
}

/// The variable that gives time for slow tests.
pub const SLOW_TESTS: &str = "SFSCENARIO_SLOW_TESTS";

/// The `bash-completion` package's loader.
pub const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

/// The directory of the Salesforce CLI's `sf` that `npm ci --prefix
/// tests/sf` installs.
pub fn sf_bin() -> PathBuf {
    root().join("tests/sf/node_modules/.bin")
}

/// The full path of `name` on `PATH`, if it is there.
pub fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Runs `program args…` in `dir`: `Ok` on exit 0, else the reason.
fn succeeds(program: &str, args: &[&str], dir: &Path) -> Result<(), String> {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(out) if out.status.success() => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("`{program}` is not on PATH"))
        }
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
            let why = lines
                .iter()
                .find(|l| l.contains("Error") || l.contains("Cannot find"))
                .or(lines.last())
                .copied()
                .unwrap_or("no output");
            Err(format!("`{program} {}` failed: {why}", args.join(" ")))
        }
        Err(e) => Err(format!("`{program}`: {e}")),
    }
}

/// One test and the tools it needs.
pub struct ToolTest {
    /// `module::function`, as libtest would name it.
    pub name: String,
    pub needs: &'static [Tool],
    pub run: fn(),
}

/// `tool_tests![TOOLS => a, b]`: tests `a` and `b` of this module, each
/// needing every tool of `TOOLS`.
#[macro_export]
macro_rules! tool_tests {
    ($needs:expr => $($test:ident),+ $(,)?) => {
        vec![$($crate::gate::ToolTest {
            name: $crate::gate::test_name(module_path!(), stringify!($test)),
            needs: $needs,
            run: $test,
        }),+]
    };
}

/// `tools::browser` + `deny` → `browser::deny`.
pub fn test_name(module: &str, test: &str) -> String {
    let module = module.split_once("::").map_or("", |(_, rest)| rest);
    if module.is_empty() {
        test.to_owned()
    } else {
        format!("{module}::{test}")
    }
}

/// Whether a missing tool fails the run (`SFSCENARIO_REQUIRE_TOOLS=1`).
pub fn tools_required() -> bool {
    std::env::var(REQUIRE_TOOLS).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The libtest-mimic trials for `tests`. For each missing tool, a note on
/// stderr names it, how to install it, and the tests (of those `args` select)
/// that are ignored, or fail when tools are required.
pub fn trials(tests: Vec<ToolTest>, args: &Arguments) -> Vec<Trial> {
    let required = tools_required();
    // Only the tools of the tests a name filter selects are probed: a run of
    // one test (as nextest does) starts no other program. (The probe decides
    // whether a test is ignored, so `--ignored` must not narrow it.)
    let selected = |name: &str| {
        let named = Trial::test(name, || Ok(())).with_ignored_flag(true);
        !args.is_filtered_out(&named)
    };
    let mut probed: BTreeMap<Tool, Result<(), String>> = BTreeMap::new();
    for test in tests.iter().filter(|t| selected(&t.name)) {
        for &tool in test.needs {
            probed.entry(tool).or_insert_with(|| tool.probe());
        }
    }
    let trials: Vec<(Trial, &'static [Tool])> = tests
        .into_iter()
        .map(|test| {
            let missing: Vec<String> = test
                .needs
                .iter()
                .filter_map(|tool| {
                    probed.get(tool)?.as_ref().err().map(|why| {
                        format!(
                            "{} ({why}; install it with `{}`)",
                            tool.name(),
                            tool.install()
                        )
                    })
                })
                .collect();
            let trial = if missing.is_empty() {
                let run = test.run;
                Trial::test(test.name, move || {
                    run();
                    Ok(())
                })
            } else {
                let why = format!("needs {}", missing.join(" and "));
                Trial::test(test.name, move || Err(Failed::from(why))).with_ignored_flag(!required)
            };
            (trial, test.needs)
        })
        .collect();
    for (tool, result) in &probed {
        let Err(why) = result else { continue };
        let names: Vec<&str> = trials
            .iter()
            .filter(|(trial, needs)| needs.contains(tool) && !args.is_filtered_out(trial))
            .map(|(trial, _)| trial.name())
            .collect();
        if names.is_empty() {
            continue;
        }
        let fate = if required {
            format!("{REQUIRE_TOOLS} is set, so these fail")
        } else {
            "these are ignored".to_owned()
        };
        eprintln!(
            "note: {} is missing ({why}); install it with `{}`; {fate}:",
            tool.name(),
            tool.install()
        );
        for name in names {
            eprintln!("    {name}");
        }
    }
    if !required && probed.values().any(Result::is_err) {
        eprintln!("note: set {REQUIRE_TOOLS}=1 to make a missing tool a failure");
    }
    trials.into_iter().map(|(trial, _)| trial).collect()
}
