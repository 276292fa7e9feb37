//! One headless Chromium for one walk through the login host's pages:
//! chromedriver on a port it picks, Chromium under it with a fresh profile,
//! a WebDriver session over loopback, and all of it ended afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Variables naming the programs, for machines where they have other names.
pub const CHROMIUM_VAR: &str = "SFSCENARIO_CHROMIUM";
pub const CHROMEDRIVER_VAR: &str = "SFSCENARIO_CHROMEDRIVER";

/// Names the browser goes by on `PATH` (Debian's first).
const CHROMIUM_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The programs `--browser headless` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Tools {
    /// Finds Chromium and chromedriver: the variables first, then `PATH`
    /// (both as in `env`, the run's environment).
    ///
    /// # Errors
    ///
    /// What is missing and how to install it.
    pub fn find(env: &BTreeMap<String, String>) -> Result<Tools, String> {
        let path = env.get("PATH").map(String::as_str).unwrap_or_default();
        let named = |var: &str| env.get(var).filter(|v| !v.is_empty()).map(PathBuf::from);
        let chromium = named(CHROMIUM_VAR)
            .or_else(|| CHROMIUM_NAMES.iter().find_map(|name| on_path(path, name)));
        let chromedriver = named(CHROMEDRIVER_VAR).or_else(|| on_path(path, "chromedriver"));
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Tools {
                chromium,
                chromedriver,
            }),
            (chromium, _) => {
                let missing = if chromium.is_none() {
                    format!("Chromium (`chromium` on PATH, or {CHROMIUM_VAR})")
                } else {
                    format!("chromedriver (`chromedriver` on PATH, or {CHROMEDRIVER_VAR})")
                };
                Err(format!(
                    "--browser headless needs {missing}; on Debian: apt-get install chromium chromium-driver"
                ))
            }
        }
    }
}

fn on_path(path: &str, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
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

/// A running headless Chromium and its WebDriver session.
pub struct Chromium {
    client: Client,
    driver: Child,
    /// Removed when the browser is.
    _profile: Profile,
}

/// Why Chromium could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot start chromedriver ({path}): {why}")]
    Driver { path: String, why: String },
    #[error("chromedriver did not start within {0:?}")]
    DriverSilent(Duration),
    #[error("chromedriver ended before it was ready ({status}){said}")]
    DriverEnded { status: String, said: String },
    #[error("cannot make a browser profile directory: {0}")]
    Profile(std::io::Error),
    #[error("chromedriver could not start Chromium: {0}")]
    Session(String),
}

impl Chromium {
    /// Starts chromedriver and a headless Chromium under it; gives up after
    /// `within`.
    ///
    /// # Errors
    ///
    /// When a program cannot be started or does not answer in time.
    pub async fn launch(tools: &Tools, within: Duration) -> Result<Chromium, LaunchError> {
        let profile = Profile::new().map_err(LaunchError::Profile)?;
        let mut driver = Command::new(&tools.chromedriver)
            // Port 0: chromedriver picks a free one and says which.
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| LaunchError::Driver {
                path: tools.chromedriver.display().to_string(),
                why: e.to_string(),
            })?;
        let port = match tokio::time::timeout(within, driver_port(&mut driver)).await {
            Err(_) => return Err(LaunchError::DriverSilent(within)),
            Ok(Ok(port)) => port,
            Ok(Err(last)) => {
                let status = match tokio::time::timeout(Duration::from_secs(5), driver.wait()).await
                {
                    Ok(Ok(status)) => status.to_string(),
                    _ => "still running".to_owned(),
                };
                let said = if last.is_empty() {
                    String::new()
                } else {
                    format!(": {last}")
                };
                return Err(LaunchError::DriverEnded { status, said });
            }
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities(tools, &profile.0, within));
        let url = format!("http://127.0.0.1:{port}");
        match tokio::time::timeout(within, builder.connect(&url)).await {
            Ok(Ok(client)) => Ok(Chromium {
                client,
                driver,
                _profile: profile,
            }),
            Ok(Err(e)) => Err(LaunchError::Session(e.to_string())),
            Err(_) => Err(LaunchError::Session(format!(
                "no session within {within:?}"
            ))),
        }
    }

    /// The WebDriver session.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the session (Chromium quits), then chromedriver.
    pub async fn close(self) {
        let Chromium {
            client,
            mut driver,
            _profile,
        } = self;
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        let _ = driver.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), driver.wait()).await;
    }
}

