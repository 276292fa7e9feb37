//! The UI Bridge API, the frontdoor, the home page and logging out.

use reqwest::StatusCode;
use serde_json::Value;

use crate::mock::testing::{Harness, location, query_param};

async fn token(mock: &Harness) -> String {
    let (_, body) = mock.exchange(&mock.code().await).await;
    body["access_token"].as_str().unwrap().to_string()
}

async fn single_access(mock: &Harness, token: &str, redirect: Option<&str>) -> reqwest::Response {
    let mut request = mock
        .client
        .get(format!("{}/services/oauth2/singleaccess", mock.base))
        .bearer_auth(token);
    if let Some(redirect) = redirect {
        request = request.query(&[("redirect_uri", redirect)]);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_token_opens_the_org_in_a_browser_once() {
    let mock = Harness::start().await;
    let token = token(&mock).await;
    let answer = single_access(&mock, &token, Some("/lightning/setup/SetupOneHome/home")).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = answer.json().await.unwrap();
    let uri = body["frontdoor_uri"].as_str().unwrap().to_string();
    assert!(
        uri.starts_with(&format!("{}/secur/frontdoor.jsp?otp=", mock.base)),
        "{uri}"
    );
    let opened = mock.get(&uri).await;
    assert_eq!(opened.status(), StatusCode::FOUND);
    assert_eq!(
        location(&opened),
        format!("{}/lightning/setup/SetupOneHome/home", mock.base)
    );
    let cookie = opened.headers()["set-cookie"].to_str().unwrap().to_string();
    let sid = cookie.split(';').next().unwrap().to_string();
    let home = mock
        .client
        .get(format!("{}/home/home.jsp", mock.base))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert!(
        home.text()
            .await
            .unwrap()
            .contains("logged in as mock.user@example.com")
    );
    // The code is single-use.
    assert_eq!(mock.get(&uri).await.status(), StatusCode::BAD_REQUEST);
    // Logging out ends the session.
    let out = mock
        .client
        .get(format!("{}/secur/logout.jsp", mock.base))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let home = mock
        .client
        .get(format!("{}/home/home.jsp", mock.base))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert!(home.text().await.unwrap().contains("not logged in"));
}

#[tokio::test]
async fn the_frontdoor_stays_on_the_org_and_takes_a_sid() {
    let mock = Harness::start().await;
    let token = token(&mock).await;
    let answer = single_access(&mock, &token, Some("https://evil.example/")).await;
    let body: Value = answer.json().await.unwrap();
    let uri = body["frontdoor_uri"].as_str().unwrap();
    assert!(!uri.contains("evil"), "{uri}");
    let opened = mock.get(uri).await;
    assert_eq!(location(&opened), format!("{}/home/home.jsp", mock.base));
    let sid_url = format!("{}/secur/frontdoor.jsp?sid={token}&retURL=/x", mock.base);
    let opened = mock.get(&sid_url).await;
    assert_eq!(location(&opened), format!("{}/x", mock.base));
    // A bad token: 403, as Salesforce answers an expired one.
    let answer = single_access(&mock, "00Dak0000000001!nope", None).await;
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn oidc_logout_goes_back_to_a_registered_url() {
    let mock = Harness::start().await;
    let back = crate::mock::testing::REDIRECT_URI;
    let url = format!("{}/services/auth/idp/oidc/logout", mock.base);
    let out = mock
        .client
        .get(&url)
        .query(&[("post_logout_redirect_uri", back), ("state", "s 1")])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::FOUND);
    let target = location(&out);
    assert!(target.starts_with(back));
    assert_eq!(query_param(&target, "state").as_deref(), Some("s 1"));
    let elsewhere = mock
        .client
        .get(&url)
        .query(&[("post_logout_redirect_uri", "https://evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::OK);
    // Discovery advertises only what is served.
    let config: Value = mock
        .client
        .get(format!("{}/.well-known/openid-configuration", mock.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(config.get("registration_endpoint").is_none());
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "introspection_endpoint",
        "end_session_endpoint",
    ] {
        let endpoint = config[key].as_str().unwrap();
        let method = if key == "introspection_endpoint" {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let status = mock
            .client
            .request(method, endpoint)
            .send()
            .await
            .unwrap()
            .status();
        assert_ne!(status, StatusCode::NOT_FOUND, "{key}: {endpoint}");
    }
}
