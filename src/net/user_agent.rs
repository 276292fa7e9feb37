//! The built-in user agent of `--browser auto`: over real HTTP it opens the
//! authorize URL, fills in the login form, presses Allow (or Deny) on the
//! consent page, and follows the redirect to the callback listener, the way a
//! person in a browser would. It reads the pages' HTML forms; there is no
//! back door into the mock.

use std::collections::BTreeMap;
use std::time::Duration;

use html5gum::{StartTag, Token, Tokenizer};

use crate::log::{Body, Exchange, Party, Role};
use crate::net::client::{ClientError, Http, Request};

/// Who logs in and what they answer.
#[derive(Debug, Clone)]
pub struct Login {
    pub username: String,
    pub password: String,
    pub allow: bool,
}

/// Why the walk through the pages could not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("a redirect without a Location header")]
    NoLocation,
    #[error("{0}")]
    BadUrl(String),
    #[error("the page at {0} has no form to fill in")]
    NoForm(String),
    #[error("the page at {0} is neither a login nor a consent page")]
    UnknownPage(String),
    #[error("login as {user} failed: {why}")]
    LoginFailed { user: String, why: String },
    #[error("gave up after {MAX_HOPS} pages without reaching the redirect URI")]
    TooManyPages,
}

/// How the walk through the pages ended.
#[derive(Debug)]
pub enum WalkEnd {
    /// The login host redirected to this URL (the redirect URI).
    Redirected(String),
    /// The login host answered with an error instead of redirecting.
    Refused { status: u16, body: String },
    /// After the decision, a page without a form (the device flow's "you may go back").
    Finished,
    /// The login host's own error page (Salesforce's
    /// `RemoteAccessErrorPage.apexp?error=…`): the flow ends there and never
    /// reaches the redirect URI. The page's URL.
    ErrorPage(String),
}

/// The path of Salesforce's remote access error page.
const ERROR_PAGE: &str = "/setup/secur/RemoteAccessErrorPage.apexp";

const MAX_HOPS: usize = 12;

