//! Tests of the parent module.

use reqwest::StatusCode;
use serde_json::Value;

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, DEFAULT_CLIENT_SECRET as SECRET, MockConfig};
use crate::mock::testing::{Harness, REDIRECT_URI, VERIFIER};

fn assert_refused(answer: &(StatusCode, Value), error: &str, description: &str) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    assert_eq!(answer.1["error"], error, "{}", answer.1);
    assert_eq!(answer.1["error_description"], description, "{}", answer.1);
}

fn code_form<'a>(code: &'a str, verifier: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", ID),
        ("client_secret", SECRET),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier),
    ]
}

fn with<'a>(form: &[(&'a str, &'a str)], key: &str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    form.iter()
        .map(|&(k, v)| if k == key { (k, value) } else { (k, v) })
        .collect()
}

#[tokio::test]
async fn full_pkce_flow_returns_every_field_in_shape() {
    let mock = Harness::start().await;
    let code = mock.code().await;
    let url = format!("{}/services/oauth2/token", mock.base);
    let response = mock
        .client
        .post(url)
        .form(&code_form(&code, VERIFIER))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let body: serde_json::Map<String, Value> = response.json().await.unwrap();
    let keys: Vec<&str> = body.keys().map(String::as_str).collect();
    let order = [
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "id_token",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    ];
    assert_eq!(keys, order);
    let text = |key: &str| body[key].as_str().unwrap().to_string();
    let access = regex::Regex::new(r"^00Dak0000000001!AQ[A-Za-z0-9_.]{94}$").unwrap();
    assert!(
        access.is_match(&text("access_token")),
        "{}",
        text("access_token")
    );
    assert!(
        regex::Regex::new(r"^5Aep[A-Za-z0-9_.]{83}$")
            .unwrap()
            .is_match(&text("refresh_token"))
    );
    assert_eq!(text("scope"), "api web refresh_token openid");
    assert_eq!(text("instance_url"), mock.base);
    assert!(
        !body.contains_key("api_instance_url"),
        "only client credentials"
    );
    let user_id = mock.server.user_id("mock.user@example.com").unwrap();
    assert_eq!(user_id, "005ak0000000001AAA");
    assert_eq!(
        text("id"),
        format!("{}/id/00Dak0000000001EAA/{user_id}", mock.base)
    );
    assert_eq!(text("token_type"), "Bearer");
    assert_eq!(text("issued_at").len(), 13);
    assert!(text("issued_at").chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        text("signature"),
        expected_signature(SECRET, &text("id"), &text("issued_at"))
    );
}

fn expected_signature(secret: &str, id: &str, issued_at: &str) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{id}{issued_at}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn wrong_or_missing_verifier_is_refused_and_burns_the_code() {
    let mock = Harness::start().await;
    let code = mock.code().await;
    let wrong = "A".repeat(43);
    let answer = mock.token(&code_form(&code, &wrong)).await;
    assert_refused(&answer, "invalid_grant", "invalid code verifier");
    let answer = mock.token(&code_form(&code, VERIFIER)).await;
    assert_refused(&answer, "invalid_grant", "expired authorization code");
    let code = mock.code().await;
    let form: Vec<_> = code_form(&code, VERIFIER)
        .into_iter()
        .filter(|(k, _)| *k != "code_verifier")
        .collect();
    assert_refused(
        &mock.token(&form).await,
        "invalid_grant",
        "invalid code verifier",
    );
}

#[tokio::test]
async fn a_code_is_single_use() {
    let mock = Harness::start().await;
    let code = mock.code().await;
    assert_eq!(mock.exchange(&code).await.0, StatusCode::OK);
    assert_refused(
        &mock.exchange(&code).await,
        "invalid_grant",
        "expired authorization code",
    );
    assert_refused(
        &mock.exchange("aPrxnope=").await,
        "invalid_grant",
        "expired authorization code",
    );
}

#[tokio::test]
async fn expired_code_is_refused() {
    let mut config = MockConfig::default();
    config.connected_app.code_lifetime = "0s".into();
    let mock = Harness::with(config, None).await;
    let code = mock.code().await;
    assert_refused(
        &mock.exchange(&code).await,
        "invalid_grant",
        "expired authorization code",
    );
}

#[tokio::test]
async fn client_and_redirect_checks() {
    let mock = Harness::start().await;
    let code = mock.code().await;
    let form = code_form(&code, VERIFIER);
    let answer = mock.token(&with(&form, "client_id", "unknown")).await;
    assert_refused(&answer, "invalid_client_id", "client identifier invalid");
    let answer = mock.token(&with(&form, "client_secret", "wrong")).await;
    assert_refused(&answer, "invalid_client", "invalid client credentials");
    let no_secret: Vec<_> = form
        .iter()
        .copied()
        .filter(|(k, _)| *k != "client_secret")
        .collect();
    assert_refused(
        &mock.token(&no_secret).await,
        "invalid_client",
        "invalid client credentials",
    );
    // The code survived the client checks; a wrong redirect_uri burns it.
    let answer = mock
        .token(&with(&form, "redirect_uri", "http://localhost:8000/other"))
        .await;
    assert_refused(
        &answer,
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    );
    assert_refused(
        &mock.token(&form).await,
        "invalid_grant",
        "expired authorization code",
    );
}

