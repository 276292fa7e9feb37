//! The README's install: `cargo install --locked --path .` in a fresh clone
//! of this repository puts a working `sfscenario` in the install root,
//! whose `--version` names the clone's commit, and that runs a bundled
//! scenario. A release build takes minutes, so the test runs only where
//! `SFSCENARIO_SLOW_TESTS=1` (as `.ci/run` sets it); elsewhere it is
//! reported as ignored, like a test whose tool is missing.
//!
//! The clone is of the committed `HEAD` (work in progress is not in it).
//! `--offline`: every crate is already downloaded by the build that runs
//! the tests, and the tests never use the network. The build directory is
//! `target/install`, kept between runs.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::gate::{Tool, ToolTest};
use crate::harness::{Output, root};

/// A cold release build on a busy 2-core machine takes about ten minutes.
const BUILD_LIMIT: Duration = Duration::from_secs(45 * 60);

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Git, Tool::SlowTests] => cargo_install_from_a_clone]
}

/// Runs `program args…` in `dir` to its end, or kills it after [`BUILD_LIMIT`].
fn run(program: &str, args: &[&str], dir: &Path, env: &[(&str, &Path)]) -> Output {
    let shown = format!("{program} {}", args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{shown}`: {e}"));
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let deadline = Instant::now() + BUILD_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{shown}` ran longer than {BUILD_LIMIT:?} and was killed");
        }
        thread::sleep(Duration::from_millis(50));
    };
    Output {
        command: shown,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        code: status.code(),
    }
}

fn cargo_install_from_a_clone() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let clone = tmp.path().join("sfscenario");
    let clone_arg = clone.to_string_lossy().into_owned();
    let repo = root().to_string_lossy().into_owned();
    run(
        "git",
        &["clone", "--quiet", "--no-hardlinks", &repo, &clone_arg],
        tmp.path(),
        &[],
    )
    .success();
    let install_root = tmp.path().join("root");
    let target = root().join("target/install");
    // The README's command, plus --root (not ~/.cargo) and --offline.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(
        &cargo,
        &[
            "install",
            "--locked",
            "--path",
            ".",
            "--root",
            &install_root.to_string_lossy(),
            "--offline",
            "--quiet",
        ],
        &clone,
        &[("CARGO_TARGET_DIR", &target)],
    )
    .success();
    let bin = install_root.join("bin/sfscenario");
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(&clone)
        .output()
        .expect("git rev-parse");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    let version = run(&bin.to_string_lossy(), &["--version"], &clone, &[]);
    version.success();
    assert_eq!(
        version.stdout,
        format!("sfscenario {} ({head})\n", env!("CARGO_PKG_VERSION")),
        "{version}"
    );
    run(
        &bin.to_string_lossy(),
        &["run", "scenarios/pkce.yaml"],
        &clone,
        &[],
    )
    .success()
    .stdout_has("PASSED");
}