/// Walks from the authorize URL to the redirect; every exchange is appended.
pub async fn walk(
    http: &Http,
    authorize_url: &str,
    redirect_uri: Option<&str>,
    login: &Login,
    timeout: Duration,
    exchanges: &mut Vec<Exchange>,
) -> Result<WalkEnd, AgentError> {
    let mut cookies: BTreeMap<String, String> = BTreeMap::new();
    // The first request is the protocol's authorization request; what
    // follows are the login host's pages and what the person does on them.
    let mut next = Request {
        role: Role::Protocol,
        ..get(authorize_url.to_owned(), timeout)
    };
    let mut tried_login = false;
    let mut decided = false;
    for _ in 0..MAX_HOPS {
        if let Some(c) = cookie_header(&cookies) {
            next.headers.push(("cookie".into(), c));
        }
        let current = next.url.clone();
        let (exchange, reply) = http.send(next.clone()).await;
        exchanges.push(exchange);
        let reply = reply?;
        for (k, v) in &reply.headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((name, value)) = v.split(';').next().and_then(|c| c.split_once('='))
            {
                cookies.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        if (300..400).contains(&reply.status) {
            let location = reply.header("location").ok_or(AgentError::NoLocation)?;
            let target = resolve(&current, location)?;
            if is_redirect_uri(&target, redirect_uri) || !same_origin(&target, authorize_url) {
                return Ok(WalkEnd::Redirected(target));
            }
            if is_error_page(&target) {
                let (exchange, reply) = http.send(get(target.clone(), timeout)).await;
                exchanges.push(exchange);
                reply?;
                return Ok(WalkEnd::ErrorPage(target));
            }
            next = get(target, timeout);
            continue;
        }
        if reply.status != 200 {
            return Ok(WalkEnd::Refused {
                status: reply.status,
                body: reply.text,
            });
        }
        let form = Form::parse(&reply.text);
        if decided && form.is_none() {
            return Ok(WalkEnd::Finished);
        }
        let form = form.ok_or_else(|| AgentError::NoForm(strip_query(&current)))?;
        let mut fields = form.hidden.clone();
        if let Some(password_field) = &form.password {
            if tried_login {
                let why =
                    page_error(&reply.text).unwrap_or_else(|| "the login page came back".into());
                return Err(AgentError::LoginFailed {
                    user: login.username.clone(),
                    why,
                });
            }
            tried_login = true;
            fields.push((form.username.clone(), login.username.clone()));
            fields.push((password_field.clone(), login.password.clone()));
        } else if let Some((name, allow, deny)) = &form.decision {
            fields.push((
                name.clone(),
                if login.allow {
                    allow.clone()
                } else {
                    deny.clone()
                },
            ));
            decided = true;
        } else {
            return Err(AgentError::UnknownPage(strip_query(&current)));
        }
        next = Request {
            method: "POST".into(),
            url: resolve(&current, &form.action)?,
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: Some(Body::Form(fields)),
            timeout,
            from: Party::Browser,
            role: Role::Interaction,
        };
    }
    Err(AgentError::TooManyPages)
}

/// A page the browser loads.
fn get(url: String, timeout: Duration) -> Request {
    Request {
        method: "GET".into(),
        url,
        headers: Vec::new(),
        body: None,
        timeout,
        from: Party::Browser,
        role: Role::Page,
    }
}

/// Delivers a redirect to the callback listener as a browser would: the query
/// in a GET; a fragment by loading the page, whose script posts it back.
pub async fn deliver(http: &Http, target: &str, timeout: Duration) -> Result<(), ClientError> {
    let (base, fragment) = match target.split_once('#') {
        Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
        None => (target.to_owned(), None),
    };
    let redirect = Request {
        role: Role::Protocol,
        ..get(base.clone(), timeout)
    };
    let (_, reply) = http.send(redirect).await;
    reply?;
    if let Some(fragment) = fragment {
        let post = Request {
            method: "POST".into(),
            url: strip_query(&base),
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: Some(Body::Text(fragment)),
            timeout,
            from: Party::Browser,
            role: Role::Interaction,
        };
        let (_, reply) = http.send(post).await;
        reply?;
    }
    Ok(())
}

struct Form {
    action: String,
    hidden: Vec<(String, String)>,
    /// The name of the username input (Salesforce's is `username`).
    username: String,
    /// The name of the password input, if the page has one (Salesforce's
    /// login page calls it `pw`).
    password: Option<String>,
    /// Button name, allow value, deny value.
    decision: Option<(String, String, String)>,
}

/// An HTML element's attribute, entities decoded.
fn attribute(tag: &StartTag<()>, name: &str) -> Option<String> {
    tag.attributes
        .get(name.as_bytes())
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

fn name_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

impl Form {
    /// The page's first form, read with an HTML tokenizer (entities decoded,
    /// any attribute quoting).
    fn parse(html: &str) -> Option<Form> {
        let mut form: Option<Form> = None;
        // Name, value and label of each button, the label gathered until `</button>`.
        let mut buttons: Vec<(String, String, String)> = Vec::new();
        let mut in_button = false;
        for Ok(token) in Tokenizer::new(html) {
            match token {
                Token::StartTag(tag) => match (name_of(&tag.name).as_str(), &mut form) {
                    ("form", None) => {
                        form = Some(Form {
                            action: attribute(&tag, "action").unwrap_or_default(),
                            hidden: Vec::new(),
                            username: "username".into(),
                            password: None,
                            decision: None,
                        });
                    }
                    ("input", Some(f)) => {
                        let ty = attribute(&tag, "type").map(|t| t.to_ascii_lowercase());
                        match ty.as_deref() {
                            Some("hidden") => {
                                if let Some(name) = attribute(&tag, "name") {
                                    let value = attribute(&tag, "value").unwrap_or_default();
                                    f.hidden.push((name, value));
                                }
                            }
                            Some("password") => {
                                f.password = attribute(&tag, "name").or(Some("password".into()));
                            }
                            Some("text" | "email") | None => {
                                if let Some(name) = attribute(&tag, "name") {
                                    f.username = name;
                                }
                            }
                            _ => {}
                        }
                    }
                    ("button", Some(_)) => {
                        in_button = true;
                        buttons.push((
                            attribute(&tag, "name").unwrap_or_default(),
                            attribute(&tag, "value").unwrap_or_default(),
                            String::new(),
                        ));
                    }
                    _ => {}
                },
                Token::String(text) if in_button => {
                    if let Some(b) = buttons.last_mut() {
                        b.2.push_str(&String::from_utf8_lossy(&text));
                    }
                }
                Token::EndTag(tag) => match name_of(&tag.name).as_str() {
                    "button" => in_button = false,
                    "form" if form.is_some() => break,
                    _ => {}
                },
                _ => {}
            }
        }
        let mut f = form?;
        let find = |word: &str| {
            buttons.iter().find(|(name, value, label)| {
                !name.is_empty()
                    && (value == word || label.trim().to_ascii_lowercase().contains(word))
            })
        };
        if let (Some(allow), Some(deny)) = (find("allow"), find("deny")) {
            f.decision = Some((allow.0.clone(), allow.1.clone(), deny.1.clone()));
        }
        Some(f)
    }
}

/// The text of the page's first element with an `error` class, if any.
fn page_error(html: &str) -> Option<String> {
    let mut text: Option<String> = None;
    for Ok(token) in Tokenizer::new(html) {
        match (token, &mut text) {
            (Token::StartTag(tag), None) => {
                let class = attribute(&tag, "class").unwrap_or_default();
                if class.split_whitespace().any(|c| c.contains("error")) {
                    text = Some(String::new());
                }
            }
            (Token::String(s), Some(t)) => t.push_str(&String::from_utf8_lossy(&s)),
            (Token::EndTag(_), Some(_)) => break,
            _ => {}
        }
    }
    let text = text?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn cookie_header(cookies: &BTreeMap<String, String>) -> Option<String> {
    (!cookies.is_empty()).then(|| {
        cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn resolve(base: &str, location: &str) -> Result<String, AgentError> {
    let base =
        url::Url::parse(base).map_err(|e| AgentError::BadUrl(format!("bad URL {base}: {e}")))?;
    base.join(location)
        .map(|u| u.to_string())
        .map_err(|e| AgentError::BadUrl(format!("bad redirect {location}: {e}")))
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

fn is_error_page(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| url.path().eq_ignore_ascii_case(ERROR_PAGE))
}

fn is_redirect_uri(target: &str, redirect_uri: Option<&str>) -> bool {
    redirect_uri.is_some_and(|r| strip_query(target) == strip_query(r))
}

/// A URL without its query and fragment.
pub fn strip_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_login_and_consent_forms() {
        let login = r#"<form method="post" action="/services/oauth2/authorize">
            <input type="hidden" name="client_id" value="a&amp;b"><input type="email" name="username">
            <input type="password" id="password" name="pw"><input type="submit" id="Login" value="Log In"></form>"#;
        let f = Form::parse(login).expect("form");
        assert_eq!(f.username, "username");
        assert_eq!(f.password.as_deref(), Some("pw"));
        assert_eq!(f.hidden, vec![("client_id".to_owned(), "a&b".to_owned())]);
        let consent = r#"<form method="post" action="/x"><input type="hidden" name="consent_step" value="1">
            <button type="submit" name="decision" value="allow">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button></form>"#;
        let f = Form::parse(consent).expect("form");
        assert_eq!(
            f.decision,
            Some(("decision".into(), "allow".into(), "deny".into()))
        );
    }

    #[test]
    fn knows_salesforces_error_page() {
        assert!(is_error_page(
            "https://x.my.salesforce.com/setup/secur/RemoteAccessErrorPage.apexp?error=invalid_scope"
        ));
        assert!(!is_error_page(
            "http://localhost:1717/OauthRedirect?error=access_denied"
        ));
    }
}
