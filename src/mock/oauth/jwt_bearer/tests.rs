//! Tests of the JWT bearer flow, with assertions signed as clients sign them.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, MockConfig};
use crate::mock::keys::APP_PRIVATE_KEY_PEM;
use crate::mock::testing::{Harness, preauthorized_org};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const OTHER_KEY: &str = include_str!("../../keys/org_signing_key.pem");

/// The harness's mock runs on the system clock.
fn now_ms() -> u64 {
    crate::clock::Clock::system().now_ms()
}

fn sign_with(pem: &str, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &key).unwrap()
}

fn claims(mock: &Harness) -> Value {
    json!({
        "iss": ID,
        "sub": "mock.user@example.com",
        "aud": mock.base,
        "exp": now_ms() / 1000 + 180,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

async fn assert_answer(mock: &Harness, claims: &Value, error: Option<(&str, &str)>) {
    assert_signed(mock, &sign_with(APP_PRIVATE_KEY_PEM, claims), error).await;
}

async fn assert_signed(mock: &Harness, assertion: &str, error: Option<(&str, &str)>) {
    let (status, body) = mock
        .token(&[("grant_type", GRANT), ("assertion", assertion)])
        .await;
    match error {
        None => assert_eq!(status, StatusCode::OK, "{body}"),
        Some((error, description)) => {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(
                (body["error"].as_str(), body["error_description"].as_str()),
                (Some(error), Some(description))
            );
        }
    }
}

#[tokio::test]
async fn a_signed_assertion_gets_a_token_without_refresh() {
    let mock = Harness::with(preauthorized_org(), None).await;
    let assertion = sign_with(APP_PRIVATE_KEY_PEM, &claims(&mock));
    let (status, body) = mock
        .token(&[("grant_type", GRANT), ("assertion", &assertion)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Salesforce's JWT bearer response: no refresh token, signature,
    // issued_at or id_token.
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["access_token", "scope", "instance_url", "id", "token_type"]
    );
    assert_eq!(body["scope"], "api web openid");
    assert_eq!(body["instance_url"], mock.base);
    assert_eq!(body["token_type"], "Bearer");
    let userinfo = mock
        .client
        .get(format!("{}/services/oauth2/userinfo", mock.base))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
}

#[tokio::test]
async fn what_clients_send_is_accepted() {
    let mock = Harness::with(preauthorized_org(), None).await;
    let now = now_ms() / 1000;
    let cases = [
        // Salesforce's docs and simple-salesforce: `exp` as a string.
        with(claims(&mock), "exp", json!((now + 180).to_string())),
        // sfdx-core: `Date.now() + 300`, milliseconds.
        with(claims(&mock), "exp", json!(now_ms() + 300)),
        with(claims(&mock), "aud", json!("https://login.salesforce.com")),
        with(claims(&mock), "aud", json!("https://login.salesforce.com/")),
        with(claims(&mock), "aud", json!([mock.base.clone()])),
        with(claims(&mock), "sub", json!("MOCK.USER@example.com")),
    ];
    for claims in cases {
        assert_answer(&mock, &claims, None).await;
    }
}

#[tokio::test]
async fn refusals() {
    let mock = Harness::with(preauthorized_org(), None).await;
    let past = now_ms() / 1000 - 60;
    let cases: Vec<(Value, (&str, &str))> = vec![
        (
            with(claims(&mock), "iss", json!("nope")),
            ("invalid_client_id", "client identifier invalid"),
        ),
        (
            with(claims(&mock), "aud", json!("https://example.com")),
            ("invalid_grant", "audience is invalid"),
        ),
        (
            // A production org is no sandbox.
            with(claims(&mock), "aud", json!("https://test.salesforce.com")),
            ("invalid_grant", "audience is invalid"),
        ),
        (
            with(claims(&mock), "exp", json!(past)),
            ("invalid_grant", "expired authorization code"),
        ),
        (
            with(claims(&mock), "exp", json!("soon")),
            ("invalid_grant", "invalid assertion"),
        ),
        (
            with(claims(&mock), "sub", json!("nobody@example.com")),
            ("invalid_grant", "user hasn't approved this consumer"),
        ),
    ];
    for (claims, error) in cases {
        assert_answer(&mock, &claims, Some(error)).await;
    }
    let invalid = Some(("invalid_grant", "invalid assertion"));
    let foreign = sign_with(OTHER_KEY, &claims(&mock));
    assert_signed(&mock, &foreign, invalid).await;
    let hmac = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&mock),
        &EncodingKey::from_secret(b"secret"),
    )
    .unwrap();
    assert_signed(&mock, &hmac, invalid).await;
    for garbage in ["", "a.b.c", "not a jwt", "...."] {
        assert_signed(&mock, garbage, invalid).await;
    }
    // The Salesforce CLI's public client has no certificate.
    let cli = with(claims(&mock), "iss", json!("PlatformCLI"));
    assert_answer(&mock, &cli, invalid).await;
}

fn two_users(extra: Value) -> MockConfig {
    let mut overrides = json!({
        "users": [
            { "username": "a@example.com", "password": "pw" },
            { "username": "b@example.com", "password": "pw", "profile": "Standard User",
              "permission_sets": ["Integration"] },
            { "username": "gone@example.com", "password": "pw", "active": false },
        ]
    });
    overrides["connected_app"] = extra;
    MockConfig::from_overrides(&overrides).unwrap()
}

/// An admin-approved app takes the users its profiles and permission sets
/// pre-authorize, and refuses the others.
#[tokio::test]
async fn admin_approved_apps_take_their_users() {
    let by_profile = json!({ "admin_approved": true, "profiles": ["System Administrator"] });
    let mock = Harness::with(two_users(by_profile), None).await;
    let as_user = |name: &str| with(claims(&mock), "sub", json!(name));
    assert_answer(&mock, &as_user("a@example.com"), None).await;
    let outside = (
        "invalid_app_access",
        "user is not admin approved to access this app",
    );
    assert_answer(&mock, &as_user("b@example.com"), Some(outside)).await;
    let inactive = ("invalid_grant", "inactive user");
    assert_answer(&mock, &as_user("gone@example.com"), Some(inactive)).await;

    let by_set = json!({ "admin_approved": true, "permission_sets": ["Integration"] });
    let mock = Harness::with(two_users(by_set), None).await;
    let as_user = |name: &str| with(claims(&mock), "sub", json!(name));
    assert_answer(&mock, &as_user("b@example.com"), None).await;
    assert_answer(&mock, &as_user("a@example.com"), Some(outside)).await;
}

/// A self-authorize app: only a user who approved it once in a browser.
#[tokio::test]
async fn self_authorize_apps_need_a_prior_approval() {
    let mock = Harness::start().await;
    let not_approved = ("invalid_grant", "user hasn't approved this consumer");
    assert_answer(&mock, &claims(&mock), Some(not_approved)).await;
    mock.approve(&crate::mock::testing::pkce_params(), "allow")
        .await;
    assert_answer(&mock, &claims(&mock), None).await;
}

/// A sandbox takes assertions for `test.salesforce.com`, not `login`.
#[tokio::test]
async fn a_sandbox_takes_the_test_audience() {
    let mut config = preauthorized_org();
    config.org_settings.sandbox = true;
    let mock = Harness::with(config, None).await;
    let audience = |aud: &str| with(claims(&mock), "aud", json!(aud));
    assert_answer(&mock, &audience("https://test.salesforce.com"), None).await;
    assert_answer(&mock, &audience(&mock.base), None).await;
    let invalid = ("invalid_grant", "audience is invalid");
    assert_answer(
        &mock,
        &audience("https://login.salesforce.com"),
        Some(invalid),
    )
    .await;
}

#[tokio::test]
async fn an_app_without_certificate_takes_no_assertion() {
    let app = json!({ "certificate": null, "admin_approved": true, "profiles": ["System Administrator"] });
    let mock = Harness::with(two_users(app), None).await;
    let claims = with(claims(&mock), "sub", json!("a@example.com"));
    let invalid = ("invalid_grant", "invalid assertion");
    assert_answer(&mock, &claims, Some(invalid)).await;
}

/// JWT bearer enforces the profile's login IP ranges whatever the app
/// relaxes.
#[tokio::test]
async fn login_ip_ranges_always_apply() {
    let config = MockConfig::from_overrides(&json!({
        "org_settings": { "client_ip": "203.0.113.7" },
        "profiles": { "System Administrator": { "login_ip_ranges": ["198.51.100.0/24"] } },
        "connected_app": {
            "admin_approved": true,
            "profiles": ["System Administrator"],
            "ip_relaxation": "bypass",
        },
    }))
    .unwrap();
    let mock = Harness::with(config, None).await;
    let restricted = ("invalid_grant", "ip restricted");
    assert_answer(&mock, &claims(&mock), Some(restricted)).await;
}
