//! `--format junit`: one `<testsuite>` per scenario file, one `<testcase>`
//! per step.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::log::{ScenarioLog, Status, StepLog};

/// A `<testsuites>` document for the given scenarios.
pub(super) fn render(logs: &[ScenarioLog]) -> String {
    let mut report = Report::new("sfscenario");
    report.set_time(Duration::from_millis(
        logs.iter().map(|l| l.duration_ms).sum(),
    ));
    report.add_test_suites(logs.iter().map(suite));
    match report.to_string() {
        Ok(xml) => {
            let mut xml = without_suites_skipped(&xml);
            if !xml.ends_with('\n') {
                xml.push('\n');
            }
            xml
        }
        // Writing XML to memory does not fail; a renderer still must not panic.
        Err(err) => format!("<!-- junit report failed: {err} -->\n"),
    }
}

/// The Jenkins JUnit schema (which GitLab and GitHub readers follow) has no
/// `skipped` attribute on `<testsuites>`; each `<testsuite>` keeps its own.
fn without_suites_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites") else {
        return xml.to_owned();
    };
    let Some(len) = xml[start..].find('>') else {
        return xml.to_owned();
    };
    let tag = &xml[start..start + len];
    let Some(attr) = tag.find(" skipped=\"") else {
        return xml.to_owned();
    };
    let value_end = tag[attr + 10..]
        .find('"')
        .map_or(tag.len(), |e| attr + 10 + e + 1);
    let mut out = String::with_capacity(xml.len());
    out.push_str(&xml[..start + attr]);
    out.push_str(&xml[start + value_end..]);
    out
}

fn suite(log: &ScenarioLog) -> TestSuite {
    let mut suite = TestSuite::new(log.name.as_str());
    suite.set_time(Duration::from_millis(log.duration_ms));
    suite.add_property(Property::new("file", log.file.as_str()));
    suite.add_property(Property::new("target", log.target.as_str()));
    if let Some(error) = &log.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_message(error.as_str())
            .set_type("scenario error");
        let mut case = TestCase::new("0. Scenario setup", status);
        case.set_classname(log.file.as_str());
        suite.add_test_case(case);
    }
    suite.add_test_cases(log.steps.iter().map(|s| case(s, &log.file)));
    suite
}

fn case(step: &StepLog, file: &str) -> TestCase {
    let status = match step.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(step.error.as_deref().unwrap_or("an earlier step failed"));
            status
        }
        Status::Failed => failure(step),
    };
    let mut case = TestCase::new(format!("{}. {}", step.index, step.name), status);
    case.set_classname(file);
    case.set_time(Duration::from_millis(step.duration_ms));
    case
}

fn failure(step: &StepLog) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(step.error.as_deref().unwrap_or("the step failed"));
    status.set_type(step.kind.name());
    let lines: Vec<String> = step
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: expected {}, got {}", c.subject, c.expected, c.actual))
        .chain(step.hint.as_ref().map(super::hint::text))
        .collect();
    if !lines.is_empty() {
        status.set_description(lines.join("\n"));
    }
    status
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::render;

    #[test]
    fn junit_pkce_flow() {
        insta::assert_snapshot!(render(&[pkce_flow()]));
    }

    #[test]
    fn junit_run_of_two() {
        insta::assert_snapshot!(render(&[pkce_flow(), failed_token_flow()]));
    }
}
