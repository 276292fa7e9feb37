//! The mock org's one routing table: every path it serves, the methods each
//! takes, and its handler. A method a path does not take is answered here,
//! in one shape for every endpoint (see [`response::method_not_allowed`]);
//! a path it does not serve is REST's `404 NOT_FOUND`.
//!
//! Paths are normalized when a request is read (`//services/data/` is
//! `/services/data`, as Salesforce serves it): see `request.rs`.

use hyper::Method;

use super::oauth::{
    authorize, discovery, error_page, frontdoor, identity, introspect, logout, pkce, revoke, token,
    userinfo, verification,
};
use super::pages;
use super::request::MockRequest;
use super::response::{self, MockResponse};
use super::rest;
use super::soap;
use super::state::MockState;

type Handler = fn(&MockState, &MockRequest) -> MockResponse;

/// Which paths a route serves.
enum Paths {
    /// This path only.
    Exact(&'static str),
    /// This path and every path below it (`/id/` serves `/id/00D…/005…`).
    Below(&'static str),
}

impl Paths {
    fn matches(&self, path: &str) -> bool {
        match self {
            Paths::Exact(exact) => path == *exact,
            Paths::Below(prefix) => path
                .strip_prefix(prefix.trim_end_matches('/'))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
        }
    }
}

struct Route {
    paths: Paths,
    /// The methods taken (HEAD goes with GET); empty: the handler decides,
    /// per sub-path (the REST API).
    methods: &'static [Method],
    handler: Handler,
}

const GET: &[Method] = &[Method::GET];
const POST: &[Method] = &[Method::POST];
const GET_POST: &[Method] = &[Method::GET, Method::POST];
const ANY: &[Method] = &[];

const fn route(paths: Paths, methods: &'static [Method], handler: Handler) -> Route {
    Route {
        paths,
        methods,
        handler,
    }
}

/// Every path the mock serves, first match wins.
const ROUTES: &[Route] = &[
    // The login host: OAuth 2.0 and OpenID Connect.
    route(Paths::Exact(pages::AUTHORIZE), GET_POST, authorize::handle),
    route(Paths::Exact("/services/oauth2/token"), POST, token::handle),
    route(
        Paths::Exact("/services/oauth2/revoke"),
        GET_POST,
        revoke::handle,
    ),
    route(
        Paths::Exact("/services/oauth2/introspect"),
        POST,
        introspect::handle,
    ),
    route(
        Paths::Exact("/services/oauth2/userinfo"),
        GET_POST,
        userinfo::handle,
    ),
    route(
        Paths::Exact("/services/oauth2/pkce/generator"),
        GET,
        pkce::generator,
    ),
    route(
        Paths::Exact("/services/oauth2/singleaccess"),
        GET_POST,
        frontdoor::handle,
    ),
    route(
        Paths::Exact("/.well-known/openid-configuration"),
        GET,
        discovery::configuration,
    ),
    // Salesforce's CORS page lists the second path too.
    route(Paths::Exact("/id/keys"), GET, discovery::jwks),
    route(
        Paths::Exact("/services/oauth2/id/keys"),
        GET,
        discovery::jwks,
    ),
    route(Paths::Below("/id/"), GET_POST, identity::handle),
    route(Paths::Exact(pages::DEVICE), GET_POST, verification::handle),
    route(Paths::Exact(pages::ERROR_PAGE), GET, error_page::handle),
    route(
        Paths::Exact(pages::FRONTDOOR),
        GET_POST,
        frontdoor::frontdoor,
    ),
    route(Paths::Exact(pages::HOME), GET, frontdoor::home),
    route(Paths::Exact(pages::LOGOUT), GET_POST, logout::handle),
    route(Paths::Exact(pages::OIDC_LOGOUT), GET_POST, logout::handle),
    // The instance: REST and SOAP.
    route(Paths::Below("/services/data"), ANY, rest::handle),
    route(Paths::Below("/services/Soap/"), POST, soap::handle),
];

/// Answers a request: its route's handler, a 405, or a 404.
pub(super) fn route_request(state: &MockState, request: &MockRequest) -> MockResponse {
    let path = request.path.as_str();
    let Some(route) = ROUTES.iter().find(|route| route.paths.matches(path)) else {
        return response::not_found();
    };
    if route.methods.is_empty() || allows(route.methods, &request.method) {
        (route.handler)(state, request)
    } else {
        response::method_not_allowed(&request.method, route.methods)
    }
}

/// Whether `method` is one of `methods` (HEAD goes with GET).
pub(super) fn allows(methods: &[Method], method: &Method) -> bool {
    methods.contains(method) || (*method == Method::HEAD && methods.contains(&Method::GET))
}

#[cfg(test)]
mod tests {
    use reqwest::{Method, StatusCode};
    use serde_json::Value;

    use crate::mock::testing::Harness;

    /// Every wrong method gets the same answer: REST's error array, naming
    /// the methods allowed, with an `Allow` header.
    #[tokio::test]
    async fn one_shape_of_405_everywhere() {
        let mock = Harness::start().await;
        let (_, tokens) = mock.exchange(&mock.code().await).await;
        let token = tokens["access_token"].as_str().unwrap();
        for (method, path, allowed) in [
            (Method::GET, "/services/oauth2/token", "POST"),
            (Method::PUT, "/services/oauth2/authorize", "HEAD,GET,POST"),
            (Method::DELETE, "/services/oauth2/userinfo", "HEAD,GET,POST"),
            (
                Method::POST,
                "/.well-known/openid-configuration",
                "HEAD,GET",
            ),
            (Method::GET, "/services/Soap/m/62.0", "POST"),
            (
                Method::PUT,
                "/services/data/v62.0/sobjects/Account/001",
                "HEAD,GET,PATCH,DELETE",
            ),
            (
                Method::DELETE,
                "/id/00Dak0000000001EAA/005ak0000000001AAA",
                "HEAD,GET,POST",
            ),
        ] {
            let url = format!("{}{path}", mock.base);
            let response = mock
                .client
                .request(method.clone(), url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(response.headers()["allow"], allowed, "{method} {path}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body[0]["errorCode"], "METHOD_NOT_ALLOWED", "{path}");
            let message = format!("HTTP Method '{method}' not allowed. Allowed are {allowed}");
            assert_eq!(body[0]["message"], message.as_str());
        }
    }

    /// The Salesforce CLI stores `--instance-url` with a trailing slash, and
    /// jsforce then asks for `//services/data…`: Salesforce serves it.
    #[tokio::test]
    async fn double_and_trailing_slashes_are_the_same_path() {
        let mock = Harness::start().await;
        for path in [
            "//services/data",
            "/services/data/",
            "//services//data//",
            "//.well-known/openid-configuration/",
        ] {
            let url = format!("{}{path}", mock.base);
            let response = mock.client.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
        let url = format!("{}/nowhere", mock.base);
        let response = mock.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body[0]["errorCode"], "NOT_FOUND");
    }
}
