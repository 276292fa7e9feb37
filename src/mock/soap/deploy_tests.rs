//! Loopback tests of `deploy` and `retrieve`: the example project goes in,
//! its apps come back out in canonical form, without secrets.

use std::path::Path;

use base64::Engine as _;

use super::http_tests::post;
use crate::apps::package::{from_source, unzip, zip};
use crate::mock::testing::Harness;

fn envelope(session: &str, operation: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>{session}</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata">{operation}</soapenv:Body></soapenv:Envelope>"#
    )
}

async fn soap(mock: &Harness, token: &str, operation: &str) -> String {
    let reply = post(
        mock,
        "/services/Soap/m/62.0",
        "\"\"",
        &envelope(token, operation),
    )
    .await;
    reply.text
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).map_or(0, |i| i + start.len());
    let to = text[from..].find(end).map_or(text.len(), |i| from + i);
    &text[from..to]
}

fn example_zip(secret: Option<&str>) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sfdx-project");
    let mut package = from_source(&dir, "68.0").unwrap();
    if let Some(secret) = secret {
        for (path, bytes) in &mut package.files {
            if path.ends_with(".ecaGlblOauth") {
                let text = String::from_utf8(bytes.clone()).unwrap().replace(
                    "<externalClientApplication>",
                    &format!(
                        "<consumerSecret>{secret}</consumerSecret>\n    <externalClientApplication>"
                    ),
                );
                *bytes = text.into_bytes();
            }
        }
    }
    base64::engine::general_purpose::STANDARD.encode(zip(&package.files))
}

#[tokio::test]
async fn a_deployed_project_is_retrieved_in_canonical_form_without_secrets() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    let deploy = format!(
        "<deploy><ZipFile>{}</ZipFile><DeployOptions><singlePackage>true</singlePackage><rollbackOnError>true</rollbackOnError></DeployOptions></deploy>",
        example_zip(Some("SECRETSECRET1234"))
    );
    let queued = soap(&mock, &token, &deploy).await;
    assert!(queued.contains("<state>Queued</state>"), "{queued}");
    let id = between(&queued, "<id>", "</id>");
    let status = soap(&mock, &token, &format!("<checkDeployStatus><asyncProcessId>{id}</asyncProcessId><includeDetails>true</includeDetails></checkDeployStatus>")).await;
    assert!(status.contains("<status>Succeeded</status>"), "{status}");
    assert!(
        status.contains("<numberComponentsDeployed>7</numberComponentsDeployed>"),
        "{status}"
    );
    assert!(status.contains("<fileName>connectedApps/Billing_Portal.connectedApp</fileName>"));
    let retrieve = "<retrieve><request><apiVersion>68.0</apiVersion><unpackaged><types><members>Partner_Api_glbloauth</members><members>Nope</members><name>ExtlClntAppGlobalOauthSettings</name></types><types><members>*</members><name>ConnectedApp</name></types><version>68.0</version></unpackaged></request></retrieve>";
    let queued = soap(&mock, &token, retrieve).await;
    let id = between(&queued, "<id>", "</id>");
    let status = soap(
        &mock,
        &token,
        &format!(
            "<checkRetrieveStatus><asyncProcessId>{id}</asyncProcessId></checkRetrieveStatus>"
        ),
    )
    .await;
    assert!(status.contains("<status>Succeeded</status>"), "{status}");
    assert!(
        status.contains(
            "Entity of type 'ExtlClntAppGlobalOauthSettings' named 'Nope' cannot be found"
        )
    );
    let zipped = between(&status, "<zipFile>", "</zipFile>");
    let files = unzip(
        &base64::engine::general_purpose::STANDARD
            .decode(zipped)
            .unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            "unpackaged/package.xml",
            "unpackaged/connectedApps/Billing_Portal.connectedApp",
            "unpackaged/extlClntAppGlobalOauthSets/Partner_Api_glbloauth.ecaGlblOauth",
        ]
    );
    let global = String::from_utf8(files[2].1.clone()).unwrap();
    assert!(
        !global.contains("SECRETSECRET1234") && !global.contains("consumerSecret"),
        "{global}"
    );
    assert!(
        global.contains("<consumerKey>3MVG9"),
        "a generated key: {global}"
    );
    let ca = String::from_utf8(files[1].1.clone()).unwrap();
    assert!(ca.contains("<consumerKey>3MVG9BillingPortal"), "{ca}");
    let read = soap(&mock, &token, "<readMetadata><type>ExternalClientApplication</type><fullNames>Partner_Api</fullNames></readMetadata>").await;
    assert!(
        read.contains(
            r#"<records xsi:type="ExternalClientApplication"><fullName>Partner_Api</fullName>"#
        ),
        "{read}"
    );
    let list = soap(&mock, &token, "<listMetadata><queries><type>ExtlClntAppOauthSettings</type></queries><asOfVersion>68.0</asOfVersion></listMetadata>").await;
    assert!(
        list.contains("<fullName>Partner_Api_oauth</fullName>"),
        "{list}"
    );
}

