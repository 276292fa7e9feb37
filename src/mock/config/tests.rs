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
    assert_eq!(app.client_credentials_user, None);
    assert_eq!(app.device_interval, "5s");
    let overrides = json!({ "connected_app": {
        "certificate": null,
        "client_credentials_user": "a@example.com",
        "device_interval": "0s",
    }});
    let config = MockConfig::from_overrides(&overrides).unwrap();
    let app = &config.connected_app;
    assert_eq!(app.certificate, None);
    assert_eq!(
        app.client_credentials_user.as_deref(),
        Some("a@example.com")
    );
    let cases = [
        (
            json!({"connected_app": {"certificate": "not a pem"}}),
            "mock.connected_app.certificate: expected a PEM certificate or public key holding an RSA key",
        ),
        (
            json!({"connected_app": {"profiles": [1]}}),
            "mock.connected_app.profiles.0: expected a string, found a number",
        ),
        (
            json!({"connected_app": {"device_interval": "often"}}),
            "mock.connected_app.device_interval: invalid duration `often`",
        ),
        (
            json!({"connected_app": {"client_id": null}}),
            "mock.connected_app.client_id: expected a string, found null",
        ),
        (
            json!({"connected_app": {"ip_relaxation": "relaxed"}}),
            "mock.connected_app.ip_relaxation: expected one of enforce, bypass, enforce_relaxrefresh",
        ),
    ];
    for (overrides, message) in cases {
        assert_eq!(refused(&overrides), message);
    }
}

/// A mock org is a new org: every switch is off until a scenario turns it on.
#[test]
fn switches_default_to_a_new_orgs() {
    let config = MockConfig::from_overrides(&serde_json::Value::Null).unwrap();
    let org = &config.org_settings;
    assert!(!org.allow_username_password_flows);
    assert!(!org.allow_soap_login);
    assert!(!org.sandbox);
    assert_eq!(org.client_ip, "127.0.0.1");
    assert!(org.trusted_ip_ranges.is_empty());
    assert!((org.max_api_version - 68.0).abs() < f64::EPSILON);
    let app = &config.connected_app;
    assert!(!app.device_flow_enabled);
    assert!(!app.admin_approved);
    assert!(app.profiles.is_empty() && app.permission_sets.is_empty());
    assert_eq!(app.ip_relaxation, "enforce");
    assert_eq!(config.users[0].profile, "System Administrator");
    assert!(config.users[0].permission_sets.is_empty());
    assert!(config.profiles.is_empty());
}

#[test]
fn switches_turn_on_and_profiles_merge() {
    let overrides = json!({
        "org_settings": {
            "allow_username_password_flows": true,
            "client_ip": "203.0.113.7",
            "trusted_ip_ranges": ["203.0.113.0/24"],
            "max_api_version": 64.0,
        },
        "connected_app": {
            "admin_approved": true,
            "profiles": ["Integration"],
            "permission_sets": ["API_Access"],
            "run_as": "a@example.com",
        },
        "users": [
            { "username": "a@example.com", "profile": "Integration" },
            { "username": "b@example.com", "permission_sets": ["API_Access"] },
            { "username": "c@example.com" },
        ],
        "profiles": { "Integration": { "login_ip_ranges": ["198.51.100.1-198.51.100.9"] } },
    });
    let config = MockConfig::from_overrides(&overrides).unwrap();
    assert!(config.org_settings.allow_username_password_flows);
    assert!(
        !config.org_settings.allow_soap_login,
        "other switches keep their defaults"
    );
    assert_eq!(config.org_settings.max_version(), 64);
    let app = &config.connected_app;
    assert_eq!(
        app.client_credentials_user.as_deref(),
        Some("a@example.com"),
        "`run_as` is the earlier name of `client_credentials_user`"
    );
    let users = &config.users;
    assert!(app.permits(&users[0]) && app.permits(&users[1]) && !app.permits(&users[2]));
    assert_eq!(users[2].profile, "System Administrator");
    assert_eq!(
        config.login_ip_ranges(&users[0]),
        ["198.51.100.1-198.51.100.9"]
    );
    assert!(config.login_ip_ranges(&users[2]).is_empty());
}

#[test]
fn bad_switches_name_their_key() {
    let cases = [
        (
            json!({"org_settings": {"allow_soap_logins": true}}),
            "mock.org_settings.allow_soap_logins: unknown key",
        ),
        (
            json!({"org_settings": {"client_ip": "localhost"}}),
            "mock.org_settings.client_ip: expected an IP address, found `localhost`",
        ),
        (
            json!({"org_settings": {"trusted_ip_ranges": ["10.0.0.9-10.0.0.1"]}}),
            "mock.org_settings.trusted_ip_ranges.0: expected an address range such as \
             203.0.113.0/24 or 203.0.113.1-203.0.113.9, found `10.0.0.9-10.0.0.1`",
        ),
        (
            json!({"org_settings": {"max_api_version": 68.5}}),
            "mock.org_settings.max_api_version: expected a version such as 68.0, from 31.0 on, found 68.5",
        ),
        (
            json!({"org_settings": {"max_api_version": "68.0"}}),
            "mock.org_settings.max_api_version: expected a number, found a string",
        ),
        (
            json!({"profiles": {"Integration": {"login_ip_ranges": ["x"]}}}),
            "mock.profiles.Integration.login_ip_ranges.0: expected an address range such as \
             203.0.113.0/24 or 203.0.113.1-203.0.113.9, found `x`",
        ),
        (
            json!({"profiles": {"Integration": {"login_hours": "9-5"}}}),
            "mock.profiles.Integration.login_hours: unknown key",
        ),
        (
            json!({"connected_app": {"jwt_preapproved": ["a@example.com"]}}),
            "mock.connected_app.jwt_preapproved: replaced by `admin_approved: true` with \
             `profiles` or `permission_sets` (JWT bearer takes pre-authorized users, or users \
             who approved the app once)",
        ),
        (
            json!({"connected_app": {"run_as": "a", "client_credentials_user": "b"}}),
            "mock.connected_app.run_as: `run_as` is the earlier name of \
             `client_credentials_user`: give one",
        ),
    ];
    for (overrides, message) in cases {
        assert_eq!(refused(&overrides), message);
    }
}
