//! Issuing access, refresh and ID tokens, shared by the token endpoint, the
//! user-agent flow and the device flow, and the token response's fields,
//! which differ by grant as Salesforce's do.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use super::id_token::id_token;
use crate::mock::config::ConnectedApp;
use crate::mock::state::{Grant, MockState, expiry, refresh_expiry};

/// Which grant a token response answers: its fields differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Authorization code, refresh token and device flows: every field.
    Full,
    /// Username-password: no `scope` (Salesforce's samples have none).
    Password,
    /// JWT bearer: `access_token`, `scope`, `instance_url`, `id`,
    /// `token_type` only (no `signature`, no `issued_at`).
    JwtBearer,
    /// Client credentials: every field, and `api_instance_url`.
    ClientCredentials,
}

/// One token response, fields in Salesforce's order.
#[derive(Debug, Clone)]
pub(crate) struct TokenSet {
    pub(crate) answer: Answer,
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) signature: String,
    pub(crate) scope: String,
    pub(crate) id_token: Option<String>,
    pub(crate) instance_url: String,
    pub(crate) id: String,
    pub(crate) issued_at: String,
}

/// Whether granted scopes allow a refresh token.
pub(crate) fn allows_refresh(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|scope| scope == "refresh_token" || scope == "offline_access")
}

/// What to issue, for whom.
pub(crate) struct Issue<'a> {
    pub(crate) app: &'a ConnectedApp,
    pub(crate) user_id: &'a str,
    pub(crate) scopes: &'a [String],
    pub(crate) base_url: &'a str,
    /// Issue a refresh token too.
    pub(crate) with_refresh: bool,
    /// The refresh token this access token is made from (a refresh without
    /// rotation): revoking it revokes the new access token too.
    pub(crate) from_refresh: Option<&'a str>,
    /// Add an `id_token` when `openid` is granted (the web server,
    /// user-agent, device and refresh token flows).
    pub(crate) id_token: bool,
    /// The authorize request's `nonce`, echoed in the `id_token`.
    pub(crate) nonce: Option<&'a str>,
    /// The fields of the response.
    pub(crate) answer: Answer,
}

impl<'a> Issue<'a> {
    /// An access token alone: no refresh token, no `id_token`.
    pub(crate) fn new(
        app: &'a ConnectedApp,
        user_id: &'a str,
        scopes: &'a [String],
        base_url: &'a str,
    ) -> Self {
        Issue {
            app,
            user_id,
            scopes,
            base_url,
            with_refresh: false,
            from_refresh: None,
            id_token: false,
            nonce: None,
            answer: Answer::Full,
        }
    }

    /// A response with the fields of `answer`'s grant.
    pub(crate) fn answering(mut self, answer: Answer) -> Self {
        self.answer = answer;
        self
    }

    /// With a refresh token when the scopes allow one, and an `id_token`
    /// when `openid` is granted: what an interactive flow gets.
    pub(crate) fn interactive(mut self, nonce: Option<&'a str>) -> Self {
        self.with_refresh = allows_refresh(self.scopes);
        self.id_token = true;
        self.nonce = nonce;
        self
    }
}

/// Makes and records an access token (and a refresh token when asked).
pub(crate) fn issue(state: &MockState, what: &Issue<'_>) -> TokenSet {
    let now = state.now_ms();
    let mut store = state.store();
    let client_id = store.interned.name(&what.app.client_id);
    let user_id = store.interned.name(what.user_id);
    let scopes = store.interned.scopes(what.scopes);
    let grant = |expires_ms, refresh_token: Option<&str>| Grant {
        client_id: Arc::clone(&client_id),
        user_id: Arc::clone(&user_id),
        scopes: Arc::clone(&scopes),
        issued_ms: now,
        expires_ms,
        refresh_token: refresh_token.map(str::to_string),
    };
    let access_token = store.random.access_token(state.org_id15());
    let refresh_token = what.with_refresh.then(|| {
        let token = store.random.refresh_token();
        let expires = refresh_expiry(what.app, now);
        store
            .refresh_tokens
            .insert(token.clone(), grant(expires, None));
        token
    });
    let access_expiry = expiry(&what.app.access_token_lifetime, now);
    let family = refresh_token.as_deref().or(what.from_refresh);
    store
        .access_tokens
        .insert(access_token.clone(), grant(Some(access_expiry), family));
    drop(store);
    let id = state.identity_url(what.base_url, what.user_id);
    let openid = what.id_token && what.scopes.iter().any(|scope| scope == "openid");
    let id_token = openid
        .then(|| id_token(state, what, &access_token, &id, now))
        .flatten();
    let issued_at = now.to_string();
    TokenSet {
        answer: what.answer,
        access_token,
        refresh_token,
        signature: signature(&what.app.client_secret, &id, &issued_at),
        scope: what.scopes.join(" "),
        id_token,
        instance_url: what.base_url.to_string(),
        id,
        issued_at,
    }
}

/// `base64(HMAC-SHA256(key = client secret, id + issued_at))`.
fn signature(client_secret: &str, id: &str, issued_at: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(id.as_bytes());
            mac.update(issued_at.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => String::new(),
    }
}

impl TokenSet {
    /// The token endpoint's JSON body.
    pub(crate) fn to_json(&self) -> Value {
        let mut body = Map::with_capacity(10);
        for (key, value) in self.pairs() {
            body.insert(key.to_string(), Value::from(value));
        }
        Value::Object(body)
    }

    /// `(field, value)` in the order of a real response, the fields its
    /// grant's response has.
    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let jwt = self.answer == Answer::JwtBearer;
        let mut pairs = vec![("access_token", self.access_token.clone())];
        if let Some(refresh_token) = &self.refresh_token {
            pairs.push(("refresh_token", refresh_token.clone()));
        }
        if !jwt {
            pairs.push(("signature", self.signature.clone()));
        }
        if self.answer != Answer::Password {
            pairs.push(("scope", self.scope.clone()));
        }
        if let Some(id_token) = &self.id_token {
            pairs.push(("id_token", id_token.clone()));
        }
        pairs.extend([
            ("instance_url", self.instance_url.clone()),
            ("id", self.id.clone()),
            ("token_type", "Bearer".to_string()),
        ]);
        if !jwt {
            pairs.push(("issued_at", self.issued_at.clone()));
        }
        if self.answer == Answer::ClientCredentials {
            // The mock's own URL stands for Salesforce's API host.
            pairs.push(("api_instance_url", self.instance_url.clone()));
        }
        pairs
    }

    /// The user-agent flow's fragment fields, in the documented order.
    pub(crate) fn fragment_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("access_token", self.access_token.clone())];
        if let Some(refresh_token) = &self.refresh_token {
            pairs.push(("refresh_token", refresh_token.clone()));
        }
        pairs.extend([
            ("instance_url", self.instance_url.clone()),
            ("id", self.id.clone()),
            ("issued_at", self.issued_at.clone()),
            ("signature", self.signature.clone()),
            ("scope", self.scope.clone()),
        ]);
        if let Some(id_token) = &self.id_token {
            pairs.push(("id_token", id_token.clone()));
        }
        pairs.push(("token_type", "Bearer".to_string()));
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signature_is_base64_hmac() {
        // Same inputs as omniauth-salesforce's verification: 44 chars, padded.
        let value = signature("secret", "https://x/id/00D/005", "1278448832702");
        assert_eq!(value.len(), 44);
        assert!(value.ends_with('='));
    }
}