#[tokio::test]
async fn basic_auth_and_multipart_bodies_work() {
    let mock = Harness::start().await;
    let code = mock.code().await;
    let form = reqwest::multipart::Form::new()
        .text("grant_type", "authorization_code")
        .text("code", code)
        .text("redirect_uri", REDIRECT_URI)
        .text("code_verifier", VERIFIER);
    let url = format!("{}/services/oauth2/token", mock.base);
    let request = mock
        .client
        .post(url)
        .basic_auth(ID, Some(SECRET))
        .multipart(form);
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("00Dak0000000001!")
    );
}

#[tokio::test]
async fn password_grant() {
    let mock = Harness::with(crate::mock::testing::password_org(), None).await;
    let form = [
        ("grant_type", "password"),
        ("client_id", ID),
        ("client_secret", SECRET),
        ("username", "mock.user@example.com"),
        ("password", "mock-password-1MOCKSECURITYTOKEN123"),
        ("code_verifier", "ignored"),
    ];
    let (status, body) = mock.token(&form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Salesforce's username-password responses: no refresh token, no scope.
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "signature",
            "instance_url",
            "id",
            "token_type",
            "issued_at"
        ]
    );
    let answer = mock
        .token(&with(&form, "password", "mock-password-1"))
        .await;
    assert_refused(&answer, "invalid_grant", "authentication failure");
    let answer = mock
        .token(&with(&form, "username", "nobody@example.com"))
        .await;
    assert_refused(&answer, "invalid_grant", "authentication failure");
}

#[tokio::test]
async fn refresh_grant_with_and_without_rotation() {
    for rotation in [false, true] {
        let mut config = MockConfig::default();
        config.connected_app.refresh_token_rotation = rotation;
        let mock = Harness::with(config, None).await;
        let (_, body) = mock.exchange(&mock.code().await).await;
        let refresh = body["refresh_token"].as_str().unwrap().to_string();
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", ID),
            ("client_secret", SECRET),
            ("code_verifier", "ignored"),
        ];
        let (status, again) = mock.token(&form).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_ne!(again["access_token"], body["access_token"]);
        assert_eq!(again.get("refresh_token").is_some(), rotation);
        let second = mock.token(&form).await;
        if rotation {
            assert_refused(&second, "invalid_grant", "expired access/refresh token");
        } else {
            assert_eq!(second.0, StatusCode::OK);
        }
        let answer = mock.token(&with(&form, "refresh_token", "5Aepnope")).await;
        assert_refused(&answer, "invalid_grant", "expired access/refresh token");
        let answer = mock.token(&with(&form, "client_secret", "")).await;
        assert_refused(&answer, "invalid_client", "invalid client credentials");
    }
}

#[tokio::test]
async fn refresh_policy_immediately_expires_tokens() {
    let mut config = MockConfig::default();
    config.connected_app.refresh_token_policy = "immediately".into();
    let mock = Harness::with(config, None).await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let refresh = body["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
        ("client_id", ID),
        ("client_secret", SECRET),
    ];
    assert_refused(
        &mock.token(&form).await,
        "invalid_grant",
        "expired access/refresh token",
    );
}

#[tokio::test]
async fn unknown_grant_type() {
    let mock = Harness::start().await;
    for form in [vec![("grant_type", "magic")], vec![("client_id", ID)]] {
        let answer = mock.token(&form).await;
        assert_refused(
            &answer,
            "unsupported_grant_type",
            "grant type not supported",
        );
    }
}

#[tokio::test]
async fn same_seed_same_tokens() {
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let mock = Harness::with(MockConfig::default(), Some(42)).await;
        let code = mock.code().await;
        let (_, body) = mock.exchange(&code).await;
        bodies.push((
            code,
            body["access_token"].clone(),
            body["refresh_token"].clone(),
        ));
    }
    assert_eq!(bodies[0], bodies[1]);
    let other = Harness::with(MockConfig::default(), Some(43)).await;
    assert_ne!(other.code().await, bodies[0].0);
}

#[tokio::test]
async fn platform_cli_needs_no_secret() {
    let mock = Harness::start().await;
    let params = [
        ("state", "abc"),
        ("prompt", "login"),
        ("scope", "refresh_token api web"),
        ("code_challenge", crate::mock::testing::CHALLENGE),
        ("response_type", "code"),
        ("client_id", "PlatformCLI"),
        ("redirect_uri", "http://localhost:1717/OauthRedirect"),
    ];
    let location = mock.approve(&params, "allow").await;
    let code = crate::mock::testing::query_param(&location, "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", "PlatformCLI"),
        ("redirect_uri", "http://localhost:1717/OauthRedirect"),
        ("code_verifier", VERIFIER),
    ];
    let (status, body) = mock.token(&form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "refresh_token api web");
}
