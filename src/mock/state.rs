//! The mock org's memory: its apps and users (fixed at start), its records and
//! the codes, tokens and login sessions it hands out (every map keyed by the
//! random value itself, so concurrent flows never cross), and its clock.
//!
//! What it hands out is bounded: expired entries are purged once a minute
//! of the mock's clock, and each map holds at most `max_tokens` entries,
//! the oldest forgotten first (see [`Ledger`]).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use super::config::{ConnectedApp, MockConfig, MockUser, OrgSettings};
use super::duration::{RefreshPolicy, millis, parse_duration};
use super::ledger::{Expiring, Ledger};
use super::org_metadata::OrgMetadata;
use super::random::{Randomness, salesforce_id};
use super::sobjects::store::{RecordStore, Seed};
use crate::clock::Clock;

mod grants;

pub(crate) use grants::{AuthCode, DeviceGrant, FrontdoorCode, Grant, Interned, Session, User};

/// Everything that changes while the mock runs.
pub(crate) struct Store {
    pub(crate) interned: Interned,
    pub(crate) random: Randomness,
    pub(crate) codes: Ledger<AuthCode>,
    pub(crate) access_tokens: Ledger<Grant>,
    pub(crate) refresh_tokens: Ledger<Grant>,
    /// Login session cookie value → its user.
    pub(crate) sessions: Ledger<Session>,
    /// Logins that passed the password and wait for the one-time code
    /// (`mfa` cookie value → the user).
    pub(crate) pending_mfa: Ledger<Session>,
    /// Device flow: device code → its state.
    pub(crate) devices: Ledger<DeviceGrant>,
    /// Frontdoor one-time code → its user and start URL.
    pub(crate) frontdoor: Ledger<FrontdoorCode>,
    /// `(user id, client id)` of every user who approved an app on its
    /// consent page (a self-authorize app asks each user once). At most
    /// users × apps entries.
    pub(crate) approvals: HashSet<(String, String)>,
    /// When (mock clock, ms) expired entries are next purged.
    next_purge_ms: u64,
}

impl Store {
    /// How often (of the mock's clock) expired entries are purged.
    pub(crate) const PURGE_EVERY: Duration = Duration::from_secs(60);
    /// Token maps are sharded (see [`Ledger`]); the others stay small.
    const TOKEN_SHARDS: usize = 64;

    fn new(seed: Option<u64>, max_tokens: usize, now_ms: u64) -> Self {
        Store {
            random: Randomness::new(seed),
            interned: Interned::default(),
            codes: Ledger::new(1, max_tokens),
            access_tokens: Ledger::new(Self::TOKEN_SHARDS, max_tokens),
            refresh_tokens: Ledger::new(Self::TOKEN_SHARDS, max_tokens),
            sessions: Ledger::new(1, max_tokens),
            pending_mfa: Ledger::new(1, max_tokens),
            devices: Ledger::new(1, max_tokens),
            frontdoor: Ledger::new(1, max_tokens),
            approvals: HashSet::new(),
            next_purge_ms: now_ms.saturating_add(millis(Self::PURGE_EVERY)),
        }
    }

    /// Purges what has expired, when a purge is due (amortised: one pass
    /// over the maps per minute of the mock's clock).
    fn purge_if_due(&mut self, now_ms: u64) {
        if now_ms < self.next_purge_ms {
            return;
        }
        self.next_purge_ms = now_ms.saturating_add(millis(Self::PURGE_EVERY));
        self.codes.purge(now_ms);
        self.access_tokens.purge(now_ms);
        self.refresh_tokens.purge(now_ms);
        self.sessions.purge(now_ms);
        self.pending_mfa.purge(now_ms);
        self.devices.purge(now_ms);
        self.frontdoor.purge(now_ms);
    }
}

/// Where a device flow stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved {
        user_id: String,
    },
    Denied,
    /// Tokens were issued: the device code is spent.
    Used,
}

/// The mock org.
pub(crate) struct MockState {
    pub(crate) config: MockConfig,
    pub(crate) org_id: String,
    /// The apps served: the configured one (or those from source), then
    /// the built-in ones; replaced when a deploy changes an app.
    apps: RwLock<Vec<Arc<ConnectedApp>>>,
    /// Deployed metadata, and the results of deploys and retrieves.
    metadata: Mutex<OrgMetadata>,
    /// Lines about what a request changed (a deployed app's credentials),
    /// printed by `sfscenario mock` after the request.
    notes: Mutex<Vec<String>>,
    /// The org's switches: the configured ones, changed by a deploy of
    /// `OauthOidc` settings.
    org_settings: RwLock<OrgSettings>,
    users: Vec<User>,
    /// Every sObject record, seeded from the configuration.
    records: Mutex<RecordStore>,
    api_calls: AtomicU64,
    store: Mutex<Store>,
    /// Every clock value the mock hands out or checks.
    pub(crate) clock: Clock,
}

impl MockState {
    /// `max_tokens`: the most entries each map of codes, tokens, sessions
    /// and device codes holds.
    pub(crate) fn new(
        config: MockConfig,
        seed: Option<u64>,
        clock: Clock,
        max_tokens: usize,
    ) -> Self {
        let users: Vec<User> = config
            .users
            .iter()
            .zip(1..)
            .map(|(user, n)| User {
                id: salesforce_id("005", n),
                user: user.clone(),
            })
            .collect();
        let metadata = OrgMetadata::new(&config.sources);
        let apps = served(&config, &metadata);
        let now_ms = clock.now_ms();
        let store = Store::new(seed, max_tokens, now_ms);
        let org_id = salesforce_id("00D", 1);
        let records = RecordStore::new(&Seed {
            records: &config.records,
            users: &users,
            org_id: &org_id,
            sandbox: config.org_settings.sandbox,
            now_ms,
        });
        MockState {
            records: Mutex::new(records),
            org_id,
            apps: RwLock::new(apps),
            metadata: Mutex::new(metadata),
            notes: Mutex::new(Vec::new()),
            org_settings: RwLock::new(config.org_settings.clone()),
            users,
            api_calls: AtomicU64::new(0),
            store: Mutex::new(store),
            clock,
            config,
        }
    }

