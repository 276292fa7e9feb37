//! The Mermaid sequence diagram of a scenario's real exchanges.

use crate::log::{Exchange, Kind, Party, ScenarioLog, Status, StepLog};

use super::label;

/// Participants in diagram order.
const ORDER: [Party; 5] = [
    Party::Browser,
    Party::Callback,
    Party::Runner,
    Party::LoginHost,
    Party::Instance,
];

fn alias(party: Party) -> &'static str {
    match party {
        Party::Browser => "B",
        Party::Callback => "C",
        Party::Runner => "S",
        Party::LoginHost => "L",
        Party::Instance => "I",
    }
}

/// The body of a ```` ```mermaid ```` block, or `None` when nothing was exchanged.
pub(super) fn diagram(log: &ScenarioLog) -> Option<String> {
    let exchanges = || log.steps.iter().flat_map(|s| &s.exchanges);
    exchanges().next()?;
    let mut lines = vec!["sequenceDiagram".to_owned(), "    autonumber".to_owned()];
    let hands_over = log.steps.iter().any(|s| s.kind == Kind::Callback);
    for party in ORDER {
        let used = exchanges().any(|e| e.from == party || e.to == party)
            || (party == Party::Runner
                && (hands_over || exchanges().any(|e| e.from == Party::Browser)));
        if used {
            lines.push(format!(
                "    participant {} as {}",
                alias(party),
                party.title()
            ));
        }
    }
    for step in log.steps.iter().filter(|s| !s.exchanges.is_empty()) {
        lines.extend(step_lines(step));
    }
    Some(lines.join("\n"))
}

fn step_lines(step: &StepLog) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(first) = step.exchanges.first() else {
        return lines;
    };
    let over = if first.from == first.to {
        alias(first.from).to_owned()
    } else {
        format!("{},{}", alias(first.from), alias(first.to))
    };
    let mark = if step.status == Status::Failed {
        " ✗"
    } else {
        ""
    };
    let title = format!("{}. {}{mark}", step.index + 1, step.name);
    lines.push(format!("    Note over {over}: {}", text(&title)));
    for run in label::runs(&step.exchanges) {
        if label::is_person(&run[0]) {
            lines.extend(person_lines(step, run));
        } else {
            lines.extend(arrows(&run[0]));
        }
    }
    if step.kind == Kind::Callback && step.status == Status::Passed {
        let keys: Vec<String> = step
            .result
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, v)| k.as_str() != "params" && !v.is_null())
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        let what = if keys.is_empty() {
            "the redirect".to_owned()
        } else {
            keys.join(", ")
        };
        lines.push(format!("    C->>S: hands over {}", text(&what)));
    }
    lines
}

/// The browser opened, the authorization request, one note for what the
/// person does on the pages, and the redirect that leaves them.
fn person_lines(step: &StepLog, run: &[Exchange]) -> Vec<String> {
    let mut lines = Vec::new();
    let first = &run[0];
    if first.from == Party::Browser && first.to != Party::Callback {
        let what = if step.kind == Kind::Authorize {
            "open the authorization URL"
        } else {
            "open the verification URL"
        };
        lines.push(format!("    S->>B: {what}"));
    }
    if !label::acts(run) {
        for ex in run {
            lines.extend(arrows(ex));
        }
        return lines;
    }
    let (from, to) = (alias(first.from), alias(first.to));
    if first.request.method == "GET" {
        lines.push(format!(
            "    {from}->>{to}: {}",
            text(&label::request(first))
        ));
    }
    lines.push(format!(
        "    Note over {from},{to}: {}",
        person_note(step, first)
    ));
    if let Some(last) = run.last().filter(|ex| {
        ex.response
            .as_ref()
            .is_some_and(|r| (300..400).contains(&r.status))
    }) {
        lines.push(format!(
            "    {to}-->>{from}: {}",
            text(&label::response(last))
        ));
    }
    lines
}

/// What the person does on the login host's pages, in a note.
fn person_note(step: &StepLog, ex: &Exchange) -> &'static str {
    if ex.to == Party::Callback {
        "the page posts the fragment back"
    } else if step.kind == Kind::Authorize {
        "the user logs in and approves"
    } else {
        "the user logs in and enters the code"
    }
}

fn arrows(ex: &Exchange) -> Vec<String> {
    let (from, to) = (alias(ex.from), alias(ex.to));
    let mut lines = vec![format!("    {from}->>{to}: {}", text(&label::request(ex)))];
    match (&ex.response, &ex.error) {
        (Some(_), _) => lines.push(format!(
            "    {to}-->>{from}: {}",
            text(&label::response(ex))
        )),
        (None, Some(error)) => lines.push(format!("    {to}--x{from}: {}", text(error))),
        (None, None) => {}
    }
    lines
}

/// Message text: one line, with Mermaid's `#` and `;`, and the `<`, `>` and
/// `"` that it would pass on as HTML, written as entities.
fn text(message: &str) -> String {
    message
        .chars()
        .map(|c| match c {
            '#' => "#35;".to_owned(),
            ';' => "#59;".to_owned(),
            '<' => "#60;".to_owned(),
            '>' => "#62;".to_owned(),
            '"' => "#34;".to_owned(),
            '\r' | '\n' => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::{diagram, text};

    #[test]
    fn mermaid_pkce_flow() {
        insta::assert_snapshot!(diagram(&pkce_flow()).unwrap_or_default());
    }

    #[test]
    fn failed_step_is_marked() {
        let d = diagram(&failed_token_flow()).unwrap_or_default();
        assert!(d.contains("Note over S,L: 5. Token Response Received ✗"));
        assert!(d.contains("L-->>S: 400 invalid_client"), "{d}");
        assert!(d.contains("    autonumber"));
        assert!(!d.contains("I as Instance"));
    }

    #[test]
    fn entities_escape_mermaid_syntax() {
        assert_eq!(text("a;b#c"), "a#59;b#35;c");
        assert_eq!(text("<b>\"x\""), "#60;b#62;#34;x#34;");
    }
}
