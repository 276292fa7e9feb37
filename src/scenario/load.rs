//! Loading a scenario file: YAML with locations, then the structure checked
//! against the schema table. Every problem is collected, not only the first.

use std::collections::HashMap;

use serde_saphyr::{Budget, Options};

use crate::location::Location;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::{Expect, Kind, Op, PathCheck, Scenario, Step};
use crate::scenario::node::{Key, Node, Value};
use crate::scenario::schema::{self, KeySpec, Ty};

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
        let mut steps_node = None;
        for (k, v) in entries {
            match k.name.as_str() {
                "name" => name = self.string(v, "`name`"),
                "description" => description = self.string(v, "`description`"),
                "vars" => vars = self.vars(v),
                "secrets" => secrets = self.key_list(v, "`secrets`"),
                "mock" => mock = self.map(v, "`mock`").map(|_| v.clone()),
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

    fn steps(&mut self, node: &Node) -> Vec<Step> {
        let Value::Seq(items) = &node.value else {
            let msg = format!("`steps` must be a list, found {}", node.type_name());
            self.err(msg, node.loc, 1, None);
            return Vec::new();
        };
        if items.is_empty() {
            self.err("`steps` is empty", node.loc, 1, None);
        }
        let mut steps = Vec::new();
        let mut seen: HashMap<String, Location> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(step) = self.step(i + 1, item) {
                if let Some(id) = &step.id {
                    if let Some(first) = seen.get(id) {
                        let msg = format!(
                            "step id `{id}` is used twice (first at line {})",
                            first.line
                        );
                        self.err(msg, step.id_loc, id.len(), Some(&step));
                    } else {
                        seen.insert(id.clone(), step.loc);
                    }
                }
                steps.push(step);
            }
        }
        steps
    }

    fn step(&mut self, index: usize, node: &Node) -> Option<Step> {
        if let Some(text) = node.as_str()
            && let Some(c) = text
                .chars()
                .find(|c| c.is_whitespace() && *c != ' ' && *c != '\t')
        {
            // `pkce:\u{a0}{}` is one string to YAML: the space after `:` is not a space.
            let d = Diagnostic::new(
                format!("step {index} must be a map, found a string"),
                node.loc,
            )
            .help(format!(
                "the step holds the character U+{:04X}, which looks like a space; YAML needs a plain space after `:`",
                u32::from(c)
            ));
            self.diags.push(d);
            return None;
        }
        let entries = self.map(node, &format!("step {index}"))?;
        let kinds: Vec<&(Key, Node)> = entries
            .iter()
            .filter(|(k, _)| Kind::from_name(&k.name).is_some())
            .collect();
        let label = format!("step {index}");
        let (kind_key, params) = match kinds.as_slice() {
            [one] => (&one.0, &one.1),
            [] => {
                let d = Diagnostic::new("a step needs exactly one kind; found none", node.loc)
                    .step(Some(label))
                    .help(
                        "step kinds: pkce, authorize, callback, token, request, jwt, metadata, set",
                    );
                self.diags.push(d);
                self.step_unknown_keys(entries, None, index);
                return None;
            }
            [_, second, ..] => {
                let names: Vec<&str> = kinds.iter().map(|(k, _)| k.name.as_str()).collect();
                let msg = format!(
                    "a step needs exactly one kind; found {}",
                    names.join(" and ")
                );
                let d = Diagnostic::new(msg, second.0.loc)
                    .len(second.0.name.len())
                    .step(Some(label));
                self.diags.push(d);
                return None;
            }
        };
        let kind = Kind::from_name(&kind_key.name)?;
        let mut step = Step {
            index,
            id: None,
            id_loc: node.loc,
            name: None,
            doc: None,
            kind,
            params: params.clone(),
            expect: None,
            loc: node.loc,
        };
        for (k, v) in entries {
            if k.name.as_str() == "id" {
                step.id = self.step_id(v, index);
                step.id_loc = v.loc;
            }
        }
        for (k, v) in entries {
            match k.name.as_str() {
                "id" => {}
                "name" => step.name = self.string(v, "`name`").map(|_| v.clone()),
                "doc" => step.doc = self.string(v, "`doc`"),
                "expect" => step.expect = self.expect(v, &step),
                n if n == kind_key.name => self.params(&step, v),
                other => self.unknown_key(other, k, &step_keys(kind), Some(&step)),
            }
        }
        Some(step)
    }

    fn step_unknown_keys(&mut self, entries: &[(Key, Node)], step: Option<&Step>, _index: usize) {
        let allowed: Vec<&str> = schema::STEP_COMMON
            .iter()
            .copied()
            .chain(Kind::ALL.iter().map(|k| k.name()))
            .collect();
        for (k, _) in entries {
            if !allowed.contains(&k.name.as_str()) {
                self.unknown_key(&k.name.clone(), k, &allowed, step);
            }
        }
    }

    /// A variable name (in `vars` or `set`): an identifier, and not a reserved name.
    fn variable_name(&mut self, k: &Key, step: Option<&Step>) {
        let len = k.name.chars().count();
        if !is_ident(&k.name) {
            let msg = format!(
                "variable name `{}` must match [A-Za-z_][A-Za-z0-9_]*",
                k.name
            );
            self.err(msg, k.loc, len, step);
        } else if RESERVED.contains(&k.name.as_str()) {
            let msg = format!(
                "`{}` is reserved and cannot name a variable ({} are given by sfscenario)",
                k.name,
                RESERVED.join(", ")
            );
            self.err(msg, k.loc, len, step);
        }
    }

    fn step_id(&mut self, node: &Node, index: usize) -> Option<String> {
        let id = node.scalar_text();
        match id {
            Some(id) if RESERVED.contains(&id.as_str()) => {
                let msg = format!(
                    "`{id}` is reserved and cannot be a step id ({} are given by sfscenario)",
                    RESERVED.join(", ")
                );
                let d = Diagnostic::new(msg, node.loc)
                    .len(id.len())
                    .step(Some(format!("step {index}")));
                self.diags.push(d);
                None
            }
            Some(id) if is_ident(&id) => Some(id),
            _ => {
                let msg = "a step id must match [A-Za-z_][A-Za-z0-9_]*";
                let d = Diagnostic::new(msg, node.loc).step(Some(format!("step {index}")));
                self.diags.push(d);
                None
            }
        }
    }

    fn params(&mut self, step: &Step, node: &Node) {
        match crate::steps::keys(step.kind) {
            Some(spec) => {
                if matches!(node.value, Value::Null) {
                    self.check_map(
                        &Node {
                            value: Value::Map(Vec::new()),
                            loc: node.loc,
                        },
                        spec,
                        step,
                    );
                } else {
                    self.check_map(node, spec, step);
                }
                self.kind_rules(step, node);
            }
            None => {
                if let Some(entries) = self.map(node, "`set`") {
                    for (k, _) in entries {
                        self.variable_name(k, Some(step));
                    }
                }
            }
        }
    }

    fn check_map(&mut self, node: &Node, spec: &[KeySpec], step: &Step) {
        let Value::Map(entries) = &node.value else {
            let msg = format!(
                "`{}` takes a map, found {}",
                step.kind.name(),
                node.type_name()
            );
            self.err(msg, node.loc, 1, Some(step));
            return;
        };
        for (k, v) in entries {
            match spec.iter().find(|s| s.name == k.name) {
                Some(s) => self.check_value(v, s, step),
                None => {
                    let names: Vec<&str> = spec.iter().map(|s| s.name).collect();
                    self.unknown_key(&k.name, k, &names, Some(step));
                }
            }
        }
        for s in spec.iter().filter(|s| s.required) {
            if !entries.iter().any(|(k, _)| k.name == s.name) {
                self.err(format!("missing `{}`", s.name), node.loc, 1, Some(step));
            }
        }
    }

    fn check_value(&mut self, v: &Node, spec: &KeySpec, step: &Step) {
        if v.as_str().is_some_and(is_template) && !matches!(spec.ty, Ty::Map(_) | Ty::AnyMap) {
            return; // checked after rendering
        }
        let bad = |expected: &str| {
            format!(
                "`{}` must be {expected}, found {}",
                spec.name,
                v.type_name()
            )
        };
        match spec.ty {
            Ty::Str | Ty::Any => {
                if matches!(spec.ty, Ty::Str) && v.scalar_text().is_none() {
                    self.err(bad("a string"), v.loc, 1, Some(step));
                }
            }
            Ty::Enum(options) => match v.scalar_text() {
                Some(s) if options.contains(&s.as_str()) => {}
                Some(s) => {
                    let msg = format!(
                        "`{}` must be one of {}, found `{s}`",
                        spec.name,
                        options.join(", ")
                    );
                    self.err(msg, v.loc, s.chars().count(), Some(step));
                }
                None => self.err(bad("a string"), v.loc, 1, Some(step)),
            },
            Ty::Int { min, max } => match v.value {
                Value::Int(n) if (min..=max).contains(&n) => {}
                Value::Int(n) => {
                    let msg = format!("`{}` must be between {min} and {max}, found {n}", spec.name);
                    self.err(msg, v.loc, n.to_string().len(), Some(step));
                }
                _ => self.err(bad("an integer"), v.loc, 1, Some(step)),
            },
            Ty::Bool => {
                if !matches!(v.value, Value::Bool(_)) {
                    self.err(bad("true or false"), v.loc, 1, Some(step));
                }
            }
            Ty::Duration => match v.scalar_text() {
                Some(s) if crate::duration::parse(&s).is_some() => {}
                _ => {
                    let msg = format!(
                        "`{}` must be a duration like 30s, 2m, 1h30m or 500ms",
                        spec.name
                    );
                    self.err(msg, v.loc, 1, Some(step));
                }
            },
            Ty::AnyMap => {
                if !matches!(v.value, Value::Map(_)) {
                    self.err(bad("a map"), v.loc, 1, Some(step));
                }
            }
            Ty::Map(inner) => self.check_map(v, inner, step),
            Ty::StrList => match &v.value {
                Value::Seq(items) if items.iter().all(|i| i.scalar_text().is_some()) => {}
                _ => self.err(bad("a list of strings"), v.loc, 1, Some(step)),
            },
        }
    }

    /// Rules that cross keys or need the value itself.
    fn kind_rules(&mut self, step: &Step, node: &Node) {
        let Value::Map(entries) = &node.value else {
            return;
        };
        let get = |name: &str| entries.iter().find(|(k, _)| k.name == name);
        if step.kind == Kind::Request {
            if let Some((k, _)) = get("json") {
                if get("form").is_some() || get("body").is_some() {
                    self.err(
                        "`json` cannot be combined with `form` or `body`",
                        k.loc,
                        4,
                        Some(step),
                    );
                }
            } else if let (Some((k, _)), Some(_)) = (get("form"), get("body")) {
                self.err(
                    "`form` cannot be combined with `body`",
                    k.loc,
                    4,
                    Some(step),
                );
            }
        }
        if step.kind == Kind::Callback
            && let Some((_, v)) = get("listen")
            && let Some(s) = v.as_str().filter(|s| !is_template(s))
            && let Err(msg) = crate::loopback::check_listen(s)
        {
            self.err(msg, v.loc, s.chars().count(), Some(step));
        }
    }

    fn expect(&mut self, node: &Node, step: &Step) -> Option<Expect> {
        let entries = self.map(node, "`expect`")?;
        let mut e = Expect::default();
        for (k, v) in entries {
            match k.name.as_str() {
                "status" => {
                    self.check_status(v, step);
                    e.status = Some(v.clone());
                }
                "json" => e.json = self.path_checks(v, step, "json"),
                "headers" => e.headers = self.path_checks(v, step, "headers"),
                "that" => match &v.value {
                    Value::Seq(items) => {
                        for item in items.iter().filter(|i| i.as_str().is_none()) {
                            let msg = format!(
                                "`that` takes expressions as strings, found {}",
                                item.type_name()
                            );
                            self.err(msg, item.loc, 1, Some(step));
                        }
                        e.that = items.clone();
                    }
                    Value::Str(_) => e.that = vec![v.clone()],
                    _ => self.err("`that` must be a list of expressions", v.loc, 1, Some(step)),
                },
                other => self.unknown_key(other, k, schema::EXPECT, Some(step)),
            }
        }
        Some(e)
    }

    fn check_status(&mut self, v: &Node, step: &Step) {
        let ok = |n: &Node| match &n.value {
            Value::Int(i) => (100..=599).contains(i),
            Value::Str(s) => is_template(s),
            _ => false,
        };
        let valid = match &v.value {
            Value::Seq(items) => !items.is_empty() && items.iter().all(ok),
            _ => ok(v),
        };
        if !valid {
            self.err(
                "`status` must be an HTTP status (100–599) or a list of them",
                v.loc,
                1,
                Some(step),
            );
        }
    }

    fn path_checks(&mut self, node: &Node, step: &Step, what: &str) -> Vec<PathCheck> {
        let Some(entries) = self.map(node, &format!("`{what}`")) else {
            return Vec::new();
        };
        let mut checks = Vec::new();
        for (k, v) in entries {
            let ops = match &v.value {
                Value::Map(ops) => self.ops(ops, step),
                _ => vec![(Op::Equals, v.clone())],
            };
            checks.push(PathCheck {
                path: k.clone(),
                ops,
            });
        }
        checks
    }

    fn ops(&mut self, entries: &[(Key, Node)], step: &Step) -> Vec<(Op, Node)> {
        let names: Vec<&str> = schema::matcher_keys().iter().map(|s| s.name).collect();
        let mut ops = Vec::new();
        if entries.is_empty() {
            return ops;
        }
        for (k, v) in entries {
            let Some(op) = Op::from_name(&k.name) else {
                self.unknown_key(&k.name, k, &names, Some(step));
                continue;
            };
            match op {
                Op::Exists if !matches!(v.value, Value::Bool(_)) => {
                    self.err("`exists` takes true or false", v.loc, 1, Some(step));
                }
                Op::Matches => {
                    if let Some(re) = v.as_str().filter(|s| !is_template(s)) {
                        if let Err(e) = regex::Regex::new(re) {
                            let text = e.to_string();
                            let first = text
                                .lines()
                                .last()
                                .unwrap_or("")
                                .trim()
                                .trim_start_matches("error: ")
                                .to_owned();
                            let msg = format!("invalid regular expression: {first}");
                            self.err(msg, v.loc, re.chars().count(), Some(step));
                        }
                    } else if v.as_str().is_none() {
                        self.err(
                            "`matches` takes a regular expression string",
                            v.loc,
                            1,
                            Some(step),
                        );
                    }
                }
                Op::OneOf
                    if !matches!(v.value, Value::Seq(_))
                        && !v.as_str().is_some_and(is_template) =>
                {
                    self.err("`one_of` takes a list", v.loc, 1, Some(step));
                }
                _ => {}
            }
            ops.push((op, v.clone()));
        }
        ops
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

#[cfg(test)]
mod proptests;
