//! `GET|POST /services/oauth2/userinfo`: the OIDC user info of the
//! token's user. A missing or bad token is HTTP 403 (not 401), as on
//! Salesforce.

use hyper::StatusCode;
use serde_json::{Value, json};

use super::identity::{
    LAST_MODIFIED, TIMEZONE, UTC_OFFSET_MS, caller, display_name, nickname, photos, refuse, urls,
};
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::{MockState, User};

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let grant = match caller(state, request) {
        Ok(grant) => grant,
        Err(code) => return refuse(StatusCode::FORBIDDEN, code),
    };
    let Some(user) = state.user_by_id(&grant.user_id) else {
        return refuse(StatusCode::FORBIDDEN, "Bad_OAuth_Token");
    };
    response::json(StatusCode::OK, &userinfo(state, &request.base_url, user))
}

fn userinfo(state: &MockState, base_url: &str, user: &User) -> Value {
    let profile = &user.user;
    let photos = photos(base_url);
    let picture = photos["picture"].clone();
    json!({
        "sub": state.identity_url(base_url, &user.id),
        "user_id": user.id,
        "organization_id": state.org_id,
        "preferred_username": profile.username,
        "nickname": nickname(&profile.username),
        "name": display_name(user),
        "email": profile.email,
        "email_verified": true,
        "given_name": profile.first_name,
        "family_name": profile.last_name,
        "zoneinfo": TIMEZONE,
        "photos": photos,
        "profile": format!("{base_url}/{}", user.id),
        "picture": picture,
        "address": { "country": "US" },
        "is_salesforce_integration_user": false,
        "urls": urls(state, base_url, &user.id, "{version}"),
        "active": profile.active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": UTC_OFFSET_MS,
        "updated_at": LAST_MODIFIED,
        "is_app_installed": true,
    })
}
