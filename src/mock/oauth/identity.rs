//! The identity URL `/id/{orgId}/{userId}` (GET or POST), and what it shares
//! with `userinfo`: finding the caller's token and the user's `urls`.
//! Refusals are HTTP 403 with a plain-text code, as Salesforce's identity
//! service answers (`Bad_OAuth_Token`, …). The answer is JSON, XML or
//! URL-encoded, as `format` or `Accept` asks (`identity_format.rs`).

use hyper::StatusCode;
use serde_json::{Value, json};

use super::identity_format;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse, TEXT};
use crate::mock::state::{Grant, MockState, User};

/// Fixed profile facts of every mock user.
pub(crate) const TIMEZONE: &str = "America/Los_Angeles";
pub(crate) const UTC_OFFSET_MS: i64 = -28_800_000;
pub(crate) const LAST_MODIFIED: &str = "2024-01-01T00:00:00Z";

/// `GET|POST /id/{orgId}/{userId}`: the user's identity, to a token of that user.
pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let grant = match caller(state, request) {
        Ok(grant) => grant,
        Err(code) => return refuse(StatusCode::FORBIDDEN, code),
    };
    let ids: Vec<&str> = request
        .path
        .trim_start_matches("/id/")
        .trim_end_matches('/')
        .split('/')
        .collect();
    let [org_id, user_id] = ids.as_slice() else {
        return refuse(StatusCode::NOT_FOUND, "Bad_Id");
    };
    if !same_id(org_id, &state.org_id) {
        return refuse(StatusCode::FORBIDDEN, "Wrong_Org");
    }
    let Some(user) = state.users().iter().find(|user| same_id(user_id, &user.id)) else {
        return refuse(StatusCode::NOT_FOUND, "Bad_Id");
    };
    if *user.id != *grant.user_id {
        return refuse(StatusCode::FORBIDDEN, "No_Access");
    }
    let latest = format!("{}.0", state.org_settings().max_version());
    let version = match request.param("version") {
        None => "{version}",
        Some("latest") => latest.as_str(),
        Some(version) if is_version(version) => version,
        Some(_) => return refuse(StatusCode::NOT_ACCEPTABLE, "Invalid_Version"),
    };
    let body = identity(state, &request.base_url, user, version);
    identity_format::answer(request, &body)
}

/// The live access token of the request (a Bearer header, or an
/// `access_token` / `oauth_token` parameter), or the code to answer 403 with.
pub(crate) fn caller(state: &MockState, request: &MockRequest) -> Result<Grant, &'static str> {
    let token = request
        .bearer()
        .or_else(|| request.param("access_token"))
        .or_else(|| request.param("oauth_token"))
        .filter(|token| !token.is_empty());
    let Some(token) = token else {
        return Err("Missing_OAuth_Token");
    };
    state.session(token).ok_or("Bad_OAuth_Token")
}

/// A plain-text refusal such as `403 Bad_OAuth_Token`.
pub(crate) fn refuse(status: StatusCode, code: &str) -> MockResponse {
    response::body(status, TEXT, code.to_string())
}

fn identity(state: &MockState, base_url: &str, user: &User, version: &str) -> Value {
    let profile = &user.user;
    json!({
        "id": state.identity_url(base_url, &user.id),
        "asserted_user": true,
        "user_id": user.id,
        "organization_id": state.org_id,
        "username": profile.username,
        "nick_name": nickname(&profile.username),
        "display_name": display_name(user),
        "email": profile.email,
        "email_verified": true,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "timezone": TIMEZONE,
        "photos": photos(base_url),
        "addr_street": null,
        "addr_city": null,
        "addr_state": null,
        "addr_country": "US",
        "addr_zip": null,
        "mobile_phone": null,
        "mobile_phone_verified": false,
        "is_lightning_login_user": false,
        "status": { "created_date": null, "body": null },
        "urls": urls(state, base_url, &user.id, version),
        "active": profile.active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": UTC_OFFSET_MS,
        "last_modified_date": LAST_MODIFIED,
        "is_app_installed": true,
    })
}

/// The endpoints a client may call, with `{version}` where the API version goes.
pub(crate) fn urls(state: &MockState, base: &str, user_id: &str, version: &str) -> Value {
    let org = state.org_id15();
    let data = format!("{base}/services/data/v{version}");
    json!({
        "enterprise": format!("{base}/services/Soap/c/{version}/{org}"),
        "metadata": format!("{base}/services/Soap/m/{version}/{org}"),
        "partner": format!("{base}/services/Soap/u/{version}/{org}"),
        "rest": format!("{data}/"),
        "sobjects": format!("{data}/sobjects/"),
        "search": format!("{data}/search/"),
        "query": format!("{data}/query/"),
        "recent": format!("{data}/recent/"),
        "tooling_soap": format!("{base}/services/Soap/T/{version}/{org}"),
        "tooling_rest": format!("{data}/tooling/"),
        "profile": format!("{base}/{user_id}"),
        "feeds": format!("{data}/chatter/feeds"),
        "groups": format!("{data}/chatter/groups"),
        "users": format!("{data}/chatter/users"),
        "feed_items": format!("{data}/chatter/feed-items"),
        "feed_elements": format!("{data}/chatter/feed-elements"),
        "custom_domain": base,
    })
}

pub(crate) fn photos(base_url: &str) -> Value {
    json!({
        "picture": format!("{base_url}/profilephoto/005/F"),
        "thumbnail": format!("{base_url}/profilephoto/005/T"),
    })
}

/// What Salesforce derives from the username: its part before `@`.
pub(crate) fn nickname(username: &str) -> &str {
    username.split('@').next().unwrap_or(username)
}

pub(crate) fn display_name(user: &User) -> String {
    let name = format!("{} {}", user.user.first_name, user.user.last_name);
    name.trim().to_string()
}

/// 18-character ids also match by their 15-character prefix.
fn same_id(given: &str, id: &str) -> bool {
    given == id || (given.len() == 15 && id.starts_with(given))
}

fn is_version(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.')
}

#[cfg(test)]
mod tests;
