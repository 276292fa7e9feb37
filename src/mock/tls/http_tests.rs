//! The mock over HTTPS: trusted with its CA, readable when spoken to in plain
//! HTTP, and alive after broken handshakes.

use std::io::{Read, Write};

use reqwest::{Certificate, Client, StatusCode};
use serde_json::Value;

use crate::mock::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use crate::mock::server::{MockOptions, MockServer};

async fn start() -> (MockServer, Client) {
    let options = MockOptions {
        tls: true,
        ..MockOptions::default()
    };
    let config = crate::mock::testing::password_org();
    let server = MockServer::start(config, options).await.unwrap();
    let pem = server.ca_certificate_pem().unwrap();
    let client = Client::builder()
        .add_root_certificate(Certificate::from_pem(pem.as_bytes()).unwrap())
        .resolve("localhost", server.address())
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test]
async fn serves_https_for_localhost_and_hands_out_https_urls() {
    let (server, client) = start().await;
    assert!(server.base_url().starts_with("https://127.0.0.1:"));
    let port = server.address().port();
    for base in [server.base_url(), format!("https://localhost:{port}")] {
        let response = client
            .post(format!("{base}/services/oauth2/token"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", DEFAULT_CLIENT_ID),
                ("client_secret", DEFAULT_CLIENT_SECRET),
                ("username", "mock.user@example.com"),
                ("password", "mock-password-1MOCKSECURITYTOKEN123"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["instance_url"], base.as_str());
        assert!(body["id"].as_str().unwrap().starts_with(&base));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn survives_plain_http_garbage_and_distrust() {
    let (server, client) = start().await;
    let address = server.address();
    let plain = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /services/data HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        // A handshake record that is not one, then a silent hang-up.
        let mut broken = std::net::TcpStream::connect(address).unwrap();
        broken.write_all(b"\x16\x03\x01\x00\x05hello").unwrap();
        drop(broken);
        drop(std::net::TcpStream::connect(address).unwrap());
        answer
    })
    .await
    .unwrap();
    assert!(plain.starts_with("HTTP/1.1 400"), "{plain}");
    assert!(plain.contains("use https://"), "{plain}");
    let untrusted = Client::new()
        .get(format!("{}/services/data", server.base_url()))
        .send()
        .await;
    assert!(
        untrusted.is_err(),
        "a client without the CA refuses the mock"
    );
    let response = client
        .get(format!("{}/services/data", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.shutdown().await;
}
