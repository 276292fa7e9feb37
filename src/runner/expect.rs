//! Expectations: `status`, `json` paths, `headers` and `that` expressions,
//! each checked and recorded with the expected and actual values.

use serde_json::Value;

use crate::log::Check;
use crate::scenario::model::{Expect, Op, PathCheck};

/// Renders a template node of an expectation.
pub type Render<'a> = dyn Fn(&crate::scenario::node::Node) -> Result<Value, String> + 'a;

/// Checks every expectation of a step against its result.
pub fn evaluate(
    expect: &Expect,
    result: &Value,
    render: &Render<'_>,
    that: &dyn Fn(&str) -> Result<bool, String>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(status) = &expect.status {
        checks.push(check_status(render(status), result.get("status")));
    } else if result.get("status").is_some_and(Value::is_number) {
        checks.push(check_status(
            Ok(Value::String("2xx".into())),
            result.get("status"),
        ));
    }
    let body = result.get("json").unwrap_or(&Value::Null);
    for pc in &expect.json {
        let actual = lookup(body, &pc.path.name);
        checks.extend(path_checks(
            pc,
            &format!("json {}", pc.path.name),
            actual,
            render,
        ));
    }
    let headers = result.get("headers").and_then(Value::as_object);
    for pc in &expect.headers {
        let actual = headers.and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&pc.path.name))
                .map(|(_, v)| v)
        });
        checks.extend(path_checks(
            pc,
            &format!("header {}", pc.path.name),
            actual,
            render,
        ));
    }
    for node in &expect.that {
        let expr = node.as_str().unwrap_or("");
        let (passed, actual) = match that(expr) {
            Ok(true) => (true, "true".to_owned()),
            Ok(false) => (false, "false".to_owned()),
            Err(e) => (false, format!("error: {e}")),
        };
        checks.push(Check {
            subject: format!("that {expr}"),
            expected: "true".into(),
            actual,
            passed,
        });
    }
    checks
}

fn check_status(expected: Result<Value, String>, actual: Option<&Value>) -> Check {
    let actual_n = actual.and_then(Value::as_u64);
    let actual_text = actual_n.map_or_else(|| "no response".to_owned(), |n| n.to_string());
    let (passed, expected_text) = match expected {
        Err(e) => (false, format!("error: {e}")),
        Ok(Value::String(s)) if s == "2xx" => {
            (actual_n.is_some_and(|n| (200..300).contains(&n)), s)
        }
        Ok(Value::Array(list)) => (
            list.iter()
                .any(|v| as_u64(v) == actual_n && actual_n.is_some()),
            list.iter().map(display).collect::<Vec<_>>().join(" or "),
        ),
        Ok(v) => (as_u64(&v) == actual_n && actual_n.is_some(), display(&v)),
    };
    Check {
        subject: "status".into(),
        expected: expected_text,
        actual: actual_text,
        passed,
    }
}

fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn path_checks(
    pc: &PathCheck,
    subject: &str,
    actual: Option<&Value>,
    render: &Render<'_>,
) -> Vec<Check> {
    pc.ops
        .iter()
        .map(|(op, node)| {
            let (passed, expected) = match render(node) {
                Ok(exp) => (matches(*op, &exp, actual), describe(*op, &exp)),
                Err(e) => (false, format!("error: {e}")),
            };
            Check {
                subject: subject.to_owned(),
                expected,
                actual: actual.map_or_else(|| "absent".to_owned(), display),
                passed,
            }
        })
        .collect()
}

/// Does `actual` satisfy `op expected`?
pub fn matches(op: Op, expected: &Value, actual: Option<&Value>) -> bool {
    match op {
        Op::Exists => expected.as_bool() == Some(actual.is_some()),
        _ => {
            let Some(actual) = actual else { return false };
            match op {
                Op::Equals => equal(expected, actual),
                Op::Contains => contains(actual, expected),
                Op::Matches => expected
                    .as_str()
                    .and_then(|re| regex::Regex::new(re).ok())
                    .is_some_and(|re| re.is_match(&text(actual))),
                Op::OneOf => expected
                    .as_array()
                    .is_some_and(|list| list.iter().any(|e| equal(e, actual))),
                Op::Gt => compare(actual, expected) == Some(std::cmp::Ordering::Greater),
                Op::Lt => compare(actual, expected) == Some(std::cmp::Ordering::Less),
                Op::Exists => false,
            }
        }
    }
}

/// Equal, treating a number and its decimal text as the same value.
fn equal(expected: &Value, actual: &Value) -> bool {
    if expected == actual {
        return true;
    }
    match (expected, actual) {
        (Value::Number(_) | Value::Bool(_), Value::String(_))
        | (Value::String(_), Value::Number(_) | Value::Bool(_)) => text(expected) == text(actual),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

fn contains(actual: &Value, needle: &Value) -> bool {
    match actual {
        Value::String(s) => s.contains(&text(needle)),
        Value::Array(items) => items.iter().any(|i| equal(needle, i)),
        Value::Object(map) => map.contains_key(&text(needle)),
        _ => false,
    }
}

fn compare(actual: &Value, expected: &Value) -> Option<std::cmp::Ordering> {
    let num = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    };
    match (num(actual), num(expected)) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ => Some(text(actual).cmp(&text(expected))),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn describe(op: Op, expected: &Value) -> String {
    match op {
        Op::Equals => display(expected),
        Op::Exists if expected.as_bool() == Some(true) => "present".into(),
        Op::Exists => "absent".into(),
        other => format!("{} {}", other.name(), display(expected)),
    }
}

/// Looks up a dotted path (`a.b.0.c`; `\.` is a literal dot).
pub fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = root;
    for segment in split_path(path) {
        current = match current {
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            Value::Object(map) => map.get(&segment)?,
            _ => return None,
        };
    }
    Some(current)
}

fn split_path(path: &str) -> Vec<String> {
    let mut segments = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                chars.next();
                if let Some(s) = segments.last_mut() {
                    s.push('.')
                }
            }
            '.' => segments.push(String::new()),
            other => {
                if let Some(s) = segments.last_mut() {
                    s.push(other);
                }
            }
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let v = json!({"a": {"b": [{"c": 1}]}, "x.y": 2});
        assert_eq!(lookup(&v, "a.b.0.c"), Some(&json!(1)));
        assert_eq!(lookup(&v, "x\\.y"), Some(&json!(2)));
        assert_eq!(lookup(&v, "a.nope"), None);
    }

    #[test]
    fn operators() {
        let s = json!("refresh_token api web");
        assert!(matches(Op::Contains, &json!("api"), Some(&s)));
        assert!(!matches(Op::Contains, &json!("full"), Some(&s)));
        assert!(matches(Op::Matches, &json!("^refresh"), Some(&s)));
        assert!(matches(Op::Exists, &json!(true), Some(&Value::Null)));
        assert!(!matches(Op::Exists, &json!(false), Some(&Value::Null)));
        assert!(matches(Op::Exists, &json!(false), None));
        assert!(matches(Op::OneOf, &json!([200, 201]), Some(&json!(201))));
        assert!(matches(Op::Gt, &json!(5), Some(&json!("1700000000000"))));
        assert!(matches(Op::Lt, &json!(5), Some(&json!(4))));
        assert!(matches(Op::Equals, &json!(200), Some(&json!("200"))));
        assert!(!matches(
            Op::Equals,
            &json!("Bearer"),
            Some(&json!("bearer"))
        ));
    }
}
