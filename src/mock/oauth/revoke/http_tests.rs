//! Tests of revocation and introspection over loopback HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, DEFAULT_CLIENT_SECRET as SECRET};
use crate::mock::testing::Harness;

/// Tokens from a code exchange: `(access, refresh)`.
async fn tokens(mock: &Harness) -> (String, String) {
    let (_, body) = mock.exchange(&mock.code().await).await;
    let text = |key: &str| body[key].as_str().unwrap().to_string();
    (text("access_token"), text("refresh_token"))
}

async fn refresh(mock: &Harness, refresh_token: &str) -> (StatusCode, Value) {
    mock.token(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", ID),
        ("client_secret", SECRET),
    ])
    .await
}

async fn revoke(mock: &Harness, token: &str) -> (StatusCode, String, String) {
    let response = mock
        .client
        .post(format!("{}/services/oauth2/revoke", mock.base))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

async fn introspect(mock: &Harness, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = mock
        .client
        .post(format!("{}/services/oauth2/introspect", mock.base))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn is_active(mock: &Harness, token: &str) -> bool {
    let form = [
        ("token", token),
        ("client_id", ID),
        ("client_secret", SECRET),
    ];
    let (status, body) = introspect(mock, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["active"].as_bool().unwrap()
}

#[tokio::test]
async fn revoking_an_access_token() {
    let mock = Harness::start().await;
    let (access, refresh_token) = tokens(&mock).await;
    assert!(is_active(&mock, &access).await);
    let (status, _, body) = revoke(&mock, &access).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert!(!is_active(&mock, &access).await);
    assert!(
        is_active(&mock, &refresh_token).await,
        "the refresh token lives on"
    );
    // GET `?token=` works too.
    let (again, _) = tokens(&mock).await;
    let url = format!("{}/services/oauth2/revoke?token={}", mock.base, again);
    assert_eq!(mock.get(&url).await.status(), StatusCode::OK);
    assert!(!is_active(&mock, &again).await);
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_access_tokens() {
    let mock = Harness::start().await;
    let (first, refresh_token) = tokens(&mock).await;
    let (status, refreshed) = refresh(&mock, &refresh_token).await;
    assert_eq!(status, StatusCode::OK);
    let second = refreshed["access_token"].as_str().unwrap();
    let (other, _) = tokens(&mock).await;
    assert_eq!(revoke(&mock, &refresh_token).await.0, StatusCode::OK);
    for token in [first.as_str(), second, refresh_token.as_str()] {
        assert!(!is_active(&mock, token).await, "{token}");
    }
    assert!(is_active(&mock, &other).await, "another grant's token");
    let answer = refresh(&mock, &refresh_token).await;
    assert_eq!(
        answer.1["error_description"],
        "expired access/refresh token"
    );
    let rest = mock
        .client
        .get(format!("{}/services/data/v62.0/", mock.base))
        .bearer_auth(second)
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn revoke_errors_are_form_encoded() {
    let mock = Harness::start().await;
    let (status, content_type, body) = revoke(&mock, "00Dak0000000001!AQnope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        content_type,
        "application/x-www-form-urlencoded;charset=UTF-8"
    );
    assert_eq!(
        body,
        "error=invalid_token&error_description=Token%20was%20invalid"
    );
    let (status, _, body) = revoke(&mock, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        "error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported"
    );
}

#[tokio::test]
async fn introspection_fields() {
    let mock = Harness::start().await;
    let (access, refresh_token) = tokens(&mock).await;
    let form = [
        ("token", access.as_str()),
        ("client_id", ID),
        ("client_secret", SECRET),
    ];
    let (status, body) = introspect(&mock, &form).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let order = [
        "active",
        "scope",
        "client_id",
        "username",
        "sub",
        "token_type",
        "exp",
        "iat",
        "nbf",
    ];
    assert_eq!(keys, order);
    assert_eq!(body["scope"], "api web refresh_token openid");
    assert_eq!(body["client_id"], ID);
    assert_eq!(body["username"], "mock.user@example.com");
    let sub = format!("{}/id/00Dak0000000001EAA/005ak0000000001AAA", mock.base);
    assert_eq!(body["sub"], sub);
    assert_eq!(body["token_type"], "access_token");
    let (iat, exp) = (body["iat"].as_u64().unwrap(), body["exp"].as_u64().unwrap());
    assert_eq!(exp - iat, 7200, "two hours");
    assert_eq!(body["nbf"], body["iat"]);
    // Basic auth, and a refresh token (no `exp`: it never expires).
    let response = mock
        .client
        .post(format!("{}/services/oauth2/introspect", mock.base))
        .basic_auth(ID, Some(SECRET))
        .form(&[
            ("token", refresh_token.as_str()),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "refresh_token");
    assert!(body.get("exp").is_none());
    let unknown = [
        ("token", "nope"),
        ("client_id", ID),
        ("client_secret", SECRET),
    ];
    assert_eq!(
        introspect(&mock, &unknown).await.1,
        json!({ "active": false })
    );
}

#[tokio::test]
async fn introspection_needs_the_client() {
    let mock = Harness::start().await;
    let (access, _) = tokens(&mock).await;
    let refused = json!({
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    });
    for form in [
        vec![("token", access.as_str())],
        vec![
            ("token", access.as_str()),
            ("client_id", ID),
            ("client_secret", "wrong"),
        ],
        vec![
            ("token", access.as_str()),
            ("client_id", "nope"),
            ("client_secret", SECRET),
        ],
    ] {
        assert_eq!(
            introspect(&mock, &form).await,
            (StatusCode::UNAUTHORIZED, refused.clone())
        );
    }
    // Another app sees only its own tokens.
    let cli = [("token", access.as_str()), ("client_id", "PlatformCLI")];
    assert_eq!(introspect(&mock, &cli).await.1, json!({ "active": false }));
}
