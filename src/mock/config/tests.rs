//! Tests of the parent module.

use serde_json::json;

use super::{DEFAULT_CLIENT_ID, MockConfig};

fn refused(overrides: &serde_json::Value) -> String {
    MockConfig::from_overrides(overrides)
        .unwrap_err()
        .to_string()
}

#[test]
fn defaults() {
    let config = MockConfig::from_overrides(&serde_json::Value::Null).unwrap();
    assert!(DEFAULT_CLIENT_ID.starts_with("3MVG9") && DEFAULT_CLIENT_ID.len() == 85);
    assert_eq!(config.connected_app.client_secret.len(), 64);
    assert_eq!(
        config.connected_app.scopes,
        ["api", "web", "refresh_token", "openid"]
    );
    assert!(config.connected_app.require_secret);
    assert_eq!(config.users[0].username, "mock.user@example.com");
    assert_eq!(config.users[0].security_token, "MOCKSECURITYTOKEN123");
}

#[test]
fn maps_merge_and_lists_replace() {
    let overrides = json!({
        "connected_app": { "callback_urls": ["http://localhost:9999/cb"], "pkce_required": true },
        "users": [ { "username": "a@example.com", "password": "pw" } ],
        "records": { "Account": [ { "Name": "Only" } ] },
    });
    let config = MockConfig::from_overrides(&overrides).unwrap();
    assert_eq!(config.connected_app.client_id, DEFAULT_CLIENT_ID);
    assert_eq!(
        config.connected_app.callback_urls,
        ["http://localhost:9999/cb"]
    );
    assert!(config.connected_app.pkce_required);
    assert_eq!(config.users.len(), 1);
    assert_eq!(config.users[0].email, "a@example.com");
    assert!(config.users[0].active);
    assert_eq!(config.records["Account"].len(), 1);
    assert_eq!(
        config.records["Contact"].len(),
        1,
        "other sObjects keep their defaults"
    );
}

#[test]
fn errors_name_the_key_path() {
    let cases = [
        (
            json!({"connected_app": {"pkce_requird": true}}),
            "mock.connected_app.pkce_requird: unknown key",
        ),
        (
            json!({"connected_app": {"pkce_required": "yes"}}),
            "mock.connected_app.pkce_required: expected a boolean, found a string",
        ),
        (
            json!({"connected_app": {"scopes": ["api", 3]}}),
            "mock.connected_app.scopes.1: expected a string, found a number",
        ),
        (
            json!({"connected_app": {"code_lifetime": "soon"}}),
            "mock.connected_app.code_lifetime: invalid duration `soon`",
        ),
        (
            json!({"users": [{"password": "x"}]}),
            "mock.users.0.username: missing key",
        ),
        (
            json!({"users": [{"username": "a", "admin": true}]}),
            "mock.users.0.admin: unknown key",
        ),
        (
            json!({"users": []}),
            "mock.users: at least one user is required",
        ),
        (
            json!({"records": {"Account": [1]}}),
            "mock.records.Account.0: expected a map, found a number",
        ),
        (json!({"tls": true}), "mock.tls: unknown key"),
        (json!([1]), "mock: expected a map, found a list"),
    ];
    for (overrides, message) in cases {
        assert_eq!(refused(&overrides), message);
    }
    assert!(
        refused(&json!({"records": {"Widget": []}}))
            .starts_with("mock.records.Widget: unknown sObject type")
    );
}

#[test]
fn oauth_flow_settings() {
    use crate::mock::keys::APP_CERTIFICATE_PEM;
    let config = MockConfig::from_overrides(&serde_json::Value::Null).unwrap();
    let app = &config.connected_app;
    assert_eq!(app.certificate.as_deref(), Some(APP_CERTIFICATE_PEM));
    assert_eq!(app.jwt_preapproved, None);
    assert_eq!(app.device_interval, "5s");
    let overrides = json!({ "connected_app": {
        "certificate": null,
        "jwt_preapproved": ["a@example.com"],
        "run_as": "a@example.com",
        "device_interval": "0s",
    }});
    let config = MockConfig::from_overrides(&overrides).unwrap();
    let app = &config.connected_app;
    assert_eq!(app.certificate, None);
    assert_eq!(
        app.jwt_preapproved.as_deref(),
        Some(&["a@example.com".to_string()][..])
    );
    assert_eq!(app.run_as.as_deref(), Some("a@example.com"));
    let cases = [
        (
            json!({"connected_app": {"certificate": "not a pem"}}),
            "mock.connected_app.certificate: expected a PEM certificate or public key holding an RSA key",
        ),
        (
            json!({"connected_app": {"jwt_preapproved": [1]}}),
            "mock.connected_app.jwt_preapproved.0: expected a string, found a number",
        ),
        (
            json!({"connected_app": {"jwt_preapproved": "a@example.com"}}),
            "mock.connected_app.jwt_preapproved: expected a list of strings, found a string",
        ),
        (
            json!({"connected_app": {"device_interval": "often"}}),
            "mock.connected_app.device_interval: invalid duration `often`",
        ),
        (
            json!({"connected_app": {"client_id": null}}),
            "mock.connected_app.client_id: expected a string, found null",
        ),
    ];
    for (overrides, message) in cases {
        assert_eq!(refused(&overrides), message);
    }
}
