//! The Mermaid sequence diagram of a scenario's real exchanges.

use crate::log::{Exchange, Party, ScenarioLog, Status, StepLog};

use super::exchange::{path_of, status_line};

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
    let mut lines = vec!["sequenceDiagram".to_owned()];
    for party in ORDER {
        if exchanges().any(|e| e.from == party || e.to == party) {
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
    if let Some(first) = step.exchanges.first() {
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
    }
    for ex in &step.exchanges {
        lines.extend(arrows(ex));
    }
    lines
}

fn arrows(ex: &Exchange) -> Vec<String> {
    let (from, to) = (alias(ex.from), alias(ex.to));
    let request = format!("{} {}", ex.request.method, path_of(&ex.request.url));
    let mut lines = vec![format!("    {from}->>{to}: {}", text(&request))];
    match (&ex.response, &ex.error) {
        (Some(resp), _) => lines.push(format!("    {to}-->>{from}: {}", status_line(resp.status))),
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
        assert!(d.contains("L-->>S: 400 Bad Request"));
        assert!(!d.contains("I as Instance"));
    }

    #[test]
    fn entities_escape_mermaid_syntax() {
        assert_eq!(text("a;b#c"), "a#59;b#35;c");
        assert_eq!(text("<b>\"x\""), "#60;b#62;#34;x#34;");
    }
}
