//! A small fluent harness around the `sfscenario` binary.
//!
//! ```ignore
//! let out = Sfscenario::new().args(["run", "scenarios/pkce.yaml"]).run();
//! out.code(0);
//! ```
//!
//! Every run starts in the repository root (unless told otherwise) with
//! `NO_COLOR=1`, no stdin and none of the `SF_*` variables that would point it
//! at a real org (unless set on the run). A run that takes longer than
//! [`TIMEOUT`] is killed, and the test fails instead of hanging the whole
//! suite.

use std::ffi::OsString;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long one run may take before it is killed.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The repository root: every run's working directory.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every bundled scenario (`scenarios/**/*.yaml`), sorted.
pub fn bundled() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("scenarios/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("scenarios"), &mut files);
    files.sort();
    files
}

/// A command line to run.
#[derive(Debug, Clone)]
pub struct Sfscenario {
    args: Vec<OsString>,
    dir: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
}

impl Sfscenario {
    pub fn new() -> Self {
        Sfscenario {
            args: Vec::new(),
            dir: None,
            env: Vec::new(),
        }
    }

    /// Runs in `dir` instead of the repository root.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Sets an environment variable (`SF_*` ones too) for this run.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Runs the binary to its end (or kills it after [`TIMEOUT`]).
    pub fn run(self) -> Output {
        let mut cmd = command(Path::new(env!("CARGO_BIN_EXE_sfscenario")));
        cmd.args(&self.args)
            .current_dir(self.dir.as_deref().unwrap_or(root()));
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        run_to_end(cmd, self.to_string())
    }
}

/// `program` as every test runs it: `NO_COLOR=1`, no stdin, both streams
/// piped, none of the `SF_*` variables of the environment the tests run in.
pub fn command(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SF_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Runs `cmd` (made by [`command`]) to its end, or kills it after
/// [`TIMEOUT`]; `shown` names it in failures.
pub fn run_to_end(mut cmd: Command, shown: String) -> Output {
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{shown}`: {e}"));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_or_kill(&mut child, &shown);
    let stdout = stdout.join().expect("stdout reader");
    let stderr = stderr.join().expect("stderr reader");
    Output {
        command: shown,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
        code: status.code(),
    }
}

impl fmt::Display for Sfscenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sfscenario")?;
        for a in &self.args {
            write!(f, " {}", a.to_string_lossy())?;
        }
        Ok(())
    }
}

/// Reads a pipe to its end on its own thread, so neither pipe can fill up
/// and block the child.
fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            pipe.read_to_end(&mut buf)
                .expect("read a pipe of the child");
        }
        buf
    })
}

fn wait_or_kill(child: &mut Child, command: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{command}` ran longer than {TIMEOUT:?} and was killed");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    /// `None` when a signal ended the process.
    pub code: Option<i32>,
}

impl Output {
    /// Asserts the exit status, showing both streams when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "`{}` exited with {:?}, expected {expected}\n{self}",
            self.command,
            self.code
        );
        self
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        self.code(0)
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout of `{}` lacks {needle:?}\n{self}",
            self.command
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr of `{}` lacks {needle:?}\n{self}",
            self.command
        );
        self
    }

    #[track_caller]
    pub fn stdout_empty(&self) -> &Self {
        assert!(
            self.stdout.is_empty(),
            "stdout of `{}` should be empty\n{self}",
            self.command
        );
        self
    }

    /// Asserts that neither stream shows a panic.
    #[track_caller]
    pub fn no_panic(&self) -> &Self {
        for text in [&self.stdout, &self.stderr] {
            assert!(
                !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
                "`{}` panicked\n{self}",
                self.command
            );
        }
        self
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "--- stdout ---\n{}", self.stdout)?;
        write!(f, "--- stderr ---\n{}", self.stderr)
    }
}
