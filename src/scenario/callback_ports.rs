//! The callback ports a scenario listens on that are known before it runs:
//! scenarios that share one are queued, not run at once. The `listen` value
//! is rendered by the one template engine, with the variables that can be
//! rendered ahead of the run (literals, `--var` values, templates over them);
//! anything that depends on the run (`free_port()`, `org`, `env`, an earlier
//! step) leaves the port unknown, and such a scenario runs freely.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::kind::Kind;
use crate::scenario::model::Scenario;
use crate::scenario::node::Value as NodeValue;
use crate::scenario::template::Templates;

/// The ports, sorted, without repeats.
#[must_use]
pub fn callback_ports(scenario: &Scenario, overrides: &BTreeMap<String, String>) -> Vec<u16> {
    let listens: Vec<_> = scenario
        .steps
        .iter()
        .filter(|s| s.kind == Kind::Callback)
        .filter_map(|s| match &s.params.value {
            NodeValue::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == "listen")
                .map(|(_, v)| v),
            _ => None,
        })
        .collect();
    if listens.is_empty() {
        return Vec::new();
    }
    let templates = Templates::ahead_of_run();
    let mut vars = Map::new();
    for (k, node) in &scenario.vars {
        let value = match overrides.get(&k.name) {
            Some(v) => Some(Value::String(v.clone())),
            None => templates
                .render_node(node, &minijinja::Value::from_serialize(&vars))
                .ok(),
        };
        if let Some(v) = value {
            vars.insert(k.name.clone(), v);
        }
    }
    let ctx = minijinja::Value::from_serialize(&vars);
    let mut ports: Vec<u16> = listens
        .into_iter()
        .filter_map(|node| templates.render_node(node, &ctx).ok())
        .filter_map(|v| v.as_str().and_then(|s| url::Url::parse(s).ok()))
        .filter_map(|u| u.port_or_known_default())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::callback_ports;
    use crate::scenario::load::load;

    fn ports(yaml: &str, overrides: &[(&str, &str)]) -> Vec<u16> {
        let scenario = load("p.yaml", yaml.as_bytes()).expect("a valid scenario");
        let overrides: BTreeMap<String, String> = overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        callback_ports(&scenario, &overrides)
    }

    const FILE: &str = "name: x\nvars:\n  port: \"8000\"\n  base: \"http://localhost:{{ port }}\"\n  redirect_uri: \"{{ base }}/cb\"\nsteps:\n  - callback: { listen: \"{{ redirect_uri }}\" }\n  - callback: { listen: \"http://127.0.0.1:9000/x\" }\n";

    #[test]
    fn ports_known_before_the_run_through_variables() {
        assert_eq!(ports(FILE, &[]), vec![8000, 9000]);
        assert_eq!(ports(FILE, &[("port", "8100")]), vec![8100, 9000]);
        assert_eq!(
            ports(FILE, &[("redirect_uri", "http://localhost:7000/cb")]),
            vec![7000, 9000]
        );
    }

    #[test]
    fn ports_known_only_when_the_run_starts_are_left_out() {
        let free = "name: x\nvars:\n  redirect_uri: \"http://localhost:{{ free_port() }}/cb\"\nsteps:\n  - callback: { listen: \"{{ redirect_uri }}\" }\n  - callback: { listen: \"http://localhost:{{ env.PORT }}/cb\" }\n";
        assert_eq!(ports(free, &[]), Vec::<u16>::new());
    }
}
