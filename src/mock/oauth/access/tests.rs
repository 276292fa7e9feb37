//! The org's switches and policies at the token endpoint: the blocked
//! username-password flow, trusted IP ranges, login IP ranges under each IP
//! relaxation, and admin-approved apps.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, DEFAULT_CLIENT_SECRET as SECRET, MockConfig};
use crate::mock::oauth::issue::{Issue, issue};
use crate::mock::testing::{Harness, REDIRECT_URI, query_param};

fn config(overrides: &Value) -> MockConfig {
    MockConfig::from_overrides(overrides).unwrap()
}

async fn password(mock: &Harness, password: &str) -> (StatusCode, Value) {
    mock.token(&[
        ("grant_type", "password"),
        ("client_id", ID),
        ("client_secret", SECRET),
        ("username", "mock.user@example.com"),
        ("password", password),
    ])
    .await
}

fn refused(answer: &(StatusCode, Value)) -> (String, String) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    let text = |key: &str| answer.1[key].as_str().unwrap_or_default().to_string();
    (text("error"), text("error_description"))
}

fn pair(error: &str, description: &str) -> (String, String) {
    (error.to_string(), description.to_string())
}

const WITH_TOKEN: &str = "mock-password-1MOCKSECURITYTOKEN123";

/// Blocked in orgs created since Summer '23, with the answer bad
/// credentials get; allowed by `allow_username_password_flows`.
#[tokio::test]
async fn the_username_password_flow_is_off_in_a_new_org() {
    let mock = Harness::start().await;
    let answer = password(&mock, WITH_TOKEN).await;
    assert_eq!(
        refused(&answer),
        pair("invalid_grant", "authentication failure")
    );
    let allowed = config(&json!({ "org_settings": { "allow_username_password_flows": true } }));
    let mock = Harness::with(allowed, None).await;
    assert_eq!(password(&mock, WITH_TOKEN).await.0, StatusCode::OK);
}

/// The security token is needed only from outside the trusted ranges.
#[tokio::test]
async fn trusted_ranges_spare_the_security_token() {
    let outside = config(&json!({ "org_settings": {
        "allow_username_password_flows": true,
        "client_ip": "203.0.113.7",
        "trusted_ip_ranges": ["198.51.100.0/24"],
    }}));
    let mock = Harness::with(outside, None).await;
    let answer = password(&mock, "mock-password-1").await;
    assert_eq!(
        refused(&answer),
        pair("invalid_grant", "authentication failure")
    );
    assert_eq!(password(&mock, WITH_TOKEN).await.0, StatusCode::OK);
    let inside = config(&json!({ "org_settings": {
        "allow_username_password_flows": true,
        "client_ip": "203.0.113.7",
        "trusted_ip_ranges": ["203.0.113.0-203.0.113.9"],
    }}));
    let mock = Harness::with(inside, None).await;
    assert_eq!(password(&mock, "mock-password-1").await.0, StatusCode::OK);
    assert_eq!(password(&mock, WITH_TOKEN).await.0, StatusCode::OK);
}

/// A profile's login IP ranges: outside them `ip restricted`, on the
/// password grant and on refresh, unless the app relaxes them.
fn restricted(relaxation: &str) -> MockConfig {
    config(&json!({
        "org_settings": { "allow_username_password_flows": true, "client_ip": "203.0.113.7" },
        "profiles": { "System Administrator": { "login_ip_ranges": ["198.51.100.0/24"] } },
        "connected_app": { "ip_relaxation": relaxation },
    }))
}

async fn refresh_from_outside(relaxation: &str) -> (StatusCode, Value) {
    let mock = Harness::with(restricted(relaxation), None).await;
    // A refresh token issued while the user was inside the range.
    let state = mock.server.state();
    let user = state.users()[0].id.clone();
    let scopes = ["api".to_string(), "refresh_token".to_string()];
    let what =
        Issue::new(&state.config.connected_app, &user, &scopes, &mock.base).interactive(None);
    let tokens = issue(state, &what);
    let refresh_token = tokens.refresh_token.expect("a refresh token");
    mock.token(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh_token),
        ("client_id", ID),
        ("client_secret", SECRET),
    ])
    .await
}

#[tokio::test]
async fn refresh_is_restricted_too_unless_relaxed_for_refresh() {
    let answer = refresh_from_outside("enforce").await;
    assert_eq!(refused(&answer), pair("invalid_grant", "ip restricted"));
    assert_eq!(
        refresh_from_outside("enforce_relaxrefresh").await.0,
        StatusCode::OK
    );
    assert_eq!(refresh_from_outside("bypass").await.0, StatusCode::OK);
}

#[tokio::test]
async fn login_ip_ranges_restrict_the_profile() {
    let mock = Harness::with(restricted("enforce"), None).await;
    let answer = password(&mock, WITH_TOKEN).await;
    assert_eq!(refused(&answer), pair("invalid_grant", "ip restricted"));
    let mock = Harness::with(restricted("bypass"), None).await;
    assert_eq!(password(&mock, WITH_TOKEN).await.0, StatusCode::OK);
    // From inside the range the password needs no token either.
    let mut inside = restricted("enforce");
    inside.org_settings.client_ip = "198.51.100.5".into();
    let mock = Harness::with(inside, None).await;
    assert_eq!(password(&mock, "mock-password-1").await.0, StatusCode::OK);
}

/// An admin-approved app refuses the users it does not pre-authorize, on
/// every grant; the user-agent flow's callback gets `OAUTH_APP_ACCESS_DENIED`.
#[tokio::test]
async fn admin_approved_apps_refuse_other_users() {
    let overrides = json!({
        "org_settings": { "allow_username_password_flows": true },
        "connected_app": { "admin_approved": true, "profiles": ["Integration User"] },
    });
    let mock = Harness::with(config(&overrides), None).await;
    let answer = password(&mock, WITH_TOKEN).await;
    let outside = pair(
        "invalid_app_access",
        "user is not admin approved to access this app",
    );
    assert_eq!(refused(&answer), outside);
    let params = [
        ("response_type", "token"),
        ("client_id", ID),
        ("redirect_uri", REDIRECT_URI),
        ("state", "s"),
    ];
    let location = mock.approve(&params, "allow").await;
    assert!(location.starts_with(&format!("{REDIRECT_URI}#error=OAUTH_APP_ACCESS_DENIED")));
    assert_eq!(
        query_param(&location, "error_description").as_deref(),
        Some("user is not admin approved to access this app")
    );
}
