//! Text shown on a terminal comes partly from servers (an
//! `error_description`, a header, a body). Its control characters — escape
//! sequences that set the window title or clear the screen, a carriage
//! return that overwrites the line, bidirectional overrides that reorder
//! what is read — are written out visibly (`\x1b`, `\u{202e}`) instead of
//! being obeyed. Line breaks and tabs stay.

use std::borrow::Cow;

use crate::log::StepLog;
use crate::log::visit;

/// Whether `c` would act on the terminal instead of being shown.
fn acts(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character written out.
#[must_use]
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts(c) {
            let n = u32::from(c);
            if n <= 0xff {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A copy of `step` whose strings are all safe for a terminal.
pub(super) fn safe_step(step: &StepLog) -> StepLog {
    let mut step = step.clone();
    visit::step_strings(&mut step, &mut |s: &mut String| {
        if let Cow::Owned(safe) = safe(s) {
            *s = safe;
        }
    });
    step
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(safe("a\u{1b}]0;pwned\u{7}b"), "a\\x1b]0;pwned\\x07b");
        assert_eq!(safe("\u{1b}[2J"), "\\x1b[2J");
        assert_eq!(safe("x\ry"), "x\\x0dy");
        assert_eq!(safe("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(safe("\u{9b}31m"), "\\x9b31m");
    }

    #[test]
    fn ordinary_text_is_kept() {
        assert_eq!(safe("line 1\n\tline 2 é 日"), "line 1\n\tline 2 é 日");
    }
}
