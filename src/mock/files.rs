//! Files `sfscenario mock` writes for its clients: the CA certificate of
//! `--tls` and the Connected App's private key for JWT bearer assertions.
//! A directory made for them under the temp dir is removed at exit.

use std::path::{Path, PathBuf};

/// One written file.
pub struct MockFile {
    /// Absolute.
    pub path: PathBuf,
    made_dir: Option<PathBuf>,
}

impl MockFile {
    /// Writes `contents` to `dir/name`, or into a new directory under the
    /// temp dir; readable by its owner only when `private`.
    ///
    /// # Errors
    ///
    /// A message naming the path that could not be made or written.
    pub fn write(
        name: &str,
        contents: &str,
        dir: Option<&Path>,
        private: bool,
    ) -> Result<MockFile, String> {
        let (dir, made_dir) = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                let dir =
                    std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                (dir, None)
            }
            None => {
                let dir = fresh_temp_dir()?;
                (dir.clone(), Some(dir))
            }
        };
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(|e| format!("{}: {e}", path.display()))?;
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::PermissionsExt as _;
            let owner_only = std::fs::Permissions::from_mode(0o600);
            std::fs::set_permissions(&path, owner_only)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        #[cfg(not(unix))]
        let _ = private;
        Ok(MockFile { path, made_dir })
    }

    /// Removes the file and directory when they were made for it.
    pub fn remove(self) {
        // Best effort: the file is useless once the server is gone.
        if let Some(dir) = self.made_dir {
            let _ = std::fs::remove_file(&self.path);
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// A directory of our own under the temp dir (never one that exists).
fn fresh_temp_dir() -> Result<PathBuf, String> {
    let base = std::path::absolute(std::env::temp_dir()).map_err(|e| e.to_string())?;
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let dir = base.join(format!("sfscenario-mock-{pid}-{attempt}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        }
    }
    Err(format!("no free directory name in {}", base.display()))
}

#[cfg(test)]
mod tests {
    use super::MockFile;

    #[test]
    fn a_file_is_written_and_a_made_directory_removed() {
        let file = MockFile::write("ca.pem", "PEM", None, false).unwrap();
        assert!(file.path.is_absolute());
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), "PEM");
        let dir = file.made_dir.clone().unwrap();
        file.remove();
        assert!(!dir.exists());
        let kept = tempfile::tempdir().unwrap();
        let file = MockFile::write("ca.pem", "PEM", Some(&kept.path().join("sub")), false).unwrap();
        let path = file.path.clone();
        file.remove();
        assert!(path.exists(), "a --tls-dir is the user's: kept");
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_is_its_owners_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let file = MockFile::write("app_key.pem", "KEY", None, true).unwrap();
        let mode = std::fs::metadata(&file.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        file.remove();
    }
}
