//! The org's deployed metadata: every component as it was deployed (or read
//! from source at start-up), keyed by type and full name, and the apps the
//! mock serves from them. A deploy replaces components and the served apps
//! at once; a retrieve reads them back in canonical form, never with a
//! consumer secret.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::config::{AppSources, ConnectedApp, MockConfig};
use super::random::salesforce_id;
use crate::apps::Component;
use crate::apps::canonical::canonical;
use crate::apps::mock_app::{MockApp, map};
use crate::apps::source::{Source, assemble};
use crate::apps::types::MetadataType;

/// One deployed component.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) kind: Option<&'static MetadataType>,
    pub(crate) type_name: String,
    pub(crate) full_name: String,
    /// The zip path it was deployed at (without a root folder).
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
    /// Its content file's bytes, for types with one (Apex).
    pub(crate) content: Option<Vec<u8>>,
    /// The checked tree, for the app types.
    pub(crate) component: Option<Component>,
    pub(crate) id: String,
}

/// Deployed metadata and finished async jobs.
pub(crate) struct OrgMetadata {
    components: BTreeMap<(String, String), Stored>,
    /// Finished deploys' and retrieves' results by async process id.
    pub(crate) jobs: HashMap<String, String>,
    next_id: u64,
    sources: AppSources,
}

impl OrgMetadata {
    /// Most finished jobs kept (the oldest results are forgotten).
    const MAX_JOBS: usize = 1000;

    pub(crate) fn new(sources: &AppSources) -> Self {
        let mut org = OrgMetadata {
            components: BTreeMap::new(),
            jobs: HashMap::new(),
            next_id: 0,
            sources: sources.clone(),
        };
        for component in &sources.components {
            let stored = org.stored_component(component.clone());
            org.put(stored);
        }
        org
    }

    /// A component from source, ready to store.
    pub(crate) fn stored_component(&mut self, component: Component) -> Stored {
        let text = component.root.to_document();
        Stored {
            kind: Some(component.kind),
            type_name: component.kind.name.to_owned(),
            full_name: component.full_name.clone(),
            path: component.zip_path(),
            bytes: text.into_bytes(),
            content: None,
            component: Some(component),
            id: String::new(),
        }
    }

    /// Stores a component (its id kept if it was there before). A consumer
    /// key and secret are set once: a redeploy without them keeps them.
    pub(crate) fn put(&mut self, mut stored: Stored) {
        let key = (stored.type_name.clone(), stored.full_name.clone());
        stored.id = match self.components.get(&key) {
            Some(old) => {
                if let (Some(new), Some(old)) = (&mut stored.component, &old.component) {
                    keep_credentials(&mut new.root, &old.root);
                }
                old.id.clone()
            }
            None => self.new_id(id_prefix(&stored.type_name)),
        };
        self.components.insert(key, stored);
    }

