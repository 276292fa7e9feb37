//! The JSON Schema of scenario files, generated from the same tables the
//! loader checks files against (`schema.rs` and each step kind's keys), for
//! editors and the YAML language server.

use serde_json::{Map, Value, json};

use crate::scenario::schema::{self, KeySpec, Ty};

/// The schema as a JSON value.
pub fn json_schema() -> Value {
    let steps: Vec<Value> = crate::kind::Kind::ALL
        .iter()
        .map(|kind| step_schema(kind.name(), crate::steps::keys(*kind)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/sfscenario/sfscenario/scenario.schema.json",
        "title": "sfscenario scenario",
        "description": "A Salesforce OAuth / API scenario run by sfscenario.",
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "steps"],
        "properties": {
            "name": { "type": "string", "description": "Title of the scenario" },
            "description": { "type": "string", "description": "Markdown shown in generated docs" },
            "vars": {
                "type": "object",
                "description": "Variables, rendered in order; later ones may use earlier ones",
                "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }
            },
            "secrets": {
                "type": "array",
                "items": { "type": "string" },
                "description": "More variable names whose values are redacted"
            },
            "mock": mock_schema(),
            "mock_only": {
                "type": "boolean",
                "description": "Needs what only the mock org can arrange: skipped, not run, against a real org (--org)"
            },
            "steps": { "type": "array", "minItems": 1, "items": { "oneOf": steps } }
        },
        "$defs": { "expect": expect_schema(), "matcher": matcher_schema() }
    })
}

/// The `mock:` section: its `app` (apps from source) described; the other
/// keys are the mock's configuration, checked when the mock starts.
fn mock_schema() -> Value {
    json!({
        "type": "object",
        "description": "How the built-in mock org is set up",
        "properties": {
            "app": {
                "description": "The app the mock serves, from Salesforce DX source (relative to the scenario file): a *.connectedApp-meta.xml, an *.eca-meta.xml with its sibling files, or a directory holding one app",
                "anyOf": [
                    { "type": "string" },
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["source"],
                        "properties": {
                            "source": { "type": "string", "description": "A directory of apps" },
                            "name": { "type": "string", "description": "The app's API name, when the directory holds several" }
                        }
                    }
                ]
            }
        }
    })
}

fn step_schema(kind: &str, spec: Option<&[KeySpec]>) -> Value {
    let params = match spec {
        Some(spec) => map_schema(spec),
        None => json!({
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
            "description": "New variables"
        }),
    };
    let mut props = Map::new();
    props.insert(
        "id".into(),
        json!({ "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }),
    );
    props.insert("name".into(), json!({ "type": "string" }));
    props.insert(
        "doc".into(),
        json!({ "type": "string", "description": "Markdown shown under the step's title" }),
    );
    props.insert("expect".into(), json!({ "$ref": "#/$defs/expect" }));
    props.insert(kind.into(), params);
    json!({
        "type": "object",
        "title": kind,
        "additionalProperties": false,
        "required": [kind],
        "properties": props
    })
}

fn map_schema(spec: &[KeySpec]) -> Value {
    let props: Map<String, Value> = spec
        .iter()
        .map(|k| (k.name.to_owned(), value_schema(k)))
        .collect();
    let required: Vec<&str> = spec.iter().filter(|k| k.required).map(|k| k.name).collect();
    let mut schema =
        json!({ "type": "object", "additionalProperties": false, "properties": props });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

const TEMPLATE: &str = "^.*\\{[{%].*$";

fn value_schema(k: &KeySpec) -> Value {
    let mut s = match k.ty {
        Ty::Str => json!({ "type": ["string", "number", "boolean"] }),
        Ty::Enum(options) => {
            json!({ "anyOf": [ { "enum": options }, { "type": "string", "pattern": TEMPLATE } ] })
        }
        Ty::Int { min, max } => json!({ "anyOf": [
            { "type": "integer", "minimum": min, "maximum": max },
            { "type": "string", "pattern": TEMPLATE } ] }),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Duration => {
            json!({ "type": "string", "pattern": "^(\\s*([0-9]+ *[a-zµ]+ *)+|.*\\{\\{.*)$" })
        }
        Ty::AnyMap => json!({ "type": "object" }),
        Ty::Map(inner) => map_schema(inner),
        Ty::StrList => json!({ "type": "array", "items": { "type": "string" } }),
        Ty::Any => json!({}),
    };
    if let Value::Object(m) = &mut s {
        m.insert("description".into(), k.doc.into());
    }
    s
}

fn expect_schema() -> Value {
    let paths = json!({
        "type": "object",
        "additionalProperties": {
            "anyOf": [ { "$ref": "#/$defs/matcher" }, { "type": ["string", "number", "boolean", "null", "array"] } ]
        }
    });
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "status": { "anyOf": [
                { "type": "integer", "minimum": 100, "maximum": 599 },
                { "type": "array", "items": { "type": "integer", "minimum": 100, "maximum": 599 } },
                { "type": "string", "pattern": TEMPLATE } ] },
            "json": paths,
            "headers": paths,
            "that": { "anyOf": [ { "type": "string" }, { "type": "array", "items": { "type": "string" } } ] }
        }
    })
}

fn matcher_schema() -> Value {
    let props: Map<String, Value> = schema::matcher_keys()
        .iter()
        .map(|k| (k.name.to_owned(), value_schema(k)))
        .collect();
    json!({ "type": "object", "additionalProperties": false, "minProperties": 1, "properties": props })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_kind_is_described() {
        let s = json_schema();
        let kinds: Vec<&str> = s["properties"]["steps"]["items"]["oneOf"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v["title"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            kinds,
            vec![
                "pkce",
                "authorize",
                "callback",
                "token",
                "request",
                "jwt",
                "metadata",
                "set"
            ]
        );
        assert_eq!(
            s["properties"]["steps"]["items"]["oneOf"][0]["properties"]["pkce"]["properties"]["length"]
                ["anyOf"][0]["maximum"],
            128
        );
    }
}
