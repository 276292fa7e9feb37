//! Consent: asked once per user and app, never by an admin-approved app;
//! `prompt` asks again, `immediate` never shows a page.

use reqwest::StatusCode;
use serde_json::json;

use crate::mock::config::MockConfig;
use crate::mock::testing::{Harness, REDIRECT_URI, location, pkce_params, query_param};

/// `GET authorize` with extra parameters, in the browser session `sid`.
async fn authorize(mock: &Harness, extra: &[(&str, &str)], sid: &str) -> reqwest::Response {
    let mut params = pkce_params();
    params.extend_from_slice(extra);
    let url = mock.authorize_url(&params);
    let request = mock.client.get(&url);
    let request = if sid.is_empty() {
        request
    } else {
        request.header("cookie", sid)
    };
    request.send().await.unwrap()
}

/// A browser session whose user has approved the default app.
async fn approved_session(mock: &Harness) -> String {
    let (sid, consent) = mock.log_in(&pkce_params()).await;
    let fields = crate::mock::testing::hidden_fields(&consent);
    let done = mock
        .post_form(&fields, &[("decision", "allow")], Some(&sid))
        .await;
    assert_eq!(done.status(), StatusCode::FOUND);
    sid
}

/// What a page is: the redirect's target, or which page.
async fn page(response: reqwest::Response) -> String {
    if response.status() == StatusCode::FOUND {
        return location(&response);
    }
    let html = response.text().await.unwrap();
    if html.contains(r#"id="Login""#) {
        "login page".into()
    } else if html.contains(r#"value="allow""#) {
        "consent page".into()
    } else {
        html
    }
}

#[tokio::test]
async fn consent_is_asked_once_per_user_and_app() {
    let mock = Harness::start().await;
    let (sid, consent) = mock.log_in(&pkce_params()).await;
    assert!(consent.contains(r#"value="allow""#), "first time: consent");
    let fields = crate::mock::testing::hidden_fields(&consent);
    let done = mock
        .post_form(&fields, &[("decision", "allow")], Some(&sid))
        .await;
    assert!(location(&done).starts_with(REDIRECT_URI));
    // Approved: the next authorization goes straight back with a code.
    let next = page(authorize(&mock, &[], &sid).await).await;
    assert!(next.starts_with(&format!("{REDIRECT_URI}?code=")), "{next}");
    // A fresh login of the same user is not asked either.
    let again = page(authorize(&mock, &[("prompt", "login")], &sid).await).await;
    assert_eq!(again, "login page");
}

#[tokio::test]
async fn prompt_values_combine() {
    let mock = Harness::start().await;
    let sid = approved_session(&mock).await;
    let cases = [
        ("consent", "consent page"),
        ("login", "login page"),
        ("login consent", "login page"),
        ("select_account", "login page"),
        ("none_of_these", "code"),
    ];
    for (prompt, expected) in cases {
        let seen = page(authorize(&mock, &[("prompt", prompt)], &sid).await).await;
        if expected == "code" {
            assert!(seen.contains("?code="), "prompt={prompt}: {seen}");
        } else {
            assert_eq!(seen, expected, "prompt={prompt}");
        }
    }
    // `select_account` shows the login page with the session's user filled in.
    let response = authorize(&mock, &[("prompt", "select_account")], &sid).await;
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"value="mock.user@example.com""#), "{html}");
}

#[tokio::test]
async fn login_then_consent_again_with_prompt_login_consent() {
    let mock = Harness::start().await;
    mock.approve(&pkce_params(), "allow").await;
    let mut params = pkce_params();
    params.push(("prompt", "login consent"));
    let (_, page) = mock.log_in(&params).await;
    assert!(page.contains(r#"value="allow""#), "consent asked again");
}

#[tokio::test]
async fn immediate_never_shows_a_page() {
    let mock = Harness::start().await;
    let immediate = [("immediate", "true")];
    // No session: immediate_unsuccessful, back at the client.
    let seen = page(authorize(&mock, &immediate, "").await).await;
    let unsuccessful = format!(
        "{REDIRECT_URI}?error=immediate_unsuccessful&error_description=immediate%20unsuccessful"
    );
    assert!(seen.starts_with(&unsuccessful), "{seen}");
    // A session but no consent yet: the same.
    let (sid, _) = mock.log_in(&pkce_params()).await;
    let seen = page(authorize(&mock, &immediate, &sid).await).await;
    assert!(seen.starts_with(&unsuccessful), "{seen}");
    // Approved once: a code at once.
    let sid = approved_session(&mock).await;
    let seen = page(authorize(&mock, &immediate, &sid).await).await;
    assert!(seen.starts_with(&format!("{REDIRECT_URI}?code=")), "{seen}");
    assert_eq!(query_param(&seen, "state").as_deref(), Some("st&te 1"));
    // Never with prompt=login.
    let both = [("immediate", "true"), ("prompt", "login")];
    let seen = page(authorize(&mock, &both, &sid).await).await;
    assert!(seen.starts_with(&unsuccessful), "{seen}");
}

#[tokio::test]
async fn admin_approved_apps_never_ask() {
    let config = MockConfig::from_overrides(&json!({
        "connected_app": { "admin_approved": true, "profiles": ["System Administrator"] },
    }))
    .unwrap();
    let mock = Harness::with(config, None).await;
    let login = authorize(&mock, &[], "").await;
    let fields = crate::mock::testing::hidden_fields(&login.text().await.unwrap());
    let credentials = [
        ("username", "mock.user@example.com"),
        ("pw", "mock-password-1"),
    ];
    let after_login = mock.post_form(&fields, &credentials, None).await;
    let seen = page(after_login).await;
    assert!(seen.starts_with(&format!("{REDIRECT_URI}?code=")), "{seen}");
    let code = query_param(&seen, "code").unwrap();
    let (status, body) = mock.exchange(&code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn admin_approved_apps_refuse_users_they_do_not_list() {
    let config = MockConfig::from_overrides(&json!({
        "connected_app": { "admin_approved": true, "permission_sets": ["API_Users"] },
    }))
    .unwrap();
    let mock = Harness::with(config, None).await;
    let login = authorize(&mock, &[], "").await;
    let fields = crate::mock::testing::hidden_fields(&login.text().await.unwrap());
    let credentials = [
        ("username", "mock.user@example.com"),
        ("pw", "mock-password-1"),
    ];
    let seen = page(mock.post_form(&fields, &credentials, None).await).await;
    let code = query_param(&seen, "code").expect("a code; the exchange refuses");
    let (status, body) = mock.exchange(&code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_app_access", "error_description": "user is not admin approved to access this app"})
    );
}