    /// A fresh 18-character id with this prefix.
    pub(crate) fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        salesforce_id(prefix, self.next_id)
    }

    /// Keeps a finished job's result.
    pub(crate) fn finish(&mut self, id: String, result: String) {
        if self.jobs.len() >= Self::MAX_JOBS
            && let Some(oldest) = self.jobs.keys().min().cloned()
        {
            self.jobs.remove(&oldest);
        }
        self.jobs.insert(id, result);
    }

    pub(crate) fn get(&self, type_name: &str, full_name: &str) -> Option<&Stored> {
        self.components
            .iter()
            .find(|((t, n), _)| t == type_name && n.eq_ignore_ascii_case(full_name))
            .map(|(_, s)| s)
    }

    /// Every component of a type, by full name.
    pub(crate) fn of_type<'a>(&'a self, type_name: &'a str) -> impl Iterator<Item = &'a Stored> {
        self.components
            .values()
            .filter(move |s| s.type_name == type_name)
    }

    /// The apps held, as `crate::apps` sees source.
    fn source(&self) -> Source {
        let components = self
            .components
            .values()
            .filter_map(|s| s.component.clone())
            .collect();
        assemble(components, "the org").unwrap_or_default()
    }

    /// Each app the org holds, mapped onto the mock's keys.
    pub(crate) fn mapped_apps(&self) -> Vec<MockApp> {
        let source = self.source();
        source
            .apps
            .iter()
            .filter_map(|app| map(app, source.oauth_settings.as_ref(), self.sources.seed).ok())
            .collect()
    }

    /// The apps the mock serves from what the org holds: each app's mapped
    /// keys over the defaults (and the scenario's own keys over its app).
    pub(crate) fn served_apps(&self) -> Vec<Arc<ConnectedApp>> {
        self.mapped_apps()
            .into_iter()
            .filter(|app| app.not_served.is_none())
            .filter_map(|app| self.connected_app(&app).ok())
            .map(Arc::new)
            .collect()
    }

    /// One app as the mock's Connected App.
    pub(crate) fn connected_app(&self, app: &MockApp) -> Result<ConnectedApp, String> {
        let mut keys = crate::apps::mock_keys::connected_app(&app.connected_app);
        if let Some((name, overrides)) = &self.sources.primary
            && *name == app.name
            && let Some(over) = overrides.as_object()
        {
            keys.extend(over.clone());
        }
        let mut section = Map::new();
        section.insert("connected_app".into(), Value::Object(keys));
        MockConfig::from_overrides(&Value::Object(section))
            .map(|config| config.connected_app)
            .map_err(|e| e.to_string())
    }

    /// The consumer key an app is served under (for its retrieved file).
    pub(crate) fn consumer_key(&self, header: &str) -> Option<String> {
        self.mapped_apps()
            .into_iter()
            .find(|a| a.name == header)
            .map(|a| a.client_id().to_owned())
    }

    /// A stored component as a retrieve returns it: app types canonical,
    /// with the consumer key the app is served under, never a secret.
    pub(crate) fn retrieved(&self, stored: &Stored) -> Vec<u8> {
        let (Some(component), Some(kind)) = (&stored.component, stored.kind) else {
            return stored.bytes.clone();
        };
        let Some(fields) = kind.fields_of(&component.full_name) else {
            return stored.bytes.clone();
        };
        let mut root = canonical(&component.root, fields, false);
        let key_holder = match kind.name {
            "ConnectedApp" => root.children.iter_mut().find(|c| c.name == "oauthConfig"),
            "ExtlClntAppGlobalOauthSettings" => Some(&mut root),
            _ => None,
        };
        let app = if kind.name == "ConnectedApp" {
            Some(component.full_name.as_str())
        } else {
            component.header()
        };
        if let (Some(holder), Some(key)) = (key_holder, app.and_then(|a| self.consumer_key(a))) {
            set_leaf(holder, "consumerKey", &key);
        }
        root.to_document().into_bytes()
    }
}

/// The consumer key and secret of `old` (a Connected App's `oauthConfig`,
/// an External Client App's global settings) where `new` has none.
fn keep_credentials(new: &mut crate::apps::xml::Element, old: &crate::apps::xml::Element) {
    if let (Some(new_config), Some(old_config)) = (
        new.children.iter_mut().find(|c| c.name == "oauthConfig"),
        old.child("oauthConfig"),
    ) {
        keep_credentials(new_config, old_config);
        return;
    }
    for name in ["consumerKey", "consumerSecret"] {
        if new.text_of(name).is_none_or(str::is_empty)
            && let Some(value) = old.text_of(name).filter(|v| !v.is_empty())
        {
            set_leaf(new, name, value);
        }
    }
}

/// Sets a leaf's text, adding it in WSDL order (after the callback URL
/// and the certificate) when absent.
fn set_leaf(element: &mut crate::apps::xml::Element, name: &str, text: &str) {
    if let Some(leaf) = element.children.iter_mut().find(|c| c.name == name) {
        if leaf.text.trim().is_empty() {
            leaf.text = text.to_owned();
        }
        return;
    }
    let at = element
        .children
        .iter()
        .rposition(|c| {
            matches!(
                c.name.as_str(),
                "assetTokenConfig" | "callbackUrl" | "certificate"
            )
        })
        .map_or(0, |i| i + 1);
    element
        .children
        .insert(at, crate::apps::xml::Element::leaf(name, text));
}

/// The key prefix of a type's record ids (`0H4` Connected Apps; others
/// made up, stable per type).
fn id_prefix(type_name: &str) -> &'static str {
    match type_name {
        "ConnectedApp" => "0H4",
        "ExternalClientApplication" => "0xI",
        "ExtlClntAppGlobalOauthSettings" => "0xA",
        "ExtlClntAppOauthSettings" => "0xB",
        "ExtlClntAppOauthConfigurablePolicies" => "0xC",
        "ExtlClntAppConfigurablePolicies" => "0xD",
        _ => "0Zx",
    }
}
