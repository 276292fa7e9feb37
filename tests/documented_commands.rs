//! The commands the README and the CI examples in `docs/ci/` show, run as
//! written, in a temporary copy of the repository.
//!
//! Every `sh` block of the README is split into commands (`\` continues a
//! line); every `text` block that starts with `$ ` is a command and the
//! output it shows. From `docs/ci/` come the GitHub Actions `run:` steps and
//! the GitLab CI `script:` lines, once per matrix value or parallel node. Each
//! command either runs — with `sh`, `sfscenario` on `PATH` being the binary
//! under test — or is listed in [`NOT_RUN`] with the reason it cannot run
//! here. A documented command in neither place fails the test, and so does
//! an entry of [`NOT_RUN`] that no longer matches any command.
//!
//! A command that runs must exit 0. Where a block shows output, the output
//! must match once what varies from run to run (durations, ports, random
//! code prefixes) is normalised on both sides ([`normalise`]). Afterwards the
//! copy's committed files must be as they were: accepting snapshots on a
//! clean clone changes nothing, and regenerating `docs/flows/` reproduces
//! the committed pages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use crate::harness::{Output, command, root, run_to_end};

/// Documented commands that cannot run in the test suite, each matched by a
/// piece of its text, with the reason.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "cargo test",
        "runs the test suite, which this test is part of",
    ),
    (
        "--org https://mydomain.my.salesforce.com",
        "needs a real org and its Connected App",
    ),
    (
        "export SF_CLIENT_ID=",
        "credentials of a real Connected App",
    ),
    (
        "apt-get install",
        "installs system packages (as root; .ci/run does it)",
    ),
    (
        "npm ci --prefix tests/interop",
        "installs from the npm registry (.ci/run does it)",
    ),
    (
        "npm ci --prefix tests/sf",
        "installs from the npm registry (.ci/run does it)",
    ),
    (
        "cargo install --locked --path .",
        "builds a release binary (minutes); the tools test `install` runs it in a fresh clone",
    ),
    (
        "cargo install --locked --git",
        "installs from a git URL over the network",
    ),
    (
        "sfscenario completions bash >",
        "writes into your home directory; the tools test `completions` runs it with a throw-away HOME",
    ),
    (
        "sfscenario completions zsh >",
        "writes into your home directory; the tools test `completions` runs it with a throw-away HOME",
    ),
    (
        "sfscenario completions fish >",
        "writes into your home directory; the tools test `completions` runs it with a throw-away HOME",
    ),
    ("pip install -r", "installs from PyPI (.ci/run does it)"),
    (
        "cargo install --locked sfscenario",
        "installs from crates.io or a git URL; the tests use the binary they built",
    ),
    (
        "--org sandbox",
        "needs a real sandbox and credentials from the CI's secret store",
    ),
];

/// `cargo run --release --` in the README is the binary under test.
const CARGO_RUN: &str = "cargo run --release -- ";

/// What the copy holds: everything a documented command reads or writes.
const COPIED: &[&str] = &["README.md", "scenarios", "snapshots", "docs", "examples"];

/// One documented command.
#[derive(Debug, Clone)]
struct Documented {
    /// `README.md:120`, `docs/ci/gitlab-ci.yml job sfscenario:mock`.
    at: String,
    /// The command line(s), as `sh` reads them.
    text: String,
    /// Extra environment (a CI's node index).
    env: Vec<(String, String)>,
    /// The output the documentation shows, if it shows any.
    shows: Option<String>,
}

