//! The login, consent and device verification pages: real, self-contained
//! HTML forms.
//!
//! The login page uses Salesforce's own field names and ids, so that a
//! browser script written against Salesforce's login page works here too:
//! `<input id="username" name="username">`, `<input type="password"
//! id="password" name="pw">` and the submit button `id="Login"`.
//!
//! The runner's built-in user agent parses these pages, so their form shape is
//! a contract: one `<form method="post" action="…">` (the authorize endpoint,
//! or `/setup/connect` for the device flow), every parameter to carry as
//! `<input type="hidden" name="…" value="…">`, and on the consent page
//! `consent_step=1` plus `decision` buttons `allow`/`deny` (the consent
//! page's markup is the mock's own: no public source shows Salesforce's).
//! The page after a device flow decision has no form.

use std::fmt::Write as _;

/// Where the authorize pages post.
pub(crate) const AUTHORIZE: &str = "/services/oauth2/authorize";
/// The device flow's verification page, where its pages post.
pub(crate) const DEVICE: &str = "/setup/connect";
/// Where `singleaccess` URLs open a session.
pub(crate) const FRONTDOOR: &str = "/secur/frontdoor.jsp";
/// The page a frontdoor session starts on.
pub(crate) const HOME: &str = "/home/home.jsp";
/// Logging out of the org.
pub(crate) const LOGOUT: &str = "/secur/logout.jsp";
/// OpenID Connect's end-session endpoint.
pub(crate) const OIDC_LOGOUT: &str = "/services/auth/idp/oidc/logout";
/// Where Salesforce sends the browser when it will not redirect to the client.
pub(crate) const ERROR_PAGE: &str = "/setup/secur/RemoteAccessErrorPage.apexp";

/// The login page, with an error message after a failed attempt.
pub(crate) fn login_page(
    action: &str,
    app_name: &str,
    hidden: &[(String, String)],
    username: &str,
    error: Option<&str>,
) -> String {
    let mut body = String::from("<h1>Log In</h1>\n");
    let _ = writeln!(
        body,
        "<p class=\"sub\">to continue to <b>{}</b></p>",
        escape(app_name)
    );
    if let Some(error) = error {
        let _ = writeln!(
            body,
            "<div class=\"error\" role=\"alert\">{}</div>",
            escape(error)
        );
    }
    let _ = writeln!(body, "<form method=\"post\" action=\"{action}\">");
    body.push_str(&hidden_fields(hidden));
    let _ = write!(
        body,
        "<label for=\"username\">Username</label>\n\
         <input type=\"email\" id=\"username\" name=\"username\" value=\"{}\" autocomplete=\"username\" autofocus>\n\
         <label for=\"password\">Password</label>\n\
         <input type=\"password\" id=\"password\" name=\"pw\" autocomplete=\"current-password\">\n\
         <input type=\"submit\" id=\"Login\" name=\"Login\" class=\"primary\" value=\"Log In\">\n\
         </form>\n",
        escape(username)
    );
    body.push_str("<p class=\"hint\">Mock org: the password alone, no security token.</p>\n");
    page("Login | Mock Org", &body)
}

/// The consent page: the app, the user, every requested scope, Allow and Deny.
pub(crate) fn consent_page(
    action: &str,
    app_name: &str,
    username: &str,
    scopes: &[String],
    hidden: &[(String, String)],
) -> String {
    let mut body = String::from("<h1>Allow Access?</h1>\n");
    // The device flow's page confirms which device it connects.
    if let Some((_, code)) = hidden.iter().find(|(name, _)| name == "user_code") {
        let _ = writeln!(
            body,
            "<p class=\"sub\">Connecting the device showing the code <b>{}</b>.</p>",
            escape(code)
        );
    }
    let _ = writeln!(
        body,
        "<p><b>{}</b> is asking to:</p>\n<ul class=\"scopes\">",
        escape(app_name)
    );
    for scope in scopes {
        let _ = writeln!(
            body,
            "<li>{} <code>{}</code></li>",
            escape(scope_description(scope)),
            escape(scope)
        );
    }
    let _ = writeln!(
        body,
        "</ul>\n<p class=\"sub\">You are logged in as <b>{}</b>. Do you want to allow access?</p>",
        escape(username)
    );
    let _ = writeln!(body, "<form method=\"post\" action=\"{action}\">");
    body.push_str(&hidden_fields(hidden));
    body.push_str(
        "<input type=\"hidden\" name=\"consent_step\" value=\"1\">\n\
         <div class=\"buttons\">\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         </div>\n</form>\n",
    );
    page("Allow Access | Mock Org", &body)
}

/// The device flow's first page: type the code shown on the device.
pub(crate) fn device_code_page(error: Option<&str>) -> String {
    let mut body = String::from("<h1>Connect Your Device</h1>\n");
    if let Some(error) = error {
        let _ = writeln!(
            body,
            "<div class=\"error\" role=\"alert\">{}</div>",
            escape(error)
        );
    }
    let _ = write!(
        body,
        "<form method=\"get\" action=\"{DEVICE}\">\n\
         <label for=\"user_code\">Enter the code shown on your device</label>\n\
         <input type=\"text\" id=\"user_code\" name=\"user_code\" autocomplete=\"off\" autofocus>\n\
         <button type=\"submit\" class=\"primary\">Connect</button>\n\
         </form>\n"
    );
    page("Connect | Mock Org", &body)
}

