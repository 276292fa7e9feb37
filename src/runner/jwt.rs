//! `jwt`: signs an RS256 assertion for the JWT bearer flow.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value};

use crate::runner::run::{Run, StepError};
use crate::runner::steps::{get_str, text};
use crate::secret::Class;

impl Run<'_> {
    pub(crate) fn jwt(&mut self, params: &Value) -> Result<Value, StepError> {
        let alg = get_str(params, "alg").unwrap_or("RS256");
        if alg != "RS256" {
            return Err(StepError::input(format!(
                "`alg` {alg} is not supported (RS256)"
            )));
        }
        let pem = match params.get("key") {
            Some(v) => text(v).unwrap_or_default(),
            None => self.org_str("private_key"),
        };
        if pem.trim().is_empty() {
            return Err(StepError::failed(
                "no private key: give `key`, or set SF_PRIVATE_KEY_FILE for `org.private_key`",
            ));
        }
        self.redactor.secret("private_key", &pem, Class::Credential);
        let key = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| {
            StepError::failed(format!("the private key is not an RSA PEM key: {e}"))
        })?;
        let claims = self.claims(params)?;
        let assertion = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key)
            .map_err(|e| StepError::failed(format!("cannot sign the assertion: {e}")))?;
        self.redactor.secret("assertion", &assertion, Class::Token);
        let mut result = Map::new();
        result.insert("assertion".into(), assertion.into());
        result.insert("claims".into(), claims.into());
        Ok(result.into())
    }

    /// The claims, with durations (`exp: 3m`) turned into epoch seconds.
    fn claims(&mut self, params: &Value) -> Result<Map<String, Value>, StepError> {
        let mut claims = match params.get("claims") {
            Some(Value::Object(m)) => m.clone(),
            None => Map::new(),
            Some(_) => return Err(StepError::input("`claims` must be a map")),
        };
        let now = self.clock.now_secs();
        for key in ["exp", "iat", "nbf"] {
            let Some(Value::String(s)) = claims.get(key) else {
                continue;
            };
            if let Some(d) = crate::duration::parse(s) {
                let at = now + d.as_secs();
                self.redactor.clock("timestamp", &at.to_string());
                claims.insert(key.into(), at.into());
            } else if s.trim() == "now" {
                self.redactor.clock("timestamp", &now.to_string());
                claims.insert(key.into(), now.into());
            }
        }
        Ok(claims)
    }
}
