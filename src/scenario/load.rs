//! Loading a scenario file: YAML with locations, then the structure checked
//! against the schema table. Every problem is collected, not only the first.

use serde_saphyr::{Budget, Options};

use crate::location::Location;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::{Kind, Scenario, Step};
use crate::scenario::node::{Key, Node, Value};
use crate::scenario::schema;

/// Largest scenario file accepted.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// Most problems reported for one file; past that, one line says how many more.
pub const MAX_DIAGNOSTICS: usize = 50;

/// Names every template sees, which variables and step ids cannot take.
pub const RESERVED: &[&str] = &["org", "env", "result"];

/// Parses and checks a scenario file's bytes.
pub fn load(path: &str, bytes: &[u8]) -> Result<Scenario, Vec<Diagnostic>> {
    let source = decode(bytes)?;
    let root = parse_yaml(&source)?;
    let mut l = Loader { diags: Vec::new() };
    let scenario = l.scenario(path, &source, &root);
    match scenario {
        Some(s) if l.diags.is_empty() => Ok(s),
        Some(s) => {
            // Report the template problems of what could be read too: all problems at once.
            let mut diags = l.diags;
            diags.extend(crate::scenario::check::check(
                &s,
                &crate::scenario::template::Templates::new(),
            ));
            diags.sort_by_key(|d| d.loc.map(|l| (l.line, l.column)));
            diags.dedup();
            Err(cap(diags))
        }
        None => Err(cap(l.diags)),
    }
}

/// Keeps the first [`MAX_DIAGNOSTICS`] problems and says how many were left out,
/// so that a file with thousands of mistakes is reported in a moment.
pub fn cap(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diags.len() <= MAX_DIAGNOSTICS {
        return diags;
    }
    let more = diags.len() - MAX_DIAGNOSTICS;
    let next = diags.swap_remove(MAX_DIAGNOSTICS);
    diags.truncate(MAX_DIAGNOSTICS);
    let summary = Diagnostic {
        message: format!(
            "{more} more problem{} in this file (only the first {MAX_DIAGNOSTICS} are shown); the next one: {}",
            if more == 1 { "" } else { "s" },
            next.headline()
        ),
        help: Some("fix these and validate again".into()),
        step: None,
        ..next
    };
    diags.push(summary);
    diags
}

fn decode(bytes: &[u8]) -> Result<String, Vec<Diagnostic>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(vec![
            Diagnostic::new(
                format!(
                    "the file is {} bytes; scenario files are limited to {MAX_FILE_BYTES} (4 MiB)",
                    bytes.len()
                ),
                Location { line: 1, column: 1 },
            )
            .help("split the scenario into several files"),
        ]);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(normalize(s)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let last_line = good.rsplit(|&b| b == b'\n').next().unwrap_or(good);
            let column = String::from_utf8_lossy(last_line).chars().count() as u64 + 1;
            Err(vec![
                Diagnostic::new("the file is not valid UTF-8", Location { line, column })
                    .help("save the scenario as UTF-8"),
            ])
        }
    }
}

/// The text the loader and every diagnostic work on: without a byte order
/// mark, and with old Mac line ends (a lone CR) read as line ends, as YAML
/// does. CRLF stays: YAML and the diagnostics both read it as one line end.
pub fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.contains('\r') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_yaml(source: &str) -> Result<Node, Vec<Diagnostic>> {
    if source.trim().is_empty() {
        return Err(vec![
            Diagnostic::new("the file is empty", Location { line: 1, column: 1 })
                .help("a scenario needs at least `name:` and `steps:`"),
        ]);
    }
    if let Some(at) = source.find('\0') {
        let loc = location_of(source, at);
        return Err(vec![Diagnostic::new(
            "the file contains binary data (a NUL byte)",
            loc,
        )]);
    }
    let mut budget = Budget::default();
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ALIASES;
    budget.max_nodes = MAX_NODES;
    budget.max_events = 3 * MAX_NODES;
    budget.max_depth = MAX_DEPTH;
    let mut options = Options::default();
    options.budget = Some(budget);
    let root = serde_saphyr::from_str_with_options::<Node>(source, options).map_err(|e| {
        if let Some(tab) = tab_indentation(source) {
            return vec![
                Diagnostic::new("invalid YAML: a tab is used for indentation", tab)
                    .help("indent YAML with spaces"),
            ];
        }
        let message = yaml_message(&e);
        let loc = e
            .location()
            .map_or(Location { line: 1, column: 1 }, |l| Location {
                line: l.line().max(1),
                column: l.column().max(1),
            });
        vec![Diagnostic::new(message, loc)]
    })?;
    if matches!(root.value, Value::Null) && only_comments(source) {
        return Err(vec![
            Diagnostic::new(
                "the file is empty: it holds only comments",
                Location { line: 1, column: 1 },
            )
            .help("a scenario needs at least `name:` and `steps:`"),
        ]);
    }
    Ok(root)
}

