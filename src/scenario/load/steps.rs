//! The loader's reading of `steps`: each step's common keys, its kind, and
//! its parameters checked against the kind's keys (`crate::steps::keys`).

use std::collections::HashMap;

use crate::kind::Kind;
use crate::location::Location;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::Step;
use crate::scenario::node::{Key, Node, Value};
use crate::scenario::schema::{self, KeySpec, Ty};

use super::{Loader, RESERVED, is_ident, is_template, step_keys};

impl Loader {
    pub(super) fn steps(&mut self, node: &Node) -> Vec<Step> {
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
    pub(super) fn variable_name(&mut self, k: &Key, step: Option<&Step>) {
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
}
