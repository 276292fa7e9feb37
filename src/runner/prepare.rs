//! Before the first step: the variables, and the org — the built-in mock
//! started from the scenario's `mock:` section, or a real org's values read
//! from the environment. Every problem here is an input error (exit 2).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::mock::{MockConfig, MockOptions, MockServer};
use crate::org::Org;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::Scenario;
use crate::scenario::template::Templates;
use crate::secret::{Class, Redactor, Secret};

use super::run_config::CliOrg;
use super::scope::Scope;

/// Renders the variables that do not depend on `org` (`with_org` false), or
/// those that do, after the org is known (`with_org` true); `--var` values
/// (`overrides`) take their place literally. Returns the names put off.
pub fn vars(
    scope: &mut Scope,
    scenario: &Scenario,
    overrides: &HashMap<&str, &str>,
    with_org: bool,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut deferred: Vec<String> = Vec::new();
    for (k, node) in &scenario.vars {
        if let Some(v) = overrides.get(k.name.as_str()) {
            scope.set_var(k.name.clone(), (*v).into());
            continue;
        }
        let mut uses_org = false;
        node.for_each_str(&mut |s, _| {
            if let Ok(names) = scope.templates().names(s, false) {
                uses_org |= names.contains("org") || names.iter().any(|n| deferred.contains(n));
            }
        });
        if uses_org && !with_org {
            deferred.push(k.name.clone());
            continue;
        }
        if with_org && !uses_org && scope.vars().contains_key(&k.name) {
            continue;
        }
        let value = scope.render(node).map_err(|d| vec![d])?;
        scope.set_var(k.name.clone(), value);
    }
    Ok(deferred)
}

/// What documentation shows for the mock's base URL.
pub const MY_DOMAIN: &str = "https://MyDomain.my.salesforce.com";

/// The scenario's mock org, started on a free loopback port, and its `org.*`.
/// With a seed, the mock and the scenario share a logical clock.
pub async fn mock(
    scope: &Scope,
    scenario: &Scenario,
    seed: Option<u64>,
    redactor: &mut Redactor,
) -> Result<(MockServer, Org, Clock, Vec<String>), Vec<Diagnostic>> {
    let mut overrides = match &scenario.mock {
        Some(node) => scope.render(node).map_err(|d| vec![d])?,
        None => Value::Object(Map::new()),
    };
    let at = scenario.mock.as_ref().map(|n| n.loc).unwrap_or_default();
    let app_at = scenario
        .mock
        .as_ref()
        .and_then(|n| n.get("app"))
        .map_or(at, |n| n.loc);
    let loaded = super::source_app::load_app(&mut overrides, &scenario.path, seed, app_at)
        .map_err(|d| vec![d])?;
    let mut warnings = Vec::new();
    if let Some(loaded) = &loaded {
        overrides = loaded.overrides.clone();
        warnings.extend(loaded.app.warning());
        for secret in &loaded.app.secrets {
            redactor.secret("consumer_secret", secret, Class::Credential);
        }
    }
    let mut config = MockConfig::from_overrides(&overrides).map_err(|e| {
        vec![Diagnostic::new(
            format!("invalid mock configuration: {e}"),
            if loaded.is_some() && e.path.starts_with("mock.connected_app") {
                app_at
            } else {
                at
            },
        )]
    })?;
    if let Some(loaded) = loaded {
        config.sources = loaded.sources;
    }
    let clock = if seed.is_some() {
        Clock::seeded()
    } else {
        Clock::system()
    };
    let options = MockOptions {
        seed: seed.map(|s| s.wrapping_add(1)),
        clock: Some(clock.clone()),
        ..MockOptions::default()
    };
    let server = MockServer::start(config, options).await.map_err(|e| {
        vec![Diagnostic::whole_file(format!(
            "cannot start the mock org: {e}"
        ))]
    })?;
    let base = server.base_url();
    // Documentation shows the mock as the My Domain it stands for.
    redactor.literal(&base, "[mock_url]", MY_DOMAIN);
    let encoded: String = form_urlencoded::byte_serialize(base.as_bytes()).collect();
    let readable: String = form_urlencoded::byte_serialize(MY_DOMAIN.as_bytes()).collect();
    redactor.literal(&encoded, "[mock_url]", &readable);
    let cfg = server.config();
    let user = cfg.users.first();
    let text = |f: fn(&crate::mock::MockUser) -> &String| user.map(f).cloned().unwrap_or_default();
    // A session for the first user, made only when the scenario uses it: it
    // takes a value of the mock's random sequence.
    let access_token = org_fields_used(scenario)
        .contains("access_token")
        .then(|| user.and_then(|u| server.mint_session(&u.username)))
        .flatten()
        .map(Secret::new);
    let org = Org {
        instance_url: Some(base.clone()),
        access_token,
        login_url: base,
        client_id: Some(cfg.connected_app.client_id.clone()),
        client_secret: Some(Secret::new(cfg.connected_app.client_secret.clone())),
        username: Some(text(|u| &u.username)),
        password: Some(Secret::new(text(|u| &u.password))),
        security_token: Some(Secret::new(text(|u| &u.security_token))),
        private_key: Some(Secret::new(crate::mock::APP_PRIVATE_KEY_PEM)),
        totp_secret: user
            .and_then(|u| u.totp_secret.clone())
            .filter(|s| !s.trim().is_empty())
            .map(Secret::new),
    };
    learn(&org, redactor);
    Ok((server, org, clock, warnings))
}

