//! The client credentials flow: the app authenticates with its id and secret
//! (body or Basic) and gets a token for its "Run As" user
//! (`client_credentials_user`; without one the flow is off). The mock is a
//! My Domain, so the flow is allowed unless it is called by a login host's name.

use serde_json::Value;

use super::access::{self, Flow};
use super::issue::{Answer, Issue, issue};
use super::token::{INACTIVE_USER, Refusal, client};
use crate::mock::request::MockRequest;
use crate::mock::state::MockState;

const NO_RUN_AS: Refusal = ("invalid_grant", "no client credentials user enabled");
const WRONG_DOMAIN: Refusal = ("invalid_grant", "request not supported on this domain");

/// Scopes this flow never grants.
const NOT_GRANTED: [&str; 4] = ["full", "web", "offline_access", "refresh_token"];

pub(super) fn grant(state: &MockState, request: &MockRequest) -> Result<Value, Refusal> {
    let app = client(state, request, |_| true)?;
    let app = &*app;
    let host = request
        .base_url
        .split_once("://")
        .map_or(request.base_url.as_str(), |(_, rest)| rest)
        .split(':')
        .next()
        .unwrap_or_default();
    if ["login.salesforce.com", "test.salesforce.com"].contains(&host) {
        return Err(WRONG_DOMAIN);
    }
    let user = app
        .client_credentials_user
        .as_deref()
        .and_then(|username| state.user_by_name(username.trim()))
        .ok_or(NO_RUN_AS)?;
    if !user.user.active {
        return Err(INACTIVE_USER);
    }
    access::check(state, app, user, Flow::ClientCredentials)?;
    let scopes: Vec<String> = app
        .scopes
        .iter()
        .filter(|scope| !NOT_GRANTED.contains(&scope.as_str()))
        .cloned()
        .collect();
    let what =
        Issue::new(app, &user.id, &scopes, &request.base_url).answering(Answer::ClientCredentials);
    Ok(issue(state, &what).to_json())
}

#[cfg(test)]
mod tests;
