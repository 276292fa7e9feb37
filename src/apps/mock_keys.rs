//! The one place that says which of the mock org's configuration keys each
//! setting of an app becomes.
//!
//! The mapping (`mock_ca`, `mock_eca`, `mock_app`) names an app's settings
//! in its own words (`client_credentials_user`, `admin_approved`, …). Here
//! each becomes the mock's `connected_app` or `org_settings` key (today
//! every app setting has the mock's own name), or, when the mock does not
//! enforce the setting, is left out: the app's warning line then names it,
//! and `init` writes no scenario that depends on it.

use serde_json::{Map, Value, json};

/// Settings whose key in the mock's `connected_app` has another name
/// (none: the mapping uses the mock's own names).
const RENAMED: &[(&str, &str)] = &[];

/// Settings the mock does not enforce: what it does instead, and what the
/// warning line names when the app asks for something else.
struct Unenforced {
    key: &'static str,
    /// The value the mock behaves as (JSON).
    behaves_as: &'static str,
    named: &'static str,
}

/// App settings the mock does not enforce (none: permitted users, the
/// device flow, IP relaxation and the rest are the mock's own keys).
const UNENFORCED: &[Unenforced] = &[];

/// Org-wide settings (from `OauthOidc.settings`) the mock does not enforce.
const UNENFORCED_ORG: &[Unenforced] = &[Unenforced {
    key: "allow_user_agent_flows",
    behaves_as: "true",
    named: "OauthOidc.blockOAuthUsrAgtFlow (the mock allows the user-agent flow)",
}];

fn find<'a>(table: &'a [Unenforced], key: &str) -> Option<&'a Unenforced> {
    table.iter().find(|u| u.key == key)
}

/// Whether the mock does what the setting `key` says (`admin_approved`,
/// `device_flow_enabled`, `allow_username_password_flows`, …).
#[must_use]
pub fn enforced(key: &str) -> bool {
    find(UNENFORCED, key).is_none() && find(UNENFORCED_ORG, key).is_none()
}

/// An app's settings as the mock's `connected_app` keys.
#[must_use]
pub fn connected_app(settings: &Map<String, Value>) -> Map<String, Value> {
    settings
        .iter()
        .filter(|(key, _)| find(UNENFORCED, key).is_none())
        .map(|(key, value)| {
            let key = RENAMED
                .iter()
                .find(|(ours, _)| ours == key)
                .map_or(key.as_str(), |(_, theirs)| theirs);
            (key.to_owned(), value.clone())
        })
        .collect()
}

/// Org-wide settings as the mock's `org_settings` keys.
#[must_use]
pub fn org_settings(settings: &Map<String, Value>) -> Map<String, Value> {
    settings
        .iter()
        .filter(|(key, _)| find(UNENFORCED_ORG, key).is_none())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// What the app asks for that the mock does not do, for its warning line.
#[must_use]
pub fn not_enforced(app: &Map<String, Value>, org: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let pairs = app
        .iter()
        .filter_map(|(k, v)| find(UNENFORCED, k).map(|u| (u, v)))
        .chain(
            org.iter()
                .filter_map(|(k, v)| find(UNENFORCED_ORG, k).map(|u| (u, v))),
        );
    for (unenforced, value) in pairs {
        let behaves_as: Value = serde_json::from_str(unenforced.behaves_as).unwrap_or(json!(null));
        let differs = *value != behaves_as && !(value.is_null() && behaves_as.is_null());
        if differs && !unenforced.named.is_empty() && !out.iter().any(|n| n == unenforced.named) {
            out.push(unenforced.named.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::{connected_app, enforced, not_enforced, org_settings};
    use crate::mock::MockConfig;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_setting_becomes_a_key_the_mock_takes() {
        let settings = object(json!({
            "client_credentials_user": "a@example.com",
            "admin_approved": true,
            "profiles": ["Standard User"],
            "permission_sets": ["Billing_Users"],
            "device_flow_enabled": true,
            "ip_relaxation": "bypass",
            "pkce_required": true,
            "require_secret_for_refresh": false,
            "username_password_flow": false,
        }));
        let keys = connected_app(&settings);
        assert_eq!(keys, settings, "every app setting is the mock's own key");
        let mut section = Map::new();
        section.insert("connected_app".into(), Value::Object(keys));
        let org = org_settings(&object(json!({
            "allow_username_password_flows": true,
            "allow_user_agent_flows": false,
        })));
        assert_eq!(
            org,
            object(json!({"allow_username_password_flows": true})),
            "the user-agent switch is not the mock's"
        );
        section.insert("org_settings".into(), Value::Object(org));
        let config = MockConfig::from_overrides(&Value::Object(section)).unwrap();
        let app = &config.connected_app;
        assert_eq!(
            app.client_credentials_user.as_deref(),
            Some("a@example.com")
        );
        assert!(app.admin_approved && app.device_flow_enabled && app.pkce_required);
        assert_eq!(app.profiles, ["Standard User"]);
        assert_eq!(app.permission_sets, ["Billing_Users"]);
        assert_eq!(app.ip_relaxation, "bypass");
        assert_eq!(app.require_secret_for_refresh, Some(false));
        assert!(!app.username_password_flow);
        assert!(config.org_settings.allow_username_password_flows);
    }

    #[test]
    fn what_the_mock_does_not_enforce_is_named_once() {
        let app = object(json!({
            "admin_approved": true,
            "profiles": ["Standard User"],
            "device_flow_enabled": false,
            "ip_relaxation": "bypass",
        }));
        let org = object(json!({
            "allow_username_password_flows": false,
            "allow_user_agent_flows": false,
        }));
        assert_eq!(
            not_enforced(&app, &org),
            ["OauthOidc.blockOAuthUsrAgtFlow (the mock allows the user-agent flow)"]
        );
        let allowed = object(json!({"allow_user_agent_flows": true}));
        assert!(not_enforced(&app, &allowed).is_empty());
        for key in [
            "admin_approved",
            "profiles",
            "permission_sets",
            "device_flow_enabled",
            "ip_relaxation",
            "allow_username_password_flows",
        ] {
            assert!(enforced(key), "{key}");
        }
        assert!(!enforced("allow_user_agent_flows"));
    }
}