/// Fenced blocks of a Markdown text: (info string, line of the fence, body).
fn fenced_blocks(markdown: &str) -> Vec<(String, usize, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((info.trim().to_owned(), i + 1, String::new()));
                }
            }
            Some((_, _, body)) => {
                if trimmed.starts_with("```") {
                    blocks.extend(open.take());
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    blocks
}

/// The commands of the README: its `sh` blocks and `$ ` lines of `text` blocks.
fn readme_commands(markdown: &str) -> Vec<Documented> {
    let mut commands = Vec::new();
    for (info, fence, body) in fenced_blocks(markdown) {
        match info.as_str() {
            "sh" | "console" | "shell" | "bash" => {
                let mut pending = String::new();
                let mut first = 0;
                for (i, line) in body.lines().enumerate() {
                    if pending.is_empty() {
                        first = fence + 1 + i;
                    }
                    let code = line.trim();
                    if code.is_empty() || code.starts_with('#') {
                        continue;
                    }
                    pending.push_str(line);
                    pending.push('\n');
                    if !code.ends_with('\\') {
                        commands.push(Documented {
                            at: format!("README.md:{first}"),
                            text: std::mem::take(&mut pending),
                            env: Vec::new(),
                            shows: None,
                        });
                    }
                }
            }
            "text" if body.starts_with("$ ") => {
                let mut lines = body.lines().enumerate().peekable();
                while let Some((i, line)) = lines.next() {
                    let Some(cmd) = line.strip_prefix("$ ") else {
                        continue;
                    };
                    let mut shows = String::new();
                    while let Some((_, out)) = lines.next_if(|(_, l)| !l.starts_with("$ ")) {
                        shows.push_str(out);
                        shows.push('\n');
                    }
                    commands.push(Documented {
                        at: format!("README.md:{}", fence + 1 + i),
                        text: format!("{cmd}\n"),
                        env: Vec::new(),
                        shows: Some(shows),
                    });
                }
            }
            _ => {}
        }
    }
    commands
}

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).expect("a CI example");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// The `run:` steps of a GitHub Actions workflow, once per matrix value.
fn github_commands(path: &str) -> Vec<Documented> {
    let workflow = yaml(path);
    let mut commands = Vec::new();
    let jobs = workflow["jobs"].as_object().expect("jobs");
    for (name, job) in jobs {
        let matrix = job["strategy"]["matrix"].as_object();
        for step in job["steps"].as_array().expect("steps") {
            let Some(run) = step["run"].as_str() else {
                continue;
            };
            let at = format!("{path} job {name}");
            let expanded = expand_matrix(run, matrix);
            if expanded.is_empty() {
                commands.push(Documented {
                    at: at.clone(),
                    text: run.to_owned(),
                    env: Vec::new(),
                    shows: None,
                });
            }
            for (values, text) in expanded {
                commands.push(Documented {
                    at: format!("{at} ({values})"),
                    text,
                    env: Vec::new(),
                    shows: None,
                });
            }
        }
    }
    commands
}

/// `run` with `${{ matrix.NAME }}` replaced, once per value of NAME; empty
/// when it names no matrix value.
fn expand_matrix(
    run: &str,
    matrix: Option<&serde_json::Map<String, Value>>,
) -> Vec<(String, String)> {
    let expression = Regex::new(r"\$\{\{\s*matrix\.([A-Za-z_]+)\s*\}\}").expect("a pattern");
    let Some(name) = expression.captures(run).map(|c| c[1].to_owned()) else {
        return Vec::new();
    };
    let values = matrix
        .and_then(|m| m.get(&name))
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("matrix.{name} has no values"));
    values
        .iter()
        .map(|v| {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            let text = expression.replace_all(run, v.as_str()).into_owned();
            (format!("matrix.{name}={v}"), text)
        })
        .collect()
}

