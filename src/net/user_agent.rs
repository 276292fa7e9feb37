//! The built-in user agent of `--browser auto`: over real HTTP it opens the
//! authorize URL, fills in the login form, presses Allow (or Deny) on the
//! consent page, and follows the redirect to the callback listener, the way a
//! person in a browser would. It reads the pages' HTML forms; there is no
//! back door into the mock.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::clock::Clock;
use crate::log::{Body, Exchange, Party, Role};
use crate::net::client::{ClientError, Http, Request};
use crate::totp::Totp;

mod form;

use form::{Form, page_error};

/// Who logs in and what they answer.
#[derive(Debug, Clone)]
pub struct Login {
    pub username: String,
    pub password: String,
    /// The authenticator key for the verification page, with the clock its
    /// codes are computed on.
    pub totp: Option<(Totp, Clock)>,
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
    #[error(
        "the login host asks for a verification code: set SF_TOTP_SECRET, or `authorize.as.totp_secret`, to the user's authenticator key"
    )]
    CodeNeeded,
    #[error("the verification code was refused: {0}")]
    CodeRefused(String),
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
    let mut tried = Tried::default();
    for _ in 0..MAX_HOPS {
        if let Some(c) = cookie_header(&cookies) {
            next.headers.push(("cookie".into(), c));
        }
        let current = next.url.clone();
        let (exchange, reply) = http.send(next.clone()).await;
        exchanges.push(exchange);
        let reply = reply?;
        keep_cookies(&mut cookies, &reply.headers);
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
        if tried.decided && form.is_none() {
            return Ok(WalkEnd::Finished);
        }
        let form = form.ok_or_else(|| AgentError::NoForm(strip_query(&current)))?;
        let fields = answer(&form, &reply.text, login, &mut tried, &current)?;
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

/// What the walk has answered so far: a login page, a code page or a
/// consent page that comes back means the answer was refused.
#[derive(Default)]
struct Tried {
    login: bool,
    code: bool,
    decided: bool,
}

/// The fields a person posts on this page: a one-time code, the username
/// and password, or the decision; the page's hidden fields with them.
fn answer(
    form: &Form,
    page: &str,
    login: &Login,
    tried: &mut Tried,
    current: &str,
) -> Result<Vec<(String, String)>, AgentError> {
    let mut fields = form.hidden.clone();
    if let Some(code_field) = &form.code {
        if tried.code {
            let why = page_error(page).unwrap_or_else(|| "the page came back".into());
            return Err(AgentError::CodeRefused(why));
        }
        tried.code = true;
        let (totp, clock) = login.totp.as_ref().ok_or(AgentError::CodeNeeded)?;
        fields.push((code_field.clone(), totp.code_at(clock.now_secs())));
    } else if let Some(password_field) = &form.password {
        if tried.login {
            let why = page_error(page).unwrap_or_else(|| "the login page came back".into());
            return Err(AgentError::LoginFailed {
                user: login.username.clone(),
                why,
            });
        }
        tried.login = true;
        fields.push((form.username.clone(), login.username.clone()));
        fields.push((password_field.clone(), login.password.clone()));
    } else if let Some((name, allow, deny)) = &form.decision {
        let decision = if login.allow { allow } else { deny };
        fields.push((name.clone(), decision.clone()));
        tried.decided = true;
    } else {
        return Err(AgentError::UnknownPage(strip_query(current)));
    }
    Ok(fields)
}

/// Keeps the cookies a reply sets, by name.
fn keep_cookies(cookies: &mut BTreeMap<String, String>, headers: &[(String, String)]) {
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("set-cookie")
            && let Some((name, value)) = v.split(';').next().and_then(|c| c.split_once('='))
        {
            cookies.insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }
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
        let verify = r#"<form method="post" action="/x"><input type="hidden" name="state" value="s">
            <input type="text" id="tc" name="tc" autocomplete="one-time-code">
            <input type="submit" id="save" value="Verify"></form>"#;
        let f = Form::parse(verify).expect("form");
        assert_eq!(f.code.as_deref(), Some("tc"));
        assert!(f.password.is_none() && f.decision.is_none());
        assert_eq!(f.username, "username", "the code's input is no username");
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
