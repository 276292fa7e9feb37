//! Checking a create or update body against the type's fields, with the
//! error codes and messages Salesforce gives for each mistake.

use serde_json::{Map, Number, Value};

use super::reply::RestError;
use crate::mock::request::MockRequest;
use crate::mock::sobjects::SObjectKind;
use crate::mock::sobjects::clock::{is_date, normalize_datetime};
use crate::mock::sobjects::fields::{FieldDef, FieldType};
use crate::mock::sobjects::record::is_id_shaped;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Create,
    Update,
}

/// The body as a JSON object.
pub(crate) fn object(request: &MockRequest) -> Result<Map<String, Value>, RestError> {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Err(parser_error(
            "The HTTP entity body is required, but this request has no entity body.",
        ));
    }
    let value: Value = serde_json::from_slice(&request.body).map_err(|error| {
        let text = error.to_string();
        let reason = text.split(" at line ").next().unwrap_or(&text);
        parser_error(format!(
            "{reason} at [line:{}, column:{}]",
            error.line(),
            error.column()
        ))
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(parser_error(format!(
            "Cannot deserialize instance of SObject from {} value {} or request may be missing a required field at [line:1, column:1]",
            token(&other),
            first_char(&other)
        ))),
    }
}

/// The body's fields under their canonical names, values converted, or the
/// first mistake Salesforce would report.
pub(crate) fn fields(
    kind: SObjectKind,
    body: Map<String, Value>,
    mode: Mode,
) -> Result<Map<String, Value>, RestError> {
    let mut out = Map::new();
    let mut read_only = Vec::new();
    for (key, value) in body {
        if key == "attributes" {
            continue;
        }
        let field = kind.field(&key).ok_or_else(|| {
            RestError::bad(
                "INVALID_FIELD",
                format!("No such column '{key}' on sobject of type {}", kind.name),
            )
        })?;
        if field.name == "Id" {
            return Err(RestError::bad(
                "INVALID_FIELD",
                "The Id field should not be specified in the sobject data.",
            ));
        }
        let writable = match mode {
            Mode::Create => field.createable,
            Mode::Update => field.updateable,
        };
        if !writable {
            read_only.push(field.name.to_string());
        }
        out.insert(field.name.to_string(), convert(field, value)?);
    }
    if !read_only.is_empty() {
        let message = format!(
            "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            read_only.join(", ")
        );
        return Err(
            RestError::bad("INVALID_FIELD_FOR_INSERT_UPDATE", message).with_fields(read_only)
        );
    }
    for (name, value) in &out {
        if let Some(field) = kind.field(name) {
            check_value(field, value)?;
        }
    }
    let missing: Vec<String> = kind
        .fields()
        .filter(|field| match mode {
            Mode::Create => field.required() && out.get(field.name).is_none_or(Value::is_null),
            Mode::Update => !field.nillable && out.get(field.name).is_some_and(Value::is_null),
        })
        .map(|field| field.name.to_string())
        .collect();
    if !missing.is_empty() {
        let message = format!("Required fields are missing: [{}]", missing.join(", "));
        return Err(RestError::bad("REQUIRED_FIELD_MISSING", message).with_fields(missing));
    }
    Ok(out)
}

/// The value in the field's type, as Salesforce's JSON reader coerces it.
fn convert(field: &FieldDef, value: Value) -> Result<Value, RestError> {
    if value.is_null() {
        return Ok(value);
    }
    let refuse = |type_name: &str, value: &Value| {
        parser_error(format!(
            "Cannot deserialize instance of {type_name} from {} value {} or request may be missing a required field",
            token(value),
            scalar_text(value)
        ))
    };
    let text = scalar_text(&value);
    let scalar = !matches!(value, Value::Object(_) | Value::Array(_));
    match field.kind {
        FieldType::Boolean => match (&value, text.as_str()) {
            (Value::Bool(_), _) => Ok(value),
            (Value::String(_), "true" | "false") => Ok(Value::Bool(text == "true")),
            _ => Err(refuse("boolean", &value)),
        },
        FieldType::Int => text
            .parse::<i64>()
            .ok()
            .filter(|_| scalar && !value.is_boolean())
            .map(Value::from)
            .ok_or_else(|| refuse("int", &value)),
        FieldType::Currency | FieldType::Percent => text
            .parse::<f64>()
            .ok()
            .filter(|number| scalar && !value.is_boolean() && number.is_finite())
            .and_then(|number| match value {
                Value::Number(_) => Some(value.clone()),
                _ => Number::from_f64(number).map(Value::Number),
            })
            .ok_or_else(|| refuse("double", &value)),
        FieldType::Date if scalar && is_date(&text) => Ok(Value::from(text)),
        FieldType::Date => Err(refuse("date", &value)),
        FieldType::DateTime => normalize_datetime(&text)
            .filter(|_| scalar)
            .map(Value::from)
            .ok_or_else(|| refuse("datetime", &value)),
        _ if scalar => Ok(Value::from(text)),
        _ => Err(refuse("string", &value)),
    }
}

/// Length, email and id checks on a converted value.
fn check_value(field: &FieldDef, value: &Value) -> Result<(), RestError> {
    let Some(text) = value.as_str() else {
        return Ok(());
    };
    let fields = || vec![field.name.to_string()];
    match field.kind {
        FieldType::Reference if !is_id_shaped(text) => Err(RestError::bad(
            "MALFORMED_ID",
            format!("{}: id value of incorrect type: {text}", field.label),
        )
        .with_fields(fields())),
        FieldType::Email if !is_email(text) => Err(RestError::bad(
            "INVALID_EMAIL_ADDRESS",
            format!("{}: invalid email address: {text}", field.label),
        )
        .with_fields(fields())),
        _ if field.length > 0 && text.chars().count() > field.length as usize => {
            let message = format!(
                "{}: data value too large: {text} (max length={})",
                field.label, field.length
            );
            Err(RestError::bad("STRING_TOO_LONG", message).with_fields(fields()))
        }
        _ => Ok(()),
    }
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn parser_error(message: impl Into<String>) -> RestError {
    RestError::bad("JSON_PARSER_ERROR", message)
}

/// The JSON token name Salesforce's parser reports (`VALUE_STRING`, …).
fn token(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Number(number) if number.is_f64() => "VALUE_NUMBER_FLOAT",
        Value::Number(_) => "VALUE_NUMBER_INT",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(_) | Value::Object(_) => first_char(value).to_string(),
        other => other.to_string(),
    }
}

fn first_char(value: &Value) -> char {
    match value {
        Value::Array(_) => '[',
        Value::Object(_) => '{',
        _ => value.to_string().chars().next().unwrap_or(' '),
    }
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