/// Salesforce's error page for an authorization it will not send back to
/// the client: its generic message, then the error.
pub(crate) fn remote_access_error_page(error: &str, description: &str) -> String {
    let body = format!(
        "<h1>Error</h1>\n<div class=\"error\" role=\"alert\">OAUTH_APPROVAL_ERROR_GENERIC : \
         An unexpected error has occured during authentication. Please try again.</div>\n\
         <p class=\"sub\"><code>{}</code>: {}</p>\n",
        escape(error),
        escape(description)
    );
    page("Error | Mock Org", &body)
}

/// A page with a heading and one sentence, no form.
pub(crate) fn notice_page(heading: &str, text: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
        escape(heading),
        escape(text)
    );
    page(&format!("{heading} | Mock Org"), &body)
}

/// After a device flow decision: no form, only where to go next.
pub(crate) fn device_done_page(allowed: bool) -> String {
    let body = if allowed {
        "<h1>You're Connected</h1>\n<p class=\"sub\">Return to your device to continue.</p>\n"
    } else {
        "<h1>Access Denied</h1>\n<p class=\"sub\">The device was not connected.</p>\n"
    };
    page("Connect | Mock Org", body)
}

fn hidden_fields(hidden: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in hidden {
        let _ = writeln!(
            out,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        );
    }
    out
}

/// What the consent page says a scope allows (Salesforce's wording).
fn scope_description(scope: &str) -> &'static str {
    match scope {
        "api" => "Manage user data via APIs",
        "web" => "Manage user data via Web browsers",
        "full" => "Full access",
        "refresh_token" | "offline_access" => "Perform requests at any time",
        "openid" => "Access unique user identifiers",
        "id" | "profile" | "email" | "address" | "phone" => "Access the identity URL service",
        "chatter_api" => "Access Chatter REST API resources",
        "visualforce" => "Access Visualforce applications",
        "custom_permissions" => "Access custom permissions",
        "cdp_api" | "cdp_query_api" | "cdp_profile_api" => {
            "Perform ANSI SQL queries on Data Cloud data"
        }
        _ => "Access",
    }
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <div class=\"brand\">&#9729; Mock Org</div>\n<main class=\"card\">\n{body}</main>\n\
         <footer>sfscenario built-in mock org</footer>\n</body>\n</html>\n",
        escape(title)
    )
}

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;background:#f3f3f3;font:14px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#181818;display:flex;flex-direction:column;align-items:center}\
.brand{margin:48px 0 24px;font-size:28px;font-weight:700;color:#0176d3}\
.card{width:100%;max-width:380px;background:#fff;border:1px solid #d8dde6;border-radius:4px;padding:24px}\
h1{font-size:20px;font-weight:400;margin:0 0 8px}\
.sub,.hint{color:#444}.hint{font-size:12px;margin-top:16px}\
label{display:block;margin:12px 0 4px;font-size:12px;color:#3e3e3c}\
input[type=text],input[type=email],input[type=password]{width:100%;padding:10px 12px;border:1px solid #c9c9c9;border-radius:4px;font-size:14px}\
input:focus{outline:none;border-color:#0176d3;box-shadow:0 0 3px #0176d3}\
button,input[type=submit]{cursor:pointer;border-radius:4px;font-size:14px;padding:10px 16px;border:1px solid #c9c9c9;background:#fff;color:#0176d3}\
input.primary,button.primary,button[value=allow]{background:#0176d3;border-color:#0176d3;color:#fff}\
form>.primary{width:100%;margin-top:20px;padding:12px}\
button:hover{filter:brightness(.95)}\
.buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:20px}\
.error{margin:12px 0;padding:10px 12px;border-radius:4px;background:#fef1ee;border:1px solid #ea001e;color:#ba0517}\
.scopes{padding-left:20px}.scopes code{color:#706e6b;font-size:12px}\
footer{margin:24px;color:#706e6b;font-size:12px}";

#[cfg(test)]
mod tests {
    use super::{AUTHORIZE, DEVICE, consent_page, device_done_page, escape, login_page};

    #[test]
    fn pages_carry_every_field_escaped() {
        let hidden = vec![("state".to_string(), "a\"<b>&".to_string())];
        let login = login_page(
            AUTHORIZE,
            "App",
            &hidden,
            "",
            Some("Please check your username"),
        );
        assert!(
            login
                .contains("<input type=\"hidden\" name=\"state\" value=\"a&quot;&lt;b&gt;&amp;\">")
        );
        assert!(login.contains("<form method=\"post\" action=\"/services/oauth2/authorize\">"));
        assert!(login.contains(r#"<input type="password" id="password" name="pw""#));
        assert!(login.contains(r#"<input type="submit" id="Login" name="Login""#));
        assert!(login.contains(r#"id="username" name="username""#));
        let consent = consent_page(DEVICE, "App", "u@x", &["api".to_string()], &hidden);
        assert!(consent.contains("<form method=\"post\" action=\"/setup/connect\">"));
        assert!(consent.contains("<input type=\"hidden\" name=\"consent_step\" value=\"1\">"));
        assert!(
            consent.contains(
                "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>"
            )
        );
        assert_eq!(escape("'"), "&#39;");
        assert!(!device_done_page(true).contains("<form"));
    }
}
