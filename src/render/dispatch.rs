//! Entry points: one scenario or a whole run, in any format.

use crate::log::ScenarioLog;

use super::{Format, RenderOptions, json, junit, markdown, pretty, snapshot};

/// One scenario in one format (junit: a `<testsuites>` with one `<testsuite>`;
/// json: the `ScenarioLog` object).
#[must_use]
pub fn render_scenario(format: Format, log: &ScenarioLog, opts: &RenderOptions) -> String {
    match format {
        Format::Pretty => pretty::scenario(log, opts),
        Format::Markdown => markdown::render(log),
        Format::Json => json::scenario(log),
        Format::Junit => junit::render(std::slice::from_ref(log)),
        Format::Snapshot => snapshot::render(log),
    }
}

/// Several scenarios: pretty = each scenario then a summary line;
/// markdown = each scenario's page, separated by a blank line; snapshot = each
/// scenario's YAML document, separated by `---`; json = an array of logs;
/// junit = one `<testsuites>` with one `<testsuite>` per scenario.
#[must_use]
pub fn render_run(format: Format, logs: &[ScenarioLog], opts: &RenderOptions) -> String {
    match format {
        Format::Pretty => {
            let mut out = String::new();
            for log in logs {
                let text = pretty::scenario(log, opts);
                if !text.is_empty() {
                    out.push_str(&text);
                    out.push('\n');
                }
            }
            out.push_str(&pretty::summary(logs, opts));
            out
        }
        Format::Markdown => join(logs, "\n", markdown::render),
        Format::Snapshot => join(logs, "---\n", snapshot::render),
        Format::Json => json::run(logs),
        Format::Junit => junit::render(logs),
    }
}

fn join(logs: &[ScenarioLog], separator: &str, render: fn(&ScenarioLog) -> String) -> String {
    logs.iter().map(render).collect::<Vec<_>>().join(separator)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::{Format, RenderOptions, render_run, render_scenario};

    #[test]
    fn run_of_snapshots_is_a_yaml_stream() {
        let logs = [pkce_flow(), failed_token_flow()];
        let text = render_run(Format::Snapshot, &logs, &RenderOptions::default());
        assert_eq!(text.matches("\n---\n").count(), 1);
        assert!(text.starts_with(&render_scenario(
            Format::Snapshot,
            &logs[0],
            &RenderOptions::default()
        )));
    }

    #[test]
    fn run_of_json_is_an_array() {
        let logs = [pkce_flow(), failed_token_flow()];
        let text = render_run(Format::Json, &logs, &RenderOptions::default());
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed.as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn a_scenario_that_could_not_run_renders_in_every_format() {
        let mut log = pkce_flow();
        log.steps.clear();
        log.status = crate::log::Status::Failed;
        log.error = Some("the mock org could not start: address in use".to_owned());
        for format in Format::ALL {
            let text = render_scenario(format, &log, &RenderOptions::default());
            assert!(text.contains("address in use"), "{format}:\n{text}");
        }
        let junit = render_scenario(Format::Junit, &log, &RenderOptions::default());
        assert!(junit.contains("<error message=\"the mock org could not start"));
    }

    #[test]
    fn pretty_run_ends_with_summary() {
        let logs = [pkce_flow(), failed_token_flow()];
        let text = render_run(Format::Pretty, &logs, &RenderOptions::default());
        assert!(text.ends_with("1 passed, 1 failed, 0 skipped\n"));
    }
}
