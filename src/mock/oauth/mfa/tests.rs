//! Tests of the parent module: the verification page between the password
//! and the consent page, on a clock the test moves.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;

use super::{WRONG_CODE, verify_page};
use crate::clock::Clock;
use crate::mock::config::{MockConfig, MockUser};
use crate::mock::server::MockOptions;
use crate::mock::testing::{Harness, hidden_fields, location, pkce_params};
use crate::totp::Totp;

const SECRET: &str = "JBSWY3DPEHPK3PXP";
/// 2026-01-01T00:00:10Z: ten seconds into a 30-second step.
const START_MS: u64 = 1_767_225_610_000;

async fn mock(clock: &Clock) -> Harness {
    let user = MockUser {
        totp_secret: Some(SECRET.into()),
        ..MockUser::default()
    };
    let config = MockConfig {
        users: vec![user],
        ..MockConfig::default()
    };
    let options = MockOptions {
        clock: Some(clock.clone()),
        ..MockOptions::default()
    };
    Harness::with_options(config, options).await
}

/// Login page → password → the verification page: `(mfa cookie, its html)`.
async fn password(mock: &Harness) -> (String, String) {
    let login = mock.get(&mock.authorize_url(&pkce_params())).await;
    let fields = hidden_fields(&login.text().await.expect("login page"));
    let credentials = [
        ("username", "mock.user@example.com"),
        ("pw", "mock-password-1"),
    ];
    let verify = mock.post_form(&fields, &credentials, None).await;
    assert_eq!(verify.status(), StatusCode::OK);
    let cookies: Vec<String> = verify
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(
        cookies[0].starts_with("mfa="),
        "no session before the code: {cookies:?}"
    );
    (
        cookies[0].clone(),
        verify.text().await.expect("verification page"),
    )
}

async fn submit(mock: &Harness, page: &str, cookie: &str, code: &str) -> reqwest::Response {
    let fields = hidden_fields(page);
    mock.post_form(&fields, &[("tc", code)], Some(cookie)).await
}

#[test]
fn the_page_has_salesforce_ids_and_its_message() {
    let html = verify_page(
        "/services/oauth2/authorize",
        &[("state".into(), "s".into())],
        Some(WRONG_CODE),
    );
    assert!(html.contains("<title>Verify Your Identity | Mock Org</title>"));
    assert!(html.contains("id=\"tc\" name=\"tc\""));
    assert!(html.contains("id=\"save\""));
    assert!(html.contains("Error: Invalid or expired verification code. Try again."));
    assert!(html.contains("<input type=\"hidden\" name=\"state\" value=\"s\">"));
}

#[tokio::test]
async fn the_right_code_leads_to_the_consent_page_with_a_session() {
    let clock = Clock::manual(START_MS);
    let mock = mock(&clock).await;
    let (cookie, page) = password(&mock).await;
    assert!(page.contains("Verify Your Identity"));
    let code = Totp::from_base32(SECRET)
        .expect("key")
        .code_at(START_MS / 1000);
    let consent = submit(&mock, &page, &cookie, &code).await;
    assert_eq!(consent.status(), StatusCode::OK);
    let sid = consent.headers()[SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(sid.starts_with("sid="), "{sid}");
    let sid = sid.split(';').next().unwrap_or_default().to_owned();
    let html = consent.text().await.expect("consent page");
    assert!(html.contains("Allow Access?"), "{html}");
    let done = mock
        .post_form(&hidden_fields(&html), &[("decision", "allow")], Some(&sid))
        .await;
    assert_eq!(done.status(), StatusCode::FOUND);
    assert!(location(&done).contains("code="));
    // The waiting login is used up.
    let again = submit(&mock, &page, &cookie, &code).await;
    assert!(again.text().await.expect("page").contains("Log In"));
}

#[tokio::test]
async fn after_the_code_an_approved_app_goes_straight_back_to_the_client() {
    let clock = Clock::manual(START_MS);
    let mock = mock(&clock).await;
    let code = Totp::from_base32(SECRET)
        .expect("key")
        .code_at(START_MS / 1000);
    let (cookie, page) = password(&mock).await;
    let consent = submit(&mock, &page, &cookie, &code).await;
    let sid = consent.headers()[SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let html = consent.text().await.expect("consent page");
    let allowed = mock
        .post_form(&hidden_fields(&html), &[("decision", "allow")], Some(&sid))
        .await;
    assert_eq!(allowed.status(), StatusCode::FOUND);
    // A new browser a minute later: the password and a code again, then
    // no consent page.
    clock.advance(Duration::from_secs(60));
    let code = Totp::from_base32(SECRET)
        .expect("key")
        .code_at(START_MS / 1000 + 60);
    let (cookie, page) = password(&mock).await;
    let back = submit(&mock, &page, &cookie, &code).await;
    assert_eq!(back.status(), StatusCode::FOUND);
    assert!(location(&back).contains("code="), "{}", location(&back));
}

#[tokio::test]
async fn a_wrong_code_is_refused_with_salesforce_message() {
    let clock = Clock::manual(START_MS);
    let mock = mock(&clock).await;
    let (cookie, page) = password(&mock).await;
    let refused = submit(&mock, &page, &cookie, "000000").await;
    assert_eq!(refused.status(), StatusCode::OK);
    assert!(refused.headers().get(SET_COOKIE).is_none(), "no session");
    let html = refused.text().await.expect("page");
    assert!(
        html.contains(WRONG_CODE) && html.contains("id=\"tc\""),
        "{html}"
    );
}

#[tokio::test]
async fn one_step_of_skew_either_way_on_the_mock_clock() {
    let key = Totp::from_base32(SECRET).expect("key");
    let now = START_MS / 1000;
    for (offset, accepted) in [(-30, true), (30, true), (-60, false), (60, false)] {
        let clock = Clock::manual(START_MS);
        let mock = mock(&clock).await;
        let (cookie, page) = password(&mock).await;
        let code = key.code_at(now.saturating_add_signed(offset));
        let answer = submit(&mock, &page, &cookie, &code).await;
        let html = answer.text().await.expect("page");
        assert_eq!(html.contains("Allow Access?"), accepted, "offset {offset}s");
    }
    // A code typed as the clock passes into the next step still counts.
    let clock = Clock::manual(START_MS);
    let mock = mock(&clock).await;
    let (cookie, page) = password(&mock).await;
    let code = key.code_at(now);
    clock.advance(Duration::from_secs(25));
    let html = submit(&mock, &page, &cookie, &code)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("Allow Access?"));
}

#[tokio::test]
async fn a_user_without_a_key_is_not_asked() {
    let mock = Harness::start().await;
    let (_, consent) = mock.log_in(&pkce_params()).await;
    assert!(consent.contains("Allow Access?"));
}

#[test]
fn a_key_that_is_not_base32_is_refused_in_the_configuration() {
    let overrides =
        serde_json::json!({ "users": [ { "username": "u@x", "totp_secret": "not base32!" } ] });
    let err = MockConfig::from_overrides(&overrides).expect_err("not base32");
    assert!(
        err.to_string().contains("mock.users.0.totp_secret"),
        "{err}"
    );
}
