//! `--format markdown`: a walkthrough of the run that reads like the seed
//! document: flow started, one section per step, what you get, and a
//! numbered summary. Deterministic: no dates, no durations.

use serde_json::{Map, Value};

use crate::log::{Kind, ScenarioLog, Status};

use super::advice::{common_errors, security_notes, when_to_use};
use super::flow;
use super::page::{Page, code, text as prose};
use super::summary::summary;
use super::{mermaid, section};

/// Other walkthroughs written together with a page (`--report markdown=DIR/`).
#[derive(Debug, Default, Clone)]
pub struct Related {
    /// Walkthroughs of a refusal: the doctor's entry each shows, its title
    /// and its link relative to the page.
    pub refusals: Vec<Refusal>,
}

/// A walkthrough in which Salesforce refuses with a known error.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub error: String,
    pub title: String,
    pub link: String,
}

/// The doctor's entries a run's answers show, with the error as answered
/// (what makes a page a walkthrough of a refusal).
#[must_use]
pub fn refusals_in(log: &ScenarioLog) -> Vec<(&'static str, String)> {
    let mut found: Vec<(&'static str, String)> = Vec::new();
    for step in &log.steps {
        let Some(answer) = crate::doctor::Answer::of(step) else {
            continue;
        };
        if let Some(entry) = answer.entry()
            && !found.iter().any(|(id, _)| *id == entry.id)
        {
            found.push((entry.id.as_str(), answer.label()));
        }
    }
    found
}

/// The whole page for one scenario.
pub(super) fn render(log: &ScenarioLog) -> String {
    render_with(log, &Related::default())
}

/// The whole page, linking the walkthroughs written with it.
#[must_use]
pub fn render_with(log: &ScenarioLog, related: &Related) -> String {
    let flows = flow::of(log);
    let main = flows.main();
    let mut page = Page::new();
    page.heading(1, &prose(&log.name));
    if let Some(description) = &log.description {
        page.para(description);
    }
    if let Some(error) = &log.error {
        page.para(&format!("> **✗ Could not run:** {}", prose(error)));
    }
    if let Some(main) = main {
        when_to_use(&mut page, main, &flows);
    }
    if let Some(diagram) = mermaid::diagram(log) {
        page.fence("mermaid", &diagram);
    }
    page.rule();
    flow_started(&mut page, log);
    let on_mock = log.target == "mock";
    for step in &log.steps {
        page.rule();
        section::section(&mut page, step, on_mock);
    }
    page.rule();
    what_you_get(&mut page, log);
    summary(&mut page, log);
    if let Some(main) = main {
        page.rule();
        security_notes(&mut page, &flows);
        common_errors(&mut page, main, &flows, related);
    }
    page.finish()
}

fn flow_started(page: &mut Page, log: &ScenarioLog) {
    page.heading(2, "1. Flow Started");
    if log.target == "mock" {
        page.para("Run against the built-in mock org.");
    } else {
        page.para(&format!("Run against {}.", code(&log.target)));
    }
    let mut config = Map::new();
    config.insert("login_url".to_owned(), Value::String(log.login_url.clone()));
    for name in ["client_id", "redirect_uri"] {
        if let Some(value) = first_sent(log, name) {
            config.insert(name.to_owned(), Value::String(value));
        }
    }
    for (k, v) in &log.vars {
        config.entry(k.clone()).or_insert_with(|| v.clone());
    }
    page.json(
        "The flow begins with the following configuration",
        &Value::Object(config.clone()),
    );
    page.heading(3, "Parameters");
    let rows: Vec<Vec<String>> = config
        .keys()
        .map(|k| vec![code(k), var_description(k).to_owned()])
        .collect();
    page.table(&["Field", "Description"], &rows);
}

/// The first value of a parameter the run sent (authorize query or token form).
fn first_sent(log: &ScenarioLog, name: &str) -> Option<String> {
    log.steps.iter().find_map(|step| {
        if step.kind == Kind::Authorize
            && let Some((_, v)) = flow::authorize_params(step)
                .into_iter()
                .find(|(k, _)| k == name)
        {
            return Some(v);
        }
        step.exchanges.iter().find_map(|ex| match &ex.request.body {
            Some(crate::log::Body::Form(fields)) if ex.role == crate::log::Role::Protocol => fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone()),
            _ => None,
        })
    })
}

fn var_description(name: &str) -> &'static str {
    match name {
        "instance" | "instance_url" | "my_domain" => "Base URL of the Salesforce org",
        "login_url" => {
            "Login host the flow authenticates against (My Domain, or login.salesforce.com / test.salesforce.com)"
        }
        "client_id" | "consumer_key" => "Consumer key of the Connected App or External Client App",
        "client_secret" | "consumer_secret" => "Consumer secret of the app",
        "redirect_uri" | "callback_url" => "Callback URL registered on the app",
        "api_version" => "Salesforce API version used for REST calls",
        "scope" | "scopes" => "OAuth scopes requested",
        "username" => "User the flow logs in as",
        _ => "Scenario variable",
    }
}

/// The last tokens a passed step got: a `token` step's answer, or the
/// user-agent flow's fragment a `callback` step received.
fn final_token(log: &ScenarioLog) -> Option<&Map<String, Value>> {
    log.steps
        .iter()
        .rev()
        .filter(|s| s.status == Status::Passed)
        .find_map(|s| match s.kind {
            Kind::Token => s.result.as_object(),
            Kind::Callback => s
                .result
                .get("params")
                .and_then(Value::as_object)
                .filter(|p| p.contains_key("access_token")),
            _ => None,
        })
}

fn what_you_get(page: &mut Page, log: &ScenarioLog) {
    let fragment = final_token(log).is_some();
    if !log.steps.iter().any(|s| s.kind == Kind::Token) && !fragment {
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
        .filter(|(k, v)| {
            !v.is_null() && !section::HTTP_FIELDS.contains(&k.as_str()) && *k != "state"
        })
        .map(|(k, _)| vec![code(k), field_description(k).to_owned()])
        .collect();
    page.table(&["Field", "Description"], &rows);
    page.rule();
}

pub(super) fn field_description(field: &str) -> &'static str {
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
        "expires_in" => "Seconds until the access token expires",
        "sfdc_community_url" | "sfdc_community_id" => {
            "The Experience Cloud site the user logged in to"
        }
        _ => "Returned with the token",
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
        assert!(text.contains(
            "6. Account Described — GET `/services/data/v62.0/sobjects/Account` → 200 OK\n"
        ));
        assert!(
            text.ends_with("</details>\n"),
            "the page ends with its common errors"
        );
    }
}
