//! Which OAuth flows a run went through, read from its step log (the
//! authorize request's `response_type`, each token request's `grant_type`,
//! the endpoints called), so that a walkthrough can say when to use the
//! flow, what to set on the app, what to keep safe and which errors to
//! expect — for every user's scenarios, not only the bundled ones.

use serde_json::Value;

use crate::log::{Body, Kind, ScenarioLog, StepLog};

use super::exchange::path_of;

/// A flow, named as the doctor's table names it (`flows:` in `hints.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Flow {
    WebServer,
    UserAgent,
    Device,
    UsernamePassword,
    JwtBearer,
    ClientCredentials,
    RefreshToken,
    Revoke,
    Metadata,
    Rest,
}

impl Flow {
    /// The key of the doctor's table.
    pub(super) fn key(self) -> &'static str {
        match self {
            Flow::WebServer => "web_server",
            Flow::UserAgent => "user_agent",
            Flow::Device => "device",
            Flow::UsernamePassword => "username_password",
            Flow::JwtBearer => "jwt_bearer",
            Flow::ClientCredentials => "client_credentials",
            Flow::RefreshToken => "refresh_token",
            Flow::Revoke => "revoke",
            Flow::Metadata => "metadata",
            Flow::Rest => "rest",
        }
    }

    /// How a reader names it.
    pub(super) fn title(self) -> &'static str {
        match self {
            Flow::WebServer => "web server flow",
            Flow::UserAgent => "user-agent flow",
            Flow::Device => "device flow",
            Flow::UsernamePassword => "username-password flow",
            Flow::JwtBearer => "JWT bearer flow",
            Flow::ClientCredentials => "client credentials flow",
            Flow::RefreshToken => "refresh token flow",
            Flow::Revoke => "token revocation and introspection",
            Flow::Metadata => "Metadata API",
            Flow::Rest => "REST API",
        }
    }

    /// Whether it is a way to get a token (not an API used with one).
    pub(super) fn grants(self) -> bool {
        !matches!(self, Flow::Revoke | Flow::Metadata | Flow::Rest)
    }
}

/// What a run shows about its flows.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Flows {
    /// Each flow once, in the order the run first used it.
    pub(super) used: Vec<Flow>,
    /// The authorization request carried a PKCE challenge.
    pub(super) pkce: bool,
    /// An ID token was asked for (`openid` scope) or returned.
    pub(super) openid: bool,
}

impl Flows {
    /// The flow the page is about: the first way to a token, else the first API.
    pub(super) fn main(&self) -> Option<Flow> {
        self.used
            .iter()
            .copied()
            .find(|f| f.grants())
            .or_else(|| self.used.first().copied())
    }
}

/// The flows of a run.
pub(super) fn of(log: &ScenarioLog) -> Flows {
    let mut flows = Flows::default();
    for step in &log.steps {
        step_flows(step, &mut flows);
    }
    flows
}

fn step_flows(step: &StepLog, flows: &mut Flows) {
    let mut add = |flow: Flow| {
        if !flows.used.contains(&flow) {
            flows.used.push(flow);
        }
    };
    match step.kind {
        Kind::Authorize => {
            let params = authorize_params(step);
            let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            match param("response_type").map(String::as_str) {
                Some(t) if t.split(' ').any(|t| t == "token") && !t.contains("code") => {
                    add(Flow::UserAgent);
                }
                _ => add(Flow::WebServer),
            }
            if param("code_challenge").is_some() {
                flows.pkce = true;
            }
            if param("scope").is_some_and(|s| s.split(' ').any(|s| s == "openid")) {
                flows.openid = true;
            }
        }
        Kind::Jwt => {}
        Kind::Metadata => add(Flow::Metadata),
        Kind::Pkce | Kind::Callback | Kind::Set => {}
        Kind::Token | Kind::Request => {
            for ex in &step.exchanges {
                let path = path_of(&ex.request.url);
                if path.ends_with("/oauth2/token") {
                    if let Some(flow) = ex.request.body.as_ref().and_then(grant_flow) {
                        add(flow);
                    }
                } else if path.ends_with("/oauth2/revoke") || path.ends_with("/oauth2/introspect") {
                    add(Flow::Revoke);
                } else if path.starts_with("/services/Soap/m/") {
                    add(Flow::Metadata);
                } else if path.starts_with("/services/data") {
                    add(Flow::Rest);
                }
            }
        }
    }
    if step
        .result
        .get("id_token")
        .is_some_and(|v| !v.is_null() && v != "")
    {
        flows.openid = true;
    }
}

/// The flow a token request's form names.
fn grant_flow(body: &Body) -> Option<Flow> {
    let Body::Form(fields) = body else {
        return None;
    };
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if field("response_type").is_some_and(|v| v == "device_code") {
        return Some(Flow::Device);
    }
    Some(match field("grant_type")?.as_str() {
        "authorization_code" => Flow::WebServer,
        "password" => Flow::UsernamePassword,
        "refresh_token" => Flow::RefreshToken,
        "urn:ietf:params:oauth:grant-type:jwt-bearer" => Flow::JwtBearer,
        "client_credentials" => Flow::ClientCredentials,
        "device" | "urn:ietf:params:oauth:grant-type:device_code" => Flow::Device,
        _ => return None,
    })
}

/// The authorization request's parameters: from the URL the step built,
/// else from its inputs.
pub(super) fn authorize_params(step: &StepLog) -> Vec<(String, String)> {
    if let Some(url) = step.result.get("url").and_then(Value::as_str)
        && let Some((_, query)) = url.split_once('?')
    {
        let query = query.split('#').next().unwrap_or_default();
        return form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    }
    match step.inputs.get("params") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), super::exchange::value_text(v)))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::{Flow, of};

    #[test]
    fn the_pkce_fixture_is_the_web_server_flow_with_pkce() {
        let flows = of(&pkce_flow());
        assert_eq!(flows.main(), Some(Flow::WebServer));
        assert!(flows.pkce);
        assert!(flows.used.contains(&Flow::Rest));
    }

    #[test]
    fn a_failed_exchange_still_names_its_flow() {
        assert_eq!(of(&failed_token_flow()).main(), Some(Flow::WebServer));
    }
}