    /// The mock's clock, in milliseconds since the epoch.
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The 15-character org id that starts every access token.
    pub(crate) fn org_id15(&self) -> &str {
        self.org_id.get(..15).unwrap_or(&self.org_id)
    }

    /// The mutable part, purged of what has expired when a purge is due; a
    /// poisoned lock is still usable (no invariant spans a panic).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        let now_ms = self.now_ms();
        let mut store = self
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        store.purge_if_due(now_ms);
        store
    }

    /// The configured app (or those from source) first, then the built-in ones.
    pub(crate) fn app(&self, client_id: &str) -> Option<Arc<ConnectedApp>> {
        self.apps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|app| app.client_id == client_id)
            .cloned()
    }

    /// Every app served, in order.
    pub(crate) fn apps(&self) -> Vec<Arc<ConnectedApp>> {
        self.apps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The org's metadata; a poisoned lock is still usable, as with `store`.
    pub(crate) fn metadata(&self) -> MutexGuard<'_, OrgMetadata> {
        self.metadata
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A line about what this request changed (at most 100 wait).
    pub(crate) fn note(&self, line: String) {
        let mut notes = self
            .notes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if notes.len() < 100 {
            notes.push(line);
        }
    }

    /// The lines noted since the last call.
    pub(crate) fn take_notes(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .notes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The org's switches as they are now.
    pub(crate) fn org_settings(&self) -> OrgSettings {
        self.org_settings
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Sets some of the org's switches (`org_settings` keys, as a deploy of
    /// `OauthOidc` settings gives them); keys or values the settings do not
    /// take change nothing.
    pub(crate) fn set_org_settings(&self, keys: &serde_json::Map<String, serde_json::Value>) {
        if keys.is_empty() {
            return;
        }
        let mut settings = self
            .org_settings
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Ok(serde_json::Value::Object(mut now)) = serde_json::to_value(&*settings) else {
            return;
        };
        for (key, value) in keys {
            if now.contains_key(key) {
                now.insert(key.clone(), value.clone());
            }
        }
        if let Ok(changed) = serde_json::from_value(serde_json::Value::Object(now)) {
            *settings = changed;
        }
    }

    /// Serves the apps the org's metadata now holds (after a deploy).
    pub(crate) fn refresh_apps(&self) {
        let apps = served(&self.config, &self.metadata());
        *self
            .apps
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = apps;
    }

    /// Whether `uri` is a callback URL of one of the org's apps.
    pub(crate) fn is_callback_url(&self, uri: &str) -> bool {
        self.apps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|app| app.callback_urls.iter().any(|url| url == uri))
    }

    pub(crate) fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|user| user.user.username.eq_ignore_ascii_case(username))
    }

    pub(crate) fn user_by_id(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|user| user.id == id)
    }

    pub(crate) fn users(&self) -> &[User] {
        &self.users
    }

    /// The org's records; a poisoned lock is still usable, as with `store`.
    pub(crate) fn records(&self) -> MutexGuard<'_, RecordStore> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one API call and returns the total so far.
    pub(crate) fn count_api_call(&self) -> u64 {
        self.api_calls.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The identity URL of a user, on the host the request came to.
    pub(crate) fn identity_url(&self, base_url: &str, user_id: &str) -> String {
        format!("{base_url}/id/{}/{user_id}", self.org_id)
    }

    /// The access token grant behind a bearer token, if it is live.
    pub(crate) fn session(&self, access_token: &str) -> Option<Grant> {
        let store = self.store();
        let grant = store.access_tokens.get(access_token)?;
        grant.is_live(self.now_ms()).then(|| grant.clone())
    }
}

/// The configured app unless it came from source, the apps from the org's
/// metadata, the Salesforce CLI's.
fn served(config: &MockConfig, metadata: &OrgMetadata) -> Vec<Arc<ConnectedApp>> {
    let mut apps = Vec::new();
    if config.sources.primary.is_none() {
        apps.push(Arc::new(config.connected_app.clone()));
    }
    apps.extend(metadata.served_apps());
    apps.push(Arc::new(ConnectedApp::platform_cli()));
    apps
}

/// When something issued now with `lifetime` expires (ms since epoch).
pub(crate) fn expiry(lifetime: &str, now_ms: u64) -> u64 {
    expiry_after(parse_duration(lifetime).unwrap_or(Duration::ZERO), now_ms)
}

/// `now_ms` plus `lifetime`.
pub(crate) fn expiry_after(lifetime: Duration, now_ms: u64) -> u64 {
    now_ms.saturating_add(millis(lifetime))
}

/// A refresh token's expiry under the app's policy.
pub(crate) fn refresh_expiry(app: &ConnectedApp, now_ms: u64) -> Option<u64> {
    RefreshPolicy::parse(&app.refresh_token_policy)
        .unwrap_or(RefreshPolicy::Infinite)
        .expiry(now_ms)
}

#[cfg(test)]
mod tests;
