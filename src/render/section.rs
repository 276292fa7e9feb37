//! The walkthrough's `## N. Name` section of one step, with the seed
//! document's layout for `authorize`, `callback` and `token` steps.

use serde_json::{Map, Value};

use crate::log::{Body, Exchange, HttpResponse, Kind, Party, Status, StepLog};

use super::exchange::{
    body_json, first_lines, header, path_and_query, path_of, query_object, status_line, value_text,
    without_query,
};
use super::page::{Page, code, text as prose};

/// Request headers left out of the walkthrough: transport noise.
const NOISY_HEADERS: [&str; 7] = [
    "user-agent",
    "accept-encoding",
    "host",
    "content-length",
    "connection",
    "date",
    "transfer-encoding",
];
/// Longest text body shown, in lines.
const BODY_LINES: usize = 30;
/// Result fields already shown with the exchanges.
const HTTP_FIELDS: [&str; 4] = ["status", "headers", "json", "body"];

/// `## N. Name` and everything the step did.
pub(super) fn section(page: &mut Page, step: &StepLog) {
    let mark = match step.status {
        Status::Passed => "",
        Status::Failed => " ✗",
        Status::Skipped => " (skipped)",
    };
    page.heading(
        2,
        &format!("{}. {}{mark}", step.index + 1, prose(&step.name)),
    );
    match step.status {
        Status::Skipped => {
            let reason = step.error.as_deref().unwrap_or("an earlier step failed");
            page.para(&format!("*Skipped: {}.*", prose(reason)));
            return;
        }
        Status::Failed => {
            let reason = step.error.as_deref().unwrap_or("the step failed");
            page.para(&format!("> **✗ Failed:** {}", prose(reason)));
        }
        Status::Passed => {}
    }
    if let Some(doc) = &step.doc {
        page.para(doc);
    }
    match step.kind {
        Kind::Authorize => authorize(page, step),
        Kind::Callback => callback(page, step),
        Kind::Token if !step.exchanges.is_empty() => token(page, step),
        Kind::Token | Kind::Pkce | Kind::Request | Kind::Jwt | Kind::Metadata | Kind::Set => {
            generic(page, step);
        }
    }
    checks(page, step);
}

fn generic(page: &mut Page, step: &StepLog) {
    let rows = input_rows(&step.inputs);
    if !rows.is_empty() {
        page.heading(3, "Parameters");
        page.table(&["Field", "Value"], &rows);
    }
    if let Some(result) = shown_result(step) {
        page.json("Result", &result);
    }
    for ex in &step.exchanges {
        exchange(page, ex);
    }
}

/// Inputs as `(dotted path, value)` rows.
fn input_rows(inputs: &Value) -> Vec<Vec<String>> {
    fn walk(prefix: &str, value: &Value, rows: &mut Vec<Vec<String>>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (key, v) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, v, rows);
                }
            }
            Value::Null if prefix.is_empty() => {}
            v => rows.push(vec![code(prefix), code(&value_text(v))]),
        }
    }
    let mut rows = Vec::new();
    walk("", inputs, &mut rows);
    rows
}

/// The result without what the exchanges already show; `None` if nothing is left.
fn shown_result(step: &StepLog) -> Option<Value> {
    let Value::Object(map) = &step.result else {
        return (!step.result.is_null()).then(|| step.result.clone());
    };
    let http = !step.exchanges.is_empty();
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| !(http && HTTP_FIELDS.contains(&k.as_str())))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!kept.is_empty()).then_some(Value::Object(kept))
}

fn authorize(page: &mut Page, step: &StepLog) {
    let url = step.result.get("url").and_then(Value::as_str);
    let endpoint = url
        .map(without_query)
        .or_else(|| step.inputs.get("url").and_then(Value::as_str));
    if let Some(endpoint) = endpoint {
        page.labelled("Authorization endpoint", "", endpoint);
    }
    let params = url
        .and_then(query_object)
        .or_else(|| step.inputs.get("params").cloned());
    if let Some(params) = params {
        page.json("Query parameters", &params);
    }
    if let Some(url) = url {
        page.labelled("Final authorization URL", "", url);
    }
    if step.exchanges.is_empty() {
        page.para("The browser is sent to this URL to log in and approve.");
        return;
    }
    page.para("The browser logs in and approves:");
    for ex in &step.exchanges {
        exchange(page, ex);
    }
}