/// Reads chromedriver's "started successfully on port N" line; the rest of
/// its output is read and dropped so that it never blocks on a full pipe.
/// When its output ends first: the last line it wrote.
async fn driver_port(driver: &mut Child) -> Result<u16, String> {
    let Some(stdout) = driver.stdout.take() else {
        return Err(String::new());
    };
    let mut lines = BufReader::new(stdout).lines();
    let mut last = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(port) = line
            .split("on port ")
            .nth(1)
            .and_then(|rest| rest.trim().trim_end_matches('.').parse::<u16>().ok())
            .filter(|_| line.contains("started successfully"))
        {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(port);
        }
        if !line.trim().is_empty() {
            last = line.trim().chars().take(300).collect();
        }
    }
    Err(last)
}

/// The session asked for: Chromium headless, with nothing that phones home,
/// a fresh profile, and page loads bounded by the step's timeout.
fn capabilities(tools: &Tools, profile: &Path, within: Duration) -> Map<String, Value> {
    let mut args = vec![
        "--headless".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-quic".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--lang=en-US".to_owned(),
        "--window-size=1000,800".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    // Chromium's sandbox cannot run as root; anywhere else it stays on.
    if owned_by_root(profile) {
        args.push("--no-sandbox".to_owned());
    }
    let ms = u64::try_from(within.as_millis()).unwrap_or(u64::MAX);
    let caps = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "timeouts": { "pageLoad": ms, "script": ms, "implicit": 0 },
        "goog:chromeOptions": {
            "binary": tools.chromium,
            "args": args,
        },
    });
    match caps {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Whether the directory just made belongs to root, that is whether this
/// process runs as root.
fn owned_by_root(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        dir.metadata().is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

/// A browser profile directory of its own, readable only by this user,
/// removed with the browser.
struct Profile(PathBuf);

impl Profile {
    fn new() -> std::io::Result<Profile> {
        let base = std::env::temp_dir();
        let mut last = None;
        for _ in 0..16 {
            let dir = base.join(format!(
                "sfscenario-chromium-{}-{:016x}",
                std::process::id(),
                rand::random::<u64>()
            ));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt as _;
                builder.mode(0o700);
            }
            match builder.create(&dir) {
                Ok(()) => return Ok(Profile(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free directory name")))
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use super::{CHROMEDRIVER_VAR, Tools, capabilities};

    fn args(profile: &Path) -> Vec<String> {
        let tools = Tools {
            chromium: PathBuf::from("/usr/bin/chromium"),
            chromedriver: PathBuf::from("/usr/bin/chromedriver"),
        };
        let caps = capabilities(&tools, profile, Duration::from_secs(30));
        caps["goog:chromeOptions"]["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn chromium_runs_headless_quiet_and_sandboxed_unless_root() {
        // A profile owned by root: the process runs as root, where Chromium's
        // sandbox cannot start.
        let root = args(Path::new("/"));
        for flag in [
            "--headless",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ] {
            assert!(root.iter().any(|a| a == flag), "{flag}: {root:?}");
        }
        assert!(root.iter().any(|a| a == "--no-sandbox"), "{root:?}");
        assert!(root.iter().any(|a| a == "--user-data-dir=/"), "{root:?}");
        // A profile owned by anyone else keeps the sandbox.
        let dir = tempfile::tempdir().expect("a directory");
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            if dir.path().metadata().expect("stat").uid() == 0 {
                std::os::unix::fs::chown(dir.path(), Some(65534), Some(65534)).expect("chown");
            }
        }
        let user = args(dir.path());
        assert!(user.iter().any(|a| a == "--headless"), "{user:?}");
        assert!(!user.iter().any(|a| a == "--no-sandbox"), "{user:?}");
    }

    #[test]
    fn missing_tools_are_named_with_their_install() {
        let env = BTreeMap::from([("PATH".to_owned(), "/nonexistent".to_owned())]);
        let err = Tools::find(&env).expect_err("nothing on that PATH");
        assert!(
            err.contains("Chromium") && err.contains("apt-get install chromium chromium-driver"),
            "{err}"
        );
        let env = BTreeMap::from([
            ("PATH".to_owned(), "/nonexistent".to_owned()),
            ("SFSCENARIO_CHROMIUM".to_owned(), "/opt/chrome".to_owned()),
        ]);
        let err = Tools::find(&env).expect_err("no chromedriver");
        assert!(err.contains(CHROMEDRIVER_VAR), "{err}");
    }
}
