//! `sfscenario init`: a PKCE starter (`pkce.yaml`), or with `--from` a
//! suite per app found in Salesforce DX source — a scenario per flow the
//! app enables and one negative per policy, each naming the app's source in
//! its `mock:` section so that it passes on the mock at once.

use std::path::{Component, Path, PathBuf};

use crate::apps::init::{STARTER, Written, scenarios};
use crate::apps::mock_app::map;
use crate::cli::args::InitArgs;
use crate::cli::exit::{CliError, Exit};

pub fn init(args: &InitArgs) -> Result<Exit, CliError> {
    match &args.from {
        None => {
            let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
            let written = Written {
                file: "pkce.yaml".into(),
                text: STARTER.into(),
            };
            let path = write(&dir, &written, args.force)?;
            println!("{}", path.display());
            eprintln!("Run it: sfscenario run {}", path.display());
            Ok(Exit::Passed)
        }
        Some(from) => suite(from, args),
    }
}

fn suite(from: &Path, args: &InitArgs) -> Result<Exit, CliError> {
    let source = crate::apps::load(from).map_err(|e| CliError::Paths(e.to_string()))?;
    if source.apps.is_empty() {
        return Err(CliError::Paths(format!(
            "{}: no app found (expected *.connectedApp-meta.xml or *.eca-meta.xml files)",
            from.display()
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("scenarios"));
    let several = source.apps.len() > 1;
    for app in &source.apps {
        let mapped = map(app, source.oauth_settings.as_ref(), None)
            .map_err(|e| CliError::Paths(e.to_string()))?;
        if let Some(reason) = &mapped.not_served {
            eprintln!("warning: no scenarios for `{}`: {reason}", app.name);
            continue;
        }
        if let Some(warning) = mapped.warning() {
            eprintln!("{warning}");
        }
        let dir = out.join(&app.name);
        let app_ref = |file: &str| {
            let file_dir = dir
                .join(file)
                .parent()
                .map_or_else(|| dir.clone(), Path::to_path_buf);
            let relative = relative(&file_dir, from);
            if several {
                format!("{{ source: \"{relative}\", name: {} }}", app.name)
            } else {
                format!("\"{relative}\"")
            }
        };
        for written in scenarios(app, &mapped, &app_ref) {
            let path = write(&dir, &written, args.force)?;
            println!("{}", path.display());
        }
    }
    eprintln!("Run them: sfscenario run {}", out.display());
    Ok(Exit::Passed)
}

/// Writes a file under `dir`, refusing to replace one unless `force`.
fn write(dir: &Path, written: &Written, force: bool) -> Result<PathBuf, CliError> {
    let path = if dir == Path::new(".") {
        PathBuf::from(&written.file)
    } else {
        dir.join(&written.file)
    };
    if path.exists() && !force {
        return Err(CliError::Write(format!(
            "{} exists; --force replaces it",
            path.display()
        )));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::Write(format!("{}: {e}", parent.display())))?;
    }
    std::fs::write(&path, &written.text)
        .map_err(|e| CliError::Write(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// `to` as seen from the folder `from`, with forward slashes.
fn relative(from: &Path, to: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    // The path's parts with `.` and `..` resolved (`/` as an empty part).
    let normal = |p: PathBuf| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for part in p.components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::RootDir | Component::Prefix(_) => {
                    parts.push(part.as_os_str().to_string_lossy().into_owned());
                }
            }
        }
        parts
    };
    let (from, to) = (normal(absolute(from)), normal(absolute(to)));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_owned(); from.len() - common];
    out.extend(to[common..].iter().cloned());
    if out.is_empty() {
        ".".into()
    } else {
        out.join("/")
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::relative;

    #[test]
    fn paths_relative_to_a_folder() {
        assert_eq!(relative(Path::new("/a/b/c"), Path::new("/a/x")), "../../x");
        assert_eq!(relative(Path::new("/a"), Path::new("/a/x/y")), "x/y");
        assert_eq!(relative(Path::new("/a/./b/../c"), Path::new("/a/c")), ".");
    }
}