/// The `script:` and `before_script:` lines of GitLab CI jobs; a job with
/// `parallel: N` runs once per node, with `CI_NODE_INDEX` and `CI_NODE_TOTAL`.
fn gitlab_commands(path: &str) -> Vec<Documented> {
    let pipeline = yaml(path);
    let mut commands = Vec::new();
    for (name, job) in pipeline.as_object().expect("jobs") {
        let nodes = job["parallel"].as_u64();
        for key in ["before_script", "script"] {
            let Some(lines) = job[key].as_array() else {
                continue;
            };
            for line in lines.iter().filter_map(Value::as_str) {
                let at = format!("{path} job {name} {key}");
                let Some(total) = nodes else {
                    commands.push(Documented {
                        at,
                        text: line.to_owned(),
                        env: Vec::new(),
                        shows: None,
                    });
                    continue;
                };
                for index in 1..=total {
                    commands.push(Documented {
                        at: format!("{at} (node {index}/{total})"),
                        text: line.to_owned(),
                        env: vec![
                            ("CI_NODE_INDEX".to_owned(), index.to_string()),
                            ("CI_NODE_TOTAL".to_owned(), total.to_string()),
                        ],
                        shows: None,
                    });
                }
            }
        }
    }
    commands
}

/// What varies from run to run in pretty output: durations, ports, the
/// prefix a random code shows.
fn normalise(text: &str) -> String {
    let rules = [
        (r"\b\d+ ms\b", "N ms"),
        (r"(127\.0\.0\.1|localhost):\d+", "$1:PORT"),
        (r"(code: )[^\s…]+…", "${1}CODE…"),
    ];
    let mut text = text.to_owned();
    for (pattern, replacement) in rules {
        let re = Regex::new(pattern).expect("a valid pattern");
        text = re.replace_all(&text, replacement).into_owned();
    }
    text
}

/// A temporary copy of what the documented commands use, and a directory
/// with `sfscenario` (the binary under test) for `PATH`.
struct Copy {
    dir: tempfile::TempDir,
    bin: tempfile::TempDir,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for item in COPIED {
            copy(&root().join(item), &dir.path().join(item));
        }
        let bin = tempfile::tempdir().expect("a temporary directory");
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_sfscenario"),
            bin.path().join("sfscenario"),
        )
        .expect("link sfscenario");
        Copy { dir, bin }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs a documented command with `sh` in the copy.
    fn run(&self, doc: &Documented) -> Output {
        let text = doc
            .text
            .strip_prefix(CARGO_RUN)
            .map_or_else(|| doc.text.clone(), |rest| format!("sfscenario {rest}"));
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.bin.path().to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        let mut cmd = command(Path::new("sh"));
        cmd.args(["-c", &text])
            .current_dir(self.path())
            .env("PATH", std::env::join_paths(paths).expect("a PATH"))
            .envs(doc.env.iter().map(|(k, v)| (k, v)));
        run_to_end(cmd, format!("{} ({})", text.trim_end(), doc.at))
    }
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("create a directory");
        for entry in std::fs::read_dir(from).expect("a readable directory") {
            let entry = entry.expect("an entry");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
    }
}

/// Every file under `dir`, by its path relative to `dir`, with its text.
fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).expect("a readable directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).expect("under base").to_path_buf();
                out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The [`NOT_RUN`] entry of a documented command that cannot run here.
fn not_run(doc: &Documented) -> Option<(&'static str, &'static str)> {
    NOT_RUN
        .iter()
        .find(|(piece, _)| doc.text.contains(piece))
        .copied()
}

/// Runs what can run; returns the `NOT_RUN` pieces that matched.
fn run_all(copy: &Copy, commands: &[Documented]) -> Vec<&'static str> {
    let mut skipped = Vec::new();
    for doc in commands {
        if let Some((piece, _)) = not_run(doc) {
            skipped.push(piece);
            continue;
        }
        let runnable = doc.text.starts_with("sfscenario ") || doc.text.starts_with(CARGO_RUN);
        assert!(
            runnable,
            "{}: `{}` neither runs sfscenario nor is listed in NOT_RUN with a reason",
            doc.at,
            doc.text.trim_end()
        );
        let out = copy.run(doc);
        out.code(0).no_panic();
        if let Some(shows) = &doc.shows {
            let (expected, actual) = (normalise(shows), normalise(&out.stdout));
            if expected != actual {
                let diff = similar::TextDiff::from_lines(&expected, &actual)
                    .unified_diff()
                    .context_radius(2)
                    .to_string();
                panic!("{}: the output differs from what is shown:\n{diff}", doc.at);
            }
        }
        for report in reports_of(&doc.text) {
            let path = copy.path().join(&report);
            let written = if report.ends_with('/') {
                path.read_dir().is_ok_and(|mut d| d.next().is_some())
            } else {
                path.is_file()
            };
            assert!(
                written,
                "{}: `{}` wrote no {report}",
                doc.at,
                doc.text.trim()
            );
        }
    }
    skipped
}

