//! `org.*`: what templates see of the org a scenario runs against, filled
//! from the built-in mock's configuration, from the Salesforce CLI
//! (`--target-org`) or, against a real org, from the environment. The one
//! table of its fields: `validate` checks every `{{ org.field }}` against it.

use serde::{Serialize, Serializer};

use crate::secret::{Class, Secret};

/// The org's values. Credentials are [`Secret`]s: their `Debug` never shows
/// them; only the template context sees them, and the redactor learns each
/// one before the first step.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Org {
    /// The login host (the mock's base URL on the mock).
    pub login_url: String,
    /// The org's instance, where REST, SOAP and Metadata calls go: the
    /// mock's URL, the Salesforce CLI's `instanceUrl`, or `SF_INSTANCE_URL`.
    pub instance_url: Option<String>,
    /// A session on the instance: on the mock one minted for its first user,
    /// the Salesforce CLI's access token, or `SF_ACCESS_TOKEN`.
    #[serde(serialize_with = "exposed")]
    pub access_token: Option<Secret>,
    /// The app's consumer key.
    pub client_id: Option<String>,
    #[serde(serialize_with = "exposed")]
    pub client_secret: Option<Secret>,
    pub username: Option<String>,
    #[serde(serialize_with = "exposed")]
    pub password: Option<Secret>,
    #[serde(serialize_with = "exposed")]
    pub security_token: Option<Secret>,
    /// The PEM private key of the app's certificate (JWT bearer).
    #[serde(serialize_with = "exposed")]
    pub private_key: Option<Secret>,
}

/// Every field of [`Org`], as templates name them.
pub const FIELDS: &[&str] = &[
    "login_url",
    "instance_url",
    "access_token",
    "client_id",
    "client_secret",
    "username",
    "password",
    "security_token",
    "private_key",
];

impl Org {
    /// The secrets, each with the role and class the redactor gives it.
    pub fn credentials(&self) -> impl Iterator<Item = (&'static str, &Secret, Class)> {
        [
            ("access_token", &self.access_token, Class::Token),
            ("client_secret", &self.client_secret, Class::Credential),
            ("password", &self.password, Class::Credential),
            ("security_token", &self.security_token, Class::Credential),
            ("private_key", &self.private_key, Class::Credential),
        ]
        .into_iter()
        .filter_map(|(role, s, class)| s.as_ref().map(|s| (role, s, class)))
    }

    /// A field's text, empty when unset.
    #[must_use]
    pub fn text(secret: Option<&Secret>) -> &str {
        secret.map_or("", Secret::expose)
    }
}

/// Templates need the value itself.
fn exposed<S: Serializer>(secret: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_str(secret.expose()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::{FIELDS, Org};
    use crate::secret::Secret;

    #[test]
    fn the_field_table_is_the_struct() {
        let org = Org {
            password: Some(Secret::new("hunter2")),
            access_token: Some(Secret::new("00Dx!session")),
            ..Org::default()
        };
        let value = serde_json::to_value(&org).unwrap_or_default();
        let keys: Vec<&str> = value
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, FIELDS);
        assert_eq!(value["password"], "hunter2");
        assert!(!format!("{org:?}").contains("hunter2"));
        assert!(!format!("{org:?}").contains("00Dx!session"));
        let roles: Vec<&str> = org.credentials().map(|(role, _, _)| role).collect();
        assert_eq!(roles, ["access_token", "password"]);
    }
}
