//! A checker for the unusable scenario files of `tests/fixtures/bad/`: `run` and
//! `validate` exit 2 with a `path:line:col` diagnostic, the source line and a
//! caret under the right column, and never panic.

use regex::Regex;

use crate::harness::{Output, Sfscenario};

/// Where the first diagnostic must point.
#[derive(Clone, Copy, Debug)]
pub enum Loc {
    /// Exactly this line and column (1-based).
    At(u32, u32),
    /// This line, any column.
    Line(u32),
    /// Some line and column.
    Any,
}

/// A file of the corpus and what its diagnostics must say.
pub struct BadFile {
    path: String,
    loc: Loc,
    says: Vec<&'static str>,
}

pub fn bad(file: &str) -> BadFile {
    BadFile {
        path: format!("tests/fixtures/bad/{file}"),
        loc: Loc::Any,
        says: Vec::new(),
    }
}

impl BadFile {
    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.loc = Loc::At(line, column);
        self
    }

    pub fn on_line(mut self, line: u32) -> Self {
        self.loc = Loc::Line(line);
        self
    }

    pub fn says(mut self, text: &'static str) -> Self {
        self.says.push(text);
        self
    }

    /// Runs `run` and `validate` on the file; returns `run`'s output.
    pub fn check(self) -> Output {
        let run = Sfscenario::new().args(["run", &self.path]).run();
        let validate = Sfscenario::new().args(["validate", &self.path]).run();
        for out in [&run, &validate] {
            out.code(2).no_panic();
            for text in &self.says {
                out.stderr_has(text);
            }
            assert_located(out, &self.path, self.loc);
        }
        validate.stdout_empty();
        run
    }
}

/// Checks that stderr points at `loc` in `path`: a `--> path:line:col` line,
/// then the source line numbered `line` and a caret under column `col`.
#[track_caller]
pub fn assert_located(out: &Output, path: &str, loc: Loc) {
    let (line, column) = match loc {
        Loc::At(l, c) => (l.to_string(), c.to_string()),
        Loc::Line(l) => (l.to_string(), r"\d+".to_owned()),
        Loc::Any => (r"\d+".to_owned(), r"\d+".to_owned()),
    };
    let arrow = Regex::new(&format!(
        r"(?m)^ *--> {}:(?<line>{line}):(?<col>{column})$",
        regex::escape(path)
    ))
    .expect("a valid regex");
    let found = arrow
        .captures(&out.stderr)
        .unwrap_or_else(|| panic!("no `--> {path}:{line}:{column}` in stderr\n{out}"));
    let line: usize = found["line"].parse().expect("a line number");
    let column: usize = found["col"].parse().expect("a column number");

    // The snippet under the arrow: `N | source` and then `  |   ^^^`.
    let after = &out.stderr[found.get(0).expect("a match").end()..];
    let mut lines = after.lines();
    let prefix = format!("{line} |");
    let source = lines
        .by_ref()
        .find(|l| l.trim_start().starts_with(&prefix))
        .unwrap_or_else(|| panic!("no source line `{prefix} …` after the arrow\n{out}"));
    let caret = lines
        .next()
        .filter(|l| l.contains('^'))
        .unwrap_or_else(|| panic!("no caret under `{source}`\n{out}"));
    if let Loc::At(..) = loc {
        // Columns count from the first character after `| `.
        let bar = source.find('|').expect("a gutter");
        let at = caret.find('^').expect("a caret");
        assert_eq!(
            at - bar - 2 + 1,
            column,
            "the caret is not under column {column}\n{source}\n{caret}\n{out}"
        );
    }
}

/// The `error:` lines of a run.
pub fn errors(out: &Output) -> Vec<&str> {
    out.stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect()
}

/// Every file of `tests/fixtures/bad/`.
pub const CORPUS: &[&str] = &[
    "app_key_typo.yaml",
    "bad_duration.yaml",
    "bad_method.yaml",
    "duplicate_id.yaml",
    "empty.yaml",
    "field_typo.yaml",
    "field_typo_in_that.yaml",
    "forward_reference.yaml",
    "invalid_regex.yaml",
    "json_beside_form.yaml",
    "malformed_id.yaml",
    "malformed_yaml.yaml",
    "mixed_errors.yaml",
    "no_kind.yaml",
    "non_loopback_listen.yaml",
    "org_field_typo.yaml",
    "pkce_length.yaml",
    "several_errors.yaml",
    "step_key_typo.yaml",
    "tab_continuation.yaml",
    "tab_indentation.yaml",
    "template_errors.yaml",
    "template_syntax.yaml",
    "two_documents.yaml",
    "two_kinds.yaml",
    "undefined_variable.yaml",
    "unknown_filter.yaml",
    "unknown_kind.yaml",
    "unknown_top_key.yaml",
];
