//! Checks made before any request: template syntax, unknown variables, steps
//! and filters, and references to steps that run later.

use std::collections::{BTreeSet, HashMap};

use crate::location::Location;
use crate::scenario::diag::{Diagnostic, LineStarts};
use crate::scenario::model::{Scenario, Step};
use crate::scenario::node::{Node, Value};
use crate::scenario::template::{self, FUNCTIONS, Templates};

/// Names every template may use.
const ALWAYS: &[&str] = &["env", "org"];

/// Checks every template of a scenario; returns all problems.
pub fn check(scenario: &Scenario, templates: &Templates) -> Vec<Diagnostic> {
    let mut c = Checker {
        templates,
        source: &scenario.source,
        diags: Vec::new(),
        later: HashMap::new(),
        current: None,
        lines: LineStarts::new(&scenario.source),
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
        c.step(step, &mut known);
        known.extend(defined_by(step));
    }
    crate::scenario::load::cap(c.diags)
}

/// Names in `secrets:` that nothing defines: not a `vars` key, a `set` key,
/// a name in `supplied` (`--var`), nor an environment variable read as
/// `env.NAME`. Such a name protects nothing, most likely through a typo.
pub fn undeclared_secrets(scenario: &Scenario, supplied: &[&str]) -> Vec<Diagnostic> {
    if scenario.secrets.is_empty() {
        return Vec::new();
    }
    let mut defined: BTreeSet<String> = scenario.vars.iter().map(|(k, _)| k.name.clone()).collect();
    for step in &scenario.steps {
        if step.kind == crate::scenario::model::Kind::Set {
            defined.extend(defined_by(step));
        }
    }
    defined.extend(supplied.iter().map(|s| (*s).to_owned()));
    scenario.for_each_template(&mut |text, _| {
        defined.extend(Templates::attribute_uses(text, "env"));
    });
    scenario
        .secrets
        .iter()
        .filter(|k| !defined.contains(&k.name))
        .map(|k| {
            Diagnostic::new(
                format!(
                    "`secrets` names `{}`, which is neither a variable (`vars`, a `set` step, `--var`) nor read as `env.{}`",
                    k.name, k.name
                ),
                k.loc,
            )
            .len(k.name.len())
            .help("list the names of variables or environment variables whose values must be redacted")
        })
        .collect()
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
    /// The id of the step being checked.
    current: Option<String>,
    lines: LineStarts,
}

