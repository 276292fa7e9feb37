//! `query?q=…&columns=true`: the columns a query would return, without its
//! records. `sf data query` asks for them to lay out its table; the shape
//! is the one the Salesforce CLI reads (`columnMetadata`, with a
//! relationship's fields in `joinColumns`).

use serde_json::{Map, Value, json};

use crate::mock::sobjects::fields::{FieldDef, FieldType};
use crate::mock::soql::Plan;
use crate::mock::soql::plan::Path;

/// The whole answer: `columnMetadata` and what it describes.
pub(crate) fn metadata(plan: &Plan) -> Value {
    let mut columns: Vec<Value> = Vec::new();
    // Fields read through one relationship share one column.
    let mut relationships: Vec<(&str, usize)> = Vec::new();
    if !plan.count {
        for path in &plan.columns {
            match *path {
                Path::Field(field) => columns.push(column(field)),
                Path::Parent { via, field, .. } => {
                    let name = via.relationship.unwrap_or(via.name);
                    let at = match relationships.iter().find(|(seen, _)| *seen == name) {
                        Some((_, at)) => *at,
                        None => {
                            relationships.push((name, columns.len()));
                            columns.push(relationship(name, via));
                            columns.len() - 1
                        }
                    };
                    if let Some(joins) = columns[at]["joinColumns"].as_array_mut() {
                        joins.push(column(field));
                    }
                }
            }
        }
    }
    let id_selected = plan
        .columns
        .iter()
        .any(|path| matches!(path, Path::Field(field) if field.name == "Id"));
    json!({
        "columnMetadata": columns,
        "entityName": plan.kind.name,
        "groupBy": false,
        "idSelected": id_selected,
        "keyPrefix": plan.kind.key_prefix,
    })
}

fn column(field: &FieldDef) -> Value {
    let mut entry = entry(field.name, field.custom);
    entry.insert("apexType".into(), Value::from(apex_type(field.kind)));
    let (boolean, number, text) = kinds(field.kind);
    entry.insert("booleanType".into(), Value::Bool(boolean));
    entry.insert("numberType".into(), Value::Bool(number));
    entry.insert("textType".into(), Value::Bool(text));
    Value::Object(entry)
}

/// `Owner` for `Owner.Name`: no type of its own, its fields below it.
fn relationship(name: &str, via: &FieldDef) -> Value {
    let mut entry = entry(name, via.custom);
    entry.insert("foreignKeyName".into(), Value::from(via.name));
    Value::Object(entry)
}

/// The keys every column has, in the order Salesforce writes them.
fn entry(name: &str, custom: bool) -> Map<String, Value> {
    let mut entry = Map::new();
    for (key, value) in [
        ("aggregate", Value::Bool(false)),
        ("apexType", Value::Null),
        ("booleanType", Value::Bool(false)),
        ("columnName", Value::from(name)),
        ("custom", Value::Bool(custom)),
        ("displayName", Value::from(name)),
        ("foreignKeyName", Value::Null),
        ("insertable", Value::Bool(false)),
        ("joinColumns", Value::Array(Vec::new())),
        ("numberType", Value::Bool(false)),
        ("textType", Value::Bool(false)),
        ("updatable", Value::Bool(false)),
    ] {
        entry.insert(key.into(), value);
    }
    entry
}

/// The Apex type of a field's values.
fn apex_type(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Id | FieldType::Reference => "Id",
        FieldType::String
        | FieldType::TextArea
        | FieldType::Picklist
        | FieldType::Phone
        | FieldType::Url
        | FieldType::Email => "String",
        FieldType::Currency | FieldType::Percent => "Decimal",
        FieldType::Int => "Integer",
        FieldType::Boolean => "Boolean",
        FieldType::Date => "Date",
        FieldType::DateTime => "Datetime",
    }
}

/// `(booleanType, numberType, textType)`.
fn kinds(kind: FieldType) -> (bool, bool, bool) {
    match apex_type(kind) {
        "Boolean" => (true, false, false),
        "Decimal" | "Integer" => (false, true, false),
        "String" => (false, false, true),
        _ => (false, false, false),
    }
}
