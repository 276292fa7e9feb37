//! Step logs for the renderers' tests: a PKCE flow against the mock, and the
//! same flow with a failed token exchange.

use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::log::{Hint, ScenarioLog, Status};

use super::fixture_steps::{
    MOCK, REDIRECT, accounts, authorize, callback, check, json_response, pkce, token,
    with_http_result,
};

/// A passing PKCE web server flow with a REST call at the end.
pub(super) fn pkce_flow() -> ScenarioLog {
    let mut vars = IndexMap::new();
    vars.insert("redirect_uri".to_owned(), json!(REDIRECT));
    vars.insert("api_version".to_owned(), json!("62.0"));
    ScenarioLog {
        file: "scenarios/pkce.yaml".to_owned(),
        name: "Web Server Flow with PKCE".to_owned(),
        description: Some("Quick reference for the OAuth 2.0 web server flow with PKCE.\n\nIt exchanges an authorization code for tokens.".to_owned()),
        target: "mock".to_owned(),
        login_url: MOCK.to_owned(),
        vars,
        status: Status::Passed,
        duration_ms: 142,
        steps: vec![pkce(), authorize(), callback(), token(), accounts()],
        error: None,
        skipped: None,
    }
}

/// The same flow whose token exchange fails its expectation; the REST call is skipped.
pub(super) fn failed_token_flow() -> ScenarioLog {
    let mut log = pkce_flow();
    log.name = "Web Server Flow with a wrong secret".to_owned();
    log.file = "scenarios/wrong_secret.yaml".to_owned();
    log.status = Status::Failed;
    let body =
        json!({"error": "invalid_client", "error_description": "invalid client credentials"});
    let token = &mut log.steps[3];
    token.status = Status::Failed;
    if let Some(ex) = token.exchanges.first_mut() {
        ex.response = Some(json_response(400, &body));
    }
    token.result = with_http_result(&body, 400, &body);
    token.checks = vec![
        check("status", "400", "400"),
        check("json error", "\"invalid_grant\"", "\"invalid_client\""),
    ];
    token.error = Some("1 of 2 expectations failed".to_owned());
    token.hint = Some(Hint {
        id: "invalid_client".to_owned(),
        error: "invalid_client: invalid client credentials".to_owned(),
        meaning: "The client authentication failed — the consumer secret is wrong or missing."
            .to_owned(),
        causes: vec![
            "the `client_secret` sent is not the consumer secret of the app `sfscenario Mock App`"
                .to_owned(),
        ],
        fix: "send the app's consumer secret, `{{ org.client_secret }}` on the mock".to_owned(),
        exact: true,
        sources: vec!["https://github.com/restforce/restforce/issues/338".to_owned()],
    });
    let accounts = &mut log.steps[4];
    accounts.status = Status::Skipped;
    accounts.duration_ms = 0;
    accounts.inputs = Value::Null;
    accounts.exchanges.clear();
    accounts.result = Value::Null;
    accounts.checks.clear();
    log
}
