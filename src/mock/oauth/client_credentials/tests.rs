//! Tests of the client credentials flow.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, DEFAULT_CLIENT_SECRET as SECRET, MockConfig};
use crate::mock::testing::Harness;

fn run_as(user: &Value, active: bool) -> MockConfig {
    MockConfig::from_overrides(&json!({
        "connected_app": {
            "client_credentials_user": user,
            "scopes": ["api", "web", "full", "refresh_token", "offline_access", "openid"],
        },
        "users": [
            { "username": "mock.user@example.com", "password": "pw" },
            { "username": "integration@example.com", "password": "pw", "active": active },
        ],
    }))
    .unwrap()
}

fn assert_refused(answer: &(StatusCode, Value), error: &str, description: &str) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    assert_eq!(answer.1["error"], error);
    assert_eq!(answer.1["error_description"], description);
}

#[tokio::test]
async fn tokens_for_the_run_as_user() {
    let mock = Harness::with(run_as(&json!("integration@example.com"), true), None).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", ID),
        ("client_secret", SECRET),
    ];
    let (status, body) = mock.token(&form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "api openid");
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
    assert_eq!(body["api_instance_url"], mock.base);
    let user = mock.server.user_id("integration@example.com").unwrap();
    assert!(body["id"].as_str().unwrap().ends_with(&user));
    // simple-salesforce sends the credentials in a Basic header.
    let response = mock
        .client
        .post(format!("{}/services/oauth2/token", mock.base))
        .basic_auth(ID, Some(SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn refusals() {
    let mock = Harness::start().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", ID),
        ("client_secret", SECRET),
    ];
    let answer = mock.token(&form).await;
    assert_refused(
        &answer,
        "invalid_grant",
        "no client credentials user enabled",
    );
    let wrong = [
        ("grant_type", "client_credentials"),
        ("client_id", ID),
        ("client_secret", "x"),
    ];
    let answer = mock.token(&wrong).await;
    assert_refused(&answer, "invalid_client", "invalid client credentials");
    let no_secret = [("grant_type", "client_credentials"), ("client_id", ID)];
    let answer = mock.token(&no_secret).await;
    assert_refused(&answer, "invalid_client", "invalid client credentials");
    let response = mock
        .client
        .post(format!("{}/services/oauth2/token", mock.base))
        .header("host", "login.salesforce.com")
        .form(&form)
        .send()
        .await
        .unwrap();
    let answer = (response.status(), response.json().await.unwrap());
    assert_refused(
        &answer,
        "invalid_grant",
        "request not supported on this domain",
    );

    let mock = Harness::with(run_as(&json!("integration@example.com"), false), None).await;
    assert_refused(&mock.token(&form).await, "invalid_grant", "inactive user");
    let mock = Harness::with(run_as(&json!("nobody@example.com"), true), None).await;
    let answer = mock.token(&form).await;
    assert_refused(
        &answer,
        "invalid_grant",
        "no client credentials user enabled",
    );
}
