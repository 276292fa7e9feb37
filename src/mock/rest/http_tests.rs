//! Tests over loopback HTTP of the parent module.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::mock::config::MockConfig;
use crate::mock::testing::Harness;

async fn token(mock: &Harness) -> String {
    let (_, body) = mock.exchange(&mock.code().await).await;
    body["access_token"].as_str().unwrap().to_string()
}

async fn get(mock: &Harness, path: &str, bearer: Option<&str>) -> reqwest::Response {
    let mut request = mock.client.get(format!("{}{path}", mock.base));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn versions_need_no_session_and_are_not_counted() {
    let mock = Harness::start().await;
    for path in ["/services/data", "/services/data/"] {
        let response = get(&mock, path, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("sforce-limit-info").is_none());
        let list: Vec<Value> = response.json().await.unwrap();
        assert_eq!(
            list[0],
            json!({"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"})
        );
        let last = json!({"label": "Winter '27", "url": "/services/data/v68.0", "version": "68.0"});
        assert_eq!(list.last().unwrap(), &last);
    }
}

#[tokio::test]
async fn without_a_valid_token_401() {
    let mock = Harness::start().await;
    for bearer in [None, Some("00Dak0000000001!nope")] {
        let response = get(&mock, "/services/data/v62.0/sobjects/Account", bearer).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Token");
        assert_eq!(
            response.headers()["content-type"],
            "application/json;charset=UTF-8"
        );
        let body: Value = response.json().await.unwrap();
        let expected =
            json!([{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}]);
        assert_eq!(body, expected);
    }
}

#[tokio::test]
async fn expired_access_token_401() {
    let mut config = MockConfig::default();
    config.connected_app.access_token_lifetime = "0s".into();
    let mock = Harness::with(config, None).await;
    let token = token(&mock).await;
    let response = get(&mock, "/services/data/v62.0", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn account_basic_information() {
    let mut config = MockConfig::default();
    config.records.insert(
        "Account".into(),
        vec![json!({"Name": "Acme"}).as_object().unwrap().clone()],
    );
    let mock = Harness::with(config, None).await;
    let token = token(&mock).await;
    for (n, path) in [
        "/services/data/v62.0/sobjects/Account",
        "/services/data/v62.0/sobjects/Account/",
    ]
    .iter()
    .enumerate()
    {
        let response = get(&mock, path, Some(&token)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["sforce-limit-info"],
            format!("api-usage={}/15000", n + 1)
        );
        let body: Value = response.json().await.unwrap();
        let describe = &body["objectDescribe"];
        assert_eq!(describe["name"], "Account");
        assert_eq!(describe["keyPrefix"], "001");
        assert_eq!(describe["custom"], false);
        assert_eq!(
            describe["urls"]["sobject"],
            "/services/data/v62.0/sobjects/Account"
        );
        let expected = json!([{
            "attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001ak0000000001AAA"},
            "Id": "001ak0000000001AAA",
            "Name": "Acme",
        }]);
        assert_eq!(body["recentItems"], expected);
    }
}

#[tokio::test]
async fn other_sobjects_and_resources() {
    let mock = Harness::start().await;
    let token = token(&mock).await;
    let body: Value = get(&mock, "/services/data/v62.0/sobjects/Contact", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["recentItems"][0]["Name"], "Ada Lovelace");
    assert_eq!(body["recentItems"][0]["Id"], "003ak0000000001AAA");
    let body: Value = get(&mock, "/services/data/v62.0/sobjects/User", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["recentItems"][0]["Id"], "005ak0000000001AAA");
    assert_eq!(body["objectDescribe"]["deletable"], false);
    let body: Value = get(&mock, "/services/data/v62.0/", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["sobjects"], "/services/data/v62.0/sobjects");
    let identity = format!("{}/id/00Dak0000000001EAA/005ak0000000001AAA", mock.base);
    assert_eq!(body["identity"], identity);
}

#[tokio::test]
async fn unknown_things_404() {
    let mock = Harness::start().await;
    let token = token(&mock).await;
    let not_found =
        json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]);
    for path in [
        "/services/data/v62.0/sobjects/Widget__c",
        "/services/data/v99.0/sobjects/Account",
        "/services/data/v62.0/nothing/here",
        "/nowhere",
    ] {
        let response = get(&mock, path, Some(&token)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json;charset=UTF-8"
        );
        assert_eq!(response.json::<Value>().await.unwrap(), not_found, "{path}");
    }
}
