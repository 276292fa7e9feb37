//! The HTTP client of a run: one reqwest client, no redirects followed, a
//! size cap on bodies, and every exchange recorded for the step log.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::duration::human;
use crate::log::{Body, Exchange, HttpRequest, HttpResponse, Party, Role};

/// Bodies larger than this fail the step.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// Why an exchange brought no usable reply: one line each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("cannot build the HTTP client: {0}")]
    Setup(String),
    #[error("no complete response within {}", human(*.0))]
    Timeout(Duration),
    #[error("invalid HTTP method `{0}`")]
    Method(String),
    #[error("invalid URL `{url}`: {why}")]
    Url { url: String, why: String },
    #[error("invalid header name `{0}`")]
    HeaderName(String),
    #[error("invalid value for header `{0}`")]
    HeaderValue(String),
    /// The connection, TLS, or reading the response failed.
    #[error("{0}")]
    Transport(String),
    #[error("the response body is larger than {} MiB", MAX_BODY / 1024 / 1024)]
    TooLarge,
    #[error(
        "the response is declared as JSON (content-type {content_type}) but its body is not JSON: {why}"
    )]
    NotJson { content_type: String, why: String },
}

/// A request to make.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    pub timeout: Duration,
    pub from: Party,
    pub role: Role,
}

/// What came back: the exchange for the log and the decoded pieces.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Option<serde_json::Value>,
    /// Why a body declared as JSON could not be read as JSON.
    pub json_error: Option<ClientError>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The reply as a step result: `status`, `headers`, `json`, `body`.
    pub fn result(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut headers = serde_json::Map::new();
        for (k, v) in &self.headers {
            headers.insert(k.to_ascii_lowercase(), v.clone().into());
        }
        let mut map = serde_json::Map::new();
        map.insert("status".into(), self.status.into());
        map.insert("headers".into(), headers.into());
        map.insert(
            "json".into(),
            self.json.clone().unwrap_or(serde_json::Value::Null),
        );
        map.insert("body".into(), self.text.clone().into());
        map
    }
}

/// The run's HTTP client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

impl Http {
    pub fn new(ca_cert: Option<&[u8]>) -> Result<Http, ClientError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sfscenario/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            // Below the mock's and the listener's 10 s header timeout, which
            // also closes idle connections: a request never goes out on a
            // connection the server is closing.
            .pool_idle_timeout(Duration::from_secs(5))
            // `localhost` is always this machine; skip the resolver (and its thread pool).
            .resolve("localhost", std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        if let Some(pem) = ca_cert {
            let cert = reqwest::Certificate::from_pem(pem)
                .map_err(|e| ClientError::Setup(format!("invalid CA certificate: {e}")))?;
            builder = builder.add_root_certificate(cert);
        }
        let client = builder
            .build()
            .map_err(|e| ClientError::Setup(e.to_string()))?;
        Ok(Http { client })
    }

    /// Sends a request; the exchange is always returned, with the reply when one came.
    pub async fn send(&self, req: Request) -> (Exchange, Result<Reply, ClientError>) {
        let to = party_for(&req.url);
        let logged = HttpRequest {
            method: req.method.clone(),
            url: req.url.clone(),
            headers: req.headers.clone(),
            body: req.body.clone(),
        };
        let mut exchange = Exchange {
            from: req.from,
            to,
            role: req.role,
            request: logged,
            response: None,
            error: None,
        };
        let outcome = tokio::time::timeout(req.timeout, self.perform(&req)).await;
        let mut result = outcome.unwrap_or(Err(ClientError::Timeout(req.timeout)));
        if let Ok(reply) = &result {
            exchange.response = Some(HttpResponse {
                status: reply.status,
                headers: reply.headers.clone(),
                body: body_for_log(reply),
            });
            if let Some(why) = &reply.json_error {
                // The response is logged as it came; the step fails on it.
                result = Err(why.clone());
            }
        }
        if let Err(e) = &result {
            exchange.error = Some(e.to_string());
        }
        (exchange, result)
    }

