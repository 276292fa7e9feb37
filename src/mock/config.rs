//! The mock org's configuration: its Connected App, users and seed records,
//! with working defaults that a scenario's `mock:` section overrides.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::duration::{RefreshPolicy, parse_duration};
use super::keys::{APP_CERTIFICATE_PEM, public_key};
use super::merge::merge_section;
use super::sobjects::SObjectKind;

/// Consumer key of the default Connected App (shaped like a real one).
pub const DEFAULT_CLIENT_ID: &str =
    "3MVG9n_HvETGhr3Af7uXg2QmFDF5Jq.nOAv0Wn7eTtlKcRbVqMzPTEQuBJ9fK3o1XhX5LsUp0YRHmhC8Zp2DG";
/// Consumer secret of the default Connected App.
pub const DEFAULT_CLIENT_SECRET: &str =
    "8F3A1C0E5D7B9A2E4C6F8B0D1E3A5C7F9B2D4E6A8C0F1B3D5E7A9C2E4F6B8D0A";

/// Why a `mock:` section was refused; `path` names the offending key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// Dotted key path, e.g. `mock.connected_app.pkce_required`.
    pub path: String,
    /// Lowercase fragment, e.g. `unknown key`.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Mock configuration: defaults merged with a scenario's `mock:` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MockConfig {
    pub connected_app: ConnectedApp,
    pub users: Vec<MockUser>,
    /// Seed records per sObject (`Account`, `Contact`, …); ids are assigned.
    pub records: IndexMap<String, Vec<Map<String, Value>>>,
    /// Records per query response unless the client asks for a batch size
    /// (`Sforce-Query-Options: batchSize=N`); more come with `done: false` and
    /// `nextRecordsUrl`. Salesforce's 2000 by default; 1 to 2000, small to test paging.
    pub query_batch_size: u32,
    /// Apps read from source that the org starts with (a scenario's
    /// `mock: { app }`, `sfscenario mock --app`).
    #[serde(skip)]
    pub sources: AppSources,
}

/// Metadata the org starts with, read from source.
#[derive(Debug, Clone, Default)]
pub struct AppSources {
    /// Every component read, as the org holds them.
    pub components: Vec<crate::apps::Component>,
    /// The app `connected_app` was made from, and the scenario's own
    /// `connected_app` keys, applied over the app again when it is redeployed.
    pub primary: Option<(String, Value)>,
    /// The seed the apps' generated consumer keys and secrets come from.
    pub seed: Option<u64>,
}

impl Default for MockConfig {
    /// One Connected App, one user (`mock.user@example.com`) and a few records.
    fn default() -> Self {
        MockConfig {
            connected_app: ConnectedApp::default(),
            users: vec![MockUser::default()],
            records: default_records(),
            query_batch_size: 2000,
            sources: AppSources::default(),
        }
    }
}

/// The org's Connected App (what Setup › App Manager would show).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectedApp {
    /// Shown on the consent page.
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// Registered callback URLs; `redirect_uri` must equal one exactly.
    pub callback_urls: Vec<String>,
    /// OAuth scopes the app may grant.
    pub scopes: Vec<String>,
    pub pkce_required: bool,
    /// Require the secret for the web server and refresh token flows.
    pub require_secret: bool,
    /// Require the secret on refresh (metadata
    /// `isSecretRequiredForRefreshToken`); `None`: as `require_secret`.
    pub require_secret_for_refresh: Option<bool>,
    /// The username-password flow may be used with the app (an External
    /// Client App never allows it).
    pub username_password_flow: bool,
    /// `infinite`, `immediately`, or a duration (`24h`): expire after that long.
    pub refresh_token_policy: String,
    pub refresh_token_rotation: bool,
    /// Duration (`15m`); `0s` means codes are already expired when issued.
    pub code_lifetime: String,
    pub access_token_lifetime: String,
    /// PEM certificate (or public key) that JWT bearer assertions are
    /// verified with; `None`: the app takes no assertions.
    pub certificate: Option<String>,
    /// Username the client credentials flow runs as; `None`: the flow is refused.
    pub run_as: Option<String>,
    /// Usernames pre-approved for the JWT bearer flow; `None`: the first user.
    pub jwt_preapproved: Option<Vec<String>>,
    /// How long a device code stays usable (`10m`).
    pub device_code_lifetime: String,
    /// The device flow's polling `interval` (`5s`); polling faster gets `slow_down`.
    pub device_interval: String,
}

impl Default for ConnectedApp {
    fn default() -> Self {
        ConnectedApp {
            name: "sfscenario Mock App".into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
            callback_urls: vec!["http://localhost:8000/callback".into()],
            scopes: ["api", "web", "refresh_token", "openid"]
                .map(String::from)
                .to_vec(),
            pkce_required: false,
            require_secret: true,
            require_secret_for_refresh: None,
            username_password_flow: true,
            refresh_token_policy: "infinite".into(),
            refresh_token_rotation: false,
            code_lifetime: "15m".into(),
            access_token_lifetime: "2h".into(),
            certificate: Some(APP_CERTIFICATE_PEM.into()),
            run_as: None,
            jwt_preapproved: None,
            device_code_lifetime: "10m".into(),
            device_interval: "5s".into(),
        }
    }
}

impl ConnectedApp {
    /// The Salesforce CLI's public client, known to every org.
    pub fn platform_cli() -> Self {
        ConnectedApp {
            name: "Salesforce CLI".into(),
            client_id: "PlatformCLI".into(),
            client_secret: String::new(),
            callback_urls: vec!["http://localhost:1717/OauthRedirect".into()],
            scopes: [
                "api",
                "web",
                "full",
                "refresh_token",
                "offline_access",
                "openid",
                "id",
                "profile",
                "email",
                "address",
                "phone",
            ]
            .map(String::from)
            .to_vec(),
            require_secret: false,
            certificate: None,
            ..ConnectedApp::default()
        }
    }
}

