//! Output of a finished run: stdout in the chosen format, report files, and
//! snapshot comparison.

use std::path::{Component, Path, PathBuf};

use crate::cli::run::{Done, Plan, Report};
use crate::cli::write::write_atomic;
use crate::log::ScenarioLog;
use crate::render::{self, Format, RenderOptions};
use crate::secret::{Mode, Redactor};

/// How walkthroughs are redacted: made with --seed, they regenerate to the
/// same bytes.
pub fn markdown_mode(plan: &Plan) -> Mode {
    if plan.config.seed.is_some() && plan.mode == Mode::Display {
        Mode::Document
    } else {
        plan.mode
    }
}

/// One text for stdout or a report.
pub fn render_all(format: Format, done: &[Done], plan: &Plan) -> String {
    let mode = match format {
        Format::Snapshot => Mode::Snapshot,
        Format::Markdown => markdown_mode(plan),
        _ => plan.mode,
    };
    if matches!(format, Format::Json | Format::Junit) && done.len() != 1 {
        let logs: Vec<ScenarioLog> = done
            .iter()
            .map(|d| d.redactor.redact_log(&d.log, mode))
            .collect();
        let mut all = Redactor::new();
        done.iter().for_each(|d| all.merge(&d.redactor));
        return all.redact(&render::render_run(format, &logs, &plan.opts), mode);
    }
    let opts = RenderOptions {
        color: false,
        ..plan.opts
    };
    done.iter()
        .map(|d| {
            let log = d.redactor.redact_log(&d.log, mode);
            d.redactor
                .redact(&render::render_scenario(format, &log, &opts), mode)
        })
        .collect::<Vec<_>>()
        .join(if format == Format::Snapshot {
            "---\n"
        } else {
            "\n"
        })
}

pub fn write_report(report: &Report, done: &[Done], plan: &Plan) -> Result<(), String> {
    let private = plan.mode == Mode::Reveal;
    if report.path.to_string_lossy().ends_with('/') {
        if report.format == Format::Markdown {
            return crate::cli::walkthroughs::write(&report.path, done, plan);
        }
        for d in done {
            let name = relative(&d.file, &plan.base).with_extension(extension(report.format));
            write_atomic(
                &report.path.join(name),
                &render_all(report.format, std::slice::from_ref(d), plan),
                private,
            )?;
        }
        return Ok(());
    }
    write_atomic(
        &report.path,
        &render_all(report.format, done, plan),
        private,
    )
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Pretty => "txt",
        Format::Markdown => "md",
        Format::Json => "json",
        Format::Junit => "xml",
        Format::Snapshot => "snap",
    }
}

/// Compares (or writes) `DIR/<stem>.snap`; prints a diff for each mismatch.
pub fn compare_snapshots(dir: &Path, done: &[Done], plan: &Plan) -> bool {
    let mut ok = true;
    for d in done {
        let path = dir.join(relative(&d.file, &plan.base).with_extension("snap"));
        let text = render_all(Format::Snapshot, std::slice::from_ref(d), plan);
        let existing = std::fs::read_to_string(&path).ok();
        if plan.update_snapshots {
            if existing.as_deref() != Some(text.as_str()) {
                let what = if existing.is_some() { "updated" } else { "new" };
                eprintln!("snapshot {what}: {}", path.display());
                if let Err(e) = write_atomic(&path, &text, false) {
                    eprintln!("error: {e}");
                    ok = false;
                }
            }
            continue;
        }
        match existing {
            None => {
                eprintln!(
                    "snapshot missing: {} (run with --update-snapshots to write it)",
                    path.display()
                );
                ok = false;
            }
            Some(old) if old != text => {
                eprintln!("snapshot mismatch: {}", path.display());
                eprint!("{}", unified_diff(&old, &text));
                ok = false;
            }
            Some(_) => {}
        }
    }
    ok
}

/// The deepest directory that holds every path given to `run` (a file
/// argument counts as its directory). Reports and snapshots are named by the
/// scenario's path relative to it, so that `a/x.yaml` and `b/x.yaml` keep
/// apart and `run scenarios/` names `negative/x.snap`.
pub fn common_base(paths: &[PathBuf]) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let dirs: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            let p = normal(&cwd.join(p));
            if p.is_dir() {
                p
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or(p)
            }
        })
        .collect();
    let Some(first) = dirs.first() else {
        return cwd;
    };
    let mut base: Vec<Component<'_>> = first.components().collect();
    for d in &dirs[1..] {
        let shared = base
            .iter()
            .zip(d.components())
            .take_while(|(a, b)| *a == b)
            .count();
        base.truncate(shared);
    }
    base.iter().collect()
}

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
fn normal(path: &Path) -> PathBuf {
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

fn unified_diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{common_base, relative};

    #[test]
    fn reports_are_named_below_the_deepest_common_folder() {
        let cwd = std::env::current_dir().unwrap_or_default();
        let base = common_base(&[PathBuf::from("a/dup.yaml"), PathBuf::from("b/dup.yaml")]);
        assert_eq!(base, cwd);
        assert_eq!(
            relative(Path::new("a/dup.yaml"), &base),
            Path::new("a/dup.yaml")
        );
        let base = common_base(&[
            PathBuf::from("x/y/one.yaml"),
            PathBuf::from("./x/z/../y/two.yaml"),
        ]);
        assert_eq!(base, cwd.join("x/y"));
        assert_eq!(
            relative(Path::new("x/y/two.yaml"), &base),
            Path::new("two.yaml")
        );
    }
}
