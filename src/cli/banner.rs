//! What `sfscenario mock` prints on stdout when it starts: its URL, the
//! credentials and files a client needs, and each switch of the org with
//! how to turn it on (a mock org starts as a new org: most are off).

use std::fmt::Write as _;
use std::path::Path;

use crate::mock::{MockConfig, MockServer};

/// Files the banner names.
pub struct BannerFiles<'a> {
    /// The CA certificate of `--tls`.
    pub ca: Option<&'a Path>,
    /// The Connected App's private key, when the app has the mock's certificate.
    pub app_key: Option<&'a Path>,
}

/// The whole banner, `url` being the base URL clients use.
pub fn banner(server: &MockServer, url: &str, files: &BannerFiles<'_>) -> String {
    let cfg = server.config();
    let app = &cfg.connected_app;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("sfscenario mock org listening on {url}"));
    line(format!(
        "  URL             {url}  (login host and instance)"
    ));
    if let Some(path) = files.ca {
        line(format!("  CA certificate  {}", path.display()));
    }
    line(format!("  client_id       {}", app.client_id));
    line(format!("  client_secret   {}", app.client_secret));
    if let Some(path) = files.app_key {
        line(format!(
            "  JWT key file    {}  (signs JWT bearer assertions for client_id)",
            path.display()
        ));
    }
    for user in &cfg.users {
        line(format!("  username        {}", user.username));
        line(format!("  password        {}", user.password));
        line(format!("  security token  {}", user.security_token));
    }
    for callback in &app.callback_urls {
        line(format!("  callback URL    {callback}"));
    }
    for other in server
        .apps()
        .iter()
        .filter(|a| a.client_id != app.client_id)
    {
        line(format!("  app             {}", other.name));
        line(format!("    client_id     {}", other.client_id));
        line(format!("    client_secret {}", other.client_secret));
        for callback in &other.callback_urls {
            line(format!("    callback URL  {callback}"));
        }
    }
    line(
        "  Salesforce CLI  client_id PlatformCLI, callback http://localhost:1717/OauthRedirect"
            .into(),
    );
    out.push_str(&switches(cfg));
    out.push_str(&try_line(cfg, url, files.ca));
    out.push_str("Requests are logged to stderr. Press Ctrl-C to stop.\n");
    out
}

/// Each switch: what it is now, and the `--config FILE` lines that change it.
fn switches(cfg: &MockConfig) -> String {
    let org = &cfg.org_settings;
    let app = &cfg.connected_app;
    let on_off = |on: bool| if on { "on" } else { "off" };
    let jwt_users = if app.admin_approved {
        "pre-authorized users"
    } else {
        "users who approved the app once"
    };
    let client_credentials = app
        .client_credentials_user
        .as_deref()
        .map_or_else(|| "off".to_string(), |user| format!("runs as {user}"));
    let ip = if org.trusted_ip_ranges.is_empty() {
        format!("client {}, no trusted ranges", org.client_ip)
    } else {
        format!(
            "client {}, trusted {}",
            org.client_ip,
            org.trusted_ip_ranges.join(" ")
        )
    };
    let rows: [(&str, String, &str); 8] = [
        (
            "username-password flow",
            on_off(org.allow_username_password_flows).into(),
            "org_settings: { allow_username_password_flows: true }",
        ),
        (
            "SOAP login()",
            on_off(org.allow_soap_login).into(),
            "org_settings: { allow_soap_login: true }",
        ),
        (
            "device flow",
            on_off(app.device_flow_enabled).into(),
            "connected_app: { device_flow_enabled: true }",
        ),
        (
            "client credentials",
            client_credentials,
            "connected_app: { client_credentials_user: USERNAME }",
        ),
        (
            "JWT bearer",
            jwt_users.into(),
            "connected_app: { admin_approved: true, profiles: [PROFILE] }",
        ),
        (
            "IP restrictions",
            ip,
            "org_settings: { client_ip: IP, trusted_ip_ranges: [RANGE] }; profiles: { PROFILE: { login_ip_ranges: [RANGE] } }",
        ),
        (
            "API versions",
            format!("up to {:.1}", org.max_api_version),
            "org_settings: { max_api_version: 68.0 }",
        ),
        (
            "org kind",
            if org.sandbox { "sandbox" } else { "production" }.into(),
            "org_settings: { sandbox: true }",
        ),
    ];
    let mut out =
        String::from("Switches (a new org's defaults; change them with --config FILE):\n");
    for (name, now, how) in rows {
        let _ = writeln!(out, "  {name:<23} {now:<36} {how}");
    }
    out
}

/// A command that works against this mock as configured.
fn try_line(cfg: &MockConfig, url: &str, ca: Option<&Path>) -> String {
    let (Some(user), app) = (cfg.users.first(), &cfg.connected_app) else {
        return String::new();
    };
    let ca = ca.map_or(String::new(), |p| format!(" --ca-cert {}", p.display()));
    let mut out = String::from("Try:\n");
    if cfg.org_settings.allow_username_password_flows {
        let _ = writeln!(
            out,
            "  SF_CLIENT_ID={} SF_CLIENT_SECRET={} SF_USERNAME={} SF_PASSWORD={} SF_SECURITY_TOKEN={} \\",
            app.client_id, app.client_secret, user.username, user.password, user.security_token
        );
        let _ = writeln!(
            out,
            "    sfscenario run scenarios/username-password.yaml --org {url}{ca}"
        );
    } else if let Some(callback) = app.callback_urls.first() {
        let _ = writeln!(
            out,
            "  SF_CLIENT_ID={} SF_CLIENT_SECRET={} SF_USERNAME={} SF_PASSWORD={} \\",
            app.client_id, app.client_secret, user.username, user.password
        );
        let _ = writeln!(
            out,
            "    sfscenario run scenarios/web-server.yaml --org {url}{ca} --var redirect_uri={callback}"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::switches;
    use crate::mock::MockConfig;

    #[test]
    fn every_switch_says_how_to_turn_it_on() {
        let cfg = MockConfig::from_overrides(&serde_json::Value::Null).unwrap();
        let text = switches(&cfg);
        for line in [
            "username-password flow  off",
            "org_settings: { allow_username_password_flows: true }",
            "SOAP login()            off",
            "org_settings: { allow_soap_login: true }",
            "device flow             off",
            "connected_app: { device_flow_enabled: true }",
            "connected_app: { client_credentials_user: USERNAME }",
            "users who approved the app once",
            "connected_app: { admin_approved: true, profiles: [PROFILE] }",
            "client 127.0.0.1, no trusted ranges",
            "up to 68.0",
            "org_settings: { sandbox: true }",
        ] {
            assert!(text.contains(line), "{line}\n{text}");
        }
        let cfg = MockConfig::from_overrides(&json!({
            "org_settings": { "allow_username_password_flows": true, "sandbox": true },
            "connected_app": { "client_credentials_user": "mock.user@example.com" },
        }))
        .unwrap();
        let text = switches(&cfg);
        assert!(text.contains("username-password flow  on"), "{text}");
        assert!(text.contains("runs as mock.user@example.com"), "{text}");
        assert!(text.contains("org kind                sandbox"), "{text}");
    }
}
