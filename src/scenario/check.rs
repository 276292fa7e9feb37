//! Checks made before any request: template syntax, unknown variables, steps
//! and filters, and references to steps that run later.

use std::collections::{BTreeSet, HashMap};

use crate::location::Location;
use crate::scenario::diag::{Diagnostic, LineStarts};
use crate::scenario::model::{Scenario, Step};
use crate::scenario::node::{Node, Value};
use crate::scenario::template::{self, FUNCTIONS, Templates};

mod place;

use place::{locate, name_location};

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
        fields: HashMap::new(),
    };
    c.fields.insert(
        "org".to_owned(),
        crate::org::FIELDS.iter().map(|f| (*f).to_owned()).collect(),
    );
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
    /// The fields of closed results by the name templates give them (step
    /// ids, `org`; `result` inside a step's `that`): reading another field
    /// is a typo found before any request.
    fields: HashMap<String, Vec<String>>,
}

/// The fields a step's result has, when they are known before it runs.
fn result_fields(step: &Step) -> Option<Vec<String>> {
    match crate::steps::fields(step.kind) {
        crate::steps::Fields::Open => None,
        crate::steps::Fields::Closed(_) if step.kind == crate::kind::Kind::Set => {
            match &step.params.value {
                Value::Map(entries) => Some(entries.iter().map(|(k, _)| k.name.clone()).collect()),
                _ => None,
            }
        }
        crate::steps::Fields::Closed(fields) => Some(fields),
    }
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
            let own = result_fields(step);
            if let Some(fields) = &own {
                for name in &added {
                    self.fields.insert(name.clone(), fields.clone());
                }
            }
            for that in &expect.that {
                self.node(that, known, None, true);
            }
            for name in &added {
                known.remove(name);
                self.fields.remove(name);
            }
        }
        self.current = None;
        if let (Some(id), Some(fields)) = (&step.id, result_fields(step)) {
            self.fields.insert(id.clone(), fields);
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
        let loc = crate::scenario::diag::inside_quotes_at(self.source, &self.lines, loc);
        let paths = match self.templates.paths(s, expr) {
            Ok(paths) => paths,
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
        let names: BTreeSet<String> = paths
            .iter()
            .map(|p| p.split('.').next().unwrap_or_default().to_owned())
            .collect();
        self.fields_read(s, loc, &paths, known);
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

impl Checker<'_> {
    /// `{{ id.field }}` of a closed result and `{{ org.field }}`: a field
    /// that does not exist is reported, with the nearest one.
    fn fields_read(
        &mut self,
        s: &str,
        loc: Location,
        paths: &BTreeSet<String>,
        known: &BTreeSet<String>,
    ) {
        for path in paths {
            let mut parts = path.split('.');
            let (Some(root), Some(field)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Some(fields) = self.fields.get(root) else {
                continue;
            };
            if !known.contains(root) || fields.iter().any(|f| f == field) {
                continue;
            }
            let read = format!("{root}.{field}");
            let at = name_location(self.source, &self.lines, s, &read, loc);
            let best = fields
                .iter()
                .filter(|f| crate::scenario::diag::edit_distance(field, f) <= 3)
                .min_by_key(|f| crate::scenario::diag::edit_distance(field, f));
            let what = match root {
                "org" => "`org` has no field".to_owned(),
                "result" => "this step's result has no field".to_owned(),
                _ => format!("the result of `{root}` has no field"),
            };
            let help = match best {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("its fields are {}", quoted_list(fields)),
            };
            self.diags.push(
                Diagnostic::new(format!("{what} `{field}`"), at)
                    .len(read.chars().count())
                    .help(help),
            );
        }
    }
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn nearest<'a>(name: &str, known: &'a BTreeSet<String>) -> Option<&'a str> {
    known
        .iter()
        .filter(|k| crate::scenario::diag::edit_distance(name, k) <= 2)
        .min_by_key(|k| crate::scenario::diag::edit_distance(name, k))
        .map(String::as_str)
}
