//! Tests of the parent module: the example project's apps as mock keys.

use std::path::Path;

use serde_json::{Value, json};

use super::{generated_credentials, map, refresh_policy};
use crate::apps::mock_keys::not_enforced;
use crate::apps::source::{Source, load};

fn example() -> Source {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sfdx-project")).unwrap()
}

fn key<'a>(app: &'a super::MockApp, name: &str) -> &'a Value {
    app.connected_app.get(name).unwrap_or(&Value::Null)
}

#[test]
fn the_connected_app_says_what_the_mock_does() {
    let source = example();
    let app = map(&source.apps[0], source.oauth_settings.as_ref(), Some(1)).unwrap();
    assert_eq!(app.not_served, None);
    assert_eq!(key(&app, "name"), &json!("Billing Portal"));
    assert!(app.client_id().starts_with("3MVG9BillingPortal"));
    assert_eq!(
        key(&app, "client_secret").as_str().map(str::len),
        Some(64),
        "generated"
    );
    assert_eq!(
        key(&app, "callback_urls"),
        &json!([
            "http://localhost:8000/callback",
            "https://billing.example.com/oauth/callback"
        ])
    );
    assert_eq!(
        key(&app, "scopes"),
        &json!(["api", "openid", "refresh_token", "offline_access"])
    );
    assert_eq!(key(&app, "pkce_required"), &json!(true));
    assert_eq!(key(&app, "require_secret"), &json!(true));
    assert_eq!(key(&app, "refresh_token_rotation"), &json!(true));
    assert_eq!(key(&app, "refresh_token_policy"), &json!("30d"));
    assert_eq!(key(&app, "admin_approved"), &json!(true));
    assert_eq!(
        key(&app, "permission_sets"),
        &json!(["Billing_Portal_Users"])
    );
    assert_eq!(
        key(&app, "certificate"),
        &Value::Null,
        "no certificate: no JWT bearer"
    );
    assert_eq!(key(&app, "client_credentials_user"), &Value::Null);
    assert_eq!(key(&app, "access_token_lifetime"), &json!("120m"));
    assert_eq!(
        app.org_settings.get("allow_username_password_flows"),
        Some(&json!(false))
    );
    assert_eq!(
        app.unmodelled,
        not_enforced(&app.connected_app, &app.org_settings),
        "nothing else the mock does not model"
    );
}

#[test]
fn the_external_client_app_needs_both_switches_and_never_takes_passwords() {
    let source = example();
    let app = map(&source.apps[1], source.oauth_settings.as_ref(), Some(1)).unwrap();
    assert_eq!(app.not_served, None);
    assert_eq!(key(&app, "name"), &json!("Partner API"));
    assert_eq!(key(&app, "username_password_flow"), &json!(false));
    assert_eq!(
        key(&app, "client_credentials_user"),
        &json!("integration@example.com")
    );
    assert_eq!(key(&app, "device_flow_enabled"), &json!(true));
    assert_eq!(key(&app, "pkce_required"), &json!(true));
    assert_eq!(
        key(&app, "certificate"),
        &json!(crate::mock::APP_CERTIFICATE_PEM)
    );
    assert_eq!(key(&app, "refresh_token_policy"), &json!("7d"));
    assert_eq!(key(&app, "access_token_lifetime"), &json!("60m"));
    assert_eq!(key(&app, "permission_sets"), &json!(["Partner_Api_Users"]));
    assert_eq!(
        app.unmodelled,
        not_enforced(&app.connected_app, &app.org_settings),
        "nothing else the mock does not model"
    );
    // The admin's policy turns client credentials off: off, whatever the developer says.
    let mut eca = source.apps[1].clone();
    let policy = eca
        .parts
        .iter_mut()
        .find(|p| p.kind.name == "ExtlClntAppOauthConfigurablePolicies")
        .unwrap();
    let flag = policy
        .root
        .children
        .iter_mut()
        .find(|c| c.name == "isClientCredentialsFlowEnabled")
        .unwrap();
    flag.text = "false".into();
    let app = map(&eca, None, Some(1)).unwrap();
    assert_eq!(key(&app, "client_credentials_user"), &Value::Null);
}

#[test]
fn unmodelled_fields_are_named_in_one_line() {
    let source = example();
    let mut ca = source.apps[0].clone();
    let config = ca
        .main
        .root
        .children
        .iter_mut()
        .find(|c| c.name == "oauthConfig")
        .unwrap();
    let exchange = config
        .children
        .iter_mut()
        .find(|c| c.name == "isTokenExchangeEnabled")
        .unwrap();
    exchange.text = "true".into();
    let app = map(&ca, None, None).unwrap();
    let mut named = vec!["oauthConfig.isTokenExchangeEnabled".to_owned()];
    named.extend(not_enforced(&app.connected_app, &app.org_settings));
    assert_eq!(
        app.warning().unwrap(),
        format!(
            "warning: app `Billing_Portal`: the mock does not model {}",
            named.join(", ")
        )
    );
}

#[test]
fn credentials_are_generated_per_name_and_seed() {
    let (key, secret) = generated_credentials("A", Some(1));
    assert_eq!(
        generated_credentials("A", Some(1)),
        (key.clone(), secret.clone())
    );
    assert_ne!(generated_credentials("B", Some(1)).0, key);
    assert_ne!(generated_credentials("A", Some(2)).1, secret);
    assert!(key.starts_with("3MVG9") && key.len() == 85);
    assert!(secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn refresh_policies() {
    assert_eq!(
        refresh_policy("infinite", None, None).as_deref(),
        Some("infinite")
    );
    assert_eq!(
        refresh_policy("ZERO", None, None).as_deref(),
        Some("immediately")
    );
    assert_eq!(
        refresh_policy("SPECIFIC_LIFETIME", Some(3), Some("HOURS")).as_deref(),
        Some("3h")
    );
    assert_eq!(
        refresh_policy("SpecificInactivity", Some(2), Some("Months")).as_deref(),
        Some("2months")
    );
    assert_eq!(
        refresh_policy("specific_lifetime", Some(0), Some("DAYS")),
        None
    );
    assert_eq!(refresh_policy("forever", None, None), None);
}
