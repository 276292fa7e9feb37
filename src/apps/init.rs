//! Scenarios written for an app: one per flow the app enables (web server
//! with or without PKCE, refresh, user agent, client credentials, JWT
//! bearer, device) and one negative per policy (PKCE required, the secret
//! required, only permitted users, no username-password flow for an
//! External Client App).
//! Each runs on the mock at once (its `mock:` section names the app's
//! source) and against a real org with the usual `SF_*` variables; those
//! that need what only the mock can arrange say `mock_only: true`.

use serde_json::Value;

use super::mock_app::MockApp;
use super::mock_keys::enforced;
use super::source::{App, AppKind};

/// The PKCE starter `sfscenario init` writes without `--from`.
pub const STARTER: &str = include_str!("init/pkce.yaml");

/// One scenario file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `web-server-pkce.yaml`.
    pub file: String,
    pub text: String,
}

/// What a scenario needs to know of the app.
struct Facts<'a> {
    app: &'a App,
    redirect_uri: String,
    /// The app registers `redirect_uri` itself (else the mock is told to).
    registered: bool,
    pkce: bool,
    secret: bool,
    refresh_secret: bool,
    scopes: Vec<String>,
    admin_approved: bool,
    profile: Option<String>,
    permission_set: Option<String>,
    run_as: Option<String>,
    jwt: bool,
    device: bool,
    /// The org allows the user-agent flow (`blockOAuthUsrAgtFlow` not set).
    user_agent: bool,
}

/// Where a scenario's `mock.app` value goes, replaced per file.
const APP_REF: &str = "@app@";

