//! Loopback tests of the SOAP endpoints: routing, faults and partner login.

use reqwest::StatusCode;

use super::xml::{Element, parse};
use crate::mock::testing::Harness;

/// One SOAP reply: status, content type, raw text and the parsed Body child.
pub(crate) struct Soap {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) text: String,
}

impl Soap {
    /// The element inside `soapenv:Body`.
    pub(crate) fn body(&self) -> Element {
        let envelope = parse(self.text.as_bytes()).unwrap();
        envelope.child("Body").unwrap().children[0].clone()
    }
}

pub(crate) async fn post(mock: &Harness, path: &str, action: &str, envelope: &str) -> Soap {
    let response = mock
        .client
        .post(format!("{}{path}", mock.base))
        .header("content-type", "text/xml")
        .header("SOAPAction", action)
        .body(envelope.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let text = response.text().await.unwrap();
    Soap {
        status,
        content_type,
        text,
    }
}

/// simple-salesforce's login envelope (password with the token appended).
fn simple_salesforce_login(username: &str, password: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8" ?>
<env:Envelope
        xmlns:xsd="http://www.w3.org/2001/XMLSchema"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"
        xmlns:urn="urn:partner.soap.sforce.com">
    <env:Header>
        <urn:CallOptions>
            <urn:client>simple-salesforce</urn:client>
            <urn:defaultNamespace>sf</urn:defaultNamespace>
        </urn:CallOptions>
    </env:Header>
    <env:Body>
        <n1:login xmlns:n1="urn:partner.soap.sforce.com">
            <n1:username>{username}</n1:username>
            <n1:password>{password}</n1:password>
        </n1:login>
    </env:Body>
</env:Envelope>"#
    )
}

const GOOD_PASSWORD: &str = "mock-password-1MOCKSECURITYTOKEN123";

/// An org that allows SOAP `login()` (new orgs do not).
fn soap_login_org() -> crate::mock::config::MockConfig {
    crate::mock::testing::org_with(&serde_json::json!({ "allow_soap_login": true }))
}

/// New orgs have SOAP `login()` off, and API 65.0 and later have none.
#[tokio::test]
async fn login_is_off_in_a_new_org_and_gone_from_65() {
    let disabled = r#"<faultcode>sf:INVALID_OPERATION</faultcode><faultstring>INVALID_OPERATION: SOAP API login() is disabled by default in this org. Contact the org administrator to enable SOAP API login().</faultstring>"#;
    let envelope = simple_salesforce_login("mock.user@example.com", GOOD_PASSWORD);
    let mock = Harness::start().await;
    let reply = post(&mock, "/services/Soap/u/64.0", "login", &envelope).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.text.contains(disabled), "{}", reply.text);
    let mock = Harness::with(soap_login_org(), None).await;
    let reply = post(&mock, "/services/Soap/u/64.0", "login", &envelope).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let reply = post(&mock, "/services/Soap/u/65.0", "login", &envelope).await;
    assert!(reply.text.contains(disabled), "{}", reply.text);
}

#[tokio::test]
async fn simple_salesforce_login_gives_a_rest_session() {
    let mock = Harness::with(soap_login_org(), None).await;
    let envelope = simple_salesforce_login("mock.user@example.com", GOOD_PASSWORD);
    let reply = post(&mock, "/services/Soap/u/59.0", "login", &envelope).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.content_type, "text/xml;charset=UTF-8");
    assert!(reply.text.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com""#));
    assert!(
        reply
            .text
            .contains("<soapenv:Body><loginResponse><result><metadataServerUrl>")
    );
    let response = reply.body();
    assert_eq!(response.name, "loginResponse");
    let result = response.child("result").unwrap();
    let base = &mock.base;
    assert_eq!(
        result.text_of("serverUrl").unwrap(),
        format!("{base}/services/Soap/u/59.0/00Dak0000000001")
    );
    assert_eq!(
        result.text_of("metadataServerUrl").unwrap(),
        format!("{base}/services/Soap/m/59.0/00Dak0000000001")
    );
    assert_eq!(result.text_of("passwordExpired"), Some("false"));
    assert_eq!(result.text_of("sandbox"), Some("false"));
    assert_eq!(result.text_of("userId"), Some("005ak0000000001AAA"));
    let info = result.child("userInfo").unwrap();
    assert_eq!(info.text_of("organizationId"), Some("00Dak0000000001EAA"));
    assert_eq!(info.text_of("userName"), Some("mock.user@example.com"));
    assert_eq!(info.text_of("userFullName"), Some("Mock User"));
    assert_eq!(info.text_of("sessionSecondsValid"), Some("7200"));
    let session = result.text_of("sessionId").unwrap();
    assert!(session.starts_with("00Dak0000000001!"));
    let rest = mock
        .client
        .get(format!("{base}/services/data/v59.0/sobjects/Account"))
        .bearer_auth(session)
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), StatusCode::OK);
}