/// A real org's `org.*` from the environment, and with `--target-org` the
/// instance, session and username from the Salesforce CLI. A variable that
/// the scenario needs and that is unset is an input error naming it; an
/// unset `SF_SECURITY_TOKEN` is empty.
pub fn real_org(
    scenario: &Scenario,
    url: &str,
    cli: Option<&CliOrg>,
    env: &BTreeMap<String, String>,
    redactor: &mut Redactor,
) -> Result<Org, Vec<Diagnostic>> {
    let used = org_fields_used(scenario);
    let mut missing = Vec::new();
    let mut read = |key: &str, var: &str| -> Option<String> {
        match env.get(var) {
            Some(v) => Some(v.clone()),
            None if key == "security_token" => Some(String::new()),
            None if used.contains(key) => {
                missing.push(format!("`org.{key}` needs the environment variable {var}"));
                None
            }
            None => None,
        }
    };
    let (instance_url, access_token, username) = match cli {
        Some(cli) => (
            Some(cli.instance_url.clone()),
            Some(cli.access_token.clone()),
            cli.username
                .clone()
                .or_else(|| read("username", "SF_USERNAME")),
        ),
        None => (
            read("instance_url", "SF_INSTANCE_URL").map(|u| u.trim_end_matches('/').to_owned()),
            read("access_token", "SF_ACCESS_TOKEN").map(Secret::new),
            read("username", "SF_USERNAME"),
        ),
    };
    let client_id = read("client_id", "SF_CLIENT_ID");
    let client_secret = read("client_secret", "SF_CLIENT_SECRET").map(Secret::new);
    let password = read("password", "SF_PASSWORD").map(Secret::new);
    let security_token = read("security_token", "SF_SECURITY_TOKEN").map(Secret::new);
    let totp_secret = read("totp_secret", "SF_TOTP_SECRET").map(Secret::new);
    if let Some(Err(e)) = totp_secret
        .as_ref()
        .filter(|s| !s.expose().trim().is_empty())
        .map(|s| crate::totp::Totp::from_base32(s.expose()))
    {
        missing.push(format!("SF_TOTP_SECRET: {e}"));
    }
    let private_key = match env.get("SF_PRIVATE_KEY_FILE") {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(pem) => Some(Secret::new(pem)),
            Err(e) => {
                missing.push(format!("cannot read SF_PRIVATE_KEY_FILE {path}: {e}"));
                None
            }
        },
        None if used.contains("private_key") => {
            missing.push(
                "`org.private_key` needs the environment variable SF_PRIVATE_KEY_FILE".into(),
            );
            None
        }
        None => None,
    };
    if !missing.is_empty() {
        return Err(missing.into_iter().map(Diagnostic::whole_file).collect());
    }
    let org = Org {
        login_url: url.to_owned(),
        instance_url,
        access_token,
        client_id,
        client_secret,
        username,
        password,
        security_token,
        private_key,
        totp_secret,
    };
    learn(&org, redactor);
    Ok(org)
}

/// The `org.*` fields the scenario's templates name.
fn org_fields_used(scenario: &Scenario) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    scenario.for_each_template(&mut |s, _| used.extend(Templates::attribute_uses(s, "org")));
    used
}

/// The org's credentials are secrets before the first step.
fn learn(org: &Org, redactor: &mut Redactor) {
    for (role, secret, class) in org.credentials() {
        redactor.secret(role, secret.expose(), class);
    }
}