/// The paths of a command's `--report FORMAT=PATH` options.
fn reports_of(text: &str) -> Vec<String> {
    let re = Regex::new(r"--report\s+[a-z]+=(\S+)").expect("a pattern");
    re.captures_iter(text).map(|c| c[1].to_owned()).collect()
}

/// The copy's committed files are as in the repository: snapshot logs
/// byte for byte, flow pages up to what varies between runs.
fn committed_files_unchanged(copy: &Copy) {
    let (before, after) = (
        files(&root().join("snapshots")),
        files(&copy.path().join("snapshots")),
    );
    assert!(
        before == after,
        "the documented commands changed snapshots/: {:?}",
        after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(v))
            .map(|(k, _)| k)
            .chain(before.keys().filter(|k| !after.contains_key(*k)))
            .collect::<Vec<_>>()
    );
    let (before, after) = (
        files(&root().join("docs/flows")),
        files(&copy.path().join("docs/flows")),
    );
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (name, text) in &after {
        assert!(
            *text == before[name],
            "docs/flows/{} differs after the documented commands",
            name.display()
        );
    }
}

#[test]
fn the_readme_commands_run_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let commands = readme_commands(&readme);
    assert!(
        commands.iter().any(|c| c.shows.is_some()) && commands.len() >= 8,
        "the README's command blocks were not found: {commands:#?}"
    );
    let copy = Copy::new();
    let skipped = run_all(&copy, &commands);
    assert!(
        skipped.contains(&"cargo test"),
        "README.md shows `cargo test`"
    );
    committed_files_unchanged(&copy);
    for doc in &commands {
        if let Some((_, why)) = not_run(doc) {
            let first = doc.text.trim().lines().next().unwrap_or_default();
            eprintln!("not run: {first} ({}): {why}", doc.at);
        }
    }
}

#[test]
fn the_ci_examples_run_as_written() {
    let mut commands = github_commands("docs/ci/github-actions.yml");
    commands.extend(gitlab_commands("docs/ci/gitlab-ci.yml"));
    let copy = Copy::new();
    let skipped = run_all(&copy, &commands);
    let ran = commands.len() - skipped.len();
    assert_eq!(
        ran, 4,
        "both shards of each CI example's mock job: {commands:#?}"
    );
    committed_files_unchanged(&copy);
    for doc in &commands {
        if let Some((_, why)) = not_run(doc) {
            let first = doc.text.trim().lines().next().unwrap_or_default();
            eprintln!("not run: {first} ({}): {why}", doc.at);
        }
    }
}

/// Every entry of [`NOT_RUN`] matches a documented command: the list stays
/// the list of what is not tested, not of what once was.
#[test]
fn every_command_that_is_not_run_is_documented() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut commands = readme_commands(&readme);
    commands.extend(github_commands("docs/ci/github-actions.yml"));
    commands.extend(gitlab_commands("docs/ci/gitlab-ci.yml"));
    for (piece, why) in NOT_RUN {
        assert!(
            commands.iter().any(|c| c.text.contains(piece)),
            "NOT_RUN lists `{piece}` ({why}), which no documented command contains"
        );
    }
}

#[test]
fn normalise_replaces_only_what_varies() {
    assert_eq!(
        normalise(
            "  ✓ 3. Code (callback) 14 ms\n    code: aPrxq4…\n  http://127.0.0.1:35115 · 22 ms"
        ),
        "  ✓ 3. Code (callback) N ms\n    code: CODE…\n  http://127.0.0.1:PORT · N ms"
    );
}
