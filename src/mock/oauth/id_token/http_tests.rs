//! Tests of `/.well-known/openid-configuration`, `/id/keys` and the
//! `id_token` of each flow (verified with the published key), and of URLs
//! following the Host header.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::Value;

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, DEFAULT_CLIENT_SECRET as SECRET};
use crate::mock::oauth::id_token::at_hash;
use crate::mock::testing::{Harness, REDIRECT_URI, query_param};

const USER_ID: &str = "005ak0000000001AAA";
const ORG_ID: &str = "00Dak0000000001EAA";
#[tokio::test]
async fn discovery_and_keys() {
    let mock = Harness::start().await;
    let url = format!("{}/.well-known/openid-configuration", mock.base);
    let response = mock.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let config: Value = response.json().await.unwrap();
    assert_eq!(config["issuer"], mock.base);
    let oauth = format!("{}/services/oauth2", mock.base);
    assert_eq!(
        config["authorization_endpoint"],
        format!("{oauth}/authorize")
    );
    assert_eq!(config["token_endpoint"], format!("{oauth}/token"));
    assert_eq!(config["revocation_endpoint"], format!("{oauth}/revoke"));
    assert_eq!(config["userinfo_endpoint"], format!("{oauth}/userinfo"));
    assert_eq!(
        config["introspection_endpoint"],
        format!("{oauth}/introspect")
    );
    assert_eq!(config["jwks_uri"], format!("{}/id/keys", mock.base));
    assert!(
        config.get("registration_endpoint").is_none(),
        "not served, so not advertised"
    );
    for key in [
        "scopes_supported",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
        "display_values_supported",
        "token_endpoint_auth_methods_supported",
        "claims_supported",
        "end_session_endpoint",
        "frontchannel_logout_supported",
        "frontchannel_logout_session_supported",
    ] {
        assert!(config.get(key).is_some(), "{key}");
    }
    let keys: Value = mock
        .client
        .get(format!("{}/id/keys", mock.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &keys["keys"][0];
    assert_eq!(
        (
            &key["kid"],
            &key["kty"],
            &key["alg"],
            &key["use"],
            &key["e"]
        ),
        (
            &"236".into(),
            &"RSA".into(),
            &"RS256".into(),
            &"sig".into(),
            &"AQAB".into()
        )
    );
    let response = mock
        .client
        .post(format!("{}/id/keys", mock.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// The JWK set's key, to verify `id_token`s with.
async fn org_key(mock: &Harness) -> DecodingKey {
    let keys: Value = mock
        .client
        .get(format!("{}/id/keys", mock.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &keys["keys"][0];
    DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
        .unwrap()
}

fn verify(token: &str, key: &DecodingKey, base: &str, aud: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.kid.as_deref(), Some("236"));
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[aud]);
    validation.set_issuer(&[base]);
    jsonwebtoken::decode::<Value>(token, key, &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn id_token_in_the_code_flow_and_on_refresh() {
    let mock = Harness::start().await;
    let mut params = crate::mock::testing::pkce_params();
    params.push(("nonce", "n-0S6_WzA2Mj"));
    let location = mock.approve(&params, "allow").await;
    let code = query_param(&location, "code").unwrap();
    let (status, body) = mock.exchange(&code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let order = [
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "id_token",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    ];
    assert_eq!(keys, order);
    let key = org_key(&mock).await;
    let claims = verify(body["id_token"].as_str().unwrap(), &key, &mock.base, ID);
    assert_eq!(claims["sub"], body["id"]);
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(
        claims["at_hash"],
        at_hash(body["access_token"].as_str().unwrap())
    );
    assert_eq!(claims["preferred_username"], "mock.user@example.com");
    assert_eq!(claims["name"], "Mock User");
    assert_eq!(claims["email"], "mock.user@example.com");
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 120);
    let issued_at: u64 = body["issued_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(iat, issued_at / 1000);
    let refresh = body["refresh_token"].as_str().unwrap();
    let (_, again) = mock
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", ID),
            ("client_secret", SECRET),
        ])
        .await;
    let claims = verify(again["id_token"].as_str().unwrap(), &key, &mock.base, ID);
    assert!(claims.get("nonce").is_none());
    assert_eq!(
        claims["at_hash"],
        at_hash(again["access_token"].as_str().unwrap())
    );
}

#[tokio::test]
async fn no_id_token_without_openid() {
    let mock = Harness::start().await;
    let mut params = crate::mock::testing::pkce_params();
    params.push(("scope", "api refresh_token"));
    let location = mock.approve(&params, "allow").await;
    let (_, body) = mock
        .exchange(&query_param(&location, "code").unwrap())
        .await;
    assert!(body.get("id_token").is_none(), "{body}");
    assert!(body.get("refresh_token").is_some());
}

#[tokio::test]
async fn user_agent_flow_fragment() {
    let mock = Harness::start().await;
    let params = [
        ("response_type", "token id_token"),
        ("client_id", ID),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "api openid"),
        ("nonce", "abc"),
    ];
    let location = mock.approve(&params, "allow").await;
    assert!(
        location.starts_with(&format!("{REDIRECT_URI}#access_token=")),
        "{location}"
    );
    assert!(
        query_param(&location, "refresh_token").is_none(),
        "no refresh_token scope"
    );
    let token = query_param(&location, "id_token").unwrap();
    let claims = verify(&token, &org_key(&mock).await, &mock.base, ID);
    assert_eq!(claims["nonce"], "abc");
    let access = query_param(&location, "access_token").unwrap();
    assert_eq!(claims["at_hash"], at_hash(&access));
}

#[tokio::test]
async fn urls_follow_the_host_header() {
    let mock = Harness::with(crate::mock::testing::password_org(), None).await;
    let form = [
        ("grant_type", "password"),
        ("client_id", ID),
        ("client_secret", SECRET),
        ("username", "mock.user@example.com"),
        ("password", "mock-password-1MOCKSECURITYTOKEN123"),
    ];
    let url = format!("{}/services/oauth2/token", mock.base);
    let body: Value = mock
        .client
        .post(&url)
        .header("host", "mock.test:8443")
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["instance_url"], "http://mock.test:8443");
    assert_eq!(
        body["id"],
        format!("http://mock.test:8443/id/{ORG_ID}/{USER_ID}")
    );
    let token = body["access_token"].as_str().unwrap();
    let info: Value = mock
        .client
        .get(format!("{}/services/oauth2/userinfo", mock.base))
        .header("host", "other.test")
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        info["sub"],
        format!("http://other.test/id/{ORG_ID}/{USER_ID}")
    );
    assert_eq!(info["urls"]["custom_domain"], "http://other.test");
}
