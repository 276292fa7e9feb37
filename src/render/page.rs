//! Markdown building blocks: a page builder with headings, fenced blocks and
//! tables, and escaping for inline code and table cells.

use serde_json::Value;

use super::exchange::pretty_json;

/// Lines of a body shown before the rest is collapsed.
pub(super) const BODY_LINES: usize = 15;
/// Longest line shown outside a collapsed block.
pub(super) const LINE_MAX: usize = 200;
/// Lines shown inside a collapsed block.
const COLLAPSED_LINES: usize = 200;

/// A Markdown document under construction. Blocks are separated by one blank
/// line.
#[derive(Default)]
pub(super) struct Page {
    text: String,
}

impl Page {
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// A paragraph (or any block given as text).
    pub(super) fn para(&mut self, text: &str) {
        let text = text.trim_end();
        if text.is_empty() {
            return;
        }
        self.text.push_str(text);
        self.text.push_str("\n\n");
    }

    pub(super) fn heading(&mut self, level: usize, text: &str) {
        self.para(&format!("{} {text}", "#".repeat(level)));
    }

    /// A fenced code block; the fence is longer than any backtick run inside.
    pub(super) fn fence(&mut self, lang: &str, body: &str) {
        let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
        self.para(&format!(
            "{fence}{lang}\n{}\n{fence}",
            body.trim_end_matches('\n')
        ));
    }

    /// `label:` followed by a fenced block.
    pub(super) fn labelled(&mut self, label: &str, lang: &str, body: &str) {
        self.para(&format!("{label}:"));
        self.fence(lang, body);
    }

    /// `label:` followed by a JSON block, trimmed like every body.
    pub(super) fn json(&mut self, label: &str, value: &Value) {
        self.body(label, "json", &pretty_json(value));
    }

    /// `label:` followed by a fenced block of at most [`BODY_LINES`] lines
    /// of at most [`LINE_MAX`] characters; the rest, or the whole text when
    /// a line was cut, follows in a collapsed block.
    pub(super) fn body(&mut self, label: &str, lang: &str, text: &str) {
        let lines: Vec<&str> = text.lines().collect();
        let shown = if lines.len() <= BODY_LINES + 3 {
            lines.len()
        } else {
            BODY_LINES
        };
        let mut cut = false;
        let visible: Vec<String> = lines[..shown]
            .iter()
            .map(|line| {
                let short = shorten(line, LINE_MAX);
                cut |= short.len() != line.len();
                short
            })
            .collect();
        self.labelled(label, lang, &visible.join("\n"));
        let more = lines.len() - shown;
        if more == 0 && !cut {
            return;
        }
        let (summary, rest) = if cut {
            ("The whole text".to_owned(), &lines[..])
        } else {
            (format!("… {more} more lines"), &lines[shown..])
        };
        let mut kept: Vec<String> = rest
            .iter()
            .take(COLLAPSED_LINES)
            .map(|l| (*l).to_owned())
            .collect();
        if rest.len() > COLLAPSED_LINES {
            kept.push(format!(
                "… {} more lines in the step log (--format json)",
                rest.len() - COLLAPSED_LINES
            ));
        }
        let mut inner = Page::new();
        inner.fence(lang, &kept.join("\n"));
        self.details(&summary, inner);
    }

    /// A collapsed `<details>` block: a one-line summary, then `inner`.
    pub(super) fn details(&mut self, summary: &str, inner: Page) {
        let inner = inner.finish();
        self.para(&format!(
            "<details>\n<summary>{}</summary>\n\n{}\n</details>",
            html(summary),
            inner.trim_end()
        ));
    }

    /// A table; cells are escaped here.
    pub(super) fn table(&mut self, head: &[&str], rows: &[Vec<String>]) {
        if rows.is_empty() {
            return;
        }
        let mut lines = vec![
            format!("| {} |", head.join(" | ")),
            format!("|{}", "---|".repeat(head.len())),
        ];
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
            lines.push(format!("| {} |", cells.join(" | ")));
        }
        self.para(&lines.join("\n"));
    }

    pub(super) fn rule(&mut self) {
        self.para("---");
    }

    /// The page, ending with exactly one newline.
    pub(super) fn finish(self) -> String {
        let mut text = self.text.trim_end().to_owned();
        text.push('\n');
        text
    }
}

/// Prose is wrapped at this width (Markdown joins the lines again).
const WRAP: usize = 100;

/// Prose wrapped for the page: a paragraph, or a list item whose following
/// lines are indented by `indent`.
pub(super) fn wrapped(text: &str, indent: &str) -> String {
    let options = textwrap::Options::new(WRAP)
        .subsequent_indent(indent)
        .break_words(false);
    textwrap::fill(text, options)
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Text for HTML: `&`, `<`, `>` and `"` as entities, one line.
pub(super) fn html(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Inline code that survives backticks and newlines inside.
pub(super) fn code(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

/// Text from a run (a step name, a server's error message, a page title)
/// as Markdown prose: one line, every character that Markdown or HTML would
/// read as markup written with a backslash, so that no raw HTML
/// (`<img onerror=…>`), link (`[x](javascript:…)`), emphasis or table cell
/// can come of it. Pipes are left to table cells, which escape them.
pub(super) fn text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        // `_` inside a word never starts emphasis (`token_type` stays as is).
        let inside_word = c == '_'
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        match c {
            '_' if inside_word => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text with code spans (`` `x` ``), as the doctor's hints are written:
/// each span becomes inline code, the prose between them is escaped like
/// [`text`] but for `*` and `_`, which the hints use for emphasis around the
/// names of Salesforce settings. Every value a hint echoes is inside a span.
pub(super) fn rich(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&code(part));
            continue;
        }
        for c in part.chars() {
            match c {
                '\\' | '[' | ']' | '<' | '>' | '&' | '~' | '#' => {
                    out.push('\\');
                    out.push(c);
                }
                '\r' | '\n' => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace(['\r', '\n'], " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::{Page, code};

    #[test]
    fn inline_code_escapes() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\nb"), "`a b`");
    }

    #[test]
    fn fences_outgrow_content() {
        let mut page = Page::new();
        page.fence("text", "```inner```");
        assert_eq!(page.finish(), "````text\n```inner```\n````\n");
    }

    #[test]
    fn prose_cannot_become_markup() {
        assert_eq!(
            super::text("<img src=x onerror=alert(1)>"),
            "\\<img src=x onerror=alert(1)\\>"
        );
        assert_eq!(
            super::text("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(super::text("a&amp;b|c\nd"), "a\\&amp;b|c d");
        assert_eq!(
            super::text("json token_type _x_"),
            "json token_type \\_x\\_"
        );
    }

    #[test]
    fn hints_keep_their_code_spans_and_emphasis() {
        assert_eq!(
            super::rich("send `a<b` to *Setup* <x>"),
            "send `a<b` to *Setup* \\<x\\>"
        );
        assert_eq!(super::rich("odd ` tick"), "odd ` tick`");
    }

    #[test]
    fn table_cells_escape_pipes() {
        let mut page = Page::new();
        page.table(&["A", "B"], &[vec!["x|y".to_owned(), "z".to_owned()]]);
        assert_eq!(page.finish(), "| A | B |\n|---|---|\n| x\\|y | z |\n");
    }
}
