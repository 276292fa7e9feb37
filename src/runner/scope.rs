//! What templates see while a scenario runs — its variables, the results of
//! the steps so far, `env` and `org` — and rendering against it. The context
//! is converted for minijinja once per change, not for every render.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::org::Org;
use crate::scenario::diag::{Diagnostic, inside_quotes};
use crate::scenario::node::Node;
use crate::scenario::template::Templates;

/// One scenario's values.
pub struct Scope {
    templates: Templates,
    /// The scenario file's text, to place run-time template errors.
    source: String,
    vars: Map<String, Value>,
    results: Map<String, Value>,
    org: Value,
    env: minijinja::Value,
    /// Built on first use after a change.
    context: OnceLock<minijinja::Value>,
}

impl Scope {
    pub fn new(templates: Templates, source: &str, env: &BTreeMap<String, String>) -> Self {
        Scope {
            templates,
            source: source.to_owned(),
            vars: Map::new(),
            results: Map::new(),
            org: Value::Object(Map::new()),
            env: minijinja::Value::from_serialize(env),
            context: OnceLock::new(),
        }
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// The variables, in the order they were set.
    pub fn vars(&self) -> &Map<String, Value> {
        &self.vars
    }

    /// Sets a variable; templates see it from the next render.
    pub fn set_var(&mut self, name: String, value: Value) {
        self.vars.insert(name, value);
        self.context = OnceLock::new();
    }

    /// Keeps a step's result under its id.
    pub fn set_result(&mut self, id: String, value: Value) {
        self.results.insert(id, value);
        self.context = OnceLock::new();
    }

    pub fn set_org(&mut self, org: &Org) {
        self.org = serde_json::to_value(org).unwrap_or(Value::Null);
        self.context = OnceLock::new();
    }

    /// The template context: vars, earlier results, `env`, `org`.
    pub fn context(&self) -> minijinja::Value {
        self.context
            .get_or_init(|| {
                let mut map: BTreeMap<&str, minijinja::Value> = self
                    .vars
                    .iter()
                    .chain(&self.results)
                    .map(|(k, v)| (k.as_str(), minijinja::Value::from_serialize(v)))
                    .collect();
                map.insert("env", self.env.clone());
                map.insert("org", minijinja::Value::from_serialize(&self.org));
                minijinja::Value::from(map)
            })
            .clone()
    }

    /// Renders every string of a node; an error is placed inside the quotes
    /// of the string it stands in.
    pub fn render(&self, node: &Node) -> Result<Value, Diagnostic> {
        let mut rendered = self.templates.render_node(node, &self.context());
        if let Err(diag) = &mut rendered
            && let Some(loc) = diag.loc
        {
            diag.loc = Some(inside_quotes(&self.source, loc));
        }
        rendered
    }

    /// The context of a step's `that` expressions: `result` (and the step's
    /// own id) name its result.
    pub fn with_result(&self, result: &Value, own_id: Option<&str>) -> minijinja::Value {
        let result_value = minijinja::Value::from_serialize(result);
        let mut own = BTreeMap::new();
        own.insert("result", result_value.clone());
        if let Some(id) = own_id {
            own.insert(id, result_value);
        }
        minijinja::value::merge_maps([minijinja::Value::from(own), self.context()])
    }

    /// The truth of a `that` expression in `ctx`.
    pub fn truth(&self, expr: &str, ctx: &minijinja::Value) -> Result<bool, String> {
        self.templates
            .truth(expr, ctx)
            .map_err(|e| crate::scenario::template::template_message(&e))
    }
}
