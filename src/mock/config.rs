//! The mock org's configuration: its org-wide settings, its Connected App,
//! users, profiles and seed records, with the defaults of an org created
//! today, which a scenario's `mock:` section overrides.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::keys::APP_CERTIFICATE_PEM;
use super::merge::merge_section;

mod org;
mod validate;

pub use org::{CURRENT_API_VERSION, OrgSettings, Profile, Profiles};
pub(crate) use org::{check_ranges, in_ranges};

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
    /// Org-wide switches and policies.
    pub org_settings: OrgSettings,
    pub connected_app: ConnectedApp,
    pub users: Vec<MockUser>,
    /// Profiles by name, with what the mock enforces of them.
    pub profiles: Profiles,
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
            org_settings: OrgSettings::default(),
            connected_app: ConnectedApp::default(),
            users: vec![MockUser::default()],
            profiles: Profiles::new(),
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
    /// The client credentials flow's run-as user (metadata
    /// `oauthClientCredentialUser`); `None`: the flow is off.
    pub client_credentials_user: Option<String>,
    /// *Enable for Device Flow*: off by default.
    pub device_flow_enabled: bool,
    /// *Admin approved users are pre-authorized* (metadata
    /// `isAdminApproved`): only users holding one of `profiles` or
    /// `permission_sets` may use the app, and none is asked for consent.
    /// Off: *All users may self-authorize*, each approving once.
    pub admin_approved: bool,
    /// Profiles pre-authorized for an admin-approved app.
    pub profiles: Vec<String>,
    /// Permission sets pre-authorized for an admin-approved app.
    pub permission_sets: Vec<String>,
    /// *IP Relaxation* (metadata `ipRelaxation`): `enforce` the users'
    /// login IP ranges, `bypass` them, or `enforce_relaxrefresh` (enforce,
    /// but not when refreshing). JWT bearer always enforces them.
    pub ip_relaxation: String,
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
            client_credentials_user: None,
            device_flow_enabled: false,
            admin_approved: false,
            profiles: Vec::new(),
            permission_sets: Vec::new(),
            ip_relaxation: IP_RELAXATIONS[0].into(),
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

impl ConnectedApp {
    /// Whether `user` may use the app: anyone may self-authorize; an
    /// admin-approved app takes only holders of its profiles or permission sets.
    pub fn permits(&self, user: &MockUser) -> bool {
        let named = |names: &[String], name: &str| {
            names.iter().any(|listed| listed.eq_ignore_ascii_case(name))
        };
        !self.admin_approved
            || named(&self.profiles, &user.profile)
            || user
                .permission_sets
                .iter()
                .any(|set| named(&self.permission_sets, set))
    }
}

impl MockConfig {
    /// The login IP ranges of `user`'s profile (none: no restriction).
    pub fn login_ip_ranges(&self, user: &MockUser) -> &[String] {
        self.profiles
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&user.profile))
            .map_or(&[], |(_, profile)| profile.login_ip_ranges.as_slice())
    }

    /// Whether a password sent through the API needs the security token
    /// appended: always, but from the org's trusted IP ranges or the user's
    /// profile's login IP ranges.
    pub fn needs_security_token(&self, user: &MockUser) -> bool {
        let ip = self.org_settings.client_address();
        !(in_ranges(&self.org_settings.trusted_ip_ranges, ip)
            || in_ranges(self.login_ip_ranges(user), ip))
    }

    /// Whether the org's address is outside `user`'s profile's login IP
    /// ranges (a profile without ranges restricts nothing).
    pub fn outside_login_ranges(&self, user: &MockUser) -> bool {
        let ranges = self.login_ip_ranges(user);
        !ranges.is_empty() && !in_ranges(ranges, self.org_settings.client_address())
    }
}

/// `ip_relaxation` values, the default first.
pub const IP_RELAXATIONS: [&str; 3] = ["enforce", "bypass", "enforce_relaxrefresh"];

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
    /// The user's profile (an admin-approved app may list it; `profiles`
    /// may give it login IP ranges).
    pub profile: String,
    /// Permission sets assigned to the user.
    pub permission_sets: Vec<String>,
    /// The key (base32) of the user's authenticator app: with one (not
    /// empty), the login is followed by the "Verify Your Identity" page.
    pub totp_secret: Option<String>,
}

/// The profile of the default user, and of listed users without one.
pub const DEFAULT_PROFILE: &str = "System Administrator";

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
            profile: DEFAULT_PROFILE.into(),
            permission_sets: Vec::new(),
            totp_secret: None,
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
