//! A SOQL subset, parsed properly: `SELECT f1, f2 | COUNT() FROM Type
//! [WHERE …] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]`.
//! Conditions: `= != <> < <= > >=`, `LIKE`, `[NOT] IN (…)`, `NOT`, parentheses,
//! and `AND` or `OR` chains (mixing them without parentheses is an error, as in
//! Salesforce). Values: strings, numbers, `true`/`false`, `null`, dates and
//! date-times. Fields may go one parent up (`Account.Name`, `Owner.Name`).
//! Keywords ignore case; errors carry Salesforce's codes and messages.

mod ast;
mod eval;
mod lexer;
mod parser;
pub(crate) mod plan;

pub(crate) use eval::execute;
pub(crate) use plan::Plan;

/// A query Salesforce would refuse: `MALFORMED_QUERY`, `INVALID_FIELD`,
/// `INVALID_TYPE`, …, with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SoqlError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl SoqlError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        SoqlError {
            code,
            message: message.into(),
        }
    }

    /// An error pointing at byte `at` of `source`, the way Salesforce shows it:
    /// `\n<line>\n<spaces>^\nERROR at Row:1:Column:8\n<message>`.
    fn located(code: &'static str, source: &str, at: usize, message: &str) -> Self {
        let at = floor_boundary(source, at);
        let before = &source[..at];
        let row = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let line_end = source[line_start..]
            .find('\n')
            .map_or(source.len(), |index| line_start + index);
        let column = source[line_start..at].chars().count() + 1;
        let line = source[line_start..line_end].trim_end_matches('\r');
        let caret = " ".repeat(column - 1);
        SoqlError::new(
            code,
            format!("\n{line}\n{caret}^\nERROR at Row:{row}:Column:{column}\n{message}"),
        )
    }
}

/// Parses `source` and binds it to the mock's sObject types.
pub(crate) fn compile(source: &str) -> Result<Plan, SoqlError> {
    let query = parser::parse(source)?;
    plan::bind(source, &query, false)
}

/// Like [`compile`], for the Tooling API: only its sObjects.
pub(crate) fn compile_tooling(source: &str) -> Result<Plan, SoqlError> {
    let query = parser::parse(source)?;
    plan::bind(source, &query, true)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests;
