//! A step's checks in plain words: "status is 200", "`access_token` is
//! present", "`scope` contains `api`".

use crate::log::{Check, StepLog};

use super::page::{Page, code, shorten, text as prose};

/// Longest value shown in a check (the step log has it whole): a table
/// GitHub shows 980 px wide has room for two of them.
const VALUE_MAX: usize = 40;

/// The `### Checks` table of a step.
pub(super) fn checks(page: &mut Page, step: &StepLog) {
    let rows: Vec<Vec<String>> = step
        .checks
        .iter()
        .map(|c| {
            let mark = if c.passed { "✓" } else { "✗" };
            vec![
                plain(c),
                code(&shorten(&c.actual, VALUE_MAX)),
                mark.to_owned(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        page.heading(3, "Checks");
        page.table(&["Check", "Got", "Result"], &rows);
    }
}

/// One check as a sentence.
pub(super) fn plain(check: &Check) -> String {
    let subject = check.subject.as_str();
    if subject == "status" {
        return format!("status is {}", prose(&check.expected));
    }
    if let Some(expr) = subject.strip_prefix("that ") {
        return expression(expr);
    }
    let (what, name) = match subject.split_once(' ') {
        Some(("header", name)) => ("header ", name),
        Some((_, path)) => ("", path),
        None => ("", subject),
    };
    format!("{what}{} {}", code(name), expectation(&check.expected))
}

/// `present`, `"Bearer"`, `contains "api"`, `matches "^x"`, `one_of [..]`.
fn expectation(expected: &str) -> String {
    match expected {
        "present" | "absent" => return format!("is {expected}"),
        _ => {}
    }
    for (op, words) in [
        ("contains ", "contains"),
        ("matches ", "matches"),
        ("one_of ", "is one of"),
        ("gt ", "is greater than"),
        ("lt ", "is less than"),
    ] {
        if let Some(value) = expected.strip_prefix(op) {
            return format!("{words} {}", code(&shorten(unquote(value), VALUE_MAX)));
        }
    }
    format!("is {}", code(&shorten(unquote(expected), VALUE_MAX)))
}

/// A JSON string without its quotes; anything else as it is.
fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|v| !v.contains(['"', '\\']))
        .unwrap_or(value)
}

/// A `that` expression: the common tests in words, the rest as code.
fn expression(expr: &str) -> String {
    let expr = expr.trim();
    let tests = [
        (" is string", "is a string"),
        (" is defined", "is present"),
        (" is undefined", "is absent"),
        (" is none", "is null"),
        (" is number", "is a number"),
        (" is true", "is true"),
        (" is false", "is false"),
    ];
    for (suffix, words) in tests {
        if let Some(subject) = expr.strip_suffix(suffix)
            && !subject.contains(' ')
        {
            return format!("{} {words}", code(subject));
        }
    }
    for (op, words) in [(" == ", "equals"), (" != ", "differs from")] {
        if let Some((left, right)) = expr.split_once(op)
            && !left.trim().contains(' ')
            && !right.trim().contains(' ')
        {
            return format!("{} {words} {}", code(left.trim()), code(right.trim()));
        }
    }
    format!("{} holds", code(expr))
}

#[cfg(test)]
mod tests {
    use crate::log::Check;

    fn check(subject: &str, expected: &str) -> String {
        super::plain(&Check {
            subject: subject.to_owned(),
            expected: expected.to_owned(),
            actual: String::new(),
            passed: true,
        })
    }

    #[test]
    fn checks_read_as_sentences() {
        assert_eq!(check("status", "200"), "status is 200");
        assert_eq!(check("status", "200 or 302"), "status is 200 or 302");
        assert_eq!(
            check("json access_token", "present"),
            "`access_token` is present"
        );
        assert_eq!(
            check("json token_type", "\"Bearer\""),
            "`token_type` is `Bearer`"
        );
        assert_eq!(
            check("json scope", "contains \"api\""),
            "`scope` contains `api`"
        );
        assert_eq!(
            check("header content-type", "matches \"json\""),
            "header `content-type` matches `json`"
        );
        assert_eq!(
            check("that callback.params.access_token is string", "true"),
            "`callback.params.access_token` is a string"
        );
        assert_eq!(
            check("that a.state == login.state", "true"),
            "`a.state` equals `login.state`"
        );
        assert_eq!(
            check("that x | length > 3", "true"),
            "`x | length > 3` holds"
        );
    }
}
