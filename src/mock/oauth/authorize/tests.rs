//! Tests of the parent module.

use reqwest::StatusCode;

use crate::mock::config::{DEFAULT_CLIENT_ID, MockConfig, MockUser};
use crate::mock::testing::{
    CHALLENGE, Harness, REDIRECT_URI, hidden_fields, location, pkce_params, query_param,
};

const LOGIN_BUTTON: &str = r#"id="Login""#;

#[tokio::test]
async fn login_page_follows_the_form_contract() {
    let mock = Harness::start().await;
    let page = mock.get(&mock.authorize_url(&pkce_params())).await;
    assert_eq!(page.status(), StatusCode::OK);
    let content_type = page.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(content_type, "text/html;charset=UTF-8");
    let html = page.text().await.unwrap();
    let form = "<form method=\"post\" action=\"/services/oauth2/authorize\">";
    assert_eq!(html.matches(form).count(), 1);
    // Salesforce's own field names and ids.
    assert!(html.contains("type=\"email\" id=\"username\" name=\"username\""));
    assert!(html.contains("type=\"password\" id=\"password\" name=\"pw\""));
    assert!(html.contains(
        r#"<input type="submit" id="Login" name="Login" class="primary" value="Log In">"#
    ));
    let fields = hidden_fields(&html);
    let expected: Vec<(String, String)> = pkce_params()
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    assert_eq!(fields, expected);
    for external in ["src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(external),
            "no external resources: {external}"
        );
    }
}

#[tokio::test]
async fn consent_page_names_app_and_scopes() {
    let mock = Harness::start().await;
    let (_, consent) = mock.log_in(&pkce_params()).await;
    assert!(consent.contains("sfscenario Mock App"));
    for scope in ["api", "web", "refresh_token", "openid"] {
        assert!(
            consent.contains(&format!("<code>{scope}</code>")),
            "{scope}"
        );
    }
    assert!(consent.contains("<input type=\"hidden\" name=\"consent_step\" value=\"1\">"));
    assert!(
        consent
            .contains("<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>")
    );
    assert!(
        consent.contains("<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>")
    );
}

#[tokio::test]
async fn allow_redirects_with_code_and_state() {
    let mock = Harness::start().await;
    let location = mock.approve(&pkce_params(), "allow").await;
    assert!(
        location.starts_with(&format!("{REDIRECT_URI}?code=aPrx")),
        "{location}"
    );
    assert!(location.ends_with("%3D&state=st%26te%201"), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st&te 1"));
}

#[tokio::test]
async fn deny_redirects_access_denied() {
    let mock = Harness::start().await;
    let location = mock.approve(&pkce_params(), "deny").await;
    let expected = format!(
        "{REDIRECT_URI}?error=access_denied&error_description=end-user%20denied%20authorization&state=st%26te%201"
    );
    assert_eq!(location, expected);
}

#[tokio::test]
async fn bad_password_shows_the_login_page_again() {
    let mock = Harness::start().await;
    let html = mock
        .get(&mock.authorize_url(&pkce_params()))
        .await
        .text()
        .await
        .unwrap();
    let fields = hidden_fields(&html);
    let wrong = [
        ("username", "mock.user@example.com"),
        ("pw", "MOCKSECURITYTOKEN123"),
    ];
    let page = mock.post_form(&fields, &wrong, None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    assert!(html.contains("Please check your username and password."));
    assert!(html.contains(LOGIN_BUTTON));
    assert_eq!(hidden_fields(&html), fields);
}

#[tokio::test]
async fn inactive_user_cannot_log_in() {
    let inactive = MockUser {
        active: false,
        ..MockUser::default()
    };
    let config = MockConfig {
        users: vec![inactive],
        ..MockConfig::default()
    };
    let mock = Harness::with(config, None).await;
    let html = mock
        .get(&mock.authorize_url(&pkce_params()))
        .await
        .text()
        .await
        .unwrap();
    let fields = hidden_fields(&html);
    let credentials = [
        ("username", "mock.user@example.com"),
        ("pw", "mock-password-1"),
    ];
    let html = mock
        .post_form(&fields, &credentials, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("inactive"), "{html}");
}

#[tokio::test]
async fn session_cookie_skips_login_unless_prompt_login() {
    let mock = Harness::start().await;
    let (sid, _) = mock.log_in(&pkce_params()).await;
    let url = mock.authorize_url(&pkce_params());
    let page = mock
        .client
        .get(&url)
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("value=\"allow\">Allow</button>")
    );
    let mut params = pkce_params();
    params.push(("prompt", "login"));
    let url = mock.authorize_url(&params);
    let page = mock
        .client
        .get(&url)
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains(LOGIN_BUTTON));
}

