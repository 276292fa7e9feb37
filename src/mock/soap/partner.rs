//! The partner API's `login` (username and password with the security token
//! appended, as simple-salesforce and jsforce send them; the password alone
//! from a trusted IP range): a `LoginResult` whose `sessionId` is an access
//! token the REST API accepts. Off unless the org allows SOAP `login()`
//! (new orgs do not), and gone from API version 65.0 on.

use std::fmt::Write as _;

use super::Call;
use super::envelope::{self, PARTNER_NS};
use super::xml::{flag, leaf};
use crate::mock::duration::parse_duration;
use crate::mock::oauth::access;
use crate::mock::response::MockResponse;
use crate::mock::state::{Grant, User, expiry};

const INVALID_LOGIN: &str = "Invalid username, password, security token; or user locked out.";
const LOGIN_DISABLED: &str = "SOAP API login() is disabled by default in this org. Contact the \
                              org administrator to enable SOAP API login().";
/// The first API version without `login()`.
const LOGIN_REMOVED_IN: u32 = 65;

pub(crate) fn handle(call: &Call<'_>) -> MockResponse {
    let operation = call.operation;
    if operation.name != "login" {
        return envelope::no_operation(
            envelope::PARTNER_FAULT_NS,
            operation.namespace.as_deref(),
            &operation.name,
        );
    }
    let state = call.state;
    let removed = version_number(&call.version) >= LOGIN_REMOVED_IN;
    if removed || !state.org_settings().allow_soap_login {
        return envelope::partner_fault(
            "INVALID_OPERATION",
            LOGIN_DISABLED,
            "UnexpectedErrorFault",
        );
    }
    let username = operation.text_of("username").unwrap_or_default();
    let password = operation.child("password").map_or("", |p| p.text.as_str());
    let user = state
        .user_by_name(username)
        .filter(|user| user.user.active && access::api_password_matches(state, user, password));
    let Some(user) = user else {
        return envelope::partner_fault("INVALID_LOGIN", INVALID_LOGIN, "LoginFault");
    };
    let session_id = open_session(call, user);
    envelope::response(PARTNER_NS, "login", &login_result(call, user, &session_id))
}

/// Records an access token for the user, under the configured app's lifetime.
fn open_session(call: &Call<'_>, user: &User) -> String {
    let state = call.state;
    let app = &state.config.connected_app;
    let mut store = state.store();
    let token = store.random.access_token(state.org_id15());
    let now = state.now_ms();
    let grant = Grant {
        client_id: store.interned.name(&app.client_id),
        user_id: store.interned.name(&user.id),
        scopes: store.interned.scopes(&["api".into(), "web".into()]),
        issued_ms: now,
        expires_ms: Some(expiry(&app.access_token_lifetime, now)),
        refresh_token: None,
    };
    store.access_tokens.insert(token.clone(), grant);
    token
}

/// `<result>`: `LoginResult` fields in the partner WSDL's order.
fn login_result(call: &Call<'_>, user: &User, session_id: &str) -> String {
    let state = call.state;
    let base = &call.request.base_url;
    let (version, org15) = (&call.version, state.org_id15());
    let seconds = parse_duration(&state.config.connected_app.access_token_lifetime)
        .map_or(7200, |lifetime| lifetime.as_secs());
    let config = &user.user;
    let full_name = format!("{} {}", config.first_name, config.last_name);
    let mut out = String::from("<result>");
    leaf(
        &mut out,
        "metadataServerUrl",
        &format!("{base}/services/Soap/m/{version}/{org15}"),
    );
    flag(&mut out, "passwordExpired", false);
    flag(&mut out, "sandbox", state.org_settings().sandbox);
    leaf(
        &mut out,
        "serverUrl",
        &format!("{base}/services/Soap/u/{version}/{org15}"),
    );
    leaf(&mut out, "sessionId", session_id);
    leaf(&mut out, "userId", &user.id);
    out.push_str("<userInfo>");
    flag(&mut out, "accessibilityMode", false);
    flag(&mut out, "chatterExternal", false);
    leaf(&mut out, "currencySymbol", "$");
    leaf(&mut out, "orgAttachmentFileSizeLimit", "5242880");
    leaf(&mut out, "orgDefaultCurrencyIsoCode", "USD");
    leaf(&mut out, "orgDefaultCurrencyLocale", "en_US");
    flag(&mut out, "orgDisallowHtmlAttachments", false);
    flag(&mut out, "orgHasPersonAccounts", false);
    leaf(&mut out, "organizationId", &state.org_id);
    flag(&mut out, "organizationMultiCurrency", false);
    leaf(
        &mut out,
        "organizationName",
        crate::mock::sobjects::store::ORG_NAME,
    );
    leaf(
        &mut out,
        "profileId",
        &crate::mock::random::salesforce_id("00e", 1),
    );
    out.push_str(r#"<roleId xsi:nil="true"/>"#);
    let _ = write!(out, "<sessionSecondsValid>{seconds}</sessionSecondsValid>");
    out.push_str(r#"<userDefaultCurrencyIsoCode xsi:nil="true"/>"#);
    leaf(&mut out, "userEmail", &config.email);
    leaf(&mut out, "userFullName", full_name.trim());
    leaf(&mut out, "userId", &user.id);
    leaf(&mut out, "userLanguage", "en_US");
    leaf(&mut out, "userLocale", "en_US");
    leaf(&mut out, "userName", &config.username);
    leaf(&mut out, "userTimeZone", "America/Los_Angeles");
    leaf(&mut out, "userType", "Standard");
    leaf(&mut out, "userUiSkin", "Theme3");
    out.push_str("</userInfo></result>");
    out
}

/// `64.0` → 64.
fn version_number(version: &str) -> u32 {
    version
        .split('.')
        .next()
        .and_then(|whole| whole.parse().ok())
        .unwrap_or(0)
}
