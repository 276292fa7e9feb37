//! The loader's reading of a step's `expect`: status, JSON paths, headers,
//! matchers and `that` expressions.

use crate::scenario::model::{Expect, Op, PathCheck, Step};
use crate::scenario::node::{Key, Node, Value};
use crate::scenario::schema;

use super::{Loader, is_template};

impl Loader {
    pub(super) fn expect(&mut self, node: &Node, step: &Step) -> Option<Expect> {
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
