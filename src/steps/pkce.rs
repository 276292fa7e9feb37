//! `pkce`: a code verifier and its challenge, made here or by the org's
//! generator endpoint.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::keys::{KeySpec, Ty, key};
use crate::log::Party;
use crate::net::client::Request;
use crate::secret::Class;

use super::{Ctx, StepError};

pub const TITLE: &str = "PKCE Generated";

pub const KEYS: &[KeySpec] = &[
    key(
        "method",
        Ty::Enum(&["S256", "plain"]),
        "challenge method (default S256)",
    ),
    key(
        "length",
        Ty::Int { min: 43, max: 128 },
        "verifier length, 43–128 (default 64)",
    ),
    key(
        "generator",
        Ty::Enum(&["local", "server"]),
        "make the pair locally or with the org's /services/oauth2/pkce/generator",
    ),
];

/// Characters of a generated code verifier (Salesforce refuses `~`).
const VERIFIER_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    method: Option<Method>,
    length: Option<u64>,
    generator: Option<Generator>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Method {
    #[default]
    S256,
    #[serde(rename = "plain")]
    Plain,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Generator {
    #[default]
    Local,
    Server,
}

#[derive(Debug, Default, Serialize)]
pub struct Output {
    code_verifier: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

pub async fn run(ctx: &mut Ctx<'_>, p: Params) -> Result<Output, StepError> {
    let length = p.length.unwrap_or(64);
    if !(43..=128).contains(&length) {
        return Err(StepError::input(format!(
            "`length` must be between 43 and 128, found {length}"
        )));
    }
    let method = p.method.unwrap_or_default();
    let verifier = match p.generator.unwrap_or_default() {
        Generator::Server => from_generator(ctx).await?,
        Generator::Local => (0..length)
            .map(|_| {
                char::from(VERIFIER_ALPHABET[ctx.rng.random_range(0..VERIFIER_ALPHABET.len())])
            })
            .collect(),
    };
    let (challenge, method_name) = match method {
        Method::S256 => (
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            "S256",
        ),
        Method::Plain => (verifier.clone(), "plain"),
    };
    ctx.redactor
        .secret("code_verifier", &verifier, Class::Token);
    if method == Method::S256 {
        ctx.redactor.volatile("code_challenge", &challenge);
    }
    Ok(Output {
        code_verifier: Some(verifier),
        code_challenge: Some(challenge),
        code_challenge_method: Some(method_name.to_owned()),
    })
}

/// `GET /services/oauth2/pkce/generator`.
async fn from_generator(ctx: &mut Ctx<'_>) -> Result<String, StepError> {
    let url = format!("{}/services/oauth2/pkce/generator", ctx.login_url());
    let timeout = ctx.settings.step_timeout();
    let reply = ctx.send(Request::get(url, timeout, Party::Runner)).await?;
    reply
        .json
        .as_ref()
        .and_then(|j| j.get("code_verifier"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| StepError::failed("the PKCE generator sent no code_verifier"))
}
