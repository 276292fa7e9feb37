//! Reading a step's rendered parameters into its typed struct: the value
//! types the structs share (scalars as text, maps of form fields, durations)
//! and the decoder whose errors name the key.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::StepError;

/// Decodes rendered parameters; an error names the key's path
/// (`poll.interval`).
pub fn decode<P: DeserializeOwned>(value: Value) -> Result<P, StepError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            StepError::input(inner.to_string())
        } else {
            StepError::input(format!("`{path}`: {inner}"))
        }
    })
}

/// A scalar where text is expected: numbers and booleans are written as
/// text (`length: 64` and `length: "64"` alike).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl Text {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A scalar as text, or `None` for maps, lists and null.
#[must_use]
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        scalar_text(&v)
            .map(Text)
            .ok_or_else(|| de::Error::custom(format!("expected text, found {}", type_name(&v))))
    }
}

/// A map of scalar fields in order (form fields, query parameters,
/// headers); a field rendered to none is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    match v {
                        Value::Null => {}
                        v => match scalar_text(&v) {
                            Some(t) => fields.push((k, t)),
                            None => {
                                return Err(de::Error::custom(format!(
                                    "`{k}` must be a scalar, found {}",
                                    type_name(&v)
                                )));
                            }
                        },
                    }
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(FieldsVisitor)
    }
}

impl<'de> Deserialize<'de> for crate::duration::Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(d)?;
        text.0.parse().map_err(de::Error::custom)
    }
}

/// One text or a list of them (`full_names: App` or `[A, B]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextList(pub Vec<String>);

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Array(items) => Ok(TextList(items.iter().filter_map(scalar_text).collect())),
            v => Ok(TextList(scalar_text(&v).into_iter().collect())),
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "none",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::{Fields, Text, decode};
    use crate::duration::Duration;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        form: Option<Fields>,
        name: Option<Text>,
        poll: Option<Poll>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Poll {
        interval: Option<Duration>,
    }

    #[test]
    fn fields_are_scalars_in_order_without_nulls() {
        let p: Params =
            decode(json!({ "form": { "b": 2, "a": "x", "c": null, "d": true } })).expect("decodes");
        let form = p.form.expect("form").0;
        assert_eq!(
            form,
            vec![
                ("b".into(), "2".into()),
                ("a".into(), "x".into()),
                ("d".into(), "true".into())
            ]
        );
    }

    #[test]
    fn errors_name_the_key() {
        let err = decode::<Params>(json!({ "poll": { "interval": "soon" } })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`poll.interval`: `soon` is not a duration like 30s, 2m, 1h30m or 500ms"
        );
        let err = decode::<Params>(json!({ "form": { "a": [1] } })).unwrap_err();
        assert!(
            err.to_string()
                .contains("`a` must be a scalar, found a list"),
            "{err}"
        );
        let err = decode::<Params>(json!({ "nmae": "x" })).unwrap_err();
        assert!(err.to_string().contains("unknown field `nmae`"), "{err}");
        let p: Params =
            decode(json!({ "name": 5, "poll": { "interval": "2s" } })).expect("a number as text");
        assert_eq!(p.name.map(|t| t.0).as_deref(), Some("5"));
        let interval = p.poll.and_then(|poll| poll.interval);
        assert_eq!(interval.map(|d| d.0.as_secs()), Some(2));
    }
}
