//! `--format markdown`: a walkthrough of the run that reads like the seed
//! document: flow started, one section per step, what you get, and a
//! numbered summary. Deterministic: no dates, no durations.

use serde_json::{Map, Value};

use crate::log::{Kind, ScenarioLog, Status, StepLog};

use super::exchange::{exchange_brief, path_of};
use super::page::{Page, code, text as prose};
use super::{mermaid, section};

/// Result fields of a token step that describe the HTTP response, not the token.
const HTTP_FIELDS: [&str; 4] = ["status", "headers", "json", "body"];

/// The whole page for one scenario.
pub(super) fn render(log: &ScenarioLog) -> String {
    let mut page = Page::new();
    page.heading(1, &prose(&log.name));
    if let Some(description) = &log.description {
        page.para(description);
    }
    if let Some(error) = &log.error {
        page.para(&format!("> **✗ Could not run:** {}", prose(error)));
    }
    if let Some(diagram) = mermaid::diagram(log) {
        page.fence("mermaid", &diagram);
    }
    page.rule();
    flow_started(&mut page, log);
    for step in &log.steps {
        page.rule();
        section::section(&mut page, step);
    }
    page.rule();
    what_you_get(&mut page, log);
    summary(&mut page, log);
    page.finish()
}

fn flow_started(page: &mut Page, log: &ScenarioLog) {
    page.heading(2, "1. Flow Started");
    if log.target == "mock" {
        page.para("Run against the built-in mock org.");
    } else {
        page.para(&format!("Run against {}.", code(&log.target)));
    }
    page.labelled("Login URL", "", &log.login_url);
    if log.vars.is_empty() {
        return;
    }
    let vars: Map<String, Value> = log
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    page.json(
        "The flow begins with the following configuration",
        &Value::Object(vars),
    );
    page.heading(3, "Parameters");
    let rows: Vec<Vec<String>> = log
        .vars
        .keys()
        .map(|k| vec![code(k), var_description(k).to_owned()])
        .collect();
    page.table(&["Field", "Description"], &rows);
}

fn var_description(name: &str) -> &'static str {
    match name {
        "instance" | "instance_url" | "my_domain" => "Base URL of the Salesforce org",
        "login_url" => "Login host the flow authenticates against",
        "client_id" | "consumer_key" => "Connected App consumer key",
        "client_secret" | "consumer_secret" => "Connected App consumer secret",
        "redirect_uri" | "callback_url" => "Callback endpoint registered in the Connected App",
        "api_version" => "Salesforce API version used for REST calls",
        "scope" | "scopes" => "OAuth scopes requested",
        "username" => "User the flow logs in as",
        _ => "Scenario variable",
    }
}

/// The last passed `token` step with a result object.
fn final_token(log: &ScenarioLog) -> Option<&Map<String, Value>> {
    log.steps
        .iter()
        .rev()
        .filter(|s| s.kind == Kind::Token && s.status == Status::Passed)
        .find_map(|s| s.result.as_object())
}

fn what_you_get(page: &mut Page, log: &ScenarioLog) {
    if !log.steps.iter().any(|s| s.kind == Kind::Token) {
        return;
    }
    page.heading(1, "What You Get");
    let Some(token) = final_token(log) else {
        page.para("*No token was obtained.*");
        page.rule();
        return;
    };
    let rows: Vec<Vec<String>> = token
        .iter()
        .filter(|(k, v)| !v.is_null() && !HTTP_FIELDS.contains(&k.as_str()))
        .map(|(k, _)| vec![code(k), field_description(k).to_owned()])
        .collect();
    page.table(&["Field", "Description"], &rows);
    page.rule();
}

