//! The walkthrough's `## N. Name` section of one step, with the seed
//! document's layout for `authorize`, `callback` and `token` steps.

use serde_json::{Map, Value};

use crate::log::{Body, Exchange, Hint, Kind, Party, Role, Status, StepLog};

use super::checks::checks;
use super::exchange::{body_json, path_and_query, status_line, value_text, without_query};
use super::label;
use super::page::{Page, code, rich, text as prose, wrapped};
use super::wire::{broken_url, exchanges, page_value, transport_error};

/// Result fields already shown with the exchanges.
pub(super) const HTTP_FIELDS: [&str; 4] = ["status", "headers", "json", "body"];

/// `## N. Name` and everything the step did.
pub(super) fn section(page: &mut Page, step: &StepLog, on_mock: bool) {
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
            if let Some(hint) = &step.hint {
                why_it_failed(page, hint);
            }
        }
        Status::Passed => {}
    }
    if let Some(doc) = &step.doc {
        page.para(doc);
    }
    match step.kind {
        Kind::Authorize => authorize(page, step, on_mock),
        Kind::Callback => callback(page, step),
        Kind::Token if !step.exchanges.is_empty() => token(page, step, on_mock),
        Kind::Pkce => {
            pkce(page);
            generic(page, step, on_mock);
        }
        Kind::Token | Kind::Request | Kind::Jwt | Kind::Metadata | Kind::Set => {
            generic(page, step, on_mock);
        }
    }
    checks(page, step);
}

/// The doctor's hint: the error and what it means, the causes (found in
/// this run, or the likely ones), what to change and the sources.
fn why_it_failed(page: &mut Page, hint: &Hint) {
    page.heading(3, "Why it failed");
    page.para(&format!("{} — {}", code(&hint.error), rich(&hint.meaning)));
    let lead = if hint.exact {
        "What this run shows:"
    } else {
        "Likely causes, most likely first:"
    };
    let causes: Vec<String> = hint
        .causes
        .iter()
        .map(|c| format!("- {}", rich(c)))
        .collect();
    page.para(&format!("{lead}\n\n{}", causes.join("\n")));
    page.para(&format!("**What to change:** {}", rich(&hint.fix)));
    let sources: Vec<String> = hint
        .sources
        .iter()
        .filter(|s| plain_url(s))
        .map(|s| format!("[{}]({s})", crate::doctor::docs::source_label(s)))
        .collect();
    if !sources.is_empty() {
        page.para(&format!("Sources: {}", sources.join(", ")));
    }
}

