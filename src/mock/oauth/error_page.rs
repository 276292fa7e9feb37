//! Salesforce's remote access error page,
//! `/setup/secur/RemoteAccessErrorPage.apexp?error=…&error_description=…`:
//! where an authorization ends when Salesforce will not send the browser
//! back to the client (a scope the app does not have). The client's
//! redirect URI never hears of it.

use hyper::StatusCode;

use crate::mock::pages::{self, ERROR_PAGE};
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::MockState;

/// 302 to the error page on the login host, the error in its query
/// (form-encoded, spaces as `+`, as Salesforce writes it).
pub(crate) fn redirect(request: &MockRequest, error: &str, description: &str) -> MockResponse {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("error", error)
        .append_pair("error_description", description)
        .finish();
    response::redirect(&format!("{}{ERROR_PAGE}?{query}", request.base_url))
}

/// `GET /setup/secur/RemoteAccessErrorPage.apexp`: the page itself.
pub(crate) fn handle(_: &MockState, request: &MockRequest) -> MockResponse {
    let error = request.param("error").unwrap_or_default();
    let description = request.param("error_description").unwrap_or_default();
    let page = pages::remote_access_error_page(error, description);
    response::html(StatusCode::OK, page)
}
