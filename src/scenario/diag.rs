//! Diagnostics: a message tied to a place in a scenario file, rendered the way
//! rustc does (`--> file:line:col`, the source line and a caret).

use std::fmt::Write as _;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::log::Location;

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    /// Where it is; `None` for problems with the whole file.
    pub loc: Option<Location>,
    /// How many characters to underline (at least one).
    pub len: usize,
    /// The step it belongs to, as `step 3 (\`token\`)`.
    pub step: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, loc: Location) -> Self {
        Diagnostic {
            message: message.into(),
            loc: Some(loc),
            len: 1,
            step: None,
            help: None,
        }
    }

    pub fn whole_file(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            loc: None,
            len: 1,
            step: None,
            help: None,
        }
    }

    #[must_use]
    pub fn len(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    #[must_use]
    pub fn step(mut self, step: Option<String>) -> Self {
        if self.step.is_none() {
            self.step = step;
        }
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The message with its step, as one line: `in step 4 (\`token\`): …`.
    pub fn headline(&self) -> String {
        match &self.step {
            Some(step) => format!("{} in {step}", self.message),
            None => self.message.clone(),
        }
    }

    /// `path:line:col: message` on one line.
    pub fn one_line(&self, path: &str) -> String {
        match self.loc {
            Some(l) => format!("{path}:{}:{}: {}", l.line, l.column, self.headline()),
            None => format!("{path}: {}", self.headline()),
        }
    }

    /// The full report with the source line and a caret.
    pub fn render(&self, path: &str, source: &str) -> String {
        let Some(loc) = self.loc else {
            let mut out = format!("error: {}\n  --> {path}\n", self.headline());
            if let Some(help) = &self.help {
                let _ = writeln!(out, "  = help: {help}");
            }
            return out;
        };
        let start = byte_offset(source, loc).min(source.len());
        let end = advance_chars(source, start, self.len);
        let title = self.headline();
        let snippet = Snippet::source(source)
            .line_start(1)
            .path(path)
            .fold(true)
            .annotation(AnnotationKind::Primary.span(start..end));
        let mut group = Level::ERROR.primary_title(&title).element(snippet);
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help));
        }
        let renderer = Renderer::plain().decor_style(DecorStyle::Ascii);
        let mut out = renderer.render(&[group]);
        out.push('\n');
        out
    }
}

/// Byte offset of a 1-based line and (character) column.
pub fn byte_offset(source: &str, loc: Location) -> usize {
    let mut offset = 0;
    for (i, line) in source.split_inclusive('\n').enumerate() {
        if i + 1 == usize::try_from(loc.line).unwrap_or(usize::MAX) {
            let col = usize::try_from(loc.column.saturating_sub(1)).unwrap_or(0);
            let within: usize = line
                .trim_end_matches(['\n', '\r'])
                .chars()
                .take(col)
                .map(char::len_utf8)
                .sum();
            return offset + within;
        }
        offset += line.len();
    }
    source.len()
}

fn advance_chars(source: &str, start: usize, n: usize) -> usize {
    let rest = source.get(start..).unwrap_or("");
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let bytes: usize = rest[..line_end].chars().take(n).map(char::len_utf8).sum();
    (start + bytes.max(1)).min(source.len())
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The location of a scalar's first character of content (past an opening quote).
pub fn inside_quotes(source: &str, loc: Location) -> Location {
    let at = byte_offset(source, loc);
    match source.get(at..).and_then(|s| s.chars().next()) {
        Some('"' | '\'') => Location {
            line: loc.line,
            column: loc.column + 1,
        },
        _ => loc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_line_column_and_caret() {
        let src = "name: x\nsteps:\n  - pkce: { lenght: 50 }\n";
        let d = Diagnostic::new(
            "unknown key `lenght`",
            Location {
                line: 3,
                column: 13,
            },
        )
        .len(6)
        .step(Some("step 1 (`pkce`)".into()));
        let out = d.render("a.yaml", src);
        assert!(out.contains("a.yaml:3:13"), "{out}");
        assert!(out.contains("^^^^^^"), "{out}");
        assert!(out.contains("unknown key `lenght` in step 1"), "{out}");
    }
}
