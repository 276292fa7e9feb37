//! `docs/errors.md`, generated from the hint table: every known error with
//! its meaning, the fix and its sources, then each one's causes.
//!
//! A unit test checks that the committed page is the generated one; with
//! `SFSCENARIO_UPDATE_DOCS=1` it writes the page instead.

use super::table::{Entry, entries};

/// The page, from the table.
#[must_use]
pub fn errors_page() -> String {
    let mut out = String::from(
        "# Salesforce errors, and what to change\n\n\
         When a step fails and the answer is one of the errors below, sfscenario adds a\n\
         **hint** to the step: the likely causes, most likely first, and what to change.\n\
         It is shown in the terminal, in the Markdown walkthrough (*Why it failed*), in\n\
         JUnit failure messages and as `hint` in JSON, never in snapshots. On the\n\
         built-in mock the hint is exact: it names the setting of the mock's\n\
         configuration or the value sent that caused the refusal. Against a real org\n\
         (or a standalone `sfscenario mock`) it gives the documented causes below.\n\n\
         This page is generated from `src/doctor/hints.yaml`; do not edit it by hand.\n\n",
    );
    out.push_str("| Error | Meaning | Fix | Sources |\n|---|---|---|---|\n");
    for e in entries() {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            recognised(e).join("<br>"),
            e.id,
            cell(&e.meaning),
            cell(&e.fix),
            links(&e.sources),
        ));
    }
    out.push_str("\n## Causes\n");
    for e in entries() {
        out.push_str(&format!("\n### {}\n\n", e.id));
        out.push_str(&format!(
            "{} — {} Happens in: {}.\n\n",
            recognised(e).join(", "),
            e.meaning,
            e.flows.join(", ").replace('_', " "),
        ));
        for (i, cause) in e.causes.iter().enumerate() {
            out.push_str(&format!("{}. {cause}\n", i + 1));
        }
        out.push_str(&format!("\n**Fix:** {}\n", e.fix));
    }
    out
}

/// How an entry is recognised, one code span per alternative.
fn recognised(e: &Entry) -> Vec<String> {
    e.matches
        .iter()
        .map(|p| format!("`{}`", cell(&p.label())))
        .collect()
}

/// A short name for a source: `Salesforce Help`, `jsforce/jsforce#1771`.
#[must_use]
pub fn source_label(url: &str) -> String {
    let rest = url.trim_start_matches("https://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    match host {
        "help.salesforce.com" => "Salesforce Help".to_owned(),
        "developer.salesforce.com" => "Salesforce Developers".to_owned(),
        "salesforce.stackexchange.com" => "Salesforce Stack Exchange".to_owned(),
        "github.com" => {
            let parts: Vec<&str> = path.split('/').collect();
            match parts.as_slice() {
                [owner, repo, "issues" | "pull", number, ..] => {
                    format!("{owner}/{repo}#{number}")
                }
                [owner, repo, ..] => format!("{owner}/{repo}"),
                _ => "GitHub".to_owned(),
            }
        }
        other => other.to_owned(),
    }
}

fn links(sources: &[String]) -> String {
    sources
        .iter()
        .map(|s| format!("[{}]({s})", source_label(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::{errors_page, source_label};

    #[test]
    fn sources_have_short_names() {
        assert_eq!(
            source_label("https://github.com/jsforce/jsforce/issues/1771"),
            "jsforce/jsforce#1771"
        );
        assert_eq!(
            source_label("https://help.salesforce.com/s/articleView?id=x"),
            "Salesforce Help"
        );
    }

    /// `docs/errors.md` is the page the table makes.
    #[test]
    fn the_errors_page_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md");
        let page = errors_page();
        if std::env::var_os("SFSCENARIO_UPDATE_DOCS").is_some() {
            std::fs::write(path, &page).expect("write docs/errors.md");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == page,
            "docs/errors.md is not the page src/doctor/hints.yaml makes; \
             regenerate it with `SFSCENARIO_UPDATE_DOCS=1 cargo test --lib errors_page`"
        );
    }
}