/// A user of the mock org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MockUser {
    pub username: String,
    pub password: String,
    pub security_token: String,
    pub active: bool,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

impl Default for MockUser {
    fn default() -> Self {
        MockUser {
            username: "mock.user@example.com".into(),
            password: "mock-password-1".into(),
            security_token: "MOCKSECURITYTOKEN123".into(),
            active: true,
            first_name: "Mock".into(),
            last_name: "User".into(),
            email: "mock.user@example.com".into(),
        }
    }
}

impl MockConfig {
    /// Defaults merged with `overrides` (a JSON object shaped like the config;
    /// maps merge key by key, lists replace). Unknown keys, wrong types and
    /// invalid values are refused with a message naming the key path.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] such as `mock.connected_app.pkce_requird: unknown key`.
    pub fn from_overrides(overrides: &Value) -> Result<MockConfig, ConfigError> {
        let mut merged = default_json();
        merge_section(&mut merged, overrides)?;
        let config: MockConfig = serde_json::from_value(merged)
            .map_err(|error| ConfigError::new("mock", error.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let app = &self.connected_app;
        let at = |key: &str| format!("mock.connected_app.{key}");
        for (key, value) in [
            ("code_lifetime", &app.code_lifetime),
            ("access_token_lifetime", &app.access_token_lifetime),
            ("device_code_lifetime", &app.device_code_lifetime),
            ("device_interval", &app.device_interval),
        ] {
            if parse_duration(value).is_none() {
                return Err(ConfigError::new(
                    at(key),
                    format!("invalid duration `{value}`"),
                ));
            }
        }
        if RefreshPolicy::parse(&app.refresh_token_policy).is_none() {
            let message = "expected `infinite`, `immediately` or a duration such as `24h`";
            return Err(ConfigError::new(at("refresh_token_policy"), message));
        }
        if app
            .certificate
            .as_deref()
            .is_some_and(|pem| public_key(pem).is_none())
        {
            let message = "expected a PEM certificate or public key holding an RSA key";
            return Err(ConfigError::new(at("certificate"), message));
        }
        if app.client_id.is_empty() {
            return Err(ConfigError::new(at("client_id"), "must not be empty"));
        }
        self.validate_users()?;
        self.validate_records()
    }

    fn validate_users(&self) -> Result<(), ConfigError> {
        if self.users.is_empty() {
            return Err(ConfigError::new(
                "mock.users",
                "at least one user is required",
            ));
        }
        for (index, user) in self.users.iter().enumerate() {
            if user.username.is_empty() {
                let path = format!("mock.users.{index}.username");
                return Err(ConfigError::new(path, "missing key"));
            }
            let duplicate = self.users[..index]
                .iter()
                .any(|other| other.username.eq_ignore_ascii_case(&user.username));
            if duplicate {
                let path = format!("mock.users.{index}.username");
                return Err(ConfigError::new(
                    path,
                    format!("`{}` is used twice", user.username),
                ));
            }
        }
        Ok(())
    }

    fn validate_records(&self) -> Result<(), ConfigError> {
        for name in self.records.keys() {
            match SObjectKind::find(name) {
                Some(kind) if kind.name == "User" => {
                    let path = format!("mock.records.{name}");
                    return Err(ConfigError::new(
                        path,
                        "users are configured in `mock.users`",
                    ));
                }
                Some(kind) if !kind.seedable => {
                    let path = format!("mock.records.{name}");
                    return Err(ConfigError::new(path, "the mock makes this record itself"));
                }
                Some(kind) => check_seed_fields(kind, name, &self.records[name])?,
                None => {
                    let known = SObjectKind::record_names().join(", ");
                    let message = format!("unknown sObject type (known: {known})");
                    return Err(ConfigError::new(format!("mock.records.{name}"), message));
                }
            }
        }
        if !(1..=2000).contains(&self.query_batch_size) {
            let message = "expected a whole number from 1 to 2000";
            return Err(ConfigError::new("mock.query_batch_size", message));
        }
        Ok(())
    }
}

/// Every key of every seed record names a field of its sObject.
fn check_seed_fields(
    kind: SObjectKind,
    name: &str,
    records: &[Map<String, Value>],
) -> Result<(), ConfigError> {
    for (index, record) in records.iter().enumerate() {
        if let Some(key) = record.keys().find(|key| kind.field(key).is_none()) {
            let path = format!("mock.records.{name}.{index}.{key}");
            return Err(ConfigError::new(
                path,
                format!("no such field on {}", kind.name),
            ));
        }
    }
    Ok(())
}

/// The defaults as JSON, the base every override merges over.
fn default_json() -> Value {
    serde_json::to_value(MockConfig::default()).unwrap_or(Value::Null)
}

fn default_records() -> IndexMap<String, Vec<Map<String, Value>>> {
    let record = |pairs: &[(&str, &str)]| -> Map<String, Value> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_string(), Value::from(*value)))
            .collect()
    };
    let mut records = IndexMap::new();
    records.insert(
        "Account".to_string(),
        vec![
            record(&[("Name", "Acme")]),
            record(&[("Name", "Global Media")]),
        ],
    );
    records.insert(
        "Contact".to_string(),
        vec![record(&[("FirstName", "Ada"), ("LastName", "Lovelace")])],
    );
    records.insert(
        "Opportunity".to_string(),
        vec![record(&[("Name", "Acme - 200 Widgets")])],
    );
    records
}

#[cfg(test)]
mod tests;
