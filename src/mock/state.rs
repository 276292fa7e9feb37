//! The mock org's memory: its apps and users (fixed at start), its records and
//! the codes, tokens and login sessions it hands out (every map keyed by the
//! random value itself, so concurrent flows never cross).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::config::{ConnectedApp, MockConfig, MockUser};
use super::duration::{RefreshPolicy, millis, parse_duration};
use super::random::{Randomness, salesforce_id};
use super::sobjects::store::{RecordStore, Seed};

/// A user with its id.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) user: MockUser,
}

/// What an authorization code stands for.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) user_id: String,
    pub(crate) scopes: Vec<String>,
    /// `(code_challenge, method)`, method `S256` or `plain`.
    pub(crate) challenge: Option<(String, String)>,
    /// The authorize request's `nonce`, for the `id_token`.
    pub(crate) nonce: Option<String>,
    pub(crate) expires_ms: u64,
    pub(crate) used: bool,
}

/// What an access or refresh token grants.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// Shared with every grant of the same app, user and scopes (see [`Interned`]).
    pub(crate) client_id: Arc<str>,
    pub(crate) user_id: Arc<str>,
    pub(crate) scopes: Arc<[String]>,
    pub(crate) issued_ms: u64,
    /// `None`: never expires.
    pub(crate) expires_ms: Option<u64>,
    /// For an access token: the refresh token it came with or from (revoking
    /// that refresh token revokes it too).
    pub(crate) refresh_token: Option<String>,
}

impl Grant {
    pub(crate) fn is_live(&self, now_ms: u64) -> bool {
        self.expires_ms.is_none_or(|expires| now_ms < expires)
    }
}

/// Tokens and what they grant, in shards: under load a mock holds hundreds
/// of thousands of tokens, and one map that size stops every request for
/// tens of milliseconds each time it grows; a shard grows a 64th as much.
pub(crate) struct Tokens {
    /// Hashed with foldhash: the keys are the mock's own random tokens, and
    /// SipHash over a hundred characters was a twentieth of the token
    /// endpoint's time.
    shards: Vec<HashMap<String, Grant, foldhash::fast::RandomState>>,
}

impl Tokens {
    const SHARDS: usize = 64;

    fn new() -> Self {
        Tokens {
            shards: (0..Self::SHARDS)
                .map(|_| HashMap::with_hasher(foldhash::fast::RandomState::default()))
                .collect(),
        }
    }

    /// Tokens are random: their last characters spread them evenly.
    fn shard(token: &str) -> usize {
        let hash = token.bytes().rev().take(4).fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        hash % Self::SHARDS
    }

    pub(crate) fn get(&self, token: &str) -> Option<&Grant> {
        self.shards[Self::shard(token)].get(token)
    }

    pub(crate) fn insert(&mut self, token: String, grant: Grant) {
        self.shards[Self::shard(&token)].insert(token, grant);
    }

    pub(crate) fn remove(&mut self, token: &str) -> Option<Grant> {
        self.shards[Self::shard(token)].remove(token)
    }

    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str, &Grant) -> bool) {
        for shard in &mut self.shards {
            shard.retain(|token, grant| keep(token, grant));
        }
    }
}

/// One shared copy of each client id, user id and scope list that grants
/// hold: under load a mock holds hundreds of thousands of grants, and three
/// allocations fewer per token made the token endpoint a tenth faster.
#[derive(Default)]
pub(crate) struct Interned {
    names: HashMap<Box<str>, Arc<str>>,
    scopes: HashMap<Box<[String]>, Arc<[String]>>,
}

impl Interned {
    pub(crate) fn name(&mut self, name: &str) -> Arc<str> {
        if let Some(shared) = self.names.get(name) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(name);
        self.names.insert(name.into(), Arc::clone(&shared));
        shared
    }

