//! Stored records as clients see them: `attributes` first, every field in
//! describe order, and the fields the org computes (`Name` of a Contact,
//! `IsClosed` of an Opportunity).

use serde_json::{Map, Value, json};

use super::SObjectKind;

/// The value of `field` (its exact name) on a stored record.
pub(crate) fn value(kind: SObjectKind, record: &Map<String, Value>, field: &str) -> Value {
    let text = |key: &str| record.get(key).and_then(Value::as_str).unwrap_or_default();
    match (kind.name, field) {
        ("Contact" | "Lead" | "User", "Name") => {
            let name = format!("{} {}", text("FirstName"), text("LastName"));
            Value::from(name.trim())
        }
        ("Opportunity", "IsClosed") => Value::from(text("StageName").starts_with("Closed")),
        ("Opportunity", "IsWon") => Value::from(text("StageName") == "Closed Won"),
        ("Case", "IsClosed") => Value::from(text("Status") == "Closed"),
        _ => record.get(field).cloned().unwrap_or(Value::Null),
    }
}

/// `{"type": …, "url": …}` of a record.
pub(crate) fn attributes(kind: SObjectKind, version: &str, id: &str) -> Value {
    json!({ "type": kind.name, "url": format!("{}/{id}", kind.url(version)) })
}

pub(crate) fn id(record: &Map<String, Value>) -> &str {
    record.get("Id").and_then(Value::as_str).unwrap_or_default()
}

/// The whole record, as `GET sobjects/{Type}/{id}` returns it.
pub(crate) fn full(kind: SObjectKind, version: &str, record: &Map<String, Value>) -> Value {
    let names: Vec<&str> = kind.fields().map(|field| field.name).collect();
    selected(kind, version, record, &names)
}

/// `attributes` and the named fields (exact names), as with `?fields=`.
pub(crate) fn selected(
    kind: SObjectKind,
    version: &str,
    record: &Map<String, Value>,
    names: &[&str],
) -> Value {
    let mut out = Map::new();
    out.insert("attributes".into(), attributes(kind, version, id(record)));
    for name in names {
        out.insert((*name).to_string(), value(kind, record, name));
    }
    Value::Object(out)
}

/// Whether two ids name the same record: 15- and 18-character forms match.
pub(crate) fn same_id(a: &str, b: &str) -> bool {
    match (a.get(..15), b.get(..15)) {
        (Some(a15), Some(b15)) if a.len() <= 18 && b.len() <= 18 => a15 == b15,
        _ => a == b,
    }
}

/// Shaped like a record id: 15 or 18 letters and digits.
pub(crate) fn is_id_shaped(text: &str) -> bool {
    matches!(text.len(), 15 | 18) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::{full, is_id_shaped, same_id, value};
    use crate::mock::sobjects::SObjectKind;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn computed_fields() {
        let contact = SObjectKind::find("Contact").unwrap();
        let ada = map(json!({"Id": "003ak0000000001AAA", "LastName": "Lovelace"}));
        assert_eq!(value(contact, &ada, "Name"), "Lovelace");
        let opportunity = SObjectKind::find("Opportunity").unwrap();
        let won = map(json!({"StageName": "Closed Won"}));
        assert_eq!(value(opportunity, &won, "IsWon"), true);
        let view = full(contact, "62.0", &ada);
        assert_eq!(
            view["attributes"]["url"],
            "/services/data/v62.0/sobjects/Contact/003ak0000000001AAA"
        );
        assert_eq!(view["Email"], Value::Null);
        assert_eq!(view.as_object().unwrap().keys().nth(1).unwrap(), "Id");
    }

    #[test]
    fn ids() {
        assert!(same_id("001ak0000000001", "001ak0000000001AAA"));
        assert!(!same_id("001ak0000000002", "001ak0000000001AAA"));
        assert!(is_id_shaped("001ak0000000001AAA") && !is_id_shaped("001-"));
    }
}