#[tokio::test]
async fn jsforce_login_and_escaped_credentials() {
    let mut config = soap_login_org();
    config.users[0].password = "p&ss<word>".into();
    let mock = Harness::with(config, None).await;
    // jsforce: `se:` prefix, default namespace on login, SOAPAction "".
    let envelope = r#"<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header/><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>MOCK.USER@example.com</username><password>p&amp;ss&lt;word&gt;MOCKSECURITYTOKEN123</password></login></se:Body></se:Envelope>"#;
    let reply = post(&mock, "/services/Soap/u/50.0/", "\"\"", envelope).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("<organizationId>00Dak0000000001EAA</organizationId>")
    );
}

#[tokio::test]
async fn bad_credentials_fault() {
    let mock = Harness::with(soap_login_org(), None).await;
    for (username, password) in [
        ("mock.user@example.com", "mock-password-1"),
        ("mock.user@example.com", "wrongMOCKSECURITYTOKEN123"),
        ("nobody@example.com", GOOD_PASSWORD),
    ] {
        let envelope = simple_salesforce_login(username, password);
        let reply = post(&mock, "/services/Soap/u/62.0", "login", &envelope).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.content_type, "text/xml;charset=UTF-8");
        assert_eq!(
            reply.text,
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>Invalid username, password, security token; or user locked out.</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
        );
    }
    let mut config = soap_login_org();
    config.users[0].active = false;
    let inactive = Harness::with(config, None).await;
    let envelope = simple_salesforce_login("mock.user@example.com", GOOD_PASSWORD);
    let reply = post(&inactive, "/services/Soap/u/62.0", "login", &envelope).await;
    assert!(
        reply
            .text
            .contains("<faultcode>sf:INVALID_LOGIN</faultcode>")
    );
}

#[tokio::test]
async fn malformed_requests_and_routes() {
    let mock = Harness::start().await;
    let broken = post(&mock, "/services/Soap/u/62.0", "login", "<se:Envelope").await;
    assert_eq!(broken.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        broken
            .text
            .contains("<faultcode>soapenv:Client</faultcode>"),
        "{}",
        broken.text
    );
    let not_soap = post(&mock, "/services/Soap/m/62.0", "", "<a><b/></a>").await;
    assert!(not_soap.text.contains("Unable to find SOAP Envelope"));
    let query = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><query xmlns="urn:partner.soap.sforce.com"><queryString>SELECT Id FROM Account</queryString></query></soapenv:Body></soapenv:Envelope>"#;
    let unknown = post(&mock, "/services/Soap/u/62.0", "", query).await;
    assert_eq!(unknown.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(unknown.text.contains("<faultstring>No operation available for request {urn:partner.soap.sforce.com}query, please check the WSDL for the service.</faultstring>"));
    for path in [
        "/services/Soap/u/99.0",
        "/services/Soap/x/62.0",
        "/services/Soap/u",
        "/services/Soap/m/62.0/a/b",
    ] {
        let reply = post(&mock, path, "", query).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    let get = mock
        .client
        .get(format!("{}/services/Soap/m/62.0", mock.base))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
}