/// A source URL that can go into a link as it is.
fn plain_url(url: &str) -> bool {
    url.starts_with("https://")
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>[]`|\"'\\".contains(&b))
}

/// How a PKCE pair is made, as Salesforce documents it.
fn pkce(page: &mut Page) {
    page.heading(3, "How it works");
    let steps = [
        "1. Take 32 or more random bytes from a cryptographic generator.",
        "2. Base64url-encode them, without padding: that is the `code_verifier`, 43 to 128 \
         characters of `A-Z a-z 0-9 - . _ ~`.",
        "3. Hash the verifier with SHA-256.",
        "4. Base64url-encode the hash: that is the `code_challenge`.",
    ];
    let lines: Vec<String> = steps.iter().map(|l| wrapped(l, "   ")).collect();
    page.para(&lines.join("\n"));
    page.para(&wrapped(
        "`S256` says the challenge is a SHA-256 hash; it is the method Salesforce uses. The \
         challenge goes with the authorization request, the verifier only with the token \
         request, so a stolen code is useless without it. Salesforce can also make a pair \
         (`GET /services/oauth2/pkce/generator?response_type=code_verifier`, then \
         `code_challenge`), but that costs two requests and trusts the network with the \
         verifier; make it locally.",
        "",
    ));
}

fn generic(page: &mut Page, step: &StepLog, on_mock: bool) {
    let rows = input_rows(&step.inputs);
    if !rows.is_empty() {
        page.heading(3, "Parameters");
        page.table(&["Field", "Value"], &rows);
    }
    if let Some(result) = shown_result(step) {
        page.json("Result", &result);
    }
    exchanges(page, step, on_mock);
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
            v => {
                let text = page_value(v).unwrap_or_else(|| value_text(v));
                rows.push(vec![code(prefix), code(&super::page::shorten(&text, 120))]);
            }
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
        .map(|(k, v)| {
            (
                k.clone(),
                page_value(v).map_or_else(|| v.clone(), Value::String),
            )
        })
        .collect();
    (!kept.is_empty()).then_some(Value::Object(kept))
}

fn authorize(page: &mut Page, step: &StepLog, on_mock: bool) {
    let url = step.result.get("url").and_then(Value::as_str);
    let endpoint = url
        .map(without_query)
        .or_else(|| step.inputs.get("url").and_then(Value::as_str));
    if let Some(endpoint) = endpoint {
        page.labelled("Authorization endpoint", "", endpoint);
    }
    let params = url
        .and_then(super::exchange::query_object)
        .or_else(|| step.inputs.get("params").cloned());
    if let Some(params) = params {
        page.json("Query parameters", &params);
    }
    if let Some(url) = url {
        page.labelled("Final authorization URL", "", &broken_url(url));
    }
    if step.exchanges.is_empty() {
        page.para("sfscenario opens the browser at this URL; the user logs in and approves.");
        return;
    }
    if label::acts(&step.exchanges) {
        page.heading(3, "The user logs in and approves");
    } else {
        page.heading(3, "The authorization request");
    }
    page.para("sfscenario opens the browser at this URL.");
    exchanges(page, step, on_mock);
}

fn callback(page: &mut Page, step: &StepLog) {
    if let Some(listen) = step.inputs.get("listen").and_then(Value::as_str) {
        page.labelled("Listening on", "", listen);
    }
    let received = step
        .exchanges
        .iter()
        .find(|e| e.to == Party::Callback && e.role == Role::Protocol);
    if let Some(ex) = received {
        page.labelled(
            "The browser brings the redirect",
            "",
            &broken_url(path_and_query(&ex.request.url)),
        );
    }
    let fragment = step
        .result
        .get("params")
        .and_then(Value::as_object)
        .filter(|p| p.contains_key("access_token"));
    if let Some(params) = fragment {
        page.para(
            "The tokens are in the URL's fragment, which a browser never sends to a server: \
             the listener's page posts it back, and sfscenario reads the tokens from it.",
        );
        page.json("Extracted", &Value::Object(params.clone()));
        return;
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

/// A token step: the request and its answer; a device flow's polls in
/// brief, with the user's approval between them.
fn token(page: &mut Page, step: &StepLog, on_mock: bool) {
    let protocol: Vec<&Exchange> = step
        .exchanges
        .iter()
        .filter(|e| !label::is_person(e))
        .collect();
    if protocol.len() == 1 && protocol.len() == step.exchanges.len() {
        token_exchange(page, protocol[0]);
        return;
    }
    page.para(&format!(
        "sfscenario polls the token endpoint until the user has approved ({} requests).",
        protocol.len()
    ));
    if let Some(first) = protocol.first() {
        token_exchange(page, first);
    }
    let mut rows = Vec::new();
    let mut person = false;
    let mut polls = 0;
    for ex in &step.exchanges {
        if !label::is_person(ex) {
            polls += 1;
            rows.push(vec![
                format!("poll {polls}"),
                code(&super::label::response(ex)),
            ]);
        } else if !person {
            person = true;
            rows.push(vec![
                "meanwhile".to_owned(),
                "the user opens the verification URL, logs in and enters the code".to_owned(),
            ]);
        }
    }
    page.heading(3, "Polling");
    page.table(&["When", "Answer"], &rows);
    if step.exchanges.iter().any(label::is_person) {
        page.heading(3, "The user approves on another device");
        let mut only = step.clone();
        only.exchanges.retain(label::is_person);
        exchanges(page, &only, on_mock);
    }
    if let Some(last) = protocol.last().filter(|_| protocol.len() > 1) {
        page.heading(3, "Token Response Received");
        token_response(page, last);
    }
}

fn token_exchange(page: &mut Page, ex: &Exchange) {
    page.heading(3, "Token Request Prepared");
    page.labelled("Token endpoint", "", &ex.request.url);
    match &ex.request.body {
        Some(body @ Body::Form(_)) => page.json("Form payload", &body_json(body)),
        Some(body) => page.json("Request body", &body_json(body)),
        None => {}
    }
    page.heading(3, "Token Response Received");
    token_response(page, ex);
}

fn token_response(page: &mut Page, ex: &Exchange) {
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

/// The text of an HTML page's `<title>`, if it has a non-empty one.
pub(super) fn html_title(html: &str) -> Option<&str> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title>")?;
    let title = html[open_end..close].trim();
    (!title.is_empty()).then_some(title)
}
