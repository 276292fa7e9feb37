//! Loopback tests of the Metadata API.

use reqwest::StatusCode;
use serde_json::json;

use super::http_tests::{Soap, post};
use crate::mock::config::MockConfig;
use crate::mock::testing::Harness;

/// jsforce's envelope (`_createEnvelope`) around one operation.
fn envelope(session: &str, operation: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>{session}</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata">{operation}</soapenv:Body></soapenv:Envelope>"#
    )
}

async fn session(mock: &Harness) -> String {
    let (_, body) = mock.exchange(&mock.code().await).await;
    body["access_token"].as_str().unwrap().to_string()
}

async fn call(mock: &Harness, path: &str, operation: &str) -> Soap {
    let token = session(mock).await;
    post(mock, path, "\"\"", &envelope(&token, operation)).await
}

const INVALID_SESSION: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;

#[tokio::test]
async fn bad_session_faults_like_the_contract() {
    let mock = Harness::start().await;
    let describe = "<describeMetadata><asOfVersion>62.0</asOfVersion></describeMetadata>";
    let bad = post(
        &mock,
        "/services/Soap/m/62.0",
        "\"\"",
        &envelope("00Dak0000000001!nope", describe),
    )
    .await;
    assert_eq!(bad.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(bad.content_type, "text/xml;charset=UTF-8");
    assert_eq!(bad.text, INVALID_SESSION);
    let headless = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><describeMetadata xmlns="http://soap.sforce.com/2006/04/metadata"/></soapenv:Body></soapenv:Envelope>"#;
    assert_eq!(
        post(&mock, "/services/Soap/m/62.0/", "", headless)
            .await
            .text,
        INVALID_SESSION
    );
    let unknown = call(
        &mock,
        "/services/Soap/m/62.0",
        "<cancelDeploy><id>0Af000000000001AAA</id></cancelDeploy>",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(unknown.text.contains("<faultcode>soapenv:Client</faultcode><faultstring>No operation available for request {http://soap.sforce.com/2006/04/metadata}cancelDeploy"));
}

#[tokio::test]
async fn describe_and_list() {
    let mock = Harness::start().await;
    let describe = call(
        &mock,
        "/services/Soap/m/62.0",
        "<describeMetadata><asOfVersion>62.0</asOfVersion></describeMetadata>",
    )
    .await;
    assert_eq!(describe.status, StatusCode::OK, "{}", describe.text);
    assert!(describe.text.contains(r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata""#));
    let body = describe.body();
    assert_eq!(body.name, "describeMetadataResponse");
    let result = body.child("result").unwrap();
    let names: Vec<&str> = result
        .all("metadataObjects")
        .filter_map(|o| o.text_of("xmlName"))
        .collect();
    assert!(
        names.contains(&"ConnectedApp")
            && names.contains(&"CustomObject")
            && names.contains(&"ApexClass")
    );
    assert_eq!(result.text_of("partialSaveAllowed"), Some("true"));
    let queries = "<listMetadata><queries><type>ConnectedApp</type></queries><queries><folder>x</folder><type>ApexClass</type></queries><asOfVersion>62.0</asOfVersion></listMetadata>";
    let list = call(&mock, "/services/Soap/m/62.0/00Dak0000000001", queries).await;
    let body = list.body();
    let results: Vec<_> = body.all("result").collect();
    let full_names: Vec<&str> = results
        .iter()
        .filter_map(|r| r.text_of("fullName"))
        .collect();
    assert_eq!(
        full_names,
        [
            "sfscenario_Mock_App",
            "Salesforce_CLI",
            "AccountService",
            "AccountServiceTest"
        ]
    );
    let app = results[0];
    assert_eq!(
        app.text_of("fileName"),
        Some("connectedApps/sfscenario_Mock_App.connectedApp")
    );
    assert_eq!(app.text_of("type"), Some("ConnectedApp"));
    assert_eq!(app.text_of("createdById"), Some("005ak0000000001AAA"));
    assert_eq!(app.text_of("manageableState"), Some("unmanaged"));
    assert_eq!(app.text_of("createdDate"), Some("2024-01-01T00:00:00.000Z"));
    assert_eq!(
        app.text_of("lastModifiedDate"),
        Some("2024-01-01T00:00:00.000Z")
    );
    let objects = call(
        &mock,
        "/services/Soap/m/62.0",
        "<listMetadata><queries><type>CustomObject</type></queries></listMetadata>",
    )
    .await;
    assert!(objects.text.contains(
        "<fileName>objects/Account.object</fileName><fullName>Account</fullName><id></id>"
    ));
    let none = call(
        &mock,
        "/services/Soap/m/62.0",
        "<listMetadata><queries><type>Flow</type></queries></listMetadata>",
    )
    .await;
    assert!(
        none.text
            .contains("<soapenv:Body><listMetadataResponse></listMetadataResponse></soapenv:Body>")
    );
}

#[tokio::test]
async fn read_connected_app_reflects_the_config() {
    let overrides = json!({"connected_app": {
        "callback_urls": ["http://localhost:8000/callback", "https://app.example.com/oauth"],
        "pkce_required": true,
        "scopes": ["api", "refresh_token", "offline_access", "openid"],
        "refresh_token_policy": "24h",
        "client_credentials_user": "mock.user@example.com",
    }});
    let mock = Harness::with(MockConfig::from_overrides(&overrides).unwrap(), None).await;
    let read = "<readMetadata><type>ConnectedApp</type><fullNames>sfscenario_Mock_App</fullNames><fullNames>Nope</fullNames><fullNames>salesforce_cli</fullNames></readMetadata>";
    let reply = call(&mock, "/services/Soap/m/62.0", read).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(reply.text.contains(r#"<readMetadataResponse><result><records xsi:type="ConnectedApp"><fullName>sfscenario_Mock_App</fullName>"#));
    assert!(reply.text.contains(r#"<records xsi:nil="true"/>"#));
    let body = reply.body();
    let records: Vec<_> = body.child("result").unwrap().all("records").collect();
    assert_eq!(records.len(), 3);
    let app = records[0];
    assert_eq!(app.text_of("label"), Some("sfscenario Mock App"));
    assert_eq!(app.text_of("contactEmail"), Some("mock.user@example.com"));
    let oauth = app.child("oauthConfig").unwrap();
    assert_eq!(
        oauth.text_of("callbackUrl"),
        Some("http://localhost:8000/callback\nhttps://app.example.com/oauth")
    );
    assert_eq!(
        oauth.text_of("consumerKey"),
        Some(crate::mock::config::DEFAULT_CLIENT_ID)
    );
    assert_eq!(oauth.text_of("isPkceRequired"), Some("true"));
    assert_eq!(
        oauth.text_of("isSecretRequiredForRefreshToken"),
        Some("true")
    );
    assert_eq!(oauth.text_of("isConsumerSecretOptional"), Some("false"));
    assert_eq!(oauth.text_of("isClientCredentialEnabled"), Some("true"));
    assert_eq!(
        oauth.text_of("oauthClientCredentialUser"),
        Some("mock.user@example.com")
    );
    assert!(oauth.child("consumerSecret").is_none());
    let scopes: Vec<&str> = oauth
        .all("scopes")
        .map(|scope| scope.text.as_str())
        .collect();
    assert_eq!(scopes, ["Api", "RefreshToken", "OpenID"]);
    let policy = app.child("oauthPolicy").unwrap();
    assert_eq!(
        policy.text_of("refreshTokenPolicy"),
        Some("specific_lifetime:1:DAYS")
    );
    assert_eq!(policy.text_of("ipRelaxation"), Some("ENFORCE"));
    let cli = records[2].child("oauthConfig").unwrap();
    assert_eq!(cli.text_of("consumerKey"), Some("PlatformCLI"));
    assert_eq!(cli.text_of("isConsumerSecretOptional"), Some("true"));
}

#[tokio::test]
async fn read_objects_and_unreadable_types() {
    let mock = Harness::start().await;
    let read =
        "<readMetadata><type>CustomObject</type><fullNames>Account</fullNames></readMetadata>";
    let reply = call(&mock, "/services/Soap/m/62.0", read).await;
    let body = reply.body();
    let account = body.child("result").unwrap().child("records").unwrap();
    assert_eq!(account.text_of("fullName"), Some("Account"));
    assert_eq!(account.text_of("pluralLabel"), Some("Accounts"));
    let external = account
        .all("fields")
        .find(|f| f.text_of("fullName") == Some("External_Id__c"))
        .unwrap();
    assert_eq!(external.text_of("externalId"), Some("true"));
    assert_eq!(external.text_of("type"), Some("Text"));
    assert_eq!(external.text_of("length"), Some("255"));
    let apex = call(
        &mock,
        "/services/Soap/m/62.0",
        "<readMetadata><type>ApexClass</type><fullNames>AccountService</fullNames></readMetadata>",
    )
    .await;
    assert_eq!(apex.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(apex.text.contains("<faultcode>sf:INVALID_TYPE</faultcode><faultstring>INVALID_TYPE: This type of metadata is not available for this organization</faultstring>"));
}
