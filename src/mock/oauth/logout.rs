//! Logging out: `/secur/logout.jsp` and OpenID Connect's
//! `/services/auth/idp/oidc/logout` end the browser's session (its `sid`
//! cookie). The OIDC endpoint then goes to `post_logout_redirect_uri` when
//! it is one of an app's callback URLs, `state` added.

use hyper::StatusCode;
use hyper::header::{HeaderValue, SET_COOKIE};

use crate::mock::pages;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::MockState;

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    if let Some(sid) = request.cookie("sid") {
        state.store().sessions.remove(sid);
    }
    let target = request
        .param("post_logout_redirect_uri")
        .filter(|uri| state.is_callback_url(uri));
    let mut answer = match target {
        Some(uri) => {
            let mut location = uri.to_string();
            if let Some(client_state) = request.param("state") {
                let separator = if uri.contains('?') { '&' } else { '?' };
                let pair = form_urlencoded::Serializer::new(String::new())
                    .append_pair("state", client_state)
                    .finish();
                location = format!("{uri}{separator}{pair}");
            }
            response::redirect(&location)
        }
        None => {
            let page = pages::notice_page("Logged Out", "You have logged out.");
            response::html(StatusCode::OK, page)
        }
    };
    let expired = "sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
    answer
        .headers_mut()
        .append(SET_COOKIE, HeaderValue::from_static(expired));
    answer
}
