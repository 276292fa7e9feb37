//! What an app's files say, as the mock org's configuration: the
//! `connected_app` keys (callback URLs, scopes, PKCE, secrets, refresh
//! policy, permitted users, flows) and, from the project's OauthOidc
//! settings, the `org_settings` keys. Fields the mock does not model are
//! collected, to be named in one warning line.
//!
//! An External Client App needs both its developer's switch (global OAuth
//! settings) and its admin's policy to allow client credentials; it never
//! allows the username-password flow.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::component::Component;
use super::error::SourceError;
use super::schema::{Field, Shape};
use super::scopes::wire;
use super::source::{App, AppKind};
use super::xml::Element;

/// An app as the mock serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct MockApp {
    /// The API name (`Billing_Portal`).
    pub name: String,
    /// The app's settings (`mock_keys` names each one's key in the mock's
    /// `connected_app`).
    pub connected_app: Map<String, Value>,
    /// Org-wide settings, from `OauthOidc.settings`.
    pub org_settings: Map<String, Value>,
    /// `oauthConfig.isTokenExchangeEnabled`, … : present, not the default,
    /// and not modelled.
    pub unmodelled: Vec<String>,
    /// Why the mock cannot serve the app over OAuth, if it cannot.
    pub not_served: Option<String>,
    /// Consumer secrets written in the files.
    pub secrets: Vec<String>,
}

impl MockApp {
    /// `warning: app `X`: …` naming what the mock does not model, if anything.
    #[must_use]
    pub fn warning(&self) -> Option<String> {
        (!self.unmodelled.is_empty()).then(|| {
            format!(
                "warning: app `{}`: the mock does not model {}",
                self.name,
                self.unmodelled.join(", ")
            )
        })
    }

    /// The consumer key the mock serves the app under.
    #[must_use]
    pub fn client_id(&self) -> &str {
        self.connected_app
            .get("client_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `{ connected_app: …, org_settings: … }` in the mock's keys, to merge
    /// over the defaults.
    #[must_use]
    pub fn overrides(&self) -> Value {
        let mut out = Map::new();
        out.insert(
            "connected_app".into(),
            Value::Object(super::mock_keys::connected_app(&self.connected_app)),
        );
        let org = super::mock_keys::org_settings(&self.org_settings);
        if !org.is_empty() {
            out.insert("org_settings".into(), Value::Object(org));
        }
        Value::Object(out)
    }
}

/// The consumer key and secret of an app whose files hold none: the same
/// for the same name and seed, different for another.
#[must_use]
pub fn generated_credentials(name: &str, seed: Option<u64>) -> (String, String) {
    let digest = |purpose: &str| {
        let mut hash = Sha256::new();
        hash.update(purpose.as_bytes());
        hash.update(seed.unwrap_or(0).to_be_bytes());
        hash.update(name.as_bytes());
        hash.finalize()
    };
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    let key_bytes: Vec<u8> = [digest("key-1"), digest("key-2"), digest("key-3")].concat();
    let key: String = std::iter::once("3MVG9".to_string())
        .chain(
            key_bytes
                .iter()
                .take(80)
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]).to_string()),
        )
        .collect();
    let secret: String = [digest("secret-1"), digest("secret-2")]
        .concat()
        .iter()
        .take(32)
        .map(|b| format!("{b:02X}"))
        .collect();
    (key, secret)
}

/// Maps an app (and the org's OauthOidc settings) onto the mock's keys.
///
/// # Errors
///
/// A value the mock cannot take (an unknown scope, refresh policy or IP
/// relaxation), at its place.
pub fn map(
    app: &App,
    oauth_settings: Option<&Component>,
    seed: Option<u64>,
) -> Result<MockApp, SourceError> {
    let mut out = MockApp {
        name: app.name.clone(),
        connected_app: Map::new(),
        org_settings: Map::new(),
        unmodelled: Vec::new(),
        not_served: None,
        secrets: app.secrets(),
    };
    out.connected_app.insert("name".into(), json!(app.label()));
    match app.kind {
        AppKind::ConnectedApp => super::mock_ca::map(app, &mut out)?,
        AppKind::ExternalClientApp => super::mock_eca::map(app, &mut out)?,
    }
    let (key, secret) = generated_credentials(&app.name, seed);
    out.connected_app.entry("client_id").or_insert(json!(key));
    out.connected_app
        .entry("client_secret")
        .or_insert(json!(secret));
    if let Some(settings) = oauth_settings {
        org(settings, &mut out);
    }
    let not_enforced = super::mock_keys::not_enforced(&out.connected_app, &out.org_settings);
    out.unmodelled.extend(not_enforced);
    Ok(out)
}

/// The org's username-password and user-agent switches that an
/// `OauthOidc.settings` file sets, in the app's words.
fn org_switches(settings: &Component) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(block) = settings.flag("blockOAuthUnPwFlow") {
        out.insert("allow_username_password_flows".into(), json!(!block));
    }
    if let Some(block) = settings.flag("blockOAuthUsrAgtFlow") {
        out.insert("allow_user_agent_flows".into(), json!(!block));
    }
    out
}

/// The mock's `org_settings` keys an `OauthOidc.settings` file gives (the
/// switches the mock enforces), for `sfscenario mock --app` and deploys.
#[must_use]
pub fn org_settings(settings: &Component) -> Map<String, Value> {
    super::mock_keys::org_settings(&org_switches(settings))
}

