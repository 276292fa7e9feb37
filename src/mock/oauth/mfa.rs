//! Multi-factor authentication on the login pages. A mock user with a
//! `totp_secret` is asked, once the password is right, for the six-digit
//! code of their authenticator app on a "Verify Your Identity" page, as
//! Salesforce asks every user logging in to its user interface. The code is
//! checked on the mock's clock (RFC 6238: 30-second steps, one step of skew
//! either way); a wrong one shows the page again with Salesforce's message.
//!
//! The page carries Salesforce's title and the ids that scripts completing
//! Salesforce's challenge use (the code input `tc`, the Verify button
//! `save`); the rest of its markup, the `mfa` cookie of a login waiting for
//! its code, and that waiting login's 10-minute lifetime are mock-modelled.

use std::fmt::Write as _;
use std::time::Duration;

use hyper::StatusCode;
use hyper::header::{HeaderValue, SET_COOKIE};

use crate::mock::pages::{escape, hidden_fields, page};
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::{MockState, Session, User, expiry_after};
use crate::totp::Totp;

/// The page's input for the code (Salesforce's id and name).
pub(crate) const CODE_FIELD: &str = "tc";
/// Salesforce's message for a wrong or expired code (Salesforce Help,
/// knowledge article 000395187).
pub(crate) const WRONG_CODE: &str = "Error: Invalid or expired verification code. Try again.";
/// How long a login waits for its code (mock-modelled).
const PENDING: Duration = Duration::from_secs(10 * 60);
/// The cookie naming a login that waits for its code (mock-modelled).
const COOKIE: &str = "mfa";

/// Whether `user` is asked for a code after the password.
pub(crate) fn required(user: &User) -> bool {
    user.user
        .totp_secret
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
}

/// After the password: the verification page, and a cookie naming the
/// login that waits for its code. `action` and `hidden` are the form's, as
/// on the login page.
pub(crate) fn challenge(
    state: &MockState,
    user: &User,
    action: &str,
    hidden: &[(String, String)],
) -> MockResponse {
    let pending = Session {
        user_id: user.id.clone(),
        expires_ms: expiry_after(PENDING, state.now_ms()),
    };
    let token = {
        let mut store = state.store();
        let token = store.random.session_id();
        store.pending_mfa.insert(token.clone(), pending);
        token
    };
    let mut page = response::html(StatusCode::OK, verify_page(action, hidden, None));
    let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        page.headers_mut().append(SET_COOKIE, cookie);
    }
    page
}

/// What a posted code leads to.
pub(crate) enum Answer<'s> {
    /// The code completes this user's login.
    Verified(&'s User),
    /// The verification page again, with Salesforce's message.
    Refused(MockResponse),
    /// No login waits for a code (none, or it expired): the caller shows its
    /// login page.
    NoLogin,
}

/// A posted code: the user whose login it completes, or what to show
/// instead.
pub(crate) fn answer<'s>(
    state: &'s MockState,
    request: &MockRequest,
    action: &str,
    hidden: &[(String, String)],
) -> Answer<'s> {
    let Some(token) = request.cookie(COOKIE) else {
        return Answer::NoLogin;
    };
    let now = state.now_ms();
    let user_id = {
        let store = state.store();
        match store.pending_mfa.get(token).filter(|p| now < p.expires_ms) {
            Some(pending) => pending.user_id.clone(),
            None => return Answer::NoLogin,
        }
    };
    let Some(user) = state.user_by_id(&user_id) else {
        return Answer::NoLogin;
    };
    let code = request.param(CODE_FIELD).unwrap_or_default();
    let valid = user
        .user
        .totp_secret
        .as_deref()
        .and_then(|secret| Totp::from_base32(secret).ok())
        .is_some_and(|totp| totp.verify(code, now / 1000));
    if !valid {
        let page = verify_page(action, hidden, Some(WRONG_CODE));
        return Answer::Refused(response::html(StatusCode::OK, page));
    }
    state.store().pending_mfa.remove(token);
    Answer::Verified(user)
}

/// The "Verify Your Identity" page.
fn verify_page(action: &str, hidden: &[(String, String)], error: Option<&str>) -> String {
    let mut body = String::from("<h1>Verify Your Identity</h1>\n");
    let _ = writeln!(
        body,
        "<p class=\"sub\">Enter the verification code from your authenticator app.</p>"
    );
    if let Some(error) = error {
        let _ = writeln!(
            body,
            "<div id=\"error\" class=\"error\" role=\"alert\">{}</div>",
            escape(error)
        );
    }
    let _ = writeln!(body, "<form method=\"post\" action=\"{action}\">");
    body.push_str(&hidden_fields(hidden));
    let _ = write!(
        body,
        "<label for=\"{CODE_FIELD}\">Verification Code</label>\n\
         <input type=\"text\" id=\"{CODE_FIELD}\" name=\"{CODE_FIELD}\" inputmode=\"numeric\" \
         autocomplete=\"one-time-code\" maxlength=\"6\" autofocus>\n\
         <input type=\"submit\" id=\"save\" name=\"save\" class=\"primary\" value=\"Verify\">\n\
         </form>\n"
    );
    page("Verify Your Identity | Mock Org", &body)
}

#[cfg(test)]
mod tests;