    async fn perform(&self, req: &Request) -> Result<Reply, ClientError> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| ClientError::Method(req.method.clone()))?;
        let url = reqwest::Url::parse(&req.url).map_err(|e| ClientError::Url {
            url: req.url.clone(),
            why: e.to_string(),
        })?;
        let mut headers = HeaderMap::new();
        for (k, v) in &req.headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| ClientError::HeaderName(k.clone()))?;
            let value =
                HeaderValue::from_str(v).map_err(|_| ClientError::HeaderValue(k.clone()))?;
            headers.append(name, value);
        }
        let mut builder = self.client.request(method, url).headers(headers);
        builder = match &req.body {
            Some(Body::Form(fields)) => builder.body(encode_form(fields)),
            Some(Body::Json(v)) => builder.body(serde_json::to_vec(v).unwrap_or_default()),
            Some(Body::Text(t)) => builder.body(t.clone()),
            None => builder,
        };
        let mut response = builder.send().await.map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
            if bytes.len() + chunk.len() > MAX_BODY {
                return Err(ClientError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let is_json = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json"));
        let mut json_error = None;
        let json = if is_json && !text.trim().is_empty() {
            match serde_json::from_slice(&bytes) {
                Ok(v) => Some(v),
                Err(e) => {
                    json_error = Some(ClientError::NotJson {
                        content_type: content_type(&headers).unwrap_or("json").to_owned(),
                        why: one_line(&e.to_string()),
                    });
                    None
                }
            }
        } else {
            None
        };
        Ok(Reply {
            status,
            headers,
            text,
            json,
            json_error,
        })
    }
}

fn content_type(headers: &[(String, String)]) -> Option<&str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
}

/// A message on one line: a step's error is shown as one line everywhere.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `a=1&b=2`, form-encoded.
pub fn encode_form(fields: &[(String, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    ser.finish()
}

fn body_for_log(reply: &Reply) -> Option<Body> {
    if let Some(json) = &reply.json {
        return Some(Body::Json(json.clone()));
    }
    if reply.text.is_empty() {
        return None;
    }
    let form = reply
        .header("content-type")
        .is_some_and(|c| c.contains("x-www-form-urlencoded"));
    if form {
        return Some(Body::Form(
            form_urlencoded::parse(reply.text.as_bytes())
                .into_owned()
                .collect(),
        ));
    }
    const KEEP: usize = 64 * 1024;
    let mut text = reply.text.clone();
    if text.len() > KEEP {
        let mut cut = KEEP;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n… (truncated)");
    }
    Some(Body::Text(text))
}

/// Which side of Salesforce a URL addresses.
pub fn party_for(url: &str) -> Party {
    let path = reqwest::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    if path.starts_with("/services/oauth2")
        || path.starts_with("/id/")
        || path.starts_with("/.well-known")
        // The device flow's verification page, on the login host.
        || path.starts_with("/setup/connect")
    {
        Party::LoginHost
    } else {
        Party::Instance
    }
}

/// One line naming what went wrong on the wire.
fn describe(e: &reqwest::Error) -> ClientError {
    use std::error::Error as _;
    let mut root = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        root = s.to_string();
        source = s.source();
    }
    let mut chain = Vec::new();
    let mut next: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = next {
        chain.push(err.to_string());
        next = err.source();
    }
    let dns = chain.iter().any(|t| t.starts_with("dns error"));
    let what = if dns {
        "connection failed: DNS lookup failed"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "could not read the response"
    } else {
        "request failed"
    };
    ClientError::Transport(one_line(&format!("{what}: {root}")))
}

impl Request {
    /// A plain GET of the protocol.
    #[must_use]
    pub fn get(url: String, timeout: Duration, from: Party) -> Request {
        Request {
            method: "GET".into(),
            url,
            headers: Vec::new(),
            body: None,
            timeout,
            from,
            role: Role::Protocol,
        }
    }
}
