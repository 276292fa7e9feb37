//! Paths of the OAuth and identity endpoints besides authorize, token and
//! the PKCE generator (which `server.rs` routes itself).

use hyper::{Method, StatusCode};

use super::{discovery, identity, introspect, revoke, userinfo, verification};
use crate::mock::pages::DEVICE;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse, TEXT};
use crate::mock::state::MockState;

/// The answer when the path is one of these endpoints.
pub(crate) fn route(state: &MockState, request: &MockRequest) -> Option<MockResponse> {
    let path = request.path.as_str();
    let answer = match path {
        "/services/oauth2/revoke" => revoke::handle(state, request),
        "/services/oauth2/introspect" => introspect::handle(state, request),
        "/services/oauth2/userinfo" => userinfo::handle(state, request),
        "/.well-known/openid-configuration" => {
            get_only(request, || discovery::configuration(&request.base_url))
        }
        // Salesforce's CORS page lists the second path too.
        "/id/keys" | "/services/oauth2/id/keys" => get_only(request, discovery::jwks),
        DEVICE => verification::handle(state, request),
        _ if path.starts_with("/id/") => identity::handle(state, request),
        _ => return None,
    };
    Some(answer)
}

fn get_only(request: &MockRequest, handler: impl FnOnce() -> MockResponse) -> MockResponse {
    if request.method == Method::GET || request.method == Method::HEAD {
        handler()
    } else {
        let message = "method not allowed".to_string();
        response::body(StatusCode::METHOD_NOT_ALLOWED, TEXT, message)
    }
}
