//! `pkce`: a code verifier and its challenge, made here or by the org's
//! generator endpoint.

use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::{KeySpec, Ty, key};
use crate::log::Party;
use crate::net::client::Request;
use crate::pkce;
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
        Ty::Int {
            min: pkce::GENERATED_MIN,
            max: pkce::GENERATED_MAX,
        },
        "verifier length, 43–128 (default 64)",
    ),
    key(
        "generator",
        Ty::Enum(&["local", "server"]),
        "make the pair locally or with the org's /services/oauth2/pkce/generator",
    ),
];

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
    let length = p.length.unwrap_or(pkce::DEFAULT_LENGTH);
    let (min, max) = (pkce::GENERATED_MIN, pkce::GENERATED_MAX);
    if !i64::try_from(length).is_ok_and(|length| (min..=max).contains(&length)) {
        return Err(StepError::input(format!(
            "`length` must be between {min} and {max}, found {length}"
        )));
    }
    let method = p.method.unwrap_or_default();
    let verifier = match p.generator.unwrap_or_default() {
        Generator::Server => from_generator(ctx).await?,
        Generator::Local => (0..length)
            .map(|_| {
                let alphabet = pkce::VERIFIER_ALPHABET;
                char::from(alphabet[ctx.rng.random_range(0..alphabet.len())])
            })
            .collect(),
    };
    let method_name = match method {
        Method::S256 => "S256",
        Method::Plain => "plain",
    };
    let challenge = pkce::challenge(&verifier, method_name);
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