#[tokio::test]
async fn consent_without_session_goes_back_to_login() {
    let mock = Harness::start().await;
    let (_, consent) = mock.log_in(&pkce_params()).await;
    let page = mock
        .post_form(&hidden_fields(&consent), &[("decision", "allow")], None)
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(LOGIN_BUTTON));
}

#[tokio::test]
async fn unknown_client_and_bad_redirect_are_answered_here() {
    let mock = Harness::start().await;
    let cases = [
        (
            "client_id",
            "nope",
            "error=invalid_client_id&error_description=client%20identifier%20invalid",
        ),
        (
            "redirect_uri",
            "http://localhost:8000/other",
            "error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration",
        ),
        (
            "redirect_uri",
            "",
            "error=redirect_uri_missing&error_description=redirect_uri%20not%20provided",
        ),
    ];
    for (key, value, body) in cases {
        let params: Vec<(&str, &str)> = pkce_params()
            .into_iter()
            .map(|(k, v)| if k == key { (k, value) } else { (k, v) })
            .collect();
        let response = mock.get(&mock.authorize_url(&params)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key}={value}");
        assert!(response.headers().get("location").is_none());
        assert_eq!(response.text().await.unwrap(), body);
    }
}

#[tokio::test]
async fn other_errors_go_to_the_callback() {
    let mut config = MockConfig::default();
    config.connected_app.pkce_required = true;
    let mock = Harness::with(config, None).await;
    let base = [
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("state", "s"),
    ];
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[("response_type", "id_token"), ("code_challenge", CHALLENGE)],
            "unsupported_response_type",
        ),
        (
            &[("response_type", "code")],
            "invalid_request&error_description=missing%20required%20code%20challenge",
        ),
        (
            &[
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S512"),
            ],
            "invalid_request",
        ),
    ];
    for (extra, error) in cases {
        let params: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
        let response = mock.get(&mock.authorize_url(&params)).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{error}");
        let location = location(&response);
        assert!(
            location.starts_with(&format!("{REDIRECT_URI}?error={error}")),
            "{location}"
        );
        assert!(location.ends_with("&state=s"), "{location}");
    }
}

#[tokio::test]
async fn user_agent_flow_returns_tokens_in_the_fragment() {
    let mock = Harness::start().await;
    let params = [
        ("response_type", "token"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "api refresh_token"),
        ("state", "xyz"),
    ];
    let location = mock.approve(&params, "allow").await;
    let (_, fragment) = location.split_once('#').expect("fragment");
    let keys: Vec<String> = form_urlencoded::parse(fragment.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    let expected = [
        "access_token",
        "refresh_token",
        "instance_url",
        "id",
        "issued_at",
        "signature",
        "scope",
        "token_type",
        "state",
    ];
    assert_eq!(keys, expected);
    assert_eq!(
        query_param(&location, "scope").as_deref(),
        Some("api refresh_token")
    );
    assert!(
        query_param(&location, "access_token")
            .unwrap()
            .starts_with("00Dak0000000001!")
    );
    let mock = Harness::start().await;
    let location = mock.approve(&params, "deny").await;
    assert!(
        location.starts_with(&format!("{REDIRECT_URI}#error=access_denied")),
        "{location}"
    );
}

/// A scope the app does not have ends on Salesforce's error page; the
/// client's redirect URI hears nothing.
#[tokio::test]
async fn a_scope_the_app_lacks_ends_on_the_error_page() {
    let mock = Harness::start().await;
    for response_type in ["code", "token"] {
        let params = [
            ("response_type", response_type),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "api full"),
            ("state", "s"),
        ];
        let response = mock.get(&mock.authorize_url(&params)).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let target = location(&response);
        let expected = format!(
            "{}/setup/secur/RemoteAccessErrorPage.apexp?error=invalid_scope&error_description=the+requested+scope+is+not+allowed",
            mock.base
        );
        assert_eq!(target, expected);
        let page = mock.get(&target).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("OAUTH_APPROVAL_ERROR_GENERIC"), "{html}");
        assert!(!html.contains("<form"));
    }
}
