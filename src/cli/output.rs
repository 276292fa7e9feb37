//! Output of a finished run: stdout in the chosen format, report files, and
//! snapshot comparison.

use std::path::{Path, PathBuf};

use crate::cli::run::{Done, Plan, Report};
use crate::cli::write::write_atomic;
use crate::log::ScenarioLog;
use crate::render::{self, Format, RenderOptions};
use crate::secret::{Mode, Redactor};

/// One text for stdout or a report.
pub fn render_all(format: Format, done: &[Done], plan: &Plan) -> String {
    let mode = if format == Format::Snapshot {
        Mode::Snapshot
    } else {
        plan.mode
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
        for d in done {
            let stem = d
                .file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario");
            let path = report
                .path
                .join(format!("{stem}.{}", extension(report.format)));
            write_atomic(
                &path,
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
        let rel = relative(&d.file, &plan.roots);
        let path = dir.join(rel.with_extension("snap"));
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

fn relative(file: &Path, roots: &[PathBuf]) -> PathBuf {
    for root in roots {
        if root.is_dir()
            && let Ok(rel) = file.strip_prefix(root)
        {
            return rel.to_path_buf();
        }
    }
    PathBuf::from(file.file_name().unwrap_or(file.as_os_str()))
}

fn unified_diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}