/// YAML budgets: far above any real scenario (the bundled ones have a few
/// hundred values), low enough that a hostile file is refused in a moment.
const MAX_NODES: usize = 50_000;
const MAX_ALIASES: usize = 1_000;
const MAX_DEPTH: usize = 64;

fn only_comments(source: &str) -> bool {
    source.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// The first tab in a line's leading whitespace.
fn tab_indentation(source: &str) -> Option<Location> {
    source.lines().enumerate().find_map(|(i, line)| {
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        indent.find('\t').map(|col| Location {
            line: i as u64 + 1,
            column: col as u64 + 1,
        })
    })
}

/// Line and column of a byte offset.
fn location_of(source: &str, at: usize) -> Location {
    let before = &source[..at.min(source.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    Location { line, column }
}

/// The parser's message without its own snippet or position suffix, in
/// words for people who write scenarios rather than for users of the parser.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::budget::BudgetBreach;
    let mut inner = e;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }
    match inner {
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => {
            return match key {
                Some(k) => format!(
                    "invalid YAML: duplicate key `{k}`: a key may appear only once in a map"
                ),
                None => "invalid YAML: duplicate key: a key may appear only once in a map".into(),
            };
        }
        serde_saphyr::Error::Budget { breach, .. } => {
            let what = match breach {
                BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => {
                    format!("more than {MAX_ALIASES} anchors or aliases (`&name`, `*name`)")
                }
                BudgetBreach::Depth { .. } => {
                    format!("values nested more than {MAX_DEPTH} levels deep")
                }
                BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
                    format!("more than {MAX_NODES} values (aliases count once per use)")
                }
                _ => "more than a scenario file can hold".into(),
            };
            return format!("invalid YAML: the file is too large or too complex: {what}");
        }
        _ => {}
    }
    let text = inner.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("multiple yaml documents") {
        return "invalid YAML: the file holds multiple YAML documents; a scenario file holds one"
            .into();
    }
    if lower.contains("recursion limit") {
        return format!(
            "invalid YAML: the file is too large or too complex: values nested more than {MAX_DEPTH} levels deep"
        );
    }
    if lower.contains("!!binary") {
        return "invalid YAML: a `!!binary` value that is not UTF-8 text".into();
    }
    if lower.contains("non-finite float") {
        return "invalid YAML: a number that is infinite or not a number (NaN)".into();
    }
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let cleaned = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    // The parser's hints name its own options (`set … in Options`); they do not apply here.
    let cleaned = match cleaned.find(", set ").or_else(|| cleaned.find(". If you")) {
        Some(i) => &cleaned[..i],
        None => cleaned,
    };
    format!("invalid YAML: {}", cleaned.trim_start_matches("error: "))
}

struct Loader {
    diags: Vec<Diagnostic>,
}

/// Does a string contain template syntax?
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

impl Loader {
    fn err(&mut self, message: impl Into<String>, loc: Location, len: usize, step: Option<&Step>) {
        let d = Diagnostic::new(message, loc)
            .len(len)
            .step(step.map(Step::label));
        self.diags.push(d);
    }

