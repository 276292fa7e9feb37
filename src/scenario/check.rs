//! Checks made before any request: template syntax, unknown variables, steps
//! and filters, and references to steps that run later.

use std::collections::{BTreeSet, HashMap};

use crate::log::Location;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::{Scenario, Step};
use crate::scenario::node::{Node, Value};
use crate::template::{self, FUNCTIONS, Templates};

/// Names every template may use.
const ALWAYS: &[&str] = &["env", "org"];

/// Checks every template of a scenario; returns all problems.
pub fn check(scenario: &Scenario, templates: &Templates) -> Vec<Diagnostic> {
    let mut c = Checker {
        templates,
        source: &scenario.source,
        diags: Vec::new(),
        later: HashMap::new(),
    };
    // Names defined later, to tell a forward reference from a typo.
    for step in &scenario.steps {
        for name in defined_by(step) {
            c.later.entry(name).or_insert((step.index, step.loc));
        }
    }
    let mut known: BTreeSet<String> = ALWAYS.iter().map(|s| (*s).to_owned()).collect();
    for (k, v) in &scenario.vars {
        c.node(v, &known, None, false);
        known.insert(k.name.clone());
    }
    if let Some(mock) = &scenario.mock {
        let mut mock_known = known.clone();
        mock_known.remove("org");
        c.node(
            mock,
            &mock_known,
            Some("the `mock` section (which cannot use `org`)"),
            false,
        );
    }
    for step in &scenario.steps {
        for name in defined_by(step) {
            c.later.remove(&name);
        }
        c.step(step, &known);
        known.extend(defined_by(step));
    }
    c.diags
}

/// Names a step makes available to later steps.
fn defined_by(step: &Step) -> Vec<String> {
    let mut names: Vec<String> = step.id.iter().cloned().collect();
    if step.kind == crate::scenario::model::Kind::Set
        && let Value::Map(entries) = &step.params.value
    {
        names.extend(entries.iter().map(|(k, _)| k.name.clone()));
    }
    names
}

struct Checker<'a> {
    templates: &'a Templates,
    source: &'a str,
    diags: Vec<Diagnostic>,
    later: HashMap<String, (usize, Location)>,
}

impl Checker<'_> {
    fn step(&mut self, step: &Step, known: &BTreeSet<String>) {
        let label = step.label();
        let start = self.diags.len();
        if let Some(name) = &step.name {
            self.node(name, known, None, false);
        }
        self.node(&step.params, known, None, false);
        if let Some(expect) = &step.expect {
            let mut with_result = known.clone();
            with_result.insert("result".into());
            // A step's own id names its result inside its expectations too.
            with_result.extend(step.id.iter().cloned());
            if let Some(s) = &expect.status {
                self.node(s, known, None, false);
            }
            for pc in expect.json.iter().chain(&expect.headers) {
                for (_, v) in &pc.ops {
                    self.node(v, known, None, false);
                }
            }
            for that in &expect.that {
                self.node(that, &with_result, None, true);
            }
        }
        for d in &mut self.diags[start..] {
            if d.step.is_none() {
                d.step = Some(label.clone());
            }
        }
    }

    fn node(&mut self, node: &Node, known: &BTreeSet<String>, context: Option<&str>, expr: bool) {
        match &node.value {
            Value::Str(s) => self.string(s, node.loc, known, context, expr),
            Value::Seq(items) => items
                .iter()
                .for_each(|n| self.node(n, known, context, expr)),
            Value::Map(entries) => entries
                .iter()
                .for_each(|(_, n)| self.node(n, known, context, expr)),
            _ => {}
        }
    }

    fn string(
        &mut self,
        s: &str,
        loc: Location,
        known: &BTreeSet<String>,
        context: Option<&str>,
        expr: bool,
    ) {
        let loc = crate::scenario::diag::inside_quotes(self.source, loc);
        let names = match self.templates.names(s, expr) {
            Ok(names) => names,
            Err(e) => {
                self.diags.push(template::template_diagnostic(&e, s, loc));
                return;
            }
        };
        for name in names {
            if known.contains(&name) || FUNCTIONS.contains(&name.as_str()) {
                continue;
            }
            let at = name_location(s, &name, loc);
            let diag = match (self.later.get(&name), context) {
                (_, Some(ctx)) if name == "org" => {
                    Diagnostic::new(format!("`org` cannot be used in {ctx}"), at)
                }
                (Some((index, l)), _) => Diagnostic::new(
                    format!(
                        "`{name}` refers to step {index} (line {}), which runs later",
                        l.line
                    ),
                    at,
                )
                .help("a step can only use the results of steps before it"),
                (None, _) => {
                    let mut d = Diagnostic::new(format!("undefined variable `{name}`"), at);
                    if let Some(best) = nearest(&name, known) {
                        d = d.help(format!("did you mean `{best}`?"));
                    }
                    d
                }
            };
            self.diags.push(diag.len(name.chars().count()));
        }
        for filter in Templates::unknown_filters(s) {
            let at = name_location(s, &filter, loc);
            self.diags.push(
                Diagnostic::new(format!("unknown filter `{filter}`"), at)
                    .len(filter.len())
                    .help(format!(
                        "sfscenario adds: {}; see minijinja's documentation for the others",
                        template::EXTRA_FILTERS.join(", ")
                    )),
            );
        }
    }
}

/// Where a name appears inside a one-line string value.
fn name_location(text: &str, name: &str, loc: Location) -> Location {
    if text.contains('\n') {
        return loc;
    }
    let Ok(re) = regex::Regex::new(&format!(r"\b{}\b", regex::escape(name))) else {
        return loc;
    };
    let offset = re
        .find(text)
        .map_or(0, |m| text[..m.start()].chars().count());
    Location {
        line: loc.line,
        column: loc.column + offset as u64,
    }
}

fn nearest<'a>(name: &str, known: &'a BTreeSet<String>) -> Option<&'a str> {
    known
        .iter()
        .filter(|k| crate::scenario::diag::edit_distance(name, k) <= 2)
        .min_by_key(|k| crate::scenario::diag::edit_distance(name, k))
        .map(String::as_str)
}
