//! Writing report files: atomically (a temporary file renamed into place), and
//! readable only by the owner when they may hold secrets.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `text` to `path` atomically; `private` makes it mode 0600.
///
/// The temporary file beside `path` has a random name and is created with
/// `O_EXCL` (never an existing file, never through a symbolic link someone
/// placed there), already with its final mode, so the secrets of a private
/// report are never readable by others, not even for a moment. A reader sees
/// the old file or the new one, whole; a failed write leaves no temporary file.
pub fn write_atomic(path: &Path, text: &str, private: bool) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if path.is_dir() {
        return Err(format!(
            "cannot write {}: it is a directory (end the path with / for one file per scenario)",
            path.display()
        ));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("report");
    let (tmp, mut file) = create_temporary(dir, name, private)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let result = (|| -> std::io::Result<()> {
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A new file `.NAME.PID.RANDOM.tmp` in `dir`, created exclusively.
fn create_temporary(
    dir: &Path,
    name: &str,
    private: bool,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut last = None;
    for _ in 0..16 {
        let tmp = dir.join(format!(
            ".{name}.{}.{:016x}.tmp",
            std::process::id(),
            rand::random::<u64>()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(if private { 0o600 } else { 0o644 });
        }
        #[cfg(not(unix))]
        let _ = private;
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file name was free")))
}

/// Makes the rename durable (best effort: not every system syncs directories).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("a directory")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn replaces_a_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("r.json");
        write_atomic(&path, "old", false).expect("write");
        write_atomic(&path, "new", false).expect("write again");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_directory_in_the_way_is_an_error_without_leftovers() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("r.json");
        std::fs::create_dir(&path).expect("mkdir");
        let err = write_atomic(&path, "x", true).expect_err("a directory");
        assert!(err.contains("it is a directory"), "{err}");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn private_reports_are_0600_even_over_a_readable_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("r.json");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_atomic(&path, "secret", true).expect("write");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_at_a_temporary_name_is_not_followed() {
        // Another user may place links in a shared directory; the temporary
        // name is random and created exclusively, so a link is never written through.
        let dir = tempfile::tempdir().expect("a directory");
        let target = dir.path().join("victim");
        std::fs::write(&target, "untouched").expect("write");
        // The name older versions used, `.NAME.PID.tmp`, was predictable.
        let old = dir
            .path()
            .join(format!(".r.json.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&target, old).expect("symlink");
        for i in 0..64 {
            let link = dir
                .path()
                .join(format!(".r.json.{}.{i:016x}.tmp", std::process::id()));
            std::os::unix::fs::symlink(&target, link).expect("symlink");
        }
        write_atomic(&dir.path().join("r.json"), "report", true).expect("write");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "untouched");
    }
}
