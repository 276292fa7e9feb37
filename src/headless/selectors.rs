//! The CSS selectors that tell the headless browser which page it is on and
//! what to fill in or press there. The built-in ones are Salesforce's own
//! (with the mock org's equivalents where they differ); a scenario overrides
//! any of them with `authorize.as.selectors` for a custom login page.
//!
//! Each built-in selector is a CSS selector list, so it matches Salesforce's
//! markup and the mock org's alike. The public source of each, or that it is
//! mock-modelled, is in the fidelity table (`docs/fidelity.md`, "The pages
//! `--browser headless` recognises").

use serde::Deserialize;

use crate::keys::{KeySpec, Ty, key};

/// The selector keys a scenario may override, with what each finds.
pub const KEYS: &[KeySpec] = &[
    key("username", Ty::Str, "the login page's username input"),
    key("password", Ty::Str, "the login page's password input"),
    key("login", Ty::Str, "the login page's submit button"),
    key(
        "error",
        Ty::Str,
        "where a page shows why it refused (a wrong password or code)",
    ),
    key(
        "totp",
        Ty::Str,
        "the verification page's input for the one-time code",
    ),
    key("verify", Ty::Str, "the verification page's submit button"),
    key("allow", Ty::Str, "the consent page's Allow button"),
    key("deny", Ty::Str, "the consent page's Deny button"),
    key(
        "user_code",
        Ty::Str,
        "the device flow's input for the user code",
    ),
];

/// One CSS selector (list) per thing the browser looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selectors {
    pub username: String,
    pub password: String,
    pub login: String,
    pub error: String,
    pub totp: String,
    pub verify: String,
    pub allow: String,
    pub deny: String,
    pub user_code: String,
}

impl Default for Selectors {
    fn default() -> Self {
        Selectors {
            username: "#username".into(),
            password: "#password".into(),
            login: "#Login".into(),
            error: "#error, [role=alert]".into(),
            totp: "#tc".into(),
            verify: "#save".into(),
            allow: "#oaapprove, button[value=allow]".into(),
            deny: "#oadeny, button[value=deny]".into(),
            user_code: "input[name=user_code]".into(),
        }
    }
}

/// A scenario's overrides (`authorize.as.selectors`): any key left out
/// keeps its built-in selector.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    username: Option<String>,
    password: Option<String>,
    login: Option<String>,
    error: Option<String>,
    totp: Option<String>,
    verify: Option<String>,
    allow: Option<String>,
    deny: Option<String>,
    user_code: Option<String>,
}

impl Selectors {
    /// The built-in selectors with `overrides` on top.
    #[must_use]
    pub fn with(overrides: &Overrides) -> Selectors {
        let d = Selectors::default();
        let pick = |given: &Option<String>, default: String| given.clone().unwrap_or(default);
        Selectors {
            username: pick(&overrides.username, d.username),
            password: pick(&overrides.password, d.password),
            login: pick(&overrides.login, d.login),
            error: pick(&overrides.error, d.error),
            totp: pick(&overrides.totp, d.totp),
            verify: pick(&overrides.verify, d.verify),
            allow: pick(&overrides.allow, d.allow),
            deny: pick(&overrides.deny, d.deny),
            user_code: pick(&overrides.user_code, d.user_code),
        }
    }

    /// Every selector with its key, for the page probe and its messages.
    #[must_use]
    pub fn named(&self) -> [(&'static str, &str); 9] {
        [
            ("username", &self.username),
            ("password", &self.password),
            ("login", &self.login),
            ("error", &self.error),
            ("totp", &self.totp),
            ("verify", &self.verify),
            ("allow", &self.allow),
            ("deny", &self.deny),
            ("user_code", &self.user_code),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::{KEYS, Overrides, Selectors};

    #[test]
    fn every_key_has_a_selector_and_overrides_replace_one_each() {
        let names: Vec<&str> = Selectors::default()
            .named()
            .iter()
            .map(|(k, _)| *k)
            .collect();
        let keys: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        assert_eq!(names, keys);
        let overrides: Overrides =
            serde_json::from_value(serde_json::json!({ "username": "input[name=email]" }))
                .expect("overrides");
        let s = Selectors::with(&overrides);
        assert_eq!(s.username, "input[name=email]");
        assert_eq!(s.password, "#password");
        assert!(
            serde_json::from_value::<Overrides>(serde_json::json!({ "usernme": "x" })).is_err()
        );
    }
}