#[tokio::test]
async fn a_broken_component_fails_the_deploy_at_its_line_and_nothing_is_stored() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    let package = "<?xml version=\"1.0\"?><Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>Bad</members><members>Gone</members><name>ConnectedApp</name></types><version>68.0</version></Package>";
    let bad = "<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n  <label>Bad</label>\n  <nope>1</nope>\n</ConnectedApp>";
    let files = vec![
        ("package.xml".to_string(), package.as_bytes().to_vec()),
        (
            "connectedApps/Bad.connectedApp".to_string(),
            bad.as_bytes().to_vec(),
        ),
    ];
    let zipped = base64::engine::general_purpose::STANDARD.encode(zip(&files));
    let queued = soap(
        &mock,
        &token,
        &format!("<deploy><ZipFile>{zipped}</ZipFile><DeployOptions/></deploy>"),
    )
    .await;
    let id = between(&queued, "<id>", "</id>");
    let status = soap(
        &mock,
        &token,
        &format!("<checkDeployStatus><asyncProcessId>{id}</asyncProcessId></checkDeployStatus>"),
    )
    .await;
    assert!(status.contains("<status>Failed</status>"), "{status}");
    assert!(status.contains("<lineNumber>3</lineNumber>"), "{status}");
    assert!(
        status.contains("`nope` is not a field of ConnectedApp"),
        "{status}"
    );
    assert!(status.contains("An object &apos;Gone&apos; of type ConnectedApp was named in package.xml, but was not found in zipped directory"), "{status}");
    let list = soap(
        &mock,
        &token,
        "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>",
    )
    .await;
    assert!(
        !list.contains("<fullName>Bad</fullName>"),
        "rolled back: {list}"
    );
    let garbage = soap(&mock, &token, "<deploy><ZipFile>!!!</ZipFile></deploy>").await;
    let id = between(&garbage, "<id>", "</id>");
    let status = soap(
        &mock,
        &token,
        &format!("<checkDeployStatus><asyncProcessId>{id}</asyncProcessId></checkDeployStatus>"),
    )
    .await;
    assert!(
        status.contains("<errorMessage>the ZipFile is not base64"),
        "{status}"
    );
}

#[tokio::test]
async fn a_consumer_key_is_set_once() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    let package = "<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>Keyed</members><name>ConnectedApp</name></types><version>62.0</version></Package>";
    let app = |key: &str| {
        format!(
            "<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\"><contactEmail>a@example.com</contactEmail><label>Keyed</label><oauthConfig><callbackUrl>http://localhost:1/cb</callbackUrl>{key}<scopes>Api</scopes></oauthConfig></ConnectedApp>"
        )
    };
    for body in [app("<consumerKey>3MVG9FirstKey0123</consumerKey>"), app("")] {
        let files = vec![
            ("package.xml".to_string(), package.as_bytes().to_vec()),
            (
                "connectedApps/Keyed.connectedApp".to_string(),
                body.into_bytes(),
            ),
        ];
        let zipped = base64::engine::general_purpose::STANDARD.encode(zip(&files));
        let queued = soap(
            &mock,
            &token,
            &format!("<deploy><ZipFile>{zipped}</ZipFile></deploy>"),
        )
        .await;
        let id = between(&queued, "<id>", "</id>");
        let status = soap(
            &mock,
            &token,
            &format!(
                "<checkDeployStatus><asyncProcessId>{id}</asyncProcessId></checkDeployStatus>"
            ),
        )
        .await;
        assert!(status.contains("<status>Succeeded</status>"), "{status}");
    }
    let read = soap(
        &mock,
        &token,
        "<readMetadata><type>ConnectedApp</type><fullNames>Keyed</fullNames></readMetadata>",
    )
    .await;
    assert!(
        read.contains("<consumerKey>3MVG9FirstKey0123</consumerKey>"),
        "{read}"
    );
}

#[tokio::test]
async fn deployed_oauth_settings_turn_the_orgs_username_password_switch() {
    let mock = Harness::start().await;
    let (_, body) = mock.exchange(&mock.code().await).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    let password = [
        ("grant_type", "password"),
        ("client_id", crate::mock::config::DEFAULT_CLIENT_ID),
        ("client_secret", crate::mock::config::DEFAULT_CLIENT_SECRET),
        ("username", "mock.user@example.com"),
        ("password", "mock-password-1MOCKSECURITYTOKEN123"),
    ];
    let (status, refused) = mock.token(&password).await;
    assert_eq!(status, 400, "a new org blocks the flow: {refused}");
    let deploy = |block: &str| {
        let package = "<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>OauthOidc</members><name>Settings</name></types><version>62.0</version></Package>";
        let settings = format!(
            "<OauthOidcSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\"><blockOAuthUnPwFlow>{block}</blockOAuthUnPwFlow><blockOAuthUsrAgtFlow>false</blockOAuthUsrAgtFlow></OauthOidcSettings>"
        );
        let files = vec![
            ("package.xml".to_string(), package.as_bytes().to_vec()),
            (
                "settings/OauthOidc.settings".to_string(),
                settings.into_bytes(),
            ),
        ];
        let zipped = base64::engine::general_purpose::STANDARD.encode(zip(&files));
        format!("<deploy><ZipFile>{zipped}</ZipFile><DeployOptions/></deploy>")
    };
    for (block, allowed) in [("false", true), ("true", false)] {
        let queued = soap(&mock, &token, &deploy(block)).await;
        let id = between(&queued, "<id>", "</id>");
        let status = soap(
            &mock,
            &token,
            &format!(
                "<checkDeployStatus><asyncProcessId>{id}</asyncProcessId></checkDeployStatus>"
            ),
        )
        .await;
        assert!(status.contains("<status>Succeeded</status>"), "{status}");
        assert_eq!(
            mock.server
                .config_now()
                .org_settings
                .allow_username_password_flows,
            allowed
        );
        let (status, body) = mock.token(&password).await;
        assert_eq!(
            status.is_success(),
            allowed,
            "blockOAuthUnPwFlow {block}: {body}"
        );
    }
    // A check-only deploy changes nothing.
    let check_only = deploy("false").replace(
        "<DeployOptions/>",
        "<DeployOptions><checkOnly>true</checkOnly></DeployOptions>",
    );
    soap(&mock, &token, &check_only).await;
    assert!(
        !mock
            .server
            .config_now()
            .org_settings
            .allow_username_password_flows
    );
}