/// The scenarios of one app; `app_ref` gives the `mock.app` value (YAML)
/// as seen from a scenario file's path (`negative/x.yaml`).
#[must_use]
pub fn scenarios(app: &App, mapped: &MockApp, app_ref: &dyn Fn(&str) -> String) -> Vec<Written> {
    let keys = &mapped.connected_app;
    let flag = |k: &str| keys.get(k).and_then(Value::as_bool).unwrap_or(false);
    let strings = |k: &str| -> Vec<String> {
        keys.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let loopback = strings("callback_urls")
        .into_iter()
        .find(|u| u.starts_with("http://localhost:") || u.starts_with("http://127.0.0.1:"));
    let facts = Facts {
        app,
        registered: loopback.is_some(),
        redirect_uri: loopback
            .unwrap_or_else(|| "http://localhost:{{ free_port() }}/callback".into()),
        pkce: flag("pkce_required"),
        secret: flag("require_secret"),
        refresh_secret: keys
            .get("require_secret_for_refresh")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        scopes: strings("scopes"),
        // Each scenario runs on the mock at once: none depends on what the
        // mock does not enforce.
        admin_approved: flag("admin_approved") && enforced("admin_approved"),
        profile: strings("profiles").into_iter().next(),
        permission_set: strings("permission_sets").into_iter().next(),
        run_as: keys
            .get("client_credentials_user")
            .and_then(Value::as_str)
            .map(str::to_owned),
        jwt: keys.get("certificate").is_some_and(|c| !c.is_null()),
        device: flag("device_flow_enabled"),
        user_agent: mapped.org_settings.get("allow_user_agent_flows") != Some(&Value::Bool(false)),
    };
    let mut out = Vec::new();
    if !facts.pkce {
        out.push(web_server(&facts, false));
    }
    out.push(web_server(&facts, true));
    if facts.has_scope("refresh_token") {
        out.push(refresh(&facts));
    }
    // The tokens come in the fragment, with no code to carry a PKCE verifier.
    if facts.user_agent && !facts.pkce {
        out.push(user_agent(&facts));
    }
    if let Some(user) = &facts.run_as {
        out.push(client_credentials(&facts, user));
    }
    if facts.jwt {
        out.push(jwt_bearer(&facts));
    }
    if facts.device {
        out.push(device(&facts));
    }
    if facts.pkce {
        out.push(pkce_required(&facts));
    }
    if facts.secret {
        out.push(secret_required(&facts));
    }
    if facts.admin_approved {
        out.push(not_permitted(&facts));
    }
    if app.kind == AppKind::ExternalClientApp {
        out.push(no_password_flow(&facts));
    }
    for written in &mut out {
        written.text = written.text.replacen(APP_REF, &app_ref(&written.file), 1);
    }
    out
}

impl Facts<'_> {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    fn has_api(&self) -> bool {
        self.has_scope("api") || self.has_scope("full")
    }

    /// The scenario's first lines: name, description, vars, and the mock
    /// section naming the app (with its permitted users, run-as user and
    /// the callback when the app has no loopback one).
    fn head(&self, title: &str, about: &str, extra_mock: &str, users: &str) -> String {
        let mut text = format!(
            "# Written by `sfscenario init` for the {kind} `{name}`; keep it and change it as you like.\n\
             name: \"{label}: {title}\"\n\
             description: |\n  {about}\n",
            kind = match self.app.kind {
                AppKind::ConnectedApp => "Connected App",
                AppKind::ExternalClientApp => "External Client App",
            },
            name = self.app.name,
            label = self.app.label().replace('"', "'"),
        );
        text.push_str(&format!(
            "vars:\n  redirect_uri: \"{}\"\n",
            self.redirect_uri
        ));
        text.push_str(&format!("mock:\n  app: {APP_REF}\n"));
        let mut app_keys = String::new();
        if !self.registered {
            app_keys.push_str("    callback_urls: [\"{{ redirect_uri }}\"]\n");
        }
        app_keys.push_str(extra_mock);
        if !app_keys.is_empty() {
            text.push_str("  connected_app:\n");
            text.push_str(&app_keys);
        }
        text.push_str(users);
        text
    }

    /// `users:` of the mock: the first one permitted to use the app.
    fn users(&self, extra: &str) -> String {
        let mut user = String::from(
            "    - username: mock.user@example.com\n      password: mock-password-1\n",
        );
        if self.admin_approved {
            if let Some(set) = &self.permission_set {
                user.push_str(&format!("      permission_sets: [\"{set}\"]\n"));
            } else if let Some(profile) = &self.profile {
                user.push_str(&format!("      profile: \"{profile}\"\n"));
            }
        }
        format!("  users:\n{user}{extra}")
    }

    /// Authorize, callback and code exchange; `verifier` adds PKCE.
    fn code_steps(&self, pkce: bool) -> String {
        let mut text = String::from("steps:\n");
        if pkce {
            text.push_str("  - id: pkce\n    pkce: {}\n");
        }
        text.push_str(
            "  - id: login\n    authorize:\n      params:\n        client_id: \"{{ org.client_id }}\"\n        redirect_uri: \"{{ redirect_uri }}\"\n        response_type: code\n",
        );
        if pkce {
            text.push_str("        code_challenge: \"{{ pkce.code_challenge }}\"\n        code_challenge_method: S256\n");
        }
        text.push_str("  - id: callback\n    callback:\n      listen: \"{{ redirect_uri }}\"\n");
        text.push_str(
            "  - id: token\n    token:\n      form:\n        grant_type: authorization_code\n        code: \"{{ callback.code }}\"\n        client_id: \"{{ org.client_id }}\"\n",
        );
        if self.secret {
            text.push_str("        client_secret: \"{{ org.client_secret }}\"\n");
        }
        text.push_str("        redirect_uri: \"{{ redirect_uri }}\"\n");
        if pkce {
            text.push_str("        code_verifier: \"{{ pkce.code_verifier }}\"\n");
        }
        text
    }

    /// A REST call with the token, when the app grants the `api` scope.
    fn api_call(&self) -> String {
        if !self.has_api() {
            return String::new();
        }
        "  - name: Limits Read\n    request:\n      url: \"{{ token.instance_url }}/services/data/v62.0/limits\"\n      bearer: \"{{ token.access_token }}\"\n".into()
    }
}

fn written(file: &str, text: String) -> Written {
    Written {
        file: file.to_owned(),
        text,
    }
}

fn web_server(f: &Facts<'_>, pkce: bool) -> Written {
    let (file, title, about) = if pkce {
        (
            "web-server-pkce.yaml",
            "web server flow with PKCE",
            "The authorization code flow with a PKCE challenge and verifier.",
        )
    } else {
        (
            "web-server.yaml",
            "web server flow",
            "The authorization code flow, the code exchanged with the client secret.",
        )
    };
    let mut text = f.head(title, about, "", &f.users(""));
    text.push_str(&f.code_steps(pkce));
    text.push_str("    expect:\n      json:\n        access_token: { exists: true }\n        token_type: Bearer\n");
    text.push_str(&f.api_call());
    written(file, text)
}

