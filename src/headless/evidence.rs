//! Where a page the headless browser failed on is saved: its screenshot and
//! its HTML, next to the reports (the directory of the first `--report`), or
//! else in a new directory under the system's temporary directory, which
//! the step's message names. Files are readable only by their owner, and
//! the HTML has been through the redactor (the page itself was masked
//! before it was photographed).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::walk::Captured;
use crate::secret::{Mode, Redactor};

/// The directory saved pages go to, shared by the scenarios of a run.
#[derive(Debug, Clone, Default)]
pub struct EvidenceDir {
    /// Beside the reports, when there are any.
    reports: Option<PathBuf>,
    /// Files are named by the scenario's path relative to this directory.
    base: PathBuf,
    /// Made at the first saved page when there are no reports.
    temp: Arc<OnceLock<Result<PathBuf, String>>>,
}

impl EvidenceDir {
    /// Pages go to `reports` (the directory of the first report), else to a
    /// temporary directory; they are named relative to `base`.
    #[must_use]
    pub fn new(reports: Option<PathBuf>, base: PathBuf) -> Self {
        EvidenceDir {
            reports,
            base,
            temp: Arc::default(),
        }
    }

    /// The directory of the report at `path` (a `--report` path; one ending
    /// in `/` is a directory itself).
    #[must_use]
    pub fn beside(path: &Path) -> PathBuf {
        if path.to_string_lossy().ends_with('/') {
            return path.to_path_buf();
        }
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    fn dir(&self) -> Result<PathBuf, String> {
        if let Some(dir) = &self.reports {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            return Ok(dir.clone());
        }
        self.temp.get_or_init(private_temp_dir).clone()
    }

    /// Saves the page step `step` of `scenario` failed on, as
    /// `<name>.step<N>.png` and `.html`; returns the files written.
    ///
    /// # Errors
    ///
    /// When the directory or a file cannot be written.
    pub fn save(
        &self,
        scenario: &str,
        step: usize,
        page: &Captured,
        redactor: &Redactor,
    ) -> Result<Vec<PathBuf>, String> {
        let dir = self.dir()?;
        let stem = crate::paths::relative(Path::new(scenario), &self.base).with_extension("");
        let name = format!("{}.step{step}", stem.display());
        let mut written = Vec::new();
        if let Some(png) = &page.screenshot {
            let path = dir.join(format!("{name}.png"));
            write_private(&path, png)?;
            written.push(path);
        }
        if let Some(html) = &page.html {
            let path = dir.join(format!("{name}.html"));
            write_private(&path, redactor.redact(html, Mode::Display).as_bytes())?;
            written.push(path);
        }
        Ok(written)
    }
}

/// A new directory of this user's alone in the temporary directory.
fn private_temp_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for _ in 0..16 {
        let dir = base.join(format!(
            "sfscenario-pages-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        }
    }
    Err(format!("no free directory name in {}", base.display()))
}

/// Writes a new file of mode 0600, replacing what is there (a symbolic link
/// at that name is replaced, never followed).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(fail(e)),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(bytes).map_err(fail)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{EvidenceDir, write_private};
    use crate::headless::walk::Captured;
    use crate::secret::{Class, Redactor};

    #[test]
    fn pages_go_beside_the_first_report() {
        assert_eq!(
            EvidenceDir::beside(Path::new("reports/junit.xml")),
            PathBuf::from("reports")
        );
        assert_eq!(
            EvidenceDir::beside(Path::new("out/")),
            PathBuf::from("out/")
        );
        assert_eq!(EvidenceDir::beside(Path::new("r.xml")), PathBuf::from("."));
    }

    #[cfg(unix)]
    #[test]
    fn a_saved_page_is_private_and_redacted() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("a directory");
        let evidence = EvidenceDir::new(Some(dir.path().join("reports")), dir.path().to_path_buf());
        let mut redactor = Redactor::new();
        redactor.secret("password", "hunter2-hunter2", Class::Credential);
        let page = Captured {
            html: Some("<p>hunter2-hunter2</p>".into()),
            screenshot: Some(vec![0x89, b'P', b'N', b'G']),
            ..Captured::default()
        };
        let scenario = dir.path().join("flows/pkce.yaml");
        let written = evidence
            .save(&scenario.to_string_lossy(), 2, &page, &redactor)
            .expect("saved");
        let names: Vec<String> = written
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("inside")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "reports/flows/pkce.step2.png",
                "reports/flows/pkce.step2.html"
            ]
        );
        let html = std::fs::read_to_string(&written[1]).expect("read");
        assert!(
            !html.contains("hunter2") && html.contains("********"),
            "{html}"
        );
        for path in &written {
            let mode = std::fs::metadata(path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
        // Written again over a link, the link is replaced and its target untouched.
        let target = dir.path().join("victim");
        std::fs::write(&target, "untouched").expect("write");
        let link = dir.path().join("link.html");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        write_private(&link, b"page").expect("write");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "untouched");
    }
}
