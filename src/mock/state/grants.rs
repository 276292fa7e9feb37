//! What the mock org hands out and remembers: authorization codes, grants
//! (access and refresh tokens), login sessions, frontdoor and device codes,
//! and the names and scopes they share.

use super::*;

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

impl Expiring for AuthCode {
    fn expires_ms(&self) -> Option<u64> {
        Some(self.expires_ms)
    }
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

    /// Whether the token may call the REST and SOAP APIs: it was granted
    /// `api` or `full` (an `openid`-only token may not).
    pub(crate) fn allows_api(&self) -> bool {
        self.scopes
            .iter()
            .any(|scope| scope == "api" || scope == "full")
    }
}

impl Expiring for Grant {
    fn expires_ms(&self) -> Option<u64> {
        self.expires_ms
    }
}

/// A login session (the `sid` cookie of the login and consent pages).
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) user_id: String,
    pub(crate) expires_ms: u64,
}

impl Session {
    /// Salesforce's default session timeout.
    pub(crate) const LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);
}

impl Expiring for Session {
    fn expires_ms(&self) -> Option<u64> {
        Some(self.expires_ms)
    }
}

/// A one-time code of a frontdoor URL (`/secur/frontdoor.jsp?otp=…`).
#[derive(Debug, Clone)]
pub(crate) struct FrontdoorCode {
    pub(crate) user_id: String,
    /// Where the new session starts (a path on the org).
    pub(crate) start_url: Option<String>,
    pub(crate) expires_ms: u64,
}

impl FrontdoorCode {
    /// Frontdoor URLs are short-lived.
    pub(crate) const LIFETIME: Duration = Duration::from_secs(60);
}

impl Expiring for FrontdoorCode {
    fn expires_ms(&self) -> Option<u64> {
        Some(self.expires_ms)
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

/// A device code and what it stands for.
#[derive(Debug, Clone)]
pub(crate) struct DeviceGrant {
    pub(crate) client_id: String,
    pub(crate) user_code: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_ms: u64,
    pub(crate) interval: Duration,
    /// The last poll that was not told to slow down. Polling too fast is a
    /// matter of real time, not of the mock's clock: a seeded run's clock
    /// barely moves while the device waits its interval.
    pub(crate) last_poll: Option<Instant>,
    pub(crate) status: DeviceStatus,
}

impl Expiring for DeviceGrant {
    fn expires_ms(&self) -> Option<u64> {
        Some(self.expires_ms)
    }
}