impl Checker<'_> {
    fn step(&mut self, step: &Step, known: &mut BTreeSet<String>) {
        let label = step.label();
        let start = self.diags.len();
        self.current.clone_from(&step.id);
        if let Some(name) = &step.name {
            self.node(name, known, None, false);
        }
        self.node(&step.params, known, None, false);
        if let Some(expect) = &step.expect {
            if let Some(s) = &expect.status {
                self.node(s, known, None, false);
            }
            for pc in expect.json.iter().chain(&expect.headers) {
                for (_, v) in &pc.ops {
                    self.node(v, known, None, false);
                }
            }
            // `result`, and a step's own id, name its result inside `that`. They
            // are added for these expressions only (no copy of `known`: a
            // file of many steps stays linear).
            let added: Vec<String> = std::iter::once("result".to_owned())
                .chain(step.id.iter().cloned())
                .filter(|n| !known.contains(n))
                .collect();
            known.extend(added.iter().cloned());
            for that in &expect.that {
                self.node(that, known, None, true);
            }
            for name in &added {
                known.remove(name);
            }
        }
        self.current = None;
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
        let loc = crate::scenario::diag::inside_quotes_at(self.source, &self.lines, loc);
        let names = match self.templates.names(s, expr) {
            Ok(names) => names,
            Err(e) => {
                let mut d = template::template_diagnostic(&e, s, loc);
                if s.contains('\n')
                    && let Some(r) = e.range()
                {
                    d.loc = Some(locate(self.source, &self.lines, loc, s, r.start));
                    d.len = r.len().max(1);
                }
                if expr && let Some(at) = template::stray_block_end(s) {
                    d.loc = Some(locate(self.source, &self.lines, loc, s, at));
                    d.len = 2;
                }
                self.diags.push(d);
                return;
            }
        };
        if names.contains("org") {
            self.org_fields(s, loc, expr);
        }
        for name in names {
            if known.contains(&name) || FUNCTIONS.contains(&name.as_str()) {
                continue;
            }
            let at = name_location(self.source, &self.lines, s, &name, loc);
            let diag = match (self.later.get(&name), context) {
                (_, Some(ctx)) if name == "org" => {
                    Diagnostic::new(format!("`org` cannot be used in {ctx}"), at)
                }
                _ if self.current.as_deref() == Some(name.as_str()) => Diagnostic::new(
                    format!(
                        "`{name}` is this step's own id: its result exists only once the step has run"
                    ),
                    at,
                )
                .help(format!(
                    "use `{name}` in this step's `expect` (`that`), or in a later step"
                )),
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
            let at = name_location(self.source, &self.lines, s, &filter, loc);
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

/// Where a name appears inside a string value that starts at `loc`.
impl Checker<'_> {
    /// Every `org.field` of a template is a field of [`crate::org::FIELDS`].
    fn org_fields(&mut self, s: &str, loc: Location, expr: bool) {
        let spans = if expr {
            vec![(0, s.len())]
        } else {
            template_spans(s)
        };
        let fields: BTreeSet<String> = crate::org::FIELDS.iter().map(|f| (*f).to_owned()).collect();
        for (from, to) in spans {
            for field in Templates::attribute_uses(&s[from..to], "org") {
                if fields.contains(&field) {
                    continue;
                }
                let at = name_location(self.source, &self.lines, s, &field, loc);
                let d = Diagnostic::new(format!("`org` has no field `{field}`"), at)
                    .len(field.chars().count());
                let d = match nearest(&field, &fields) {
                    Some(best) => d.help(format!("did you mean `org.{best}`?")),
                    None => d.help(format!("`org` has {}", crate::org::FIELDS.join(", "))),
                };
                self.diags.push(d);
            }
        }
    }
}

fn name_location(
    source: &str,
    lines: &LineStarts,
    text: &str,
    name: &str,
    loc: Location,
) -> Location {
    let Ok(re) = regex::Regex::new(&format!(r"\b{}\b", regex::escape(name))) else {
        return loc;
    };
    // In a template block when the name also appears as plain text.
    let at = template_spans(text)
        .into_iter()
        .find_map(|(start, end)| re.find(&text[start..end]).map(|m| start + m.start()))
        .or_else(|| re.find(text).map(|m| m.start()))
        .unwrap_or(0);
    locate(source, lines, loc, text, at)
}

/// Byte ranges of the `{{ … }}` and `{% … %}` blocks of a template.
fn template_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find(['{']).map(|i| from + i) {
        let rest = &text[open..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else {
            from = open + 1;
            continue;
        };
        let end = rest.find(close).map_or(text.len(), |i| open + i + 2);
        spans.push((open, end));
        from = end;
    }
    spans
}

/// The file position of byte `at` of a string value that starts at `loc`.
///
/// A one-line value is found on its own line. In a value of several lines
/// (a `|` block, a quoted string over several lines) the line of `at` is
/// looked up in the file: first where a literal block puts it, then in the
/// lines that follow. When it cannot be found, the value's start is used.
fn locate(source: &str, lines: &LineStarts, loc: Location, text: &str, at: usize) -> Location {
    let at = at.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before = &text[..at];
    let k = before.matches('\n').count();
    let col_in_line = before.rsplit('\n').next().unwrap_or("").chars().count();
    if k == 0 && !text.contains('\n') {
        return Location {
            line: loc.line,
            column: loc.column + col_in_line as u64,
        };
    }
    let text_line = text.split('\n').nth(k).unwrap_or("");
    let lead = text_line.len() - text_line.trim_start().len();
    let needle = text_line.trim();
    if needle.is_empty() {
        return loc;
    }
    let lines: Vec<&str> = (0..=text.matches('\n').count() as u64 + 1)
        .map_while(|i| lines.line(source, loc.line + i))
        .collect();
    let expected = lines.get(k).filter(|l| l.contains(needle)).map(|l| (k, *l));
    let found = expected.or_else(|| {
        lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .map(|(i, l)| (i, *l))
    });
    let Some((i, line)) = found else {
        return loc;
    };
    let Some(start) = line.find(needle) else {
        return loc;
    };
    let column = line[..start].chars().count() + col_in_line.saturating_sub(lead) + 1;
    Location {
        line: loc.line + i as u64,
        column: column as u64,
    }
}

fn nearest<'a>(name: &str, known: &'a BTreeSet<String>) -> Option<&'a str> {
    known
        .iter()
        .filter(|k| crate::scenario::diag::edit_distance(name, k) <= 2)
        .min_by_key(|k| crate::scenario::diag::edit_distance(name, k))
        .map(String::as_str)
}