fn refresh(f: &Facts<'_>) -> Written {
    let mut text = f.head(
        "refresh token",
        "A refresh token from the web server flow buys a new access token.",
        "",
        &f.users(""),
    );
    text.push_str(&f.code_steps(true));
    text.push_str("    expect:\n      json:\n        refresh_token: { exists: true }\n");
    text.push_str(
        "  - id: refreshed\n    token:\n      form:\n        grant_type: refresh_token\n        refresh_token: \"{{ token.refresh_token }}\"\n        client_id: \"{{ org.client_id }}\"\n",
    );
    if f.refresh_secret {
        text.push_str("        client_secret: \"{{ org.client_secret }}\"\n");
    }
    text.push_str("    expect:\n      json:\n        access_token: { exists: true }\n");
    written("refresh-token.yaml", text)
}

fn user_agent(f: &Facts<'_>) -> Written {
    let mut text = f.head(
        "user-agent flow",
        "For clients that run in the browser: the tokens come back in the URL fragment, which sfscenario's callback page relays to its listener.",
        "",
        &f.users(""),
    );
    text.push_str(
        "steps:\n  - id: login\n    authorize:\n      params:\n        client_id: \"{{ org.client_id }}\"\n        redirect_uri: \"{{ redirect_uri }}\"\n        response_type: token\n  - id: callback\n    callback:\n      listen: \"{{ redirect_uri }}\"\n    expect:\n      that:\n        - \"callback.params.access_token is string\"\n        - \"callback.code is none\"\n",
    );
    if f.has_api() {
        text.push_str("  - name: Limits Read\n    request:\n      url: \"{{ callback.params.instance_url }}/services/data/v62.0/limits\"\n      bearer: \"{{ callback.params.access_token }}\"\n");
    }
    written("user-agent.yaml", text)
}

fn client_credentials(f: &Facts<'_>, user: &str) -> Written {
    let run_as = format!("    - username: \"{user}\"\n      password: integration-password-1\n");
    let mut text = f.head(
        "client credentials",
        &format!("The app's consumer key and secret buy a token for its run-as user, `{user}`. Against a real org, use your My Domain URL."),
        "",
        &f.users(&run_as),
    );
    text.push_str(
        "steps:\n  - id: token\n    token:\n      form:\n        grant_type: client_credentials\n        client_id: \"{{ org.client_id }}\"\n        client_secret: \"{{ org.client_secret }}\"\n    expect:\n      json:\n        access_token: { exists: true }\n        refresh_token: { exists: false }\n",
    );
    text.push_str(&f.api_call());
    written("client-credentials.yaml", text)
}

fn jwt_bearer(f: &Facts<'_>) -> Written {
    let about = if f.admin_approved {
        "A JWT signed with the key of the app's certificate buys a token for a pre-authorized user, no browser. Against a real org set SF_PRIVATE_KEY_FILE."
    } else {
        "A JWT signed with the key of the app's certificate buys a token, no browser, for a user who approved the app once: the app is self-authorize, so the user first logs in and allows it. Against a real org set SF_PRIVATE_KEY_FILE."
    };
    let mut text = f.head("JWT bearer", about, "", &f.users(""));
    if f.admin_approved {
        text.push_str("steps:\n");
    } else {
        // The login and consent only: the code is not exchanged.
        let steps = f.code_steps(f.pkce);
        let cut = steps.find("  - id: token").unwrap_or(steps.len());
        text.push_str(&steps[..cut]);
    }
    text.push_str(
        "  - id: assertion\n    jwt:\n      claims:\n        iss: \"{{ org.client_id }}\"\n        sub: \"{{ org.username }}\"\n        aud: \"{{ org.login_url }}\"\n        exp: 3m\n  - id: token\n    token:\n      form:\n        grant_type: urn:ietf:params:oauth:grant-type:jwt-bearer\n        assertion: \"{{ assertion.assertion }}\"\n    expect:\n      json:\n        access_token: { exists: true }\n",
    );
    text.push_str(&f.api_call());
    written("jwt-bearer.yaml", text)
}

