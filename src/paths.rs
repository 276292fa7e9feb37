//! How the files a run writes are named: reports, snapshots and saved
//! pages take the scenario's path relative to the deepest directory that
//! holds every path given to `run`.

use std::path::{Component, Path, PathBuf};

/// `file` relative to `base` (its name alone if it lies elsewhere).
pub fn relative(file: &Path, base: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let file = normal(&cwd.join(file));
    match file.strip_prefix(base) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => PathBuf::from(file.file_name().unwrap_or(file.as_os_str())),
    }
}

/// `.` and `..` taken out lexically (the files need not exist yet).
pub fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
