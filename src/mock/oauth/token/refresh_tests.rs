//! Tests of the refresh token policy and rotation, and of inactive users at
//! the token endpoint.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::clock::{Clock, LOGICAL_START_MS};
use crate::mock::config::{DEFAULT_CLIENT_ID as ID, DEFAULT_CLIENT_SECRET as SECRET, MockConfig};
use crate::mock::server::MockOptions;
use crate::mock::testing::Harness;

fn app(connected_app: &Value) -> MockConfig {
    MockConfig::from_overrides(&json!({ "connected_app": connected_app })).unwrap()
}

async fn first_refresh_token(mock: &Harness) -> String {
    let (_, body) = mock.exchange(&mock.code().await).await;
    body["refresh_token"].as_str().unwrap().to_string()
}

async fn refresh(mock: &Harness, token: &str) -> (StatusCode, Value) {
    mock.token(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", token),
        ("client_id", ID),
        ("client_secret", SECRET),
    ])
    .await
}

fn assert_expired(answer: &(StatusCode, Value)) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    assert_eq!(answer.1["error"], "invalid_grant");
    assert_eq!(
        answer.1["error_description"],
        "expired access/refresh token"
    );
}

#[tokio::test]
async fn a_duration_policy_expires_the_refresh_token() {
    let clock = Clock::manual(LOGICAL_START_MS);
    let options = MockOptions {
        clock: Some(clock.clone()),
        ..MockOptions::default()
    };
    let config = app(&json!({ "refresh_token_policy": "300ms" }));
    let mock = Harness::with_options(config, options).await;
    let token = first_refresh_token(&mock).await;
    clock.advance(Duration::from_millis(299));
    assert_eq!(refresh(&mock, &token).await.0, StatusCode::OK);
    clock.advance(Duration::from_millis(1));
    assert_expired(&refresh(&mock, &token).await);
}

#[tokio::test]
async fn infinite_and_immediately() {
    let mock = Harness::with(app(&json!({ "refresh_token_policy": "infinite" })), None).await;
    let token = first_refresh_token(&mock).await;
    for _ in 0..3 {
        assert_eq!(refresh(&mock, &token).await.0, StatusCode::OK);
    }
    let mock = Harness::with(app(&json!({ "refresh_token_policy": "immediately" })), None).await;
    let token = first_refresh_token(&mock).await;
    assert_expired(&refresh(&mock, &token).await);
}

#[tokio::test]
async fn rotation_chains_refresh_tokens() {
    let mock = Harness::with(app(&json!({ "refresh_token_rotation": true })), None).await;
    let first = first_refresh_token(&mock).await;
    let (status, body) = refresh(&mock, &first).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_expired(&refresh(&mock, &first).await);
    let (status, body) = refresh(&mock, &second).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].as_str().is_some());
}

#[tokio::test]
async fn inactive_users_get_no_token() {
    let config = MockConfig::from_overrides(&json!({
        "org_settings": { "allow_username_password_flows": true },
        "users": [{ "username": "gone@example.com", "password": "pw", "security_token": "T",
                    "active": false }]
    }))
    .unwrap();
    let mock = Harness::with(config, None).await;
    let (status, body) = mock
        .token(&[
            ("grant_type", "password"),
            ("client_id", ID),
            ("client_secret", SECRET),
            ("username", "gone@example.com"),
            ("password", "pwT"),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "inactive user");
}
