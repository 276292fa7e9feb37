//! `jwt`: signs an RS256 assertion for the JWT bearer flow.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::keys::{KeySpec, Ty, key};
use crate::org::Org;
use crate::secret::Class;

use super::fields::Text;
use super::{Ctx, StepError};

pub const TITLE: &str = "JWT Assertion Signed";

pub const KEYS: &[KeySpec] = &[
    key(
        "claims",
        Ty::AnyMap,
        "claims; exp may be a duration like 3m",
    ),
    key(
        "key",
        Ty::Str,
        "PEM private key (default {{ org.private_key }})",
    ),
    key("alg", Ty::Enum(&["RS256"]), "signing algorithm"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    claims: Option<Map<String, Value>>,
    key: Option<Text>,
    alg: Option<Text>,
}

#[derive(Debug, Default, Serialize)]
pub struct Output {
    assertion: Option<String>,
    claims: Option<Map<String, Value>>,
}

pub fn run(ctx: &mut Ctx<'_>, p: Params) -> Result<Output, StepError> {
    let alg = p.alg.map_or_else(|| "RS256".to_owned(), |t| t.0);
    if alg != "RS256" {
        return Err(StepError::input(format!(
            "`alg` {alg} is not supported (RS256)"
        )));
    }
    let pem = match p.key {
        Some(t) => t.0,
        None => Org::text(ctx.org.private_key.as_ref()).to_owned(),
    };
    if pem.trim().is_empty() {
        return Err(StepError::failed(
            "no private key: give `key`, or set SF_PRIVATE_KEY_FILE for `org.private_key`",
        ));
    }
    ctx.redactor.secret("private_key", &pem, Class::Credential);
    let key = EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|e| StepError::failed(format!("the private key is not an RSA PEM key: {e}")))?;
    let claims = claims(ctx, p.claims.unwrap_or_default());
    let assertion = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key)
        .map_err(|e| StepError::failed(format!("cannot sign the assertion: {e}")))?;
    ctx.redactor.secret("assertion", &assertion, Class::Token);
    Ok(Output {
        assertion: Some(assertion),
        claims: Some(claims),
    })
}

/// The claims, with durations (`exp: 3m`) and `now` turned into epoch seconds.
fn claims(ctx: &mut Ctx<'_>, mut claims: Map<String, Value>) -> Map<String, Value> {
    let now = ctx.clock.now_secs();
    for key in ["exp", "iat", "nbf"] {
        let Some(Value::String(s)) = claims.get(key) else {
            continue;
        };
        let at = if s.trim() == "now" {
            now
        } else if let Some(d) = crate::duration::parse(s) {
            now + d.as_secs()
        } else {
            continue;
        };
        ctx.redactor.clock("timestamp", &at.to_string());
        claims.insert(key.into(), at.into());
    }
    claims
}
