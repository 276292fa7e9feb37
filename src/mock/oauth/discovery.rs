//! OIDC discovery (`/.well-known/openid-configuration`) and the
//! org's public keys (`/id/keys`): no authentication, CORS always on.

use hyper::StatusCode;
use hyper::header::{ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue};
use serde_json::json;

use crate::mock::keys::{ORG_KEY_ID, org_key};
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse, TEXT};
use crate::mock::state::MockState;

/// `GET /.well-known/openid-configuration`; the issuer is the mock's own base URL.
pub(crate) fn configuration(_: &MockState, request: &MockRequest) -> MockResponse {
    let base_url = request.base_url.as_str();
    let oauth = |endpoint: &str| format!("{base_url}/services/oauth2/{endpoint}");
    let body = json!({
        "issuer": base_url,
        "authorization_endpoint": oauth("authorize"),
        "token_endpoint": oauth("token"),
        "revocation_endpoint": oauth("revoke"),
        "userinfo_endpoint": oauth("userinfo"),
        "jwks_uri": format!("{base_url}/id/keys"),
        "introspection_endpoint": oauth("introspect"),
        "scopes_supported": [
            "id", "api", "web", "full", "chatter_api", "visualforce", "refresh_token",
            "openid", "profile", "email", "address", "phone", "offline_access",
            "custom_permissions", "wave_api", "eclair_api"
        ],
        "response_types_supported": ["code", "token", "token id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "display_values_supported": ["page", "popup", "touch"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_post", "client_secret_basic", "private_key_jwt"
        ],
        "claims_supported": [
            "active", "address", "email", "email_verified", "family_name", "given_name",
            "is_app_installed", "language", "locale", "name", "nickname", "organization_id",
            "phone_number", "phone_number_verified", "photos", "picture",
            "preferred_username", "profile", "sub", "updated_at", "urls", "user_id",
            "user_type", "zoneinfo"
        ],
        "end_session_endpoint": format!("{base_url}/services/auth/idp/oidc/logout"),
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
    });
    with_cors(response::json(StatusCode::OK, &body))
}

/// `GET /id/keys`: the key that signs `id_token`s, as a JWK set.
pub(crate) fn jwks(_: &MockState, _: &MockRequest) -> MockResponse {
    let Some(key) = org_key() else {
        let message = "signing key unavailable".to_string();
        return response::body(StatusCode::INTERNAL_SERVER_ERROR, TEXT, message);
    };
    let body = json!({
        "keys": [{
            "kty": "RSA",
            "n": key.n,
            "e": key.e,
            "alg": "RS256",
            "use": "sig",
            "kid": ORG_KEY_ID,
        }]
    });
    with_cors(response::json(StatusCode::OK, &body))
}

fn with_cors(mut response: MockResponse) -> MockResponse {
    response
        .headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
