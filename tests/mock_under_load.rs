//! The mock stays strict under load: 500 PKCE flows at once against one
//! `sfscenario mock` process, each through the real pages (authorize, login,
//! consent), the redirect's code, the token exchange, the identity URL and a
//! REST call. Every flow gets its own code and tokens, all distinct; each
//! token belongs to the user who logged in (five users, so tokens that cross
//! would show); each code works once; each PKCE check holds.
//!
//! All traffic stays on 127.0.0.1; the flow count and the time are bounded.

use std::collections::HashSet;
use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use regex::Regex;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::harness::root;

const FLOWS: usize = 500;
const USERS: usize = 5;
const DEADLINE: Duration = Duration::from_secs(120);
const REDIRECT_URI: &str = "http://localhost:8000/callback";

/// The mock, stopped when dropped.
struct Mock {
    child: Child,
    url: String,
    /// The Connected App's client id and secret, from the banner.
    client: (String, String),
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn user(i: usize) -> (String, String) {
    (
        format!("load.user{i}@example.com"),
        format!("pass-word-{i}"),
    )
}

fn start_mock(dir: &std::path::Path) -> Mock {
    let config = dir.join("mock.yaml");
    let mut yaml = String::from("users:\n");
    for i in 0..USERS {
        let (name, password) = user(i);
        yaml.push_str(&format!(
            "  - {{username: \"{name}\", password: \"{password}\", security_token: TOKEN{i}}}\n"
        ));
    }
    std::fs::write(&config, yaml).expect("write the mock configuration");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfscenario"))
        .args(["mock", "--port", "0", "--config"])
        .arg(&config)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sfscenario mock");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let (mut url, mut id, mut secret) = (None, None, None);
    for line in lines.by_ref().map_while(Result::ok) {
        let line = line.trim().to_owned();
        if url.is_none() {
            url = line
                .split_whitespace()
                .find(|w| w.starts_with("http://127.0.0.1:"))
                .map(str::to_owned);
        }
        if let Some(v) = line.strip_prefix("client_id") {
            id = Some(v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("client_secret") {
            secret = Some(v.trim().to_owned());
        }
        if url.is_some() && id.is_some() && secret.is_some() {
            break;
        }
    }
    // Keep reading (and dropping) what it prints, so its pipe never fills.
    std::thread::spawn(move || lines.for_each(drop));
    Mock {
        child,
        url: url.expect("the mock prints its URL"),
        client: (
            id.expect("the mock prints its client_id"),
            secret.expect("the mock prints its client_secret"),
        ),
    }
}

/// Hidden fields of a page's form.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    static INPUT: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let input = INPUT.get_or_init(|| {
        Regex::new(r#"<input type="hidden" name="([^"]+)" value="([^"]*)">"#).expect("regex")
    });
    input
        .captures_iter(html)
        .map(|c| {
            (
                c[1].to_owned(),
                c[2].replace("&amp;", "&").replace("&quot;", "\""),
            )
        })
        .collect()
}

/// What one flow got.
#[derive(Debug)]
struct Got {
    code: String,
    access_token: String,
    refresh_token: String,
}

async fn form(
    http: &reqwest::Client,
    url: &str,
    fields: &[(String, String)],
    cookie: Option<&str>,
) -> Result<reqwest::Response, String> {
    let mut req = http.post(url).form(fields);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.map_err(|e| format!("POST {url}: {e}"))
}

/// The consent page's Allow, in the session the login opened.
async fn allow(
    http: &reqwest::Client,
    authorize: &str,
    consent: reqwest::Response,
    username: &str,
    i: usize,
) -> Result<reqwest::Response, String> {
    let cookie = consent
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("flow {i}: no session cookie after login"))?;
    let consent = consent.text().await.map_err(|e| e.to_string())?;
    if !consent.contains(&format!("logged in as <b>{username}</b>")) {
        return Err(format!("flow {i}: the consent page names another user"));
    }
    let mut fields = hidden_fields(&consent);
    fields.push(("decision".into(), "allow".into()));
    form(http, authorize, &fields, Some(&cookie)).await
}

/// The browser's part: authorize, log in, allow (the first time); the code
/// of the redirect.
async fn authorization_code(
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    i: usize,
    challenge: &str,
    state: &str,
) -> Result<String, String> {
    let (username, password) = user(i % USERS);
    let authorize = format!("{base}/services/oauth2/authorize");
    // The login page.
    let login = http
        .get(&authorize)
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT_URI),
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .map_err(|e| format!("GET authorize: {e}"))?;
    let login = login.text().await.map_err(|e| e.to_string())?;
    let mut fields = hidden_fields(&login);
    if !fields.iter().any(|(k, v)| k == "state" && v == state) {
        return Err(format!("flow {i}: the login page lost the state"));
    }
    fields.push(("username".into(), username.clone()));
    fields.push(("pw".into(), password));
    // The consent page, with the session cookie; a user who approved the
    // app in an earlier flow goes straight back with a code.
    let after_login = form(http, &authorize, &fields, None).await?;
    let redirect = if after_login.status() == 302 {
        after_login
    } else {
        allow(http, &authorize, after_login, &username, i).await?
    };
    if redirect.status() != 302 {
        return Err(format!("flow {i}: Allow answered {}", redirect.status()));
    }
    let location = redirect
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("flow {i}: a redirect without Location"))?;
    let location = url::Url::parse(location).map_err(|e| e.to_string())?;
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(state) {
        return Err(format!(
            "flow {i}: the redirect carries state {:?}",
            param("state")
        ));
    }
    param("code").ok_or_else(|| format!("flow {i}: no code in {location}"))
}

