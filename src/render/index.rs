//! `README.md` of a directory of walkthroughs: every page by the flow it
//! shows, one line each, the refusals apart.

use crate::log::ScenarioLog;

use super::flow::{self, Flow};
use super::markdown::refusals_in;
use super::page::{Page, code, text as prose};

/// A walkthrough written to the directory: its link and its run.
pub struct Listed<'a> {
    pub link: String,
    pub log: &'a ScenarioLog,
}

/// One line of the index, and whether its page shows a refusal.
type Line = (bool, String);

/// The index page.
#[must_use]
pub fn index(pages: &[Listed<'_>]) -> String {
    let mut page = Page::new();
    page.heading(1, "Walkthroughs");
    page.para(
        "Each page was written by running its scenario (`sfscenario run … --report \
         markdown=DIR/`): what it shows is what was sent and answered.",
    );
    let mut groups: Vec<(Option<Flow>, Vec<Line>)> = Vec::new();
    for listed in pages {
        let errors: Vec<String> = refusals_in(listed.log)
            .iter()
            .map(|(_, label)| code(label))
            .collect();
        let answers = if errors.is_empty() {
            String::new()
        } else {
            format!(" Salesforce answers {}.", errors.join(", "))
        };
        let head = format!("- [{}]({})", prose(&listed.log.name), listed.link);
        let mut line = format!("{head}{}{answers}", first_sentence(listed.log));
        if line.chars().count() > super::page::LINE_MAX {
            line = format!("{head}{answers}");
        }
        let main = flow::of(listed.log).main();
        // Within a flow, the pages where it succeeds come first.
        let line = (!errors.is_empty(), line);
        match groups.iter_mut().find(|(f, _)| *f == main) {
            Some((_, lines)) => lines.push(line),
            None => groups.push((main, vec![line])),
        }
    }
    groups.sort_by_key(|(f, _)| f.map_or(u8::MAX, |f| f as u8));
    for (flow, mut lines) in groups {
        lines.sort_by_key(|(refused, _)| *refused);
        let lines: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
        let title = flow.map_or("Other walkthroughs".to_owned(), |f| capitalised(f.title()));
        page.heading(2, &title);
        page.para(&lines.join("\n"));
    }
    page.finish()
}

/// ` — ` and the description's first sentence, as its author wrote it
/// (Markdown), if it is short enough for one line.
fn first_sentence(log: &ScenarioLog) -> String {
    let Some(description) = &log.description else {
        return String::new();
    };
    let flat = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat.find(". ").map_or(flat.len(), |i| i + 1);
    let sentence = &flat[..end];
    if sentence.chars().count() > 160 {
        return String::new();
    }
    format!(" — {sentence}")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
