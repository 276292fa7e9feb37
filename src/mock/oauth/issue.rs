//! Issuing access and refresh tokens, shared by the token endpoint and the
//! user-agent flow.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::mock::config::ConnectedApp;
use crate::mock::state::{Grant, MockState, expiry, now_ms, refresh_expiry};

/// One token response, fields in Salesforce's order.
#[derive(Debug, Clone)]
pub(crate) struct TokenSet {
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) signature: String,
    pub(crate) scope: String,
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
    pub(crate) with_refresh: bool,
    pub(crate) base_url: &'a str,
}

/// Makes and records an access token (and a refresh token when asked).
pub(crate) fn issue(state: &MockState, what: &Issue<'_>) -> TokenSet {
    let now = now_ms();
    let grant = |expires_ms| Grant {
        client_id: what.app.client_id.clone(),
        user_id: what.user_id.to_string(),
        scopes: what.scopes.to_vec(),
        expires_ms,
    };
    let mut store = state.store();
    let access_token = store.random.access_token(state.org_id15());
    let access_expiry = expiry(&what.app.access_token_lifetime, now);
    store
        .access_tokens
        .insert(access_token.clone(), grant(Some(access_expiry)));
    let refresh_token = what.with_refresh.then(|| {
        let token = store.random.refresh_token();
        store
            .refresh_tokens
            .insert(token.clone(), grant(refresh_expiry(what.app, now)));
        token
    });
    drop(store);
    let id = state.identity_url(what.base_url, what.user_id);
    let issued_at = now.to_string();
    TokenSet {
        access_token,
        refresh_token,
        signature: signature(&what.app.client_secret, &id, &issued_at),
        scope: what.scopes.join(" "),
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
        let mut body = Map::new();
        for (key, value) in self.pairs() {
            body.insert(key.to_string(), Value::from(value));
        }
        Value::Object(body)
    }

    /// `(field, value)` in the order of a real response.
    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("access_token", self.access_token.clone())];
        if let Some(refresh_token) = &self.refresh_token {
            pairs.push(("refresh_token", refresh_token.clone()));
        }
        pairs.extend([
            ("signature", self.signature.clone()),
            ("scope", self.scope.clone()),
            ("instance_url", self.instance_url.clone()),
            ("id", self.id.clone()),
            ("token_type", "Bearer".to_string()),
            ("issued_at", self.issued_at.clone()),
            ("api_instance_url", self.instance_url.clone()),
        ]);
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
            ("token_type", "Bearer".to_string()),
        ]);
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
