//! Steps that make no browser round trip: `pkce`, `set`, `token`, `request`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::Rng as _;
use serde_json::{Map, Value};

use crate::log::{Body, Party};
use crate::pkce;
use crate::runner::http::{Reply, Request};
use crate::runner::run::{Run, StepError};
use crate::secret::Class;

/// Form fields whose values are secret, and their class.
pub const SECRET_FIELDS: &[(&str, Class)] = &[
    ("client_secret", Class::Credential),
    ("password", Class::Credential),
    // Salesforce's login form calls the password `pw`.
    ("pw", Class::Credential),
    ("security_token", Class::Credential),
    ("code", Class::Token),
    ("code_verifier", Class::Token),
    ("refresh_token", Class::Token),
    ("access_token", Class::Token),
    ("id_token", Class::Token),
    ("assertion", Class::Token),
    ("client_assertion", Class::Token),
    ("device_code", Class::Token),
    ("token", Class::Token),
];

pub fn get_str<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params.get(key).and_then(Value::as_str)
}

/// Scalars as text (numbers allowed where strings are expected).
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A map parameter as ordered string pairs.
pub fn pairs(params: &Value, key: &str) -> Result<Vec<(String, String)>, StepError> {
    let Some(v) = params.get(key) else {
        return Ok(Vec::new());
    };
    let Some(map) = v.as_object() else {
        return Err(StepError::input(format!("`{key}` must be a map")));
    };
    let mut out = Vec::new();
    for (k, v) in map {
        match v {
            Value::Null => {} // a field rendered to none is left out
            other => {
                let t = text(other)
                    .ok_or_else(|| StepError::input(format!("`{key}.{k}` must be a scalar")))?;
                out.push((k.clone(), t));
            }
        }
    }
    Ok(out)
}

pub fn duration(params: &Value, key: &str) -> Result<Option<Duration>, StepError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => text(v)
            .and_then(|t| crate::duration::parse(&t))
            .map(Some)
            .ok_or_else(|| StepError::input(format!("`{key}` must be a duration like 30s"))),
    }
}

