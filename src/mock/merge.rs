//! Merging a `mock:` section over the default configuration, JSON to JSON,
//! so that every unknown key and wrong type is reported with its key path
//! (serde alone would name neither).

use serde_json::{Map, Value};

use super::config::{ConfigError, MockUser, Profile};

/// Merges `overrides` into `base` (the defaults as JSON): maps merge key by
/// key, lists replace.
pub(crate) fn merge_section(base: &mut Value, overrides: &Value) -> Result<(), ConfigError> {
    let over = match overrides {
        Value::Null => return Ok(()),
        Value::Object(map) => map,
        other => return Err(wrong_type("mock", "a map", other)),
    };
    for (key, value) in over {
        let path = format!("mock.{key}");
        let slot = base
            .get_mut(key.as_str())
            .ok_or_else(|| ConfigError::new(&path, "unknown key"))?;
        match key.as_str() {
            "connected_app" => merge_map(slot, &app_aliases(value, &path)?, &path)?,
            "org_settings" => merge_map(slot, value, &path)?,
            "users" => *slot = merge_users(value, &path)?,
            "profiles" => merge_profiles(slot, value, &path)?,
            "records" => merge_records(slot, value, &path)?,
            "query_batch_size" => {
                check_type(slot, value, &path)?;
                *slot = value.clone();
            }
            _ => return Err(ConfigError::new(&path, "unknown key")),
        }
    }
    Ok(())
}

/// Keys that `null` turns off.
const OPTIONAL: [&str; 3] = [
    "certificate",
    "client_credentials_user",
    "require_secret_for_refresh",
];

/// The app's keys as the mock reads them: `run_as`, the earlier name of
/// `client_credentials_user`, still works; `jwt_preapproved` is replaced.
fn app_aliases(over: &Value, path: &str) -> Result<Value, ConfigError> {
    let Some(map) = over.as_object() else {
        return Ok(over.clone());
    };
    if map.contains_key("jwt_preapproved") {
        let message = "replaced by `admin_approved: true` with `profiles` or \
                       `permission_sets` (JWT bearer takes pre-authorized users, or \
                       users who approved the app once)";
        return Err(ConfigError::new(format!("{path}.jwt_preapproved"), message));
    }
    let Some(run_as) = map.get("run_as") else {
        return Ok(over.clone());
    };
    if map.contains_key("client_credentials_user") {
        let message = "`run_as` is the earlier name of `client_credentials_user`: give one";
        return Err(ConfigError::new(format!("{path}.run_as"), message));
    }
    let mut renamed = map.clone();
    renamed.remove("run_as");
    renamed.insert("client_credentials_user".into(), run_as.clone());
    Ok(Value::Object(renamed))
}

/// Merges a map of plain values (strings, booleans, lists of strings) over a
/// template whose keys are the only ones allowed.
fn merge_map(base: &mut Value, over: &Value, path: &str) -> Result<(), ConfigError> {
    let over = over
        .as_object()
        .ok_or_else(|| wrong_type(path, "a map", over))?;
    let Some(base) = base.as_object_mut() else {
        return Err(ConfigError::new(path, "cannot be configured"));
    };
    for (key, value) in over {
        let path = format!("{path}.{key}");
        let template = base
            .get(key)
            .ok_or_else(|| ConfigError::new(&path, "unknown key"))?;
        let template = match key.as_str() {
            _ if value.is_null() && OPTIONAL.contains(&key.as_str()) => &Value::Null,
            "require_secret_for_refresh" => &Value::Bool(true),
            _ => template,
        };
        check_type(template, value, &path)?;
        base.insert(key.clone(), value.clone());
    }
    Ok(())
}

fn check_type(template: &Value, value: &Value, path: &str) -> Result<(), ConfigError> {
    match (template, value) {
        (Value::Bool(_), Value::Bool(_))
        | (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Null, Value::String(_) | Value::Null) => Ok(()),
        (Value::Array(_), Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                if !item.is_string() {
                    return Err(wrong_type(&format!("{path}.{index}"), "a string", item));
                }
            }
            Ok(())
        }
        (Value::Bool(_), _) => Err(wrong_type(path, "a boolean", value)),
        (Value::Array(_), _) => Err(wrong_type(path, "a list of strings", value)),
        (Value::Number(_), _) => Err(wrong_type(path, "a number", value)),
        _ => Err(wrong_type(path, "a string", value)),
    }
}

/// Each listed user is merged over a template that has every key but
/// `username`; `email` defaults to the username.
fn merge_users(over: &Value, path: &str) -> Result<Value, ConfigError> {
    let items = over
        .as_array()
        .ok_or_else(|| wrong_type(path, "a list", over))?;
    let template = MockUser {
        username: String::new(),
        email: String::new(),
        ..MockUser::default()
    };
    let template = serde_json::to_value(template).unwrap_or(Value::Null);
    let mut users = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let mut user = template.clone();
        merge_map(&mut user, item, &format!("{path}.{index}"))?;
        default_email(&mut user);
        users.push(user);
    }
    Ok(Value::Array(users))
}

/// Profiles merge by name, each over a profile with no settings.
fn merge_profiles(base: &mut Value, over: &Value, path: &str) -> Result<(), ConfigError> {
    let over = over
        .as_object()
        .ok_or_else(|| wrong_type(path, "a map", over))?;
    if !base.is_object() {
        *base = Value::Object(Map::new());
    }
    let Some(base) = base.as_object_mut() else {
        return Ok(());
    };
    let template = serde_json::to_value(Profile::default()).unwrap_or(Value::Null);
    for (name, settings) in over {
        let mut profile = base.get(name).cloned().unwrap_or_else(|| template.clone());
        merge_map(&mut profile, settings, &format!("{path}.{name}"))?;
        base.insert(name.clone(), profile);
    }
    Ok(())
}

fn default_email(user: &mut Value) {
    let Some(user) = user.as_object_mut() else {
        return;
    };
    let empty = user
        .get("email")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    if empty {
        let username = user.get("username").cloned().unwrap_or(Value::Null);
        user.insert("email".into(), username);
    }
}

/// Records merge per sObject; each sObject's list replaces the default one.
fn merge_records(base: &mut Value, over: &Value, path: &str) -> Result<(), ConfigError> {
    let over = over
        .as_object()
        .ok_or_else(|| wrong_type(path, "a map", over))?;
    if !base.is_object() {
        *base = Value::Object(Map::new());
    }
    let Some(base) = base.as_object_mut() else {
        return Ok(());
    };
    for (name, list) in over {
        let path = format!("{path}.{name}");
        let items = list
            .as_array()
            .ok_or_else(|| wrong_type(&path, "a list", list))?;
        if let Some((index, item)) = items.iter().enumerate().find(|(_, item)| !item.is_object()) {
            return Err(wrong_type(&format!("{path}.{index}"), "a map", item));
        }
        base.insert(name.clone(), list.clone());
    }
    Ok(())
}

fn wrong_type(path: &str, expected: &str, found: &Value) -> ConfigError {
    let found = match found {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    };
    ConfigError::new(path, format!("expected {expected}, found {found}"))
}
