//! Where something named in a template stands in the file: the column of a
//! name inside a one-line value, the line inside a block of several.

use crate::location::Location;
use crate::scenario::diag::LineStarts;

/// Where a name appears inside a string value that starts at `loc`.
pub(super) fn name_location(
    source: &str,
    lines: &LineStarts,
    text: &str,
    name: &str,
    loc: Location,
) -> Location {
    let Ok(re) = regex::Regex::new(&format!(r"\b{}\b", regex::escape(name))) else {
        return loc;
    };
    // In a template block when the name also appears as plain text.
    let at = template_spans(text)
        .into_iter()
        .find_map(|(start, end)| re.find(&text[start..end]).map(|m| start + m.start()))
        .or_else(|| re.find(text).map(|m| m.start()))
        .unwrap_or(0);
    locate(source, lines, loc, text, at)
}

/// Byte ranges of the `{{ … }}` and `{% … %}` blocks of a template.
fn template_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find(['{']).map(|i| from + i) {
        let rest = &text[open..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else {
            from = open + 1;
            continue;
        };
        let end = rest.find(close).map_or(text.len(), |i| open + i + 2);
        spans.push((open, end));
        from = end;
    }
    spans
}

/// The file position of byte `at` of a string value that starts at `loc`.
///
/// A one-line value is found on its own line. In a value of several lines
/// (a `|` block, a quoted string over several lines) the line of `at` is
/// looked up in the file: first where a literal block puts it, then in the
/// lines that follow. When it cannot be found, the value's start is used.
pub(super) fn locate(
    source: &str,
    lines: &LineStarts,
    loc: Location,
    text: &str,
    at: usize,
) -> Location {
    let at = at.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before = &text[..at];
    let k = before.matches('\n').count();
    let col_in_line = before.rsplit('\n').next().unwrap_or("").chars().count();
    if k == 0 && !text.contains('\n') {
        return Location {
            line: loc.line,
            column: loc.column + col_in_line as u64,
        };
    }
    let text_line = text.split('\n').nth(k).unwrap_or("");
    let lead = text_line.len() - text_line.trim_start().len();
    let needle = text_line.trim();
    if needle.is_empty() {
        return loc;
    }
    let lines: Vec<&str> = (0..=text.matches('\n').count() as u64 + 1)
        .map_while(|i| lines.line(source, loc.line + i))
        .collect();
    let expected = lines.get(k).filter(|l| l.contains(needle)).map(|l| (k, *l));
    let found = expected.or_else(|| {
        lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .map(|(i, l)| (i, *l))
    });
    let Some((i, line)) = found else {
        return loc;
    };
    let Some(start) = line.find(needle) else {
        return loc;
    };
    let column = line[..start].chars().count() + col_in_line.saturating_sub(lead) + 1;
    Location {
        line: loc.line + i as u64,
        column: column as u64,
    }
}