/// The token endpoint's answer to a code and a verifier.
async fn exchange(
    http: &reqwest::Client,
    base: &str,
    client: &(String, String),
    code: &str,
    verifier: &str,
) -> Result<(u16, Value), String> {
    let fields = vec![
        ("grant_type".to_owned(), "authorization_code".to_owned()),
        ("code".into(), code.to_owned()),
        ("client_id".into(), client.0.clone()),
        ("client_secret".into(), client.1.clone()),
        ("redirect_uri".into(), REDIRECT_URI.into()),
        ("code_verifier".into(), verifier.to_owned()),
    ];
    let r = form(
        http,
        &format!("{base}/services/oauth2/token"),
        &fields,
        None,
    )
    .await?;
    let status = r.status().as_u16();
    let json: Value = r.json().await.map_err(|e| e.to_string())?;
    Ok((status, json))
}

/// One PKCE flow, as a browser and a client would make it.
async fn flow(
    http: reqwest::Client,
    base: String,
    client: (String, String),
    i: usize,
) -> Result<Got, String> {
    let (username, _) = user(i % USERS);
    let verifier = format!(
        "verifier-{i:05}-{}",
        "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2)
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = format!("state-{i}");

    // Every tenth flow first tries a wrong verifier: refused, and the code is
    // spent (the right verifier no longer works either).
    if i.is_multiple_of(10) {
        let code = authorization_code(&http, &base, &client.0, i, &challenge, &state).await?;
        let (status, json) = exchange(
            &http,
            &base,
            &client,
            &code,
            &format!("{verifier}-not-mine"),
        )
        .await?;
        if status != 400 || json["error"] != "invalid_grant" {
            return Err(format!("flow {i}: a wrong verifier got {status} {json}"));
        }
        let (status, json) = exchange(&http, &base, &client, &code, &verifier).await?;
        if status != 400 || json["error"] != "invalid_grant" {
            return Err(format!(
                "flow {i}: a code spent on a wrong verifier got {status} {json}"
            ));
        }
    }
    let code = authorization_code(&http, &base, &client.0, i, &challenge, &state).await?;
    let (status, token) = exchange(&http, &base, &client, &code, &verifier).await?;
    if status != 200 {
        return Err(format!(
            "flow {i}: the token exchange answered {status} {token}"
        ));
    }
    let text = |k: &str| {
        token[k]
            .as_str()
            .map(str::to_owned)
            .ok_or(format!("flow {i}: no {k}"))
    };
    let access_token = text("access_token")?;
    let refresh_token = text("refresh_token")?;
    let instance = text("instance_url")?;
    let identity = text("id")?;
    // The code works once.
    let (status, again) = exchange(&http, &base, &client, &code, &verifier).await?;
    if status != 400 || again["error"] != "invalid_grant" {
        return Err(format!(
            "flow {i}: a second use of the code got {status} {again}"
        ));
    }

    // The token is this user's: the identity URL and a REST call.
    let who: Value = http
        .get(&identity)
        .bearer_auth(&access_token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    if who["username"] != username.as_str() {
        return Err(format!(
            "flow {i}: the token of {username} is {}'s",
            who["username"]
        ));
    }
    let rest = http
        .get(format!("{instance}/services/data/v62.0/sobjects/Account"))
        .bearer_auth(&access_token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if rest.status() != 200 {
        return Err(format!("flow {i}: REST answered {}", rest.status()));
    }
    Ok(Got {
        code,
        access_token,
        refresh_token,
    })
}

#[test]
fn five_hundred_concurrent_pkce_flows_stay_apart() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mock = start_mock(dir.path());
    let client = mock.client.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    let results: Vec<Result<Got, String>> = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        let base = Arc::new(mock.url.clone());
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..FLOWS {
            tasks.spawn(flow(http.clone(), base.to_string(), client.clone(), i));
        }
        let mut results = Vec::new();
        let all = async {
            while let Some(r) = tasks.join_next().await {
                results.push(r.unwrap_or_else(|e| Err(format!("a flow stopped: {e}"))));
            }
        };
        if tokio::time::timeout(DEADLINE, all).await.is_err() {
            results.push(Err(format!("the flows did not end within {DEADLINE:?}")));
        }
        results
    });
    let took = started.elapsed();
    eprintln!("{FLOWS} concurrent PKCE flows in {took:?}");
    let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    let failed: Vec<String> = failed.into_iter().filter_map(Result::err).collect();
    assert!(
        failed.is_empty(),
        "{} of {FLOWS} flows failed:\n{}",
        failed.len(),
        failed
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let got: Vec<Got> = ok.into_iter().filter_map(Result::ok).collect();
    assert_eq!(got.len(), FLOWS);
    let distinct = |f: fn(&Got) -> &str| got.iter().map(f).collect::<HashSet<_>>().len();
    assert_eq!(distinct(|g| &g.code), FLOWS, "codes repeat");
    assert_eq!(distinct(|g| &g.access_token), FLOWS, "access tokens repeat");
    assert_eq!(
        distinct(|g| &g.refresh_token),
        FLOWS,
        "refresh tokens repeat"
    );
    drop(mock);
}