impl Run<'_> {
    pub(crate) async fn pkce(&mut self, params: &Value) -> Result<Value, StepError> {
        let method = get_str(params, "method").unwrap_or("S256").to_owned();
        if method != "S256" && method != "plain" {
            return Err(StepError::input("`method` must be S256 or plain"));
        }
        let length = params
            .get("length")
            .and_then(Value::as_u64)
            .unwrap_or(pkce::DEFAULT_LENGTH);
        let (min, max) = (pkce::GENERATED_MIN, pkce::GENERATED_MAX);
        if !i64::try_from(length).is_ok_and(|length| (min..=max).contains(&length)) {
            return Err(StepError::input(format!(
                "`length` must be between {min} and {max}, found {length}"
            )));
        }
        let verifier = if get_str(params, "generator") == Some("server") {
            let url = format!("{}/services/oauth2/pkce/generator", self.login_url());
            let reply = self
                .send(Request::get(url, self.cfg.step_timeout(), Party::Runner))
                .await?;
            reply
                .json
                .as_ref()
                .and_then(|j| j.get("code_verifier"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| StepError::failed("the PKCE generator sent no code_verifier"))?
        } else {
            (0..length)
                .map(|_| {
                    let alphabet = pkce::VERIFIER_ALPHABET;
                    char::from(alphabet[self.rng.random_range(0..alphabet.len())])
                })
                .collect()
        };
        let challenge = pkce::challenge(&verifier, &method);
        self.redactor
            .secret("code_verifier", &verifier, Class::Token);
        if method == "S256" {
            self.redactor.volatile("code_challenge", &challenge);
        }
        let mut r = Map::new();
        r.insert("code_verifier".into(), verifier.into());
        r.insert("code_challenge".into(), challenge.into());
        r.insert("code_challenge_method".into(), method.into());
        Ok(r.into())
    }

    pub(crate) fn set(&mut self, params: &Value) -> Result<Value, StepError> {
        let Some(map) = params.as_object() else {
            return Err(StepError::input("`set` takes a map"));
        };
        for (k, v) in map {
            self.set_var(k.clone(), v.clone());
            if self.scenario.is_secret(k)
                && let Some(t) = text(v)
            {
                self.redactor.secret(k, &t, Class::Credential);
            }
        }
        Ok(params.clone())
    }

    pub(crate) async fn token(&mut self, params: &Value) -> Result<Value, StepError> {
        let url = get_str(params, "url").map_or_else(
            || format!("{}/services/oauth2/token", self.login_url()),
            str::to_owned,
        );
        let form = pairs(params, "form")?;
        for (k, v) in &form {
            if let Some((_, class)) = SECRET_FIELDS.iter().find(|(n, _)| n == k) {
                self.redactor.secret(k, v, *class);
            }
        }
        let mut headers = vec![
            (
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            ),
            ("accept".to_owned(), "application/json".to_owned()),
        ];
        headers.extend(pairs(params, "headers")?);
        self.register_auth_headers(&headers);
        let timeout = duration(params, "timeout")?.unwrap_or(self.cfg.step_timeout());
        let req = Request {
            method: "POST".into(),
            url,
            headers,
            body: Some(Body::Form(form)),
            timeout,
            from: Party::Runner,
        };
        if let Some(poll) = params.get("poll") {
            return self.poll(req, poll).await;
        }
        let reply = self.send(req).await?;
        let result = self.token_result(&reply);
        self.note_device_code(&result);
        Ok(result)
    }

    /// The token response's fields at top level, plus status, headers, json, body.
    pub(crate) fn token_result(&mut self, reply: &Reply) -> Value {
        let mut result = Map::new();
        for field in TOKEN_FIELDS {
            result.insert((*field).into(), Value::Null);
        }
        if let Some(Value::Object(json)) = &reply.json {
            for (k, v) in json {
                result.insert(k.clone(), v.clone());
            }
        }
        self.learn_token_values(&result);
        if let (Some(Value::String(url)), Some(Value::String(token))) =
            (result.get("instance_url"), result.get("access_token"))
        {
            self.last_token = Some((url.clone(), token.clone()));
        }
        result.extend(reply.result());
        result.into()
    }

    /// Registers the secret and volatile values of a token response.
    pub(crate) fn learn_token_values(&mut self, fields: &Map<String, Value>) {
        for (name, class) in SECRET_FIELDS {
            if let Some(v) = fields.get(*name).and_then(Value::as_str) {
                self.redactor.secret(name, v, *class);
            }
        }
        if let Some(v) = fields.get("signature").and_then(Value::as_str) {
            self.redactor.clock("signature", v);
        }
        if let Some(v) = fields.get("issued_at").and_then(text) {
            self.redactor.clock("timestamp", &v);
        }
        if let Some(v) = fields.get("user_code").and_then(Value::as_str) {
            self.redactor.volatile("user_code", v);
        }
    }

    pub(crate) async fn request(&mut self, params: &Value) -> Result<Value, StepError> {
        let method = get_str(params, "method")
            .unwrap_or("GET")
            .to_ascii_uppercase();
        if !crate::scenario::schema::HTTP_METHODS.contains(&method.as_str()) {
            return Err(StepError::input(format!(
                "`method` {method} is not a standard HTTP method"
            )));
        }
        let url =
            get_str(params, "url").ok_or_else(|| StepError::input("`url` must be a string"))?;
        let mut url = reqwest::Url::parse(url)
            .map_err(|e| StepError::failed(format!("invalid URL `{url}`: {e}")))?;
        let query = pairs(params, "query")?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
        if let Some(token) = params.get("bearer").and_then(text) {
            self.redactor.secret("access_token", &token, Class::Token);
            headers.push(("authorization".into(), format!("Bearer {token}")));
        }
        let body = if let Some(json) = params.get("json") {
            headers.push(("content-type".into(), "application/json".into()));
            Some(Body::Json(json.clone()))
        } else if params.get("form").is_some() {
            headers.push((
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            Some(Body::Form(pairs(params, "form")?))
        } else {
            params.get("body").and_then(text).map(Body::Text)
        };
        for (k, v) in pairs(params, "headers")? {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
            headers.push((k, v));
        }
        self.register_auth_headers(&headers);
        let timeout = duration(params, "timeout")?.unwrap_or(self.cfg.step_timeout());
        let req = Request {
            method,
            url: url.to_string(),
            headers,
            body,
            timeout,
            from: Party::Runner,
        };
        let reply = self.send(req).await?;
        Ok(reply.result().into())
    }

    /// Secrets inside Authorization headers (Basic credentials, Bearer tokens).
    fn register_auth_headers(&mut self, headers: &[(String, String)]) {
        for (k, v) in headers {
            if !k.eq_ignore_ascii_case("authorization") {
                continue;
            }
            if let Some(token) = v.strip_prefix("Bearer ") {
                self.redactor
                    .secret("access_token", token.trim(), Class::Token);
            } else if let Some(basic) = v.strip_prefix("Basic ") {
                self.redactor
                    .secret("basic_credentials", basic.trim(), Class::Credential);
                if let Some(secret) = STANDARD
                    .decode(basic.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| s.split_once(':').map(|(_, p)| p.to_owned()))
                {
                    self.redactor
                        .secret("client_secret", &secret, Class::Credential);
                }
            }
        }
    }
}

/// Fields a token result always has (as none when the server did not send them).
pub const TOKEN_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "signature",
    "scope",
    "id_token",
    "instance_url",
    "id",
    "token_type",
    "issued_at",
    "api_instance_url",
    "error",
    "error_description",
];
