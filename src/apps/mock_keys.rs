//! The one place that says which of the mock org's configuration keys each
//! setting of an app becomes.
//!
//! The mapping (`mock_ca`, `mock_eca`, `mock_app`) names an app's settings
//! in its own words (`client_credentials_user`, `admin_approved`, …). Here
//! each is renamed to the mock's `connected_app` key, or, when the mock
//! does not enforce the setting, left out: the app's warning line then
//! names it, and `init` writes no scenario that depends on it.

use serde_json::{Map, Value, json};

/// Settings whose key in the mock's `connected_app` has another name.
const RENAMED: &[(&str, &str)] = &[("client_credentials_user", "run_as")];

/// Settings the mock does not enforce: what it does instead, and what the
/// warning line names when the app asks for something else.
struct Unenforced {
    key: &'static str,
    /// The value the mock behaves as (JSON).
    behaves_as: &'static str,
    named: &'static str,
}

const UNENFORCED: &[Unenforced] = &[
    Unenforced {
        key: "admin_approved",
        behaves_as: "false",
        named: "permitted users (admin approved: every user may use the app)",
    },
    Unenforced {
        key: "profiles",
        behaves_as: "[]",
        named: "permitted users (admin approved: every user may use the app)",
    },
    Unenforced {
        key: "permission_sets",
        behaves_as: "[]",
        named: "permitted users (admin approved: every user may use the app)",
    },
    Unenforced {
        key: "device_flow_enabled",
        behaves_as: "true",
        named: "the device flow switched off (the mock allows it)",
    },
    // The mock's users have no login IP ranges: every relaxation behaves alike.
    Unenforced {
        key: "ip_relaxation",
        behaves_as: "null",
        named: "",
    },
];

/// Org-wide settings (from `OauthOidc.settings`) the mock does not enforce.
const UNENFORCED_ORG: &[Unenforced] = &[
    Unenforced {
        key: "allow_username_password_flows",
        behaves_as: "true",
        named: "OauthOidc.blockOAuthUnPwFlow (the mock allows the username-password flow)",
    },
    Unenforced {
        key: "allow_user_agent_flows",
        behaves_as: "true",
        named: "OauthOidc.blockOAuthUsrAgtFlow (the mock allows the user-agent flow)",
    },
];

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
            "permission_sets": [],
            "device_flow_enabled": false,
            "ip_relaxation": "bypass",
            "pkce_required": true,
        }));
        let keys = connected_app(&settings);
        assert_eq!(keys.get("run_as"), Some(&json!("a@example.com")));
        assert_eq!(keys.get("pkce_required"), Some(&json!(true)));
        let mut section = Map::new();
        section.insert("connected_app".into(), Value::Object(keys));
        let org = org_settings(&object(json!({"allow_username_password_flows": false})));
        if !org.is_empty() {
            section.insert("org_settings".into(), Value::Object(org));
        }
        let config = MockConfig::from_overrides(&Value::Object(section)).unwrap();
        assert_eq!(
            config.connected_app.client_credentials_user.as_deref(),
            Some("a@example.com")
        );
    }

    #[test]
    fn what_the_mock_does_not_enforce_is_named_once() {
        let app = object(json!({
            "admin_approved": true,
            "profiles": ["Standard User"],
            "device_flow_enabled": true,
            "ip_relaxation": "bypass",
        }));
        let org = object(json!({"allow_username_password_flows": false}));
        assert_eq!(
            not_enforced(&app, &org),
            [
                "permitted users (admin approved: every user may use the app)",
                "OauthOidc.blockOAuthUnPwFlow (the mock allows the username-password flow)"
            ]
        );
        let everyone = object(json!({"admin_approved": false, "profiles": []}));
        assert!(not_enforced(&everyone, &Map::new()).is_empty());
        assert!(!enforced("admin_approved"));
        assert!(enforced("pkce_required"));
    }
}