fn field_description(field: &str) -> &'static str {
    match field {
        "access_token" => "Used to authorize API calls (`Authorization: Bearer …`)",
        "refresh_token" => "Used to obtain new access tokens",
        "instance_url" => "Base URL for REST API calls",
        "id" => "Identity endpoint for the authenticated user",
        "scope" => "Granted OAuth scopes",
        "issued_at" => "Token issue timestamp (epoch ms)",
        "signature" => "HMAC-SHA256 of `id` and `issued_at`, keyed with the client secret",
        "token_type" => "How to present the access token (`Bearer`)",
        "id_token" => "OpenID Connect ID token: a signed JWT about the user",
        "api_instance_url" => "Base URL for Salesforce APIs served from api.salesforce.com",
        _ => "Returned by the token endpoint",
    }
}

fn summary(page: &mut Page, log: &ScenarioLog) {
    page.heading(1, "Summary Flow Diagram");
    let mut lines = vec![format!("1. Flow Started against {}", code(&log.login_url))];
    lines.extend(log.steps.iter().map(summary_line));
    page.para(&lines.join("\n"));
}

fn summary_line(step: &StepLog) -> String {
    let n = step.index + 1;
    match step.status {
        Status::Skipped => return format!("{n}. {} (skipped)", prose(&step.name)),
        Status::Failed => {
            let reason = step.error.as_deref().unwrap_or("the step failed");
            let what = what_it_did(step)
                .map(|w| format!(" — {w}"))
                .unwrap_or_default();
            return format!(
                "{n}. ✗ {}{what} — failed: {}",
                prose(&step.name),
                prose(reason)
            );
        }
        Status::Passed => {}
    }
    let name = prose(&step.name);
    match what_it_did(step) {
        Some(what) => format!("{n}. {name} — {what}"),
        None => format!("{n}. {name}"),
    }
}

/// The requests a step made, or what it did when it made none.
fn what_it_did(step: &StepLog) -> Option<String> {
    if !step.exchanges.is_empty() {
        let briefs: Vec<String> = step
            .exchanges
            .iter()
            .map(|e| code(&exchange_brief(e)))
            .collect();
        let lead = match step.kind {
            Kind::Authorize => "in the browser: ",
            Kind::Callback => "the redirect arrives: ",
            Kind::Pkce | Kind::Token | Kind::Request | Kind::Jwt | Kind::Metadata | Kind::Set => "",
        };
        return Some(format!("{lead}{}", briefs.join(", ")));
    }
    let text = |key: &str| {
        step.result
            .get(key)
            .or_else(|| step.inputs.get(key))
            .and_then(Value::as_str)
    };
    match step.kind {
        Kind::Pkce => Some(format!(
            "generate `code_verifier` and `code_challenge` ({})",
            text("code_challenge_method")
                .or_else(|| text("method"))
                .unwrap_or("S256")
        )),
        Kind::Authorize => text("url").map(|u| format!("send the browser to {}", code(path_of(u)))),
        Kind::Callback => {
            text("listen").map(|u| format!("wait for the redirect on {}", code(path_of(u))))
        }
        Kind::Jwt => Some("sign a JWT bearer assertion".to_owned()),
        Kind::Set => step.result.as_object().map(|m| {
            let names: Vec<String> = m.keys().map(|k| code(k)).collect();
            format!("set {}", names.join(", "))
        }),
        // HTTP steps are told by their exchanges; without one they did nothing.
        Kind::Token | Kind::Request | Kind::Metadata => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::render;

    #[test]
    fn markdown_pkce_flow() {
        insta::assert_snapshot!(render(&pkce_flow()));
    }

    #[test]
    fn markdown_failed_token_flow() {
        insta::assert_snapshot!(render(&failed_token_flow()));
    }

    #[test]
    fn markdown_has_no_durations() {
        let text = render(&pkce_flow());
        let duration = regex::Regex::new(r"\d+ ms|\d\.\d+ s\b").unwrap();
        assert!(!duration.is_match(&text), "{text}");
        assert!(text.contains("## 5. Token Response Received"));
        assert!(text.contains("### Token Request Prepared"));
        assert!(text.ends_with("`GET /services/data/v62.0/sobjects/Account → 200`\n"));
    }
}
