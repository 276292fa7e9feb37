//! `--format snapshot`: the step log as byte-stable YAML: a fixed key order,
//! no durations, no transport headers. The caller's redactor then replaces
//! secrets, ports, timestamps and the mock URL with placeholders.
//!
//! An HTTP step's result repeats its last response as `headers`, `json` and
//! `body`; those copies are left out when the response is in the snapshot,
//! so one changed field changes one line.

use serde_json::{Map, Value, json};

use crate::log::{Body, Check, Exchange, HttpRequest, HttpResponse, ScenarioLog, Status, StepLog};

use super::exchange::{body_json, pairs_object};
use super::yaml::to_yaml;

/// Headers that differ between runs or machines and say nothing about the flow.
const VOLATILE_HEADERS: [&str; 5] = [
    "date",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
];

/// One scenario's snapshot document.
pub(super) fn render(log: &ScenarioLog) -> String {
    to_yaml(&scenario(log))
}

fn scenario(log: &ScenarioLog) -> Value {
    let mut m = Map::new();
    m.insert("file".into(), json!(log.file));
    m.insert("name".into(), json!(log.name));
    m.insert("status".into(), json!(status(log.status)));
    let vars: Map<String, Value> = log
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    m.insert("vars".into(), Value::Object(vars));
    m.insert("steps".into(), log.steps.iter().map(step).collect());
    if let Some(error) = &log.error {
        m.insert("error".into(), json!(error));
    }
    Value::Object(m)
}

fn step(s: &StepLog) -> Value {
    let mut m = Map::new();
    m.insert("index".into(), json!(s.index));
    if let Some(id) = &s.id {
        m.insert("id".into(), json!(id));
    }
    m.insert("name".into(), json!(s.name));
    m.insert("kind".into(), json!(s.kind));
    m.insert("status".into(), json!(status(s.status)));
    m.insert("inputs".into(), s.inputs.clone());
    if !s.exchanges.is_empty() {
        m.insert(
            "exchanges".into(),
            s.exchanges.iter().map(exchange).collect(),
        );
    }
    let answered = s.exchanges.iter().any(|e| e.response.is_some());
    m.insert("result".into(), result(&s.result, answered));
    if !s.checks.is_empty() {
        m.insert("checks".into(), s.checks.iter().map(check).collect());
    }
    if let Some(error) = &s.error {
        m.insert("error".into(), json!(error));
    }
    Value::Object(m)
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
    }
}

fn exchange(e: &Exchange) -> Value {
    let mut m = Map::new();
    m.insert("request".into(), request(&e.request));
    if let Some(resp) = &e.response {
        m.insert("response".into(), response(resp));
    }
    if let Some(error) = &e.error {
        m.insert("error".into(), json!(error));
    }
    Value::Object(m)
}

fn request(r: &HttpRequest) -> Value {
    let mut m = Map::new();
    m.insert("method".into(), json!(r.method));
    m.insert("url".into(), json!(r.url));
    m.insert("headers".into(), headers(&r.headers));
    if let Some(body) = &r.body {
        m.insert("body".into(), body_json(body));
    }
    Value::Object(m)
}

fn response(r: &HttpResponse) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), json!(r.status));
    m.insert("headers".into(), headers(&r.headers));
    if let Some(body) = &r.body {
        m.insert("body".into(), response_body(r, body));
    }
    Value::Object(m)
}

/// HTML pages are named by their title: their markup and styles are the
/// browser's business, and would make every snapshot change with them.
fn response_body(r: &HttpResponse, body: &Body) -> Value {
    let html = r
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("text/html"));
    match body {
        Body::Text(text) if html => {
            let title = super::section::html_title(text).unwrap_or_default();
            json!(format!("[html page: {title}]"))
        }
        other => body_json(other),
    }
}

/// Lower-cased names, volatile ones dropped, repeated ones as lists.
fn headers(pairs: &[(String, String)]) -> Value {
    pairs_object(
        pairs
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .filter(|(n, _)| !VOLATILE_HEADERS.contains(&n.as_str())),
    )
}

/// The result, without the copies of the response when `answered`, and with
/// the same header filter otherwise.
fn result(value: &Value, answered: bool) -> Value {
    let mut value = value.clone();
    if let Value::Object(map) = &mut value {
        if answered {
            map.retain(|key, _| !matches!(key.as_str(), "headers" | "json" | "body"));
        } else if let Some(Value::Object(h)) = map.get_mut("headers") {
            h.retain(|name, _| !VOLATILE_HEADERS.contains(&name.to_ascii_lowercase().as_str()));
        }
    }
    value
}

fn check(c: &Check) -> Value {
    json!({
        "subject": c.subject,
        "expected": c.expected,
        "actual": c.actual,
        "passed": c.passed,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::render;
    use crate::secret::{Class, Mode, Redactor};

    #[test]
    fn snapshot_pkce_flow() {
        insta::assert_snapshot!(render(&pkce_flow()));
    }

    #[test]
    fn snapshot_failed_token_flow() {
        insta::assert_snapshot!(render(&failed_token_flow()));
    }

    /// Hints change as the doctor learns; snapshots must not.
    #[test]
    fn snapshots_leave_hints_out() {
        let log = failed_token_flow();
        assert!(log.steps.iter().any(|s| s.hint.is_some()));
        let text = render(&log);
        assert!(
            !text.contains("hint") && !text.contains("consumer secret"),
            "{text}"
        );
    }

    #[test]
    fn snapshot_reparses_and_has_no_durations() {
        for log in [pkce_flow(), failed_token_flow()] {
            let text = render(&log);
            assert!(!text.contains("duration_ms"));
            assert!(!text.to_ascii_lowercase().contains("date:"));
            let back: Value = serde_saphyr::from_str(&text).unwrap();
            assert_eq!(back["vars"]["api_version"], "62.0");
            assert_eq!(back["steps"][0]["kind"], "pkce");
        }
    }

    #[test]
    fn snapshot_stays_valid_yaml_after_redaction() {
        let log = pkce_flow();
        let mut redactor = Redactor::new();
        redactor.literal(
            &log.login_url,
            "[mock_url]",
            "https://MyDomain.my.salesforce.com",
        );
        if let Some(token) = log.steps[3].result["access_token"].as_str() {
            redactor.secret("access_token", token, Class::Token);
        }
        for mode in [Mode::Snapshot, Mode::Display] {
            let text = redactor.redact(&render(&log), mode);
            let back: Value = serde_saphyr::from_str(&text).unwrap();
            assert!(back["steps"][4]["exchanges"][0]["request"]["url"].is_string());
        }
    }
}