    pub(crate) fn scopes(&mut self, scopes: &[String]) -> Arc<[String]> {
        if let Some(shared) = self.scopes.get(scopes) {
            return Arc::clone(shared);
        }
        let shared: Arc<[String]> = Arc::from(scopes);
        self.scopes.insert(scopes.into(), Arc::clone(&shared));
        shared
    }
}

/// Everything that changes while the mock runs.
pub(crate) struct Store {
    pub(crate) interned: Interned,
    pub(crate) random: Randomness,
    pub(crate) codes: HashMap<String, AuthCode>,
    pub(crate) access_tokens: Tokens,
    pub(crate) refresh_tokens: Tokens,
    /// Login session cookie value → user id.
    pub(crate) sessions: HashMap<String, String>,
    /// Device flow: device code → its state.
    pub(crate) devices: HashMap<String, DeviceGrant>,
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

/// A device code and what it stands for.
#[derive(Debug, Clone)]
pub(crate) struct DeviceGrant {
    pub(crate) client_id: String,
    pub(crate) user_code: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_ms: u64,
    pub(crate) interval_ms: u64,
    /// The last poll that was not told to slow down.
    pub(crate) last_poll_ms: Option<u64>,
    pub(crate) status: DeviceStatus,
}

/// The mock org.
pub(crate) struct MockState {
    pub(crate) config: MockConfig,
    pub(crate) org_id: String,
    apps: Vec<ConnectedApp>,
    users: Vec<User>,
    /// Every sObject record, seeded from the configuration.
    records: Mutex<RecordStore>,
    api_calls: AtomicU64,
    store: Mutex<Store>,
}

impl MockState {
    pub(crate) fn new(config: MockConfig, seed: Option<u64>) -> Self {
        let users: Vec<User> = config
            .users
            .iter()
            .zip(1..)
            .map(|(user, n)| User {
                id: salesforce_id("005", n),
                user: user.clone(),
            })
            .collect();
        let apps = vec![config.connected_app.clone(), ConnectedApp::platform_cli()];
        let store = Store {
            random: Randomness::new(seed),
            interned: Interned::default(),
            codes: HashMap::new(),
            access_tokens: Tokens::new(),
            refresh_tokens: Tokens::new(),
            sessions: HashMap::new(),
            devices: HashMap::new(),
        };
        let org_id = salesforce_id("00D", 1);
        let records = RecordStore::new(&Seed {
            records: &config.records,
            users: &users,
            org_id: &org_id,
            now_ms: now_ms(),
        });
        MockState {
            records: Mutex::new(records),
            config,
            org_id,
            apps,
            users,
            api_calls: AtomicU64::new(0),
            store: Mutex::new(store),
        }
    }

    /// The 15-character org id that starts every access token.
    pub(crate) fn org_id15(&self) -> &str {
        self.org_id.get(..15).unwrap_or(&self.org_id)
    }

    /// The mutable part; a poisoned lock is still usable (no invariant spans a panic).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The configured app first, then the built-in ones.
    pub(crate) fn app(&self, client_id: &str) -> Option<&ConnectedApp> {
        self.apps.iter().find(|app| app.client_id == client_id)
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
        grant.is_live(now_ms()).then(|| grant.clone())
    }
}

/// When something issued now with `lifetime` expires (ms since epoch).
pub(crate) fn expiry(lifetime: &str, now_ms: u64) -> u64 {
    let lifetime = parse_duration(lifetime).unwrap_or(Duration::ZERO);
    now_ms.saturating_add(millis(lifetime))
}

/// A refresh token's expiry under the app's policy.
pub(crate) fn refresh_expiry(app: &ConnectedApp, now_ms: u64) -> Option<u64> {
    RefreshPolicy::parse(&app.refresh_token_policy)
        .unwrap_or(RefreshPolicy::Infinite)
        .expiry(now_ms)
}

/// Milliseconds since the Unix epoch: the mock's one clock.
pub(crate) fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    millis(since)
}
