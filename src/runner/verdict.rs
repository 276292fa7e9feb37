//! Whether a step passed when its expectations do not say, and how a
//! failure reads in one line.

use serde_json::Value;

use crate::log::Check;

pub fn failed_checks(checks: &[Check]) -> String {
    match checks.iter().filter(|c| !c.passed).count() {
        1 => "1 expectation failed".to_owned(),
        n => format!("{n} of {} expectations failed", checks.len()),
    }
}

/// Without `expect`: 2xx and no `error` field for HTTP steps; no `error` otherwise.
pub fn default_verdict(result: &Value) -> Result<(), String> {
    if let Some(status) = result.get("status").and_then(Value::as_u64)
        && !(200..300).contains(&status)
    {
        return Err(format!("HTTP {status}{}", error_suffix(result)));
    }
    match result.get("error") {
        Some(Value::Null) | None => Ok(()),
        Some(_) => Err(format!(
            "the server answered with an error{}",
            error_suffix(result)
        )),
    }
}

fn error_suffix(result: &Value) -> String {
    let field = |k: &str| result.get(k).and_then(Value::as_str).map(str::to_owned);
    let from_json = |k: &str| {
        result
            .get("json")
            .and_then(|j| j.get(k).or_else(|| j.get(0).and_then(|e| e.get(k))))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let error = field("error")
        .or_else(|| from_json("error"))
        .or_else(|| from_json("errorCode"));
    let desc = field("error_description")
        .or_else(|| from_json("error_description"))
        .or_else(|| from_json("message"));
    match (error, desc) {
        (Some(e), Some(d)) => format!(": {e}: {d}"),
        (Some(e), None) => format!(": {e}"),
        (None, Some(d)) => format!(": {d}"),
        (None, None) => String::new(),
    }
}
