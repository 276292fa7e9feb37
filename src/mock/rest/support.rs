//! Test helpers: a mock with a live access token and a REST client for it.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::mock::config::MockConfig;
use crate::mock::testing::Harness;

/// One reply: status, headers and the JSON body (`Null` when empty).
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    /// `(errorCode, message)` of a one-error body.
    pub(crate) fn error(&self) -> (String, String) {
        let text = |key: &str| self.body[0][key].as_str().unwrap_or_default().to_string();
        (text("errorCode"), text("message"))
    }
}

/// A mock and an access token for its default user.
pub(crate) struct Api {
    pub(crate) mock: Harness,
    pub(crate) token: String,
}

impl Api {
    pub(crate) async fn start() -> Api {
        Api::with(MockConfig::default()).await
    }

    pub(crate) async fn with(config: MockConfig) -> Api {
        let mock = Harness::with(config, None).await;
        let (_, body) = mock.exchange(&mock.code().await).await;
        let token = body["access_token"].as_str().unwrap().to_string();
        Api { mock, token }
    }

    /// `path` below `/services/data/v62.0/`, or absolute when it starts with `/`.
    pub(crate) fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.mock.base)
        } else {
            format!("{}/services/data/v62.0/{path}", self.mock.base)
        }
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .mock
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub(crate) async fn patch(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, path, Some(body), &[]).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None, &[]).await
    }

    /// `GET query?q=…` (the query percent-encoded as jsforce does).
    pub(crate) async fn query(&self, soql: &str) -> Answer {
        let encoded: String = form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        self.get(&format!("query?q={encoded}")).await
    }
}

/// A config whose `records` override is `records` (a JSON map).
pub(crate) fn config_with(overrides: &Value) -> MockConfig {
    MockConfig::from_overrides(overrides).unwrap()
}
