//! What an exchange carries, in a few words, for the diagram's arrows and
//! the summary: `code + code_verifier`, `302 → ?code&state`,
//! `200 access_token, refresh_token`, `400 invalid_grant`.

use serde_json::Value;

use crate::log::{Body, Exchange};

use super::exchange::{body_json, header, path_of, status_line};

/// Token response fields worth naming, in the order they are named.
const TOKEN_FIELDS: [&str; 6] = [
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "user_code",
    "active",
];

/// Whether an exchange is the person's business in the browser: the login
/// host's pages and forms, not the protocol's messages (the redirect to the
/// callback listener is one).
pub(super) fn is_person(ex: &Exchange) -> bool {
    ex.role != crate::log::Role::Protocol
        || (ex.from == crate::log::Party::Browser && ex.to != crate::log::Party::Callback)
}

/// A step's exchanges in order, cut into runs: each run is either the
/// person's pages and forms in a row, or one protocol message.
pub(super) fn runs(exchanges: &[Exchange]) -> Vec<&[Exchange]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < exchanges.len() {
        let mut end = i;
        while end < exchanges.len() && is_person(&exchanges[end]) {
            end += 1;
        }
        let end = end.max(i + 1);
        out.push(&exchanges[i..end]);
        i = end;
    }
    out
}

/// Whether a run of the person's exchanges shows them doing something (a
/// form posted), not only a page refusing the request.
pub(super) fn acts(run: &[Exchange]) -> bool {
    run.iter()
        .any(|ex| ex.role == crate::log::Role::Interaction)
}

/// `POST /services/oauth2/token` and what the request carries, if it says.
pub(super) fn request(ex: &Exchange) -> String {
    let line = format!("{} {}", ex.request.method, path_of(&ex.request.url));
    match carries(ex) {
        Some(what) if what.starts_with(['?', '#']) => format!("{line}{what}"),
        Some(what) => format!("{line} ({what})"),
        None => line,
    }
}

/// What a request carries: the grant's credentials, a bearer token, the
/// authorization request's PKCE challenge.
pub(super) fn carries(ex: &Exchange) -> Option<String> {
    if let Some(Body::Form(fields)) = &ex.request.body {
        let has = |name: &str| fields.iter().any(|(k, _)| k == name);
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if field("response_type") == Some("device_code") {
            return Some("client_id, scope".to_owned());
        }
        let with_secret = |what: &str| {
            if has("client_secret") {
                format!("{what} + client_secret")
            } else {
                what.to_owned()
            }
        };
        return match field("grant_type") {
            Some("authorization_code") if has("code_verifier") => {
                Some(with_secret("code + code_verifier"))
            }
            Some("authorization_code") => Some(with_secret("code")),
            Some("password") => Some("username + password".to_owned()),
            Some("refresh_token") => Some(with_secret("refresh_token")),
            Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
                Some("signed JWT assertion".to_owned())
            }
            Some("client_credentials") => Some("client_id + client_secret".to_owned()),
            Some("device" | "urn:ietf:params:oauth:grant-type:device_code") => {
                Some("device code".to_owned())
            }
            Some(_) => None,
            None if has("token") => Some("token".to_owned()),
            None => None,
        };
    }
    if path_of(&ex.request.url).ends_with("/oauth2/authorize") && ex.request.method == "GET" {
        let query = ex.request.url.split_once('?').map_or("", |(_, q)| q);
        let pkce = query.split('&').any(|p| p.starts_with("code_challenge="));
        return Some(
            if pkce {
                "code_challenge, state"
            } else {
                "state"
            }
            .to_owned(),
        );
    }
    if ex.to == crate::log::Party::Callback && ex.request.method == "GET" {
        let keys = redirect_keys(&ex.request.url);
        if keys.starts_with(['?', '#']) {
            return Some(keys);
        }
    }
    header(&ex.request.headers, "authorization")
        .filter(|v| v.to_ascii_lowercase().starts_with("bearer "))
        .map(|_| "Bearer access_token".to_owned())
}

/// The answer in a few words: the redirect's parameters, the tokens, the error.
pub(super) fn response(ex: &Exchange) -> String {
    let Some(resp) = &ex.response else {
        return ex.error.clone().unwrap_or_else(|| "no response".to_owned());
    };
    if let Some(location) = header(&resp.headers, "location") {
        return format!("{} → {}", resp.status, redirect_keys(location));
    }
    let json = resp.body.as_ref().map(body_json);
    if let Some(Value::Object(map)) = &json {
        if let Some(error) = map.get("error").and_then(Value::as_str) {
            return format!("{} {error}", resp.status);
        }
        let named: Vec<&str> = TOKEN_FIELDS
            .into_iter()
            .filter(|f| map.get(*f).is_some_and(|v| !v.is_null()))
            .collect();
        if !named.is_empty() {
            return format!("{} {}", resp.status, named.join(", "));
        }
    }
    status_line(resp.status)
}

/// `?code&state` or `#access_token&…`: the names a redirect carries.
pub(super) fn redirect_keys(location: &str) -> String {
    let (mark, params) = match (location.split_once('#'), location.split_once('?')) {
        (Some((_, fragment)), _) => ('#', fragment),
        (None, Some((_, query))) => ('?', query),
        (None, None) => return path_of(location).to_owned(),
    };
    let names: Vec<String> = form_urlencoded::parse(params.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    if names.len() > 3 {
        return format!("{mark}{}&{}&…", names[0], names[1]);
    }
    format!("{mark}{}", names.join("&"))
}
