//! Diagnostics: a message tied to a place in a scenario file, rendered the way
//! rustc does (`--> file:line:col`, the source line and a caret).

use std::fmt::Write as _;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::location::Location;

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
        let headline = visible(&self.headline()).replace('\n', " ");
        match self.loc {
            Some(l) => format!("{path}:{}:{}: {headline}", l.line, l.column),
            None => format!("{path}: {headline}"),
        }
    }

    /// The full report with the source line and a caret.
    ///
    /// Only the line the problem is on is handed to the snippet renderer, so
    /// a report on a file of megabytes costs no more than one on a small file.
    /// Characters that can hide or reorder text on a terminal (bidirectional
    /// overrides, zero-width characters) and spaces that are not plain spaces
    /// are shown as `�` in the source line; hiding characters are shown as
    /// `\u{…}` escapes in the message.
    pub fn render(&self, path: &str, source: &str) -> String {
        let title = visible(&self.headline());
        let help = self.help.as_deref().map(visible);
        let Some(loc) = self.loc else {
            let mut out = format!("error: {title}\n  --> {path}\n");
            if let Some(help) = &help {
                let _ = writeln!(out, "  = help: {help}");
            }
            return out;
        };
        let source = crate::scenario::load::normalize(source);
        let (line_no, text) = line_at(&source, loc.line);
        let text: String = text
            .chars()
            .map(|c| {
                let odd_space = c.is_whitespace() && !matches!(c, ' ' | '\t' | '\r' | '\n');
                if hides_text(c) || odd_space {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect();
        let col = usize::try_from(loc.column.saturating_sub(1)).unwrap_or(usize::MAX);
        let start: usize = text.chars().take(col).map(char::len_utf8).sum();
        let end = advance_chars(&text, start, self.len);
        let snippet = Snippet::source(text.as_str())
            .line_start(usize::try_from(line_no).unwrap_or(usize::MAX))
            .path(path)
            .fold(true)
            .annotation(AnnotationKind::Primary.span(start..end));
        let mut group = Level::ERROR.primary_title(&title).element(snippet);
        if let Some(help) = &help {
            group = group.element(Level::HELP.message(help));
        }
        let renderer = Renderer::plain().decor_style(DecorStyle::Ascii);
        let mut out = renderer.render(&[group]);
        out.push('\n');
        out
    }
}

/// The 1-based line `line` of `source` without its line end (the last line
/// when `line` is past the end), and its number.
fn line_at(source: &str, line: u64) -> (u64, &str) {
    let want = line.max(1);
    let mut last = (1, "");
    for (i, text) in source.split('\n').enumerate() {
        let n = i as u64 + 1;
        last = (n, text.strip_suffix('\r').unwrap_or(text));
        if n == want {
            return last;
        }
    }
    last
}

/// Characters that change how a line looks without being seen: bidirectional
/// controls (the "Trojan Source" trick), zero-width characters, a stray BOM.
pub fn hides_text(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{061c}'
            | '\u{feff}'
    )
}

/// Text for a terminal: hiding characters and control characters (but tabs
/// and line ends) as `\u{…}` escapes.
pub fn visible(text: &str) -> String {
    if !text
        .chars()
        .any(|c| hides_text(c) || (c.is_control() && c != '\n' && c != '\t'))
    {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if hides_text(c) || (c.is_control() && c != '\n' && c != '\t') {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
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
    strsim::levenshtein(a, b)
}

/// Where each line of a text starts: many look-ups in one file without
/// reading it from the top each time.
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    pub fn new(source: &str) -> Self {
        LineStarts(
            std::iter::once(0)
                .chain(source.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// The 1-based line `line` without its line end.
    pub fn line<'a>(&self, source: &'a str, line: u64) -> Option<&'a str> {
        let i = usize::try_from(line.checked_sub(1)?).ok()?;
        let start = *self.0.get(i)?;
        let end = self.0.get(i + 1).map_or(source.len(), |e| e - 1);
        let text = source.get(start..end)?;
        Some(text.strip_suffix('\r').unwrap_or(text))
    }

    /// Byte offset of a 1-based line and (character) column.
    pub fn offset(&self, source: &str, loc: Location) -> usize {
        let Some(text) = self.line(source, loc.line) else {
            return source.len();
        };
        let start = text.as_ptr() as usize - source.as_ptr() as usize;
        let col = usize::try_from(loc.column.saturating_sub(1)).unwrap_or(0);
        start + text.chars().take(col).map(char::len_utf8).sum::<usize>()
    }
}

/// The location of a scalar's first character of content (past an opening quote).
pub fn inside_quotes(source: &str, loc: Location) -> Location {
    inside_quotes_at(source, &LineStarts::new(source), loc)
}

/// [`inside_quotes`] with the file's line starts at hand.
pub fn inside_quotes_at(source: &str, lines: &LineStarts, loc: Location) -> Location {
    let at = lines.offset(source, loc);
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
