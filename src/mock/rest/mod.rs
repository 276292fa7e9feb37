//! The REST API on the instance (`/services/data`): versions, the version's
//! resource map, limits, describes, record CRUD and upsert, SOQL queries
//! with paging and `columns=true`, and the Tooling API's queries.
//! Everything below `/services/data/vXX.X` needs a live access token granted
//! `api` (or `full`) and reports `Sforce-Limit-Info`.

mod body;
mod columns;
mod discovery;
mod query;
mod records;
mod reply;

use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use super::request::MockRequest;
use super::response::{self, MockResponse};
use super::routes;
use super::sobjects::{SObjectKind, describe};
use super::state::{Grant, MockState};
use reply::{Reply, RestError};

pub(crate) use discovery::FIRST_VERSION;

/// One authenticated call: who makes it, on which API version.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a MockState,
    pub(crate) request: &'a MockRequest,
    pub(crate) grant: &'a Grant,
    /// `62.0`.
    pub(crate) version: String,
    /// API calls so far, this one included.
    pub(crate) calls: u64,
}

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let rest = request
        .path
        .trim_start_matches("/services/data")
        .trim_matches('/');
    if rest.is_empty() {
        let reply = allow(request, &[Method::GET], || {
            Ok(reply::json(
                request,
                hyper::StatusCode::OK,
                &discovery::versions(state.org_settings().max_version()),
            ))
        });
        return reply.unwrap_or_else(|error| error.into_response(request));
    }
    let Some(grant) = request.bearer().and_then(|token| state.session(token)) else {
        return reply::invalid_session();
    };
    if !grant.allows_api() {
        return reply::not_for_rest();
    }
    let calls = state.count_api_call();
    let segments: Vec<String> = rest.split('/').map(percent_decode).collect();
    let mut response = match segments.split_first() {
        Some((first, rest)) => {
            match discovery::version(first, state.org_settings().max_version()) {
                Some(version) => {
                    let call = Call {
                        state,
                        request,
                        grant: &grant,
                        version,
                        calls,
                    };
                    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
                    route(&call, &rest).unwrap_or_else(|error| error.into_response(request))
                }
                None => RestError::not_found().into_response(request),
            }
        }
        None => RestError::not_found().into_response(request),
    };
    let usage = format!("api-usage={calls}/{}", discovery::API_LIMIT);
    if let Ok(value) = HeaderValue::from_str(&usage) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("sforce-limit-info"), value);
    }
    response
}

/// Routes `vXX.X/…` once the session and version are known.
fn route(call: &Call<'_>, segments: &[&str]) -> Reply {
    let request = call.request;
    match segments {
        [] => allow(request, &[Method::GET], || discovery::resources(call)),
        ["sobjects"] => allow(request, &[Method::GET], || {
            Ok(call.json(&describe::global(&call.version)))
        }),
        ["sobjects", name, rest @ ..] => {
            let kind = SObjectKind::find(name).ok_or_else(RestError::not_found)?;
            sobject(call, kind, rest)
        }
        [endpoint @ ("query" | "queryAll")] => allow(request, &[Method::GET], || {
            query::run(call, QueryApi::Rest, *endpoint == "queryAll")
        }),
        ["query" | "queryAll", locator] => allow(request, &[Method::GET], || {
            query::more(call, QueryApi::Rest, locator)
        }),
        ["limits"] => allow(request, &[Method::GET], || Ok(discovery::limits(call))),
        ["tooling", rest @ ..] => tooling(call, rest),
        _ => Err(RestError::not_found()),
    }
}

/// `sobjects/{Type}/…`.
fn sobject(call: &Call<'_>, kind: SObjectKind, rest: &[&str]) -> Reply {
    let request = call.request;
    let method = &request.method;
    match rest {
        [] if *method == Method::POST => records::create(call, kind),
        [] => allow(request, &[Method::GET, Method::POST], || {
            Ok(records::basic_information(call, kind))
        }),
        ["describe"] => allow(request, &[Method::GET], || {
            let body = describe::full(kind, &call.version, &request.base_url);
            Ok(call.json(&body))
        }),
        [id] => match *method {
            Method::PATCH => records::update(call, kind, id),
            Method::DELETE => records::delete(call, kind, id),
            _ => allow(request, &RECORD_METHODS, || records::get(call, kind, id)),
        },
        [field, value] => match *method {
            Method::PATCH => records::upsert(call, kind, field, value),
            Method::DELETE => records::delete_by(call, kind, field, value),
            _ => allow(request, &RECORD_METHODS, || {
                records::get_by(call, kind, field, value)
            }),
        },
        _ => Err(RestError::not_found()),
    }
}

const RECORD_METHODS: [Method; 3] = [Method::GET, Method::PATCH, Method::DELETE];

/// Which API a query runs in: the Tooling API knows fewer sObjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryApi {
    Rest,
    Tooling,
}

/// `tooling/…`: queries over the sObjects the Tooling API shares with the
/// mock (User, Organization). Anything else is `NOT_FOUND`, the
/// `SourceMember` describe included, as on an org without source tracking
/// (the Salesforce CLI reads that answer as "no source tracking").
fn tooling(call: &Call<'_>, segments: &[&str]) -> Reply {
    let request = call.request;
    match segments {
        ["query"] => allow(request, &[Method::GET], || {
            query::run(call, QueryApi::Tooling, false)
        }),
        ["query", locator] => allow(request, &[Method::GET], || {
            query::more(call, QueryApi::Tooling, locator)
        }),
        _ => Err(RestError::not_found()),
    }
}

/// Runs `handler` for an allowed method (HEAD goes with GET), else 405.
fn allow(request: &MockRequest, methods: &[Method], handler: impl FnOnce() -> Reply) -> Reply {
    if routes::allows(methods, &request.method) {
        handler()
    } else {
        Ok(response::method_not_allowed(&request.method, methods))
    }
}

impl Call<'_> {
    /// A 200 JSON body (pretty when the client sent `X-PrettyPrint`).
    pub(crate) fn json(&self, value: &serde_json::Value) -> MockResponse {
        reply::json(self.request, hyper::StatusCode::OK, value)
    }
}

/// `%XX` escapes decoded (`+` stays a plus, as in any URL path).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let hex = bytes
            .get(index + 1..index + 3)
            .filter(|pair| pair.iter().all(u8::is_ascii_hexdigit))
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                index += 3;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_path_segments() {
        assert_eq!(percent_decode("A%20B+C"), "A B+C");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%C3%A9"), "%zzé");
    }
}

#[cfg(test)]
mod cli_tests;
#[cfg(test)]
mod describe_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod record_tests;
#[cfg(test)]
mod support;
