//! What a walkthrough says about its flow besides the run: when to use it,
//! what to set on the app, the security notes and the common errors (from
//! the doctor's table, linked to the refusal walkthroughs written with it).

use super::flow::{Flow, Flows};
use super::markdown::{Refusal, Related};
use super::notes;
use super::page::{Page, code, rich, text as prose, wrapped};

pub(super) fn when_to_use(page: &mut Page, main: Flow, flows: &Flows) {
    let (when, against) = notes::when(main, flows);
    page.para(&wrapped(&format!("**When to use it.** {when}"), ""));
    if let Some(against) = against {
        page.para(&wrapped(
            &format!("> **Salesforce advises against it.** {against}"),
            "> ",
        ));
    }
    let settings = notes::settings(main, flows);
    if !settings.is_empty() {
        let items: Vec<String> = settings
            .iter()
            .map(|s| wrapped(&format!("- {s}"), "  "))
            .collect();
        page.para(&format!(
            "**What to set on the Connected App or External Client App:**\n\n{}",
            items.join("\n")
        ));
    }
}

pub(super) fn security_notes(page: &mut Page, flows: &Flows) {
    page.heading(1, "Security Notes");
    let mut items: Vec<&str> = Vec::new();
    for flow in flows.used.iter().copied().filter(|f| f.grants()) {
        for note in notes::security(flow, flows) {
            if !items.contains(&note) {
                items.push(note);
            }
        }
    }
    if items.is_empty() {
        items = notes::security(flows.main().unwrap_or(Flow::Rest), flows);
    }
    let lines: Vec<String> = items
        .iter()
        .map(|n| wrapped(&format!("- {n}"), "  "))
        .collect();
    page.para(&lines.join("\n"));
}

pub(super) fn common_errors(page: &mut Page, main: Flow, flows: &Flows, related: &Related) {
    let mut entries: Vec<&crate::doctor::Entry> = Vec::new();
    // The errors of the ways to a token; an API's own only on its pages.
    let grants = flows
        .used
        .iter()
        .copied()
        .filter(|f| f.grants() == main.grants());
    for flow in std::iter::once(main).chain(grants) {
        for entry in crate::doctor::table::for_flow(flow.key()) {
            if !entries.iter().any(|e| e.id == entry.id) {
                entries.push(entry);
            }
        }
    }
    if entries.is_empty() {
        return;
    }
    page.rule();
    page.heading(1, "Common Errors");
    let shown: Vec<&Refusal> = related
        .refusals
        .iter()
        .filter(|r| entries.iter().any(|e| e.id == r.error))
        .collect();
    if !shown.is_empty() {
        let mut lines: Vec<String> = Vec::new();
        for r in &shown {
            let line = format!("- [{}]({})", prose(&r.title), r.link);
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        page.para(&format!(
            "Walkthroughs in which Salesforce answers one of them:\n\n{}",
            lines.join("\n")
        ));
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let error = e.matches.first().map(|m| m.label()).unwrap_or_default();
            let error = match related.refusals.iter().find(|r| r.error == e.id) {
                Some(r) => format!("[{}]({})", code(&error), r.link),
                None => code(&error),
            };
            vec![error, rich(&e.meaning), rich(&e.fix)]
        })
        .collect();
    let mut inner = Page::new();
    inner.table(&["Error", "Meaning", "What to change"], &rows);
    page.details(
        &format!(
            "{} errors Salesforce answers in the {}, and what to change",
            rows.len(),
            main.title()
        ),
        inner,
    );
}
