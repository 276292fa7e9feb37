//! What the Salesforce CLI relies on: `sf data query`'s `columns=true` and
//! `--use-tooling-api`, the Tooling API's `SourceMember` describe answering
//! `NOT_FOUND` (no source tracking), `Organization.IsSandbox`, and REST
//! refusing a token without the `api` scope.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::Api;
use crate::mock::config::DEFAULT_CLIENT_ID;
use crate::mock::testing::{Harness, REDIRECT_URI, org_with, query_param};

#[tokio::test]
async fn columns_true_answers_the_columns() {
    let api = Api::start().await;
    let soql =
        "SELECT id, Name, Owner.Name, Owner.Email, NumberOfEmployees, IsDeleted FROM Account";
    let encoded: String = form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    let answer = api.get(&format!("query?q={encoded}&columns=true")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let body = &answer.body;
    assert!(body.get("records").is_none(), "columns, not records");
    assert_eq!(body["entityName"], "Account");
    assert_eq!(body["idSelected"], true);
    let columns = body["columnMetadata"].as_array().unwrap();
    let names: Vec<&str> = columns
        .iter()
        .map(|c| c["columnName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Id", "Name", "Owner", "NumberOfEmployees", "IsDeleted"]
    );
    assert_eq!(
        columns[1],
        json!({
            "aggregate": false, "apexType": "String", "booleanType": false, "columnName": "Name",
            "custom": false, "displayName": "Name", "foreignKeyName": null, "insertable": false,
            "joinColumns": [], "numberType": false, "textType": true, "updatable": false,
        })
    );
    let owner = &columns[2];
    assert_eq!(owner["foreignKeyName"], "OwnerId");
    assert_eq!(owner["apexType"], Value::Null);
    let joined: Vec<&str> = owner["joinColumns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["columnName"].as_str().unwrap())
        .collect();
    assert_eq!(joined, ["Name", "Email"]);
    assert_eq!(columns[3]["numberType"], true);
    assert_eq!(columns[4]["booleanType"], true);
}

#[tokio::test]
async fn the_tooling_api_queries_its_own_sobjects() {
    let api = Api::start().await;
    let answer = api
        .get("tooling/query?q=SELECT+Id,+Username+FROM+User")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["totalSize"], 1);
    assert_eq!(
        answer.body["records"][0]["Username"],
        "mock.user@example.com"
    );
    let answer = api
        .get("tooling/query?q=SELECT+Name+FROM+User&columns=true")
        .await;
    assert_eq!(answer.body["columnMetadata"][0]["columnName"], "Name");
    // Accounts are no Tooling API sObject.
    let answer = api.get("tooling/query?q=SELECT+Id+FROM+Account").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.error().0, "INVALID_TYPE");
    assert!(
        answer
            .error()
            .1
            .contains("sObject type 'Account' is not supported")
    );
}

/// The Salesforce CLI's deploy and retrieve read this 404 as "no source
/// tracking"; any other answer would stop them.
#[tokio::test]
async fn no_source_tracking_and_no_sandbox() {
    let api = Api::start().await;
    let answer = api.get("tooling/sobjects/SourceMember/describe").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.body,
        json!([{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}])
    );
    let org = api.query("SELECT IsSandbox FROM Organization").await;
    assert_eq!(org.body["records"][0]["IsSandbox"], false);
    let sandbox = Api::with(org_with(&json!({ "sandbox": true }))).await;
    let org = sandbox.query("SELECT IsSandbox FROM Organization").await;
    assert_eq!(org.body["records"][0]["IsSandbox"], true);
}

/// An `openid`-only token is a live session, but not for the APIs.
async fn openid_only_token(mock: &Harness) -> String {
    let params = [
        ("response_type", "code"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid"),
    ];
    let location = mock.approve(&params, "allow").await;
    let code = query_param(&location, "code").unwrap();
    let (status, body) = mock
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", crate::mock::config::DEFAULT_CLIENT_SECRET),
            ("redirect_uri", REDIRECT_URI),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid");
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_apis_need_the_api_scope() {
    let mock = Harness::start().await;
    let token = openid_only_token(&mock).await;
    let rest = mock
        .client
        .get(format!(
            "{}/services/data/v62.0/sobjects/Account",
            mock.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(rest.headers()["www-authenticate"], "Token");
    let body: Value = rest.json().await.unwrap();
    assert_eq!(
        body,
        json!([{"message": "This session is not valid for use with the REST API", "errorCode": "INVALID_SESSION_ID"}])
    );
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><SessionHeader><sessionId>{token}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><describeMetadata><asOfVersion>62.0</asOfVersion></describeMetadata></soapenv:Body></soapenv:Envelope>"#
    );
    let soap = mock
        .client
        .post(format!("{}/services/Soap/m/62.0", mock.base))
        .header("content-type", "text/xml")
        .header("soapaction", "\"\"")
        .body(envelope)
        .send()
        .await
        .unwrap();
    assert_eq!(soap.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = soap.text().await.unwrap();
    assert!(
        text.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: This session is not valid for use with the API</faultstring>"),
        "{text}"
    );
    // The identity service still answers it.
    let userinfo = mock
        .client
        .get(format!("{}/services/oauth2/userinfo", mock.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
}
