//! `--report markdown=DIR/`: one walkthrough per scenario, each linking the
//! refusal walkthroughs written with it, and, for two or more,
//! `DIR/README.md`, an index of them all by flow.

use std::path::{Component, Path, PathBuf};

use crate::cli::output::{markdown_mode, relative};
use crate::cli::run::{Done, Plan};
use crate::cli::write::write_atomic;
use crate::render::index::{Listed, index};
use crate::render::markdown::{Refusal, Related, refusals_in, render_with};
use crate::secret::Redactor;

/// The name of the index page in the directory.
pub const INDEX: &str = "README.md";

/// Writes every page and the index under `dir`.
pub fn write(dir: &Path, done: &[Done], plan: &Plan) -> Result<(), String> {
    let mode = markdown_mode(plan);
    let private = plan.mode == crate::secret::Mode::Reveal;
    let names: Vec<PathBuf> = done
        .iter()
        .map(|d| relative(&d.file, &plan.base).with_extension("md"))
        .collect();
    for (i, d) in done.iter().enumerate() {
        let related = Related {
            refusals: refusals(done, &names, i),
        };
        let log = d.redactor.redact_log(&d.log, mode);
        let text = d.redactor.redact(&render_with(&log, &related), mode);
        write_atomic(&dir.join(&names[i]), &text, private)?;
    }
    if done.len() < 2 {
        // One page needs no index.
        return Ok(());
    }
    let listed: Vec<Listed<'_>> = done
        .iter()
        .zip(&names)
        .map(|(d, name)| Listed {
            link: link(Path::new(INDEX), name),
            log: &d.log,
        })
        .collect();
    let mut all = Redactor::new();
    done.iter().for_each(|d| all.merge(&d.redactor));
    write_atomic(
        &dir.join(INDEX),
        &all.redact(&index(&listed), mode),
        private,
    )
}

/// The refusal walkthroughs among the others, linked from page `i`.
fn refusals(done: &[Done], names: &[PathBuf], i: usize) -> Vec<Refusal> {
    let mut out = Vec::new();
    for (j, other) in done.iter().enumerate() {
        if j == i || other.log.status != crate::log::Status::Passed {
            continue;
        }
        for (error, _) in refusals_in(&other.log) {
            out.push(Refusal {
                error: error.to_owned(),
                title: other.log.name.clone(),
                link: link(&names[i], &names[j]),
            });
        }
    }
    out
}

/// A relative link from the page at `from` to the page at `to`, both
/// relative to the directory, with `/` between names.
fn link(from: &Path, to: &Path) -> String {
    let depth = from.parent().map_or(0, |p| {
        p.components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .count()
    });
    let mut parts: Vec<String> = vec!["..".to_owned(); depth];
    parts.extend(to.components().filter_map(|c| match c {
        Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
        _ => None,
    }));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::link;

    #[test]
    fn links_climb_out_of_subdirectories() {
        assert_eq!(
            link(Path::new("pkce.md"), Path::new("negative/x.md")),
            "negative/x.md"
        );
        assert_eq!(
            link(Path::new("negative/y.md"), Path::new("negative/x.md")),
            "../negative/x.md"
        );
        assert_eq!(link(Path::new("a/b/c.md"), Path::new("d.md")), "../../d.md");
    }
}
