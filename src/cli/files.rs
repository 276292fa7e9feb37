//! Finding scenario files and loading `.env` files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Expands directories into their `*.yaml` / `*.yml` files, sorted by path.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| format!("{}: {e}", p.display()))?;
            found.sort();
            if found.is_empty() {
                return Err(format!(
                    "{}: no *.yaml or *.yml files in this directory",
                    p.display()
                ));
            }
            files.extend(found);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses a `.env` file: `KEY=VALUE` lines, comments, blank lines,
/// `export`, single and double quotes — the dotenv format.
pub fn parse_env_file(text: &str) -> Result<Vec<(String, String)>, String> {
    dotenvy::from_read_iter(text.as_bytes())
        .map(|item| {
            item.map_err(|e| match e {
                dotenvy::Error::LineParse(line, _) => {
                    let number = text
                        .lines()
                        .position(|l| l.trim() == line.trim())
                        .map_or_else(String::new, |i| format!("line {}: ", i + 1));
                    format!("{number}expected KEY=VALUE, found `{line}`")
                }
                other => other.to_string(),
            })
        })
        .collect()
}

/// The environment templates see: the process's, under values from the env file.
pub fn environment(env_file: Option<&Path>) -> Result<BTreeMap<String, String>, String> {
    let mut env: BTreeMap<String, String> = std::env::vars().collect();
    let (path, required) = match env_file {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(".env"), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            for (k, v) in parse_env_file(&text).map_err(|e| format!("{}: {e}", path.display()))? {
                env.entry(k).or_insert(v);
            }
        }
        Err(e) if required => return Err(format!("{}: {e}", path.display())),
        Err(_) => {}
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines() {
        let v = parse_env_file("# c\nexport A=1\nB=\"two words\"\n\nC='x=y'\n").unwrap();
        assert_eq!(
            v,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x=y".into())
            ]
        );
        assert!(parse_env_file("nonsense").is_err());
    }
}