fn callback(page: &mut Page, step: &StepLog) {
    if let Some(listen) = step.inputs.get("listen").and_then(Value::as_str) {
        page.labelled("Listening on", "", listen);
    }
    let received = step.exchanges.iter().find(|e| e.to == Party::Callback);
    if let Some(ex) = received {
        page.labelled(
            "Salesforce redirects back with",
            "",
            path_and_query(&ex.request.url),
        );
    }
    if let Value::Object(map) = &step.result {
        let extracted: Map<String, Value> = map
            .iter()
            .filter(|(k, v)| k.as_str() != "params" && !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !extracted.is_empty() {
            page.json("Extracted", &Value::Object(extracted));
        }
    }
}

fn token(page: &mut Page, step: &StepLog) {
    let total = step.exchanges.len();
    for (i, ex) in step.exchanges.iter().enumerate() {
        let of = if total > 1 {
            format!(" ({} of {total})", i + 1)
        } else {
            String::new()
        };
        page.heading(3, &format!("Token Request Prepared{of}"));
        page.labelled("Token endpoint", "", &ex.request.url);
        match &ex.request.body {
            Some(body @ Body::Form(_)) => page.json("Form payload", &body_json(body)),
            Some(body) => page.json("Request body", &body_json(body)),
            None => {}
        }
        page.heading(3, &format!("Token Response Received{of}"));
        match &ex.response {
            Some(resp) => {
                page.para(&format!("Status: {}", code(&status_line(resp.status))));
                if let Some(body) = &resp.body {
                    page.json("Raw response", &body_json(body));
                }
            }
            None => transport_error(page, ex),
        }
    }
}

/// One exchange: request line and headers, body, status, redirect, body.
fn exchange(page: &mut Page, ex: &Exchange) {
    let req = &ex.request;
    page.heading(3, &format!("{} {}", req.method, code(path_of(&req.url))));
    let mut head = vec![format!("{} {}", req.method, req.url)];
    head.extend(
        req.headers
            .iter()
            .filter(|(n, _)| !NOISY_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
            .map(|(n, v)| format!("{n}: {v}")),
    );
    page.fence("http", &head.join("\n"));
    match &req.body {
        Some(body @ Body::Form(_)) => page.json("Form payload", &body_json(body)),
        Some(body @ Body::Json(_)) => page.json("JSON body", &body_json(body)),
        Some(Body::Text(text)) if !text.is_empty() => {
            page.labelled("Body", "text", &first_lines(text, BODY_LINES));
        }
        _ => {}
    }
    match &ex.response {
        Some(resp) => response(page, resp),
        None => transport_error(page, ex),
    }
}

fn response(page: &mut Page, resp: &HttpResponse) {
    page.para(&format!("Status: {}", code(&status_line(resp.status))));
    if let Some(location) = header(&resp.headers, "location") {
        page.labelled("Location", "", location);
    }
    match &resp.body {
        Some(Body::Text(text)) if !text.is_empty() => {
            let lang = text_language(header(&resp.headers, "content-type").unwrap_or(""));
            if lang == "html" {
                // A page is for the browser; the walkthrough names it.
                let lines = text.lines().count();
                let title = html_title(text)
                    .map(|t| format!(" *{}*", prose(t)))
                    .unwrap_or_default();
                page.para(&format!(
                    "The response is an HTML page{title} ({lines} lines)."
                ));
            } else {
                page.labelled("Response body", lang, &first_lines(text, BODY_LINES));
            }
        }
        Some(body @ (Body::Json(_) | Body::Form(_))) => {
            page.json("Response body", &body_json(body));
        }
        _ => {}
    }
}

/// The text of an HTML page's `<title>`, if it has a non-empty one.
pub(super) fn html_title(html: &str) -> Option<&str> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title>")?;
    let title = html[open_end..close].trim();
    (!title.is_empty()).then_some(title)
}

fn text_language(content_type: &str) -> &'static str {
    let ct = content_type.to_ascii_lowercase();
    ["json", "html", "xml"]
        .into_iter()
        .find(|lang| ct.contains(lang))
        .unwrap_or("text")
}

fn transport_error(page: &mut Page, ex: &Exchange) {
    let error = ex.error.as_deref().unwrap_or("no response");
    page.para(&format!("No response: {}", code(error)));
}

fn checks(page: &mut Page, step: &StepLog) {
    let rows: Vec<Vec<String>> = step
        .checks
        .iter()
        .map(|c| {
            let mark = if c.passed { "✓" } else { "✗" };
            vec![
                prose(&c.subject),
                code(&c.expected),
                code(&c.actual),
                mark.to_owned(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        page.heading(3, "Checks");
        page.table(&["Check", "Expected", "Actual", "Result"], &rows);
    }
}
