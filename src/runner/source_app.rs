//! A scenario's `mock: { app: PATH }` (or `{ source: DIR, name: NAME }`):
//! the app read from Salesforce DX source, relative to the scenario file,
//! becomes the mock's `connected_app` (and its project's OauthOidc settings
//! the org's switches); the scenario's own `connected_app` and
//! `org_settings` keys apply on top.

use std::path::Path;

use serde_json::{Map, Value};

use crate::apps::mock_app::{MockApp, map};
use crate::apps::{Component, load};
use crate::location::Location;
use crate::mock::AppSources;
use crate::scenario::diag::Diagnostic;

/// The mock section with the app's keys merged in, what the org starts
/// with, and the app (its warning line, its secrets).
pub struct Loaded {
    pub overrides: Value,
    pub sources: AppSources,
    pub app: MockApp,
}

/// Takes `app` out of a rendered mock section and loads it; `None` when
/// the section names no app.
pub fn load_app(
    overrides: &mut Value,
    scenario_path: &str,
    seed: Option<u64>,
    at: Location,
) -> Result<Option<Loaded>, Diagnostic> {
    let Some(spec) = overrides.as_object_mut().and_then(|m| m.remove("app")) else {
        return Ok(None);
    };
    let fail = |message: String| Diagnostic::new(message, at);
    let (path, name) = match &spec {
        Value::String(path) => (path.clone(), None),
        Value::Object(m) => {
            if let Some(key) = m.keys().find(|k| *k != "source" && *k != "name") {
                return Err(fail(format!(
                    "`mock.app.{key}`: unknown key (expected `source` and `name`)"
                )));
            }
            let source = m
                .get("source")
                .and_then(Value::as_str)
                .ok_or_else(|| fail("`mock.app` needs `source`: a directory of apps".into()))?;
            let name = m.get("name").and_then(Value::as_str).map(str::to_owned);
            (source.to_owned(), name)
        }
        _ => return Err(fail("`mock.app` must be a path or { source, name }".into())),
    };
    let base = Path::new(scenario_path)
        .parent()
        .unwrap_or_else(|| Path::new(""));
    let full = base.join(&path);
    let source = load(&full).map_err(|e| fail(format!("invalid app source: {e}")))?;
    let shown = full.display().to_string();
    let app = source
        .pick(&shown, name.as_deref())
        .map_err(|e| fail(e.to_string()))?;
    let mapped = map(app, source.oauth_settings.as_ref(), seed)
        .map_err(|e| fail(format!("invalid app source: {e}")))?;
    if let Some(reason) = &mapped.not_served {
        return Err(fail(format!(
            "the mock cannot serve the app `{}`: {reason}",
            app.name
        )));
    }
    let own = overrides
        .get("connected_app")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let merged = merge(&mapped.overrides(), overrides);
    let components: Vec<Component> = app
        .components()
        .cloned()
        .chain(source.oauth_settings.iter().cloned())
        .collect();
    Ok(Some(Loaded {
        overrides: merged,
        sources: AppSources {
            components,
            primary: Some((app.name.clone(), own)),
            seed,
        },
        app: mapped,
    }))
}

/// `mock.app` checked without running: its keys and, when it holds no
/// template, the app's files (what `sfscenario validate` reports).
#[must_use]
pub fn check_app(scenario: &crate::scenario::model::Scenario) -> Option<Diagnostic> {
    let node = scenario.mock.as_ref()?.get("app")?;
    let spec = node.to_json();
    if spec.to_string().contains("{{") {
        return None;
    }
    let mut section = Value::Object(Map::from_iter([("app".to_owned(), spec)]));
    load_app(&mut section, &scenario.path, None, node.loc).err()
}

/// `ours` under `theirs`: maps merge key by key, anything else from `theirs`.
fn merge(ours: &Value, theirs: &Value) -> Value {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = a.clone();
            for (key, value) in b {
                let merged = match out.get(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (_, Value::Null) => ours.clone(),
        _ => theirs.clone(),
    }
}
