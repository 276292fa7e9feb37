//! Checking a merged configuration: durations, policies, keys, users,
//! profiles, seed records and org settings, each refusal naming its key path.

use serde_json::{Map, Value};

use super::{ConfigError, IP_RELAXATIONS, MockConfig, check_ranges};
use crate::mock::duration::{RefreshPolicy, parse_duration};
use crate::mock::keys::public_key;
use crate::mock::sobjects::SObjectKind;

impl MockConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
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
        if !IP_RELAXATIONS.contains(&app.ip_relaxation.as_str()) {
            let message = format!("expected one of {}", IP_RELAXATIONS.join(", "));
            return Err(ConfigError::new(at("ip_relaxation"), message));
        }
        self.org_settings
            .validate(crate::mock::rest::FIRST_VERSION)?;
        for (name, profile) in &self.profiles {
            let path = format!("mock.profiles.{name}.login_ip_ranges");
            check_ranges(&profile.login_ip_ranges, &path)?;
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