    fn map<'a>(&mut self, node: &'a Node, what: &str) -> Option<&'a [(Key, Node)]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            _ => {
                let msg = format!("{what} must be a map, found {}", node.type_name());
                self.err(msg, node.loc, 1, None);
                None
            }
        }
    }

    fn scenario(&mut self, path: &str, source: &str, root: &Node) -> Option<Scenario> {
        let entries = self.map(root, "a scenario file")?;
        let mut name = None;
        let mut description = None;
        let mut vars = Vec::new();
        let mut secrets = Vec::new();
        let mut mock = None;
        let mut mock_only = false;
        let mut steps_node = None;
        for (k, v) in entries {
            match k.name.as_str() {
                "name" => name = self.string(v, "`name`"),
                "description" => description = self.string(v, "`description`"),
                "vars" => vars = self.vars(v),
                "secrets" => secrets = self.key_list(v, "`secrets`"),
                "mock" => mock = self.map(v, "`mock`").map(|_| v.clone()),
                "mock_only" => match &v.value {
                    Value::Bool(b) => mock_only = *b,
                    _ => {
                        let msg =
                            format!("`mock_only` must be true or false, found {}", v.type_name());
                        self.err(msg, v.loc, 1, None);
                    }
                },
                "steps" => steps_node = Some(v),
                other => self.unknown_key(other, k, schema::TOP, None),
            }
        }
        if name.is_none() && !entries.iter().any(|(k, _)| k.name == "name") {
            self.err("missing `name`", root.loc, 1, None);
        }
        let steps = match steps_node {
            Some(node) => self.steps(node),
            None => {
                self.err("missing `steps`", root.loc, 1, None);
                Vec::new()
            }
        };
        Some(Scenario {
            path: path.to_owned(),
            source: source.to_owned(),
            name: name.unwrap_or_default(),
            description,
            vars,
            secrets,
            mock,
            mock_only,
            steps,
        })
    }

    fn unknown_key(&mut self, name: &str, k: &Key, allowed: &[&str], step: Option<&Step>) {
        let mut msg = format!("unknown key `{}`", shorten(name));
        if let Some(best) = closest(name, allowed) {
            msg.push_str(&format!(" (did you mean `{best}`?)"));
        }
        let len = name.chars().count();
        let d = Diagnostic::new(msg, k.loc)
            .len(len)
            .step(step.map(Step::label))
            .help(format!("allowed here: {}", allowed.join(", ")));
        self.diags.push(d);
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.scalar_text() {
            Some(s) => Some(s),
            None => {
                let msg = format!("{what} must be a string, found {}", node.type_name());
                self.err(msg, node.loc, 1, None);
                None
            }
        }
    }

    /// A list of names, each with where it stands.
    fn key_list(&mut self, node: &Node, what: &str) -> Vec<Key> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| {
                    self.string(n, &format!("each item of {what}"))
                        .map(|name| Key { name, loc: n.loc })
                })
                .collect(),
            _ => {
                let msg = format!(
                    "{what} must be a list of strings, found {}",
                    node.type_name()
                );
                self.err(msg, node.loc, 1, None);
                Vec::new()
            }
        }
    }

    fn vars(&mut self, node: &Node) -> Vec<(Key, Node)> {
        let Some(entries) = self.map(node, "`vars`") else {
            return Vec::new();
        };
        for (k, _) in entries {
            self.variable_name(k, None);
        }
        entries.to_vec()
    }
}

fn step_keys(kind: Kind) -> Vec<&'static str> {
    let mut keys: Vec<&str> = schema::STEP_COMMON.to_vec();
    keys.push(kind.name());
    keys
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A name for a message: long ones are cut (a key may be a megabyte long).
pub fn shorten(name: &str) -> String {
    const MAX: usize = 60;
    if name.chars().count() <= MAX {
        return name.to_owned();
    }
    let cut: String = name.chars().take(MAX).collect();
    format!("{cut}…")
}

/// The allowed name nearest to a misspelt one (or the one it abbreviates).
fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    if name.len() >= 2
        && let Some(a) = allowed.iter().find(|a| a.starts_with(name))
    {
        return Some(a);
    }
    allowed
        .iter()
        .map(|a| (crate::scenario::diag::edit_distance(name, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

mod expect;
mod steps;

#[cfg(test)]
mod proptests;
