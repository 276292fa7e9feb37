//! A step's hint as text lines, the same in the terminal and in JUnit
//! failure messages: what the error means, the causes (found in this run,
//! or the likely ones), the fix and where Salesforce documents it.

use crate::log::Hint;

/// The label of each cause: `found` when the doctor read it from this run.
#[must_use]
pub(super) fn cause_label(hint: &Hint) -> &'static str {
    if hint.exact { "found" } else { "likely" }
}

/// `hint: …` then indented `found:`/`likely:`, `fix:` and `see:` lines.
#[must_use]
pub(super) fn lines(hint: &Hint) -> Vec<(&'static str, String)> {
    let mut out = vec![("hint", hint.meaning.clone())];
    let label = cause_label(hint);
    out.extend(hint.causes.iter().map(|c| (label, c.clone())));
    out.push(("fix", hint.fix.clone()));
    out.extend(hint.sources.first().map(|s| ("see", s.clone())));
    out
}

/// The hint as plain text, one line each.
#[must_use]
pub(super) fn text(hint: &Hint) -> String {
    lines(hint)
        .iter()
        .map(|(label, text)| format!("{label}: {text}"))
        .collect::<Vec<_>>()
        .join("\n")
}
