//! `POST /services/oauth2/introspect` (RFC 7662): whether an access or
//! refresh token is live. The calling app authenticates (body or Basic) and
//! sees only its own tokens (Salesforce's default, without "Introspect All
//! Tokens"); anything else is `{"active":false}`.

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use crate::mock::config::ConnectedApp;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::{Grant, MockState};

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let Some(app) = client(state, request) else {
        let body = json!({
            "error": "invalid_client",
            "error_description": "invalid client credentials",
        });
        return response::json(StatusCode::UNAUTHORIZED, &body);
    };
    let token = request.param("token").unwrap_or_default();
    let hint = request.param("token_type_hint");
    let body = find(state, token, hint)
        .filter(|(grant, _)| *grant.client_id == *app.client_id && grant.is_live(state.now_ms()))
        .map_or_else(
            || json!({ "active": false }),
            |(grant, kind)| active(state, &request.base_url, &grant, kind),
        );
    response::json(StatusCode::OK, &body)
}

/// The app whose id and secret the request carries (an app without a secret,
/// like `PlatformCLI`, needs none).
fn client(state: &MockState, request: &MockRequest) -> Option<std::sync::Arc<ConnectedApp>> {
    let basic = request.basic_auth();
    let id = request
        .param("client_id")
        .or(basic.as_ref().map(|(id, _)| id.as_str()))?;
    let secret = request
        .param("client_secret")
        .or(basic.as_ref().map(|(_, secret)| secret.as_str()))
        .unwrap_or_default();
    state.app(id).filter(|app| app.client_secret == secret)
}

/// The token's grant and kind, looking first where the hint points.
fn find(state: &MockState, token: &str, hint: Option<&str>) -> Option<(Grant, &'static str)> {
    let store = state.store();
    let access = || {
        store
            .access_tokens
            .get(token)
            .map(|g| (g.clone(), "access_token"))
    };
    let refresh = || {
        store
            .refresh_tokens
            .get(token)
            .map(|g| (g.clone(), "refresh_token"))
    };
    if hint == Some("refresh_token") {
        refresh().or_else(access)
    } else {
        access().or_else(refresh)
    }
}

fn active(state: &MockState, base_url: &str, grant: &Grant, kind: &str) -> Value {
    let username = state
        .user_by_id(&grant.user_id)
        .map(|user| user.user.username.clone())
        .unwrap_or_default();
    let mut body = Map::new();
    body.insert("active".into(), true.into());
    body.insert("scope".into(), grant.scopes.join(" ").into());
    body.insert("client_id".into(), (*grant.client_id).into());
    body.insert("username".into(), username.into());
    let sub = state.identity_url(base_url, &grant.user_id);
    body.insert("sub".into(), sub.into());
    body.insert("token_type".into(), kind.into());
    // A refresh token that never expires has no `exp`.
    if let Some(expires_ms) = grant.expires_ms {
        body.insert("exp".into(), (expires_ms / 1000).into());
    }
    body.insert("iat".into(), (grant.issued_ms / 1000).into());
    body.insert("nbf".into(), (grant.issued_ms / 1000).into());
    Value::Object(body)
}