fn device(f: &Facts<'_>) -> Written {
    let mut text = f.head(
        "device flow",
        "A device shows a user code; the user approves it on another device while the device polls.",
        "    device_interval: 0s\n",
        &f.users(""),
    );
    text.push_str(
        "steps:\n  - id: device\n    token:\n      form:\n        response_type: device_code\n        client_id: \"{{ org.client_id }}\"\n    expect:\n      json:\n        user_code: { exists: true }\n  - id: token\n    token:\n      form:\n        grant_type: device\n        client_id: \"{{ org.client_id }}\"\n        code: \"{{ device.device_code }}\"\n      poll:\n        interval: \"{{ device.interval }}s\"\n        timeout: 2m\n    expect:\n      json:\n        access_token: { exists: true }\n",
    );
    text.push_str(&f.api_call());
    written("device.yaml", text)
}

fn pkce_required(f: &Facts<'_>) -> Written {
    let mut text = f.head(
        "refused without PKCE",
        "The app requires PKCE: an authorization request without a code challenge is refused.",
        "",
        &f.users(""),
    );
    text.push_str(
        "steps:\n  - id: login\n    authorize:\n      params:\n        client_id: \"{{ org.client_id }}\"\n        redirect_uri: \"{{ redirect_uri }}\"\n        response_type: code\n  - id: callback\n    callback:\n      listen: \"{{ redirect_uri }}\"\n    expect:\n      that:\n        - \"callback.error == 'invalid_request'\"\n        - \"callback.code is none\"\n",
    );
    written("negative/pkce-required.yaml", text)
}

fn secret_required(f: &Facts<'_>) -> Written {
    let mut text = f.head(
        "refused without the secret",
        "The app requires its secret for the code exchange: an exchange without it is refused.",
        "",
        &f.users(""),
    );
    let steps = f
        .code_steps(true)
        .replace("        client_secret: \"{{ org.client_secret }}\"\n", "");
    text.push_str(&steps);
    text.push_str("    expect:\n      status: 400\n      json:\n        error: invalid_client\n");
    written("negative/secret-required.yaml", text)
}

fn not_permitted(f: &Facts<'_>) -> Written {
    let outsider = "    - username: outsider@example.com\n      password: outsider-password-1\n      profile: \"Minimum Access - Salesforce\"\n";
    let mut text = f.head(
        "only permitted users",
        "Only users holding the app's profiles or permission sets may use it: another user logs in, and the code exchange is refused. It needs a second user, which only the mock arranges.",
        "",
        &f.users(outsider),
    );
    text = text.replacen("mock:\n", "mock_only: true\nmock:\n", 1);
    let steps = f.code_steps(true);
    let cut = steps.find("  - id: callback").unwrap_or(steps.len());
    text.push_str(&steps[..cut]);
    text.push_str("      as:\n        username: outsider@example.com\n        password: outsider-password-1\n");
    text.push_str(&steps[cut..]);
    text.push_str(
        "    expect:\n      status: 400\n      json:\n        error: invalid_app_access\n",
    );
    written("negative/not-permitted.yaml", text)
}

fn no_password_flow(f: &Facts<'_>) -> Written {
    let mut text = f.head(
        "no username-password flow",
        "External Client Apps never take the username-password flow, even where the org allows it.",
        "",
        &f.users(""),
    );
    if enforced("allow_username_password_flows") {
        let app_line = format!("  app: {APP_REF}\n");
        text = text.replacen(
            &app_line,
            &format!(
                "{app_line}  # Allowed org-wide here: what refuses the password is the app's kind.\n  org_settings:\n    allow_username_password_flows: true\n"
            ),
            1,
        );
    }
    text.push_str(
        "steps:\n  - id: token\n    token:\n      form:\n        grant_type: password\n        client_id: \"{{ org.client_id }}\"\n        client_secret: \"{{ org.client_secret }}\"\n        username: \"{{ org.username }}\"\n        password: \"{{ org.password }}{{ org.security_token }}\"\n    expect:\n      status: 400\n      json:\n        error: invalid_grant\n",
    );
    written("negative/username-password.yaml", text)
}