/// `OauthOidc.settings`: the org's username-password and user-agent
/// switches and PKCE rule.
fn org(settings: &Component, out: &mut MockApp) {
    out.org_settings.extend(org_switches(settings));
    if settings.flag("isPkceRequired") == Some(true) {
        out.connected_app
            .insert("pkce_required".into(), json!(true));
    }
    let modelled = [
        "fullName",
        "blockOAuthUnPwFlow",
        "blockOAuthUsrAgtFlow",
        "isPkceRequired",
    ];
    if let Some(fields) = settings.kind.fields_of(&settings.full_name) {
        unmodelled(
            &settings.root,
            fields,
            "OauthOidc.",
            &modelled,
            &mut out.unmodelled,
        );
    }
}

/// Callback URLs: one element, several URLs separated by line breaks (and,
/// for External Client Apps, commas).
#[must_use]
pub fn callback_urls(text: &str, commas: bool) -> Vec<String> {
    text.split(|c| c == '\n' || c == '\r' || (commas && c == ','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Scope names as scope strings, without repeats.
///
/// # Errors
///
/// A name the Metadata API does not have.
pub fn scope_strings<'a>(
    names: impl Iterator<Item = (&'a str, &'a Element)>,
    path: &str,
) -> Result<Vec<String>, SourceError> {
    let mut out: Vec<String> = Vec::new();
    for (name, at) in names {
        let strings = wire(name).ok_or_else(|| {
            SourceError::at(
                path,
                at.at,
                format!("`{name}` is not an OAuth scope of the Metadata API"),
            )
        })?;
        for s in strings {
            if !out.iter().any(|o| o == s) {
                out.push((*s).to_owned());
            }
        }
    }
    Ok(out)
}

/// A Connected App's `refreshTokenPolicy` (`infinite`, `zero`,
/// `specific_lifetime:N:UNIT`, `specific_inactivity:N:UNIT`) as the mock's
/// `refresh_token_policy`; `None` when it is not one.
#[must_use]
pub fn refresh_policy(kind: &str, n: Option<i64>, unit: Option<&str>) -> Option<String> {
    let kind = kind.trim().to_ascii_lowercase().replace('_', "");
    match kind.as_str() {
        "infinite" => Some("infinite".into()),
        "zero" => Some("immediately".into()),
        "specificlifetime" | "specificinactivity" => {
            let n = n.filter(|n| *n > 0)?;
            let unit = match unit?.trim().to_ascii_lowercase().as_str() {
                "hours" => "h",
                "days" => "d",
                "months" => "months",
                _ => return None,
            };
            Some(format!("{n}{unit}"))
        }
        _ => None,
    }
}

/// `ENFORCE`, `BYPASS`, `ENFORCE_RELAXREFRESH` (any case) as the mock's
/// `ip_relaxation`; `BYPASS_2FACTOR` (relaxed only after identity
/// verification, which the mock has not) is enforced.
#[must_use]
pub fn ip_relaxation(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "enforce" | "bypass_2factor" => Some("enforce"),
        "bypass" => Some("bypass"),
        "enforce_relaxrefresh" => Some("enforce_relaxrefresh"),
        _ => None,
    }
}

/// Adds to `out` every field of `element` (prefixed) that is present, not
/// its default and not in `modelled` (paths relative to the file).
pub fn unmodelled(
    element: &Element,
    fields: &[Field],
    prefix: &str,
    modelled: &[&str],
    out: &mut Vec<String>,
) {
    walk(element, fields, "", &mut |path, child, field| {
        if modelled.contains(&path) {
            return false;
        }
        let set = match field.shape {
            Shape::Group(_) => {
                if modelled.iter().any(|m| m.starts_with(&format!("{path}."))) {
                    return true;
                }
                !child.children.is_empty()
            }
            Shape::Opaque => !child.children.is_empty() || !child.text.trim().is_empty(),
            Shape::Bool | Shape::Text | Shape::Int => {
                let value = child.text.trim();
                !value.is_empty() && field.default != Some(value)
            }
        };
        if set {
            let name = format!("{prefix}{path}");
            if !out.contains(&name) {
                out.push(name);
            }
        }
        false
    });
}

/// Calls `visit(path, element, field)` on each child; descends into groups
/// when `visit` says so.
fn walk(
    element: &Element,
    fields: &[Field],
    prefix: &str,
    visit: &mut dyn FnMut(&str, &Element, &Field) -> bool,
) {
    for child in &element.children {
        let Some(field) = fields.iter().find(|f| f.name == child.name) else {
            continue;
        };
        let path = format!("{prefix}{}", child.name);
        let descend = visit(&path, child, field);
        if let (true, Shape::Group(inner)) = (descend, field.shape) {
            walk(child, inner, &format!("{path}."), visit);
        }
    }
}

/// Fields every app file may carry that change nothing the mock does.
pub const INFORMATIONAL: &[&str] = &[
    "fullName",
    "label",
    "description",
    "contactEmail",
    "contactPhone",
    "developerName",
    "iconUrl",
    "infoUrl",
    "logoUrl",
    "version",
    "distributionState",
    "isProtected",
    "managedType",
    "orgScopedExternalApp",
    "externalClientApplication",
    "oauthLink",
];

#[cfg(test)]
mod tests;
