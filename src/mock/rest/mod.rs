//! The REST API on the instance: `/services/data` (versions), the version's
//! resource map, and sObject Basic Information. Everything below
//! `/services/data/vXX.X` needs a live access token.

use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::request::MockRequest;
use super::response::{self, MockResponse, not_found, rest_error};
use super::sobjects::SObjectKind;
use super::state::{Grant, MockState};

/// Oldest and newest API versions served (Winter '11 to Winter '25).
const FIRST_VERSION: u32 = 20;
const LATEST_VERSION: u32 = 62;
/// The org's daily API request allowance.
const API_LIMIT: u64 = 15_000;

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let rest = request
        .path
        .trim_start_matches("/services/data")
        .trim_matches('/');
    if rest.is_empty() {
        return get_only(request, versions);
    }
    let Some(grant) = request.bearer().and_then(|token| state.session(token)) else {
        return invalid_session();
    };
    let calls = state.count_api_call();
    let mut response = versioned(state, request, &grant, rest);
    let usage = format!("api-usage={calls}/{API_LIMIT}");
    if let Ok(value) = HeaderValue::from_str(&usage) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("sforce-limit-info"), value);
    }
    response
}

/// Routes `vXX.X/…` once the session is known.
fn versioned(state: &MockState, request: &MockRequest, grant: &Grant, rest: &str) -> MockResponse {
    let mut segments = rest.split('/');
    let Some(version) = segments.next().and_then(version) else {
        return not_found();
    };
    let segments: Vec<&str> = segments.collect();
    match segments.as_slice() {
        [] => get_only(request, || {
            resources(&version, &request.base_url, state, grant)
        }),
        ["sobjects", name] => match SObjectKind::find(name) {
            Some(kind) => get_only(request, || basic_information(state, kind, &version)),
            None => not_found(),
        },
        _ => not_found(),
    }
}

/// `v62.0` → `62.0`, for a version the mock serves.
fn version(segment: &str) -> Option<String> {
    let number = segment.strip_prefix('v')?.strip_suffix(".0")?;
    let number: u32 = number.parse().ok()?;
    (FIRST_VERSION..=LATEST_VERSION)
        .contains(&number)
        .then(|| format!("{number}.0"))
}

fn get_only(request: &MockRequest, handler: impl FnOnce() -> MockResponse) -> MockResponse {
    if request.method == Method::GET || request.method == Method::HEAD {
        handler()
    } else {
        let message = format!(
            "HTTP Method '{}' not allowed. Allowed are GET,HEAD",
            request.method
        );
        rest_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            &message,
        )
    }
}

fn invalid_session() -> MockResponse {
    let mut response = rest_error(
        StatusCode::UNAUTHORIZED,
        "INVALID_SESSION_ID",
        "Session expired or invalid",
    );
    response.headers_mut().insert(
        hyper::header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Token"),
    );
    response
}

/// `GET /services/data`: every version, oldest first.
fn versions() -> MockResponse {
    let list: Vec<Value> = (FIRST_VERSION..=LATEST_VERSION)
        .map(|number| {
            json!({
                "label": release_name(number),
                "url": format!("/services/data/v{number}.0"),
                "version": format!("{number}.0"),
            })
        })
        .collect();
    response::json(StatusCode::OK, &Value::Array(list))
}

/// `31` → `Summer '14`: three releases a year, Winter named for the next year.
fn release_name(version: u32) -> String {
    let index = version.saturating_sub(FIRST_VERSION);
    let season = ["Winter", "Spring", "Summer"][(index % 3) as usize];
    format!("{season} '{:02}", 11 + index / 3)
}

/// `GET /services/data/vXX.X`: resource name → path.
fn resources(version: &str, base_url: &str, state: &MockState, grant: &Grant) -> MockResponse {
    let mut map = Map::new();
    for name in [
        "tooling",
        "metadata",
        "folders",
        "eclair",
        "prechatForms",
        "chatter",
        "tabs",
        "appMenu",
        "quickActions",
        "queryAll",
        "commerce",
        "wave",
        "iot",
        "analytics",
        "search",
        "identity",
        "composite",
        "parameterizedSearch",
        "fingerprint",
        "theme",
        "nouns",
        "event",
        "serviceTemplates",
        "recent",
        "connect",
        "licensing",
        "limits",
        "process",
        "async-queries",
        "query",
        "match",
        "emailConnect",
        "compactLayouts",
        "knowledgeManagement",
        "sobjects",
        "actions",
        "support",
    ] {
        let value = if name == "identity" {
            state.identity_url(base_url, &grant.user_id)
        } else {
            format!("/services/data/v{version}/{name}")
        };
        map.insert(name.to_string(), Value::from(value));
    }
    response::json(StatusCode::OK, &Value::Object(map))
}

/// `GET /services/data/vXX.X/sobjects/<Type>`: describe and recent records.
fn basic_information(state: &MockState, kind: SObjectKind, version: &str) -> MockResponse {
    let recent: Vec<Value> = if kind.is_user {
        state
            .users()
            .iter()
            .map(|user| kind.recent_item(version, &user_record(user)))
            .collect()
    } else {
        state
            .records(kind.name)
            .iter()
            .map(|record| kind.recent_item(version, record))
            .collect()
    };
    let body = json!({ "objectDescribe": kind.describe(version), "recentItems": recent });
    response::json(StatusCode::OK, &body)
}

fn user_record(user: &super::state::User) -> Map<String, Value> {
    let name = format!("{} {}", user.user.first_name, user.user.last_name);
    let mut record = Map::new();
    record.insert("Id".into(), Value::from(user.id.clone()));
    record.insert("Name".into(), Value::from(name.trim().to_string()));
    record
}

#[cfg(test)]
mod tests {
    use super::{release_name, version};

    #[test]
    fn versions_and_release_names() {
        assert_eq!(release_name(31), "Summer '14");
        assert_eq!(release_name(62), "Winter '25");
        assert_eq!(release_name(20), "Winter '11");
        assert_eq!(version("v62.0").as_deref(), Some("62.0"));
        for bad in ["v63.0", "v19.0", "62.0", "v62", "v62.1", "vx.0"] {
            assert_eq!(version(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod http_tests;
