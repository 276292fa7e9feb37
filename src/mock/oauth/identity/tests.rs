//! Tests of the identity URL and `userinfo` over loopback HTTP.

use reqwest::StatusCode;
use serde_json::Value;

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, DEFAULT_CLIENT_SECRET as SECRET};
use crate::mock::testing::Harness;

const USER_ID: &str = "005ak0000000001AAA";
const ORG_ID: &str = "00Dak0000000001EAA";

async fn get(mock: &Harness, url: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let mut request = mock.client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn identity_url_answers_its_own_user() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap();
    let id = body["id"].as_str().unwrap();
    let (status, content_type, text) = get(&mock, id, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(content_type, "application/json;charset=UTF-8");
    let identity: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(identity["id"], id);
    assert_eq!(identity["user_id"], USER_ID);
    assert_eq!(identity["organization_id"], ORG_ID);
    assert_eq!(identity["username"], "mock.user@example.com");
    assert_eq!(identity["display_name"], "Mock User");
    assert_eq!(identity["active"], true);
    let rest = format!("{}/services/data/v{{version}}/", mock.base);
    assert_eq!(identity["urls"]["rest"], rest);
    let metadata = format!("{}/services/Soap/m/{{version}}/00Dak0000000001", mock.base);
    assert_eq!(identity["urls"]["metadata"], metadata);
    for key in [
        "asserted_user",
        "nick_name",
        "email",
        "email_verified",
        "first_name",
        "last_name",
        "timezone",
        "photos",
        "addr_country",
        "mobile_phone",
        "is_lightning_login_user",
        "status",
        "user_type",
        "language",
        "locale",
        "utcOffset",
        "last_modified_date",
        "is_app_installed",
    ] {
        assert!(identity.get(key).is_some(), "{key}");
    }
    // jsforce: `?format=json&oauth_token=…`, no header; `version` fills the urls.
    let url = format!("{id}?format=json&version=62.0&oauth_token={token}");
    let (status, _, text) = get(&mock, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    let identity: Value = serde_json::from_str(&text).unwrap();
    let rest = format!("{}/services/data/v62.0/", mock.base);
    assert_eq!(identity["urls"]["rest"], rest);
    // omniauth-salesforce: POST with `oauth_token` in the query.
    let response = mock
        .client
        .post(format!("{id}?oauth_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn identity_url_refusals_are_403_text() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap();
    let id = body["id"].as_str().unwrap();
    let cases = [
        (
            id.to_string(),
            None,
            StatusCode::FORBIDDEN,
            "Missing_OAuth_Token",
        ),
        (
            id.to_string(),
            Some("00Dak0000000001!AQnope"),
            StatusCode::FORBIDDEN,
            "Bad_OAuth_Token",
        ),
        (
            format!("{}/id/00Dak0000000002EAA/{USER_ID}", mock.base),
            Some(token),
            StatusCode::FORBIDDEN,
            "Wrong_Org",
        ),
        (
            format!("{}/id/{ORG_ID}/005ak0000000009AAA", mock.base),
            Some(token),
            StatusCode::NOT_FOUND,
            "Bad_Id",
        ),
        (
            format!("{id}?version=x"),
            Some(token),
            StatusCode::NOT_ACCEPTABLE,
            "Invalid_Version",
        ),
    ];
    for (url, token, status, body) in cases {
        let answer = get(&mock, &url, token).await;
        assert_eq!((answer.0, answer.2.as_str()), (status, body), "{url}");
        assert_eq!(answer.1, "text/plain;charset=UTF-8");
    }
}

#[tokio::test]
async fn identity_url_refuses_another_users_token() {
    let config = crate::mock::config::MockConfig::from_overrides(&serde_json::json!({
        "org_settings": { "allow_username_password_flows": true },
        "users": [
            { "username": "a@example.com", "password": "pw-a", "security_token": "TA" },
            { "username": "b@example.com", "password": "pw-b", "security_token": "TB" },
        ]
    }))
    .unwrap();
    let mock = Harness::with(config, None).await;
    let (status, body) = mock
        .token(&[
            ("grant_type", "password"),
            ("client_id", ID),
            ("client_secret", SECRET),
            ("username", "b@example.com"),
            ("password", "pw-bTB"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap();
    let first = format!("{}/id/{ORG_ID}/{USER_ID}", mock.base);
    let answer = get(&mock, &first, Some(token)).await;
    assert_eq!(
        (answer.0, answer.2.as_str()),
        (StatusCode::FORBIDDEN, "No_Access")
    );
}

#[tokio::test]
async fn userinfo_by_header_or_parameter() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap();
    let url = format!("{}/services/oauth2/userinfo", mock.base);
    let (status, _, text) = get(&mock, &url, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let info: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(info["sub"], body["id"]);
    assert_eq!(info["user_id"], USER_ID);
    assert_eq!(info["organization_id"], ORG_ID);
    assert_eq!(info["preferred_username"], "mock.user@example.com");
    assert_eq!(info["name"], "Mock User");
    assert_eq!(info["address"]["country"], "US");
    assert_eq!(info["is_salesforce_integration_user"], false);
    for key in [
        "nickname",
        "email",
        "email_verified",
        "given_name",
        "family_name",
        "zoneinfo",
        "photos",
        "profile",
        "picture",
        "urls",
        "active",
        "user_type",
        "language",
        "locale",
        "utcOffset",
        "updated_at",
        "is_app_installed",
    ] {
        assert!(info.get(key).is_some(), "{key}");
    }
    let response = mock
        .client
        .post(&url)
        .form(&[("access_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, content_type, text) = get(&mock, &url, Some("00Dak0000000001!AQx")).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::FORBIDDEN, "Bad_OAuth_Token")
    );
    assert_eq!(content_type, "text/plain;charset=UTF-8");
}

#[tokio::test]
async fn identity_url_in_xml_or_urlencoded() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap();
    let id = body["id"].as_str().unwrap();
    let (status, content_type, text) = get(&mock, &format!("{id}?format=xml"), Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/xml;charset=UTF-8");
    assert!(
        text.contains(r#"<user xmlns="http://www.w3.org/2005/Atom""#),
        "{text}"
    );
    assert!(
        text.contains(&format!("<user_id>{USER_ID}</user_id>")),
        "{text}"
    );
    assert!(text.contains(r#"<addr_city xsi:nil="true"/>"#), "{text}");
    let (_, content_type, text) = get(&mock, &format!("{id}?format=urlencoded"), Some(token)).await;
    assert_eq!(
        content_type,
        "application/x-www-form-urlencoded;charset=UTF-8"
    );
    let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect();
    assert!(pairs.contains(&("user_id".into(), USER_ID.into())));
    assert!(pairs.iter().any(|(key, _)| key == "urls.rest"));
    // Or by `Accept`, checked left to right.
    let response = mock
        .client
        .get(id)
        .bearer_auth(token)
        .header(
            "accept",
            "text/html, application/xml;q=0.9, application/json",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/xml;charset=UTF-8"
    );
    let response = mock
        .client
        .get(id)
        .bearer_auth(token)
        .header("accept", "*/*")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
}
