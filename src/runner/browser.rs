//! The built-in user agent of `--browser auto`: over real HTTP it opens the
//! authorize URL, fills in the login form, presses Allow (or Deny) on the
//! consent page, and follows the redirect to the callback listener, the way a
//! person in a browser would. It reads the pages' HTML forms; there is no
//! back door into the mock.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use regex::Regex;

use crate::log::{Body, Exchange, Party};
use crate::runner::http::{Http, Request};

/// Who logs in and what they answer.
#[derive(Debug, Clone)]
pub struct Login {
    pub username: String,
    pub password: String,
    pub allow: bool,
}

/// How the walk through the pages ended.
#[derive(Debug)]
pub enum Outcome {
    /// The login host redirected to this URL (the redirect URI).
    Redirected(String),
    /// The login host answered with an error instead of redirecting.
    Refused { status: u16, body: String },
    /// After the decision, a page without a form (the device flow's "you may go back").
    Finished,
}

const MAX_HOPS: usize = 12;

/// Walks from the authorize URL to the redirect; every exchange is appended.
pub async fn walk(
    http: &Http,
    authorize_url: &str,
    redirect_uri: Option<&str>,
    login: &Login,
    timeout: Duration,
    exchanges: &mut Vec<Exchange>,
) -> Result<Outcome, String> {
    let mut cookies: BTreeMap<String, String> = BTreeMap::new();
    let mut next = Request {
        method: "GET".into(),
        url: authorize_url.to_owned(),
        headers: Vec::new(),
        body: None,
        timeout,
        from: Party::Browser,
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
            let location = reply
                .header("location")
                .ok_or("a redirect without a Location header")?;
            let target = resolve(&current, location)?;
            if is_redirect_uri(&target, redirect_uri) || !same_origin(&target, authorize_url) {
                return Ok(Outcome::Redirected(target));
            }
            next = get(target, timeout);
            continue;
        }
        if reply.status != 200 {
            return Ok(Outcome::Refused {
                status: reply.status,
                body: reply.text,
            });
        }
        let form = Form::parse(&reply.text);
        if decided && form.is_none() {
            return Ok(Outcome::Finished);
        }
        let form = form.ok_or_else(|| {
            format!(
                "the page at {} has no form to fill in",
                strip_query(&current)
            )
        })?;
        let mut fields = form.hidden.clone();
        if form.has_password {
            if tried_login {
                let why =
                    page_error(&reply.text).unwrap_or_else(|| "the login page came back".into());
                return Err(format!("login as {} failed: {why}", login.username));
            }
            tried_login = true;
            fields.push(("username".into(), login.username.clone()));
            fields.push(("password".into(), login.password.clone()));
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
            return Err(format!(
                "the page at {} is neither a login nor a consent page",
                strip_query(&current)
            ));
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
        };
    }
    Err(format!(
        "gave up after {MAX_HOPS} pages without reaching the redirect URI"
    ))
}

fn get(url: String, timeout: Duration) -> Request {
    Request {
        method: "GET".into(),
        url,
        headers: Vec::new(),
        body: None,
        timeout,
        from: Party::Browser,
    }
}

/// Delivers a redirect to the callback listener as a browser would: the query
/// in a GET; a fragment by loading the page, whose script posts it back.
pub async fn deliver(http: &Http, target: &str, timeout: Duration) -> Result<(), String> {
    let (base, fragment) = match target.split_once('#') {
        Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
        None => (target.to_owned(), None),
    };
    let (_, reply) = http.send(get(base.clone(), timeout)).await;
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
        };
        let (_, reply) = http.send(post).await;
        reply?;
    }
    Ok(())
}

struct Form {
    action: String,
    hidden: Vec<(String, String)>,
    has_password: bool,
    /// Button name, allow value, deny value.
    decision: Option<(String, String, String)>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|_| Regex::new("$^").expect("empty regex"))
    })
}

impl Form {
    fn parse(html: &str) -> Option<Form> {
        static FORM: OnceLock<Regex> = OnceLock::new();
        static INPUT: OnceLock<Regex> = OnceLock::new();
        static BUTTON: OnceLock<Regex> = OnceLock::new();
        let form = re(&FORM, r"(?is)<form\b([^>]*)>(.*?)</form>").captures(html)?;
        let action = attr(&form[1], "action").unwrap_or_default();
        let inner = &form[2];
        let mut f = Form {
            action,
            hidden: Vec::new(),
            has_password: false,
            decision: None,
        };
        for input in re(&INPUT, r"(?is)<input\b([^>]*)>").captures_iter(inner) {
            let a = &input[1];
            let ty = attr(a, "type")
                .unwrap_or_else(|| "text".into())
                .to_ascii_lowercase();
            match ty.as_str() {
                "hidden" => {
                    if let Some(name) = attr(a, "name") {
                        f.hidden.push((name, attr(a, "value").unwrap_or_default()));
                    }
                }
                "password" => f.has_password = true,
                _ => {}
            }
        }
        let mut buttons = Vec::new();
        for b in re(&BUTTON, r"(?is)<button\b([^>]*)>(.*?)</button>").captures_iter(inner) {
            if let (Some(name), Some(value)) = (attr(&b[1], "name"), attr(&b[1], "value")) {
                buttons.push((name, value, b[2].trim().to_ascii_lowercase()));
            }
        }
        let find = |word: &str| {
            buttons
                .iter()
                .find(|(_, v, label)| v == word || label.contains(word))
        };
        if let (Some(allow), Some(deny)) = (find("allow"), find("deny")) {
            f.decision = Some((allow.0.clone(), allow.1.clone(), deny.1.clone()));
        }
        Some(f)
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    static ATTR: OnceLock<Regex> = OnceLock::new();
    re(
        &ATTR,
        r#"(?is)([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')"#,
    )
    .captures_iter(tag)
    .find(|c| c[1].eq_ignore_ascii_case(name))
    .and_then(|c| c.get(2).or_else(|| c.get(3)).map(|m| unescape(m.as_str())))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn page_error(html: &str) -> Option<String> {
    static ERR: OnceLock<Regex> = OnceLock::new();
    let c = re(&ERR, r#"(?is)<[^>]*class="[^"]*error[^"]*"[^>]*>(.*?)</"#).captures(html)?;
    let text = Regex::new(r"<[^>]*>").ok()?.replace_all(&c[1], "");
    let text = unescape(text.trim());
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

fn resolve(base: &str, location: &str) -> Result<String, String> {
    let base = url::Url::parse(base).map_err(|e| format!("bad URL {base}: {e}"))?;
    base.join(location)
        .map(|u| u.to_string())
        .map_err(|e| format!("bad redirect {location}: {e}"))
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
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
            <input type="hidden" name="client_id" value="a&amp;b"><input type="text" name="username">
            <input type="password" name="password"><button type="submit">Log In</button></form>"#;
        let f = Form::parse(login).expect("form");
        assert!(f.has_password);
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
}
