//! Exact diagnoses of the authorize and token endpoints' refusals.

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::{Exact, Facts, jwt_part, list, step_ref, v};
use crate::doctor::sent::{Sent, last_authorization};
use crate::kind::Kind;

const GRANTS: &[&str] = &[
    "authorization_code",
    "password",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "client_credentials",
    "device",
];

/// The authorization request behind a callback's error, or the request
/// itself for an `authorize` step.
pub(super) fn authorization<'f>(
    f: &'f Facts<'_>,
) -> Option<(Option<&'f crate::log::StepLog>, Sent)> {
    if f.step.kind == Kind::Authorize {
        // The URL it built, not the last page it saw (an error page).
        return Some((
            None,
            Sent::authorization(f.step).unwrap_or_else(|| f.sent.clone()),
        ));
    }
    last_authorization(f.earlier).map(|(s, sent)| (Some(s), sent))
}

pub(super) fn invalid_client_id(f: &Facts<'_>) -> Option<Exact> {
    let apps = f.apps();
    let known: Vec<String> = apps
        .iter()
        .map(|a| format!("{} ({})", v(&a.client_id), a.name))
        .collect();
    let cause = match f.client_id() {
        Some(id) => format!(
            "you sent `client_id` {}; this org's apps are {}",
            v(&id),
            known.join(" and ")
        ),
        None => format!(
            "the request carried no `client_id`; this org's apps are {}",
            known.join(" and ")
        ),
    };
    Exact::new(
        cause,
        "send the app's consumer key (`{{ org.client_id }}` on the mock), or set `mock.connected_app.client_id` to the key you send",
    )
}

pub(super) fn invalid_client(f: &Facts<'_>) -> Option<Exact> {
    let app = f.app();
    let secret = f
        .sent
        .get("client_secret")
        .map(str::to_owned)
        .or_else(|| f.sent.basic_client().map(|(_, s)| s))
        .filter(|s| !s.is_empty());
    let credentials = f.sent.get("grant_type") == Some("client_credentials");
    match secret {
        None if credentials => Exact::new(
            "the client credentials flow authenticates the app with its secret, and no `client_secret` was sent",
            "send `client_secret: \"{{ org.client_secret }}\"` in the form or a Basic `Authorization` header",
        ),
        None => Exact::new(
            format!(
                "no `client_secret` was sent, and the app {} requires one (`mock.connected_app.require_secret: true`)",
                v(&app.name)
            ),
            "send `client_secret: \"{{ org.client_secret }}\"`, or set `require_secret: false` for a public client (on Salesforce, turn off *Require Secret for Web Server Flow*)",
        ),
        Some(s) if s != app.client_secret => Exact::new(
            format!(
                "the `client_secret` sent is not the consumer secret of the app {}",
                v(&app.name)
            ),
            "send the app's consumer secret, `{{ org.client_secret }}` on the mock",
        ),
        Some(_) => None,
    }
}

pub(super) fn authentication_failure(f: &Facts<'_>) -> Option<Exact> {
    if !f.config.org_settings.allow_username_password_flows {
        return Exact::new(
            "the org blocks the username-password flow (`mock.org_settings.allow_username_password_flows` is false, as in every org created since Summer '23)",
            "set `allow_username_password_flows: true` under `mock.org_settings` (on Salesforce, Setup › OAuth and OpenID Connect Settings › Allow OAuth Username-Password Flows), or better, use another flow",
        );
    }
    let app = f.app();
    if !app.username_password_flow {
        return Exact::new(
            format!(
                "the app {} is an External Client App, which never takes the username-password flow",
                v(&app.name)
            ),
            "use another flow: the web server flow with PKCE, JWT bearer or client credentials",
        );
    }
    let username = f.sent.get("username")?;
    password_check(f, username, f.sent.get("password").unwrap_or(""))
}

/// Why a username and password were refused: no such user, the security
/// token missing or wrong, or the password wrong. Shared with SOAP `login()`.
pub(super) fn password_check(f: &Facts<'_>, username: &str, password: &str) -> Option<Exact> {
    let Some(user) = f.user(username) else {
        return Exact::new(
            format!(
                "there is no user {} in this org; its users are {}",
                v(username),
                f.usernames()
            ),
            "send one of those usernames (`{{ org.username }}` is the first), or add the user to `mock.users`",
        );
    };
    let full = format!("{}{}", user.password, user.security_token);
    let alone = password == user.password && !f.config.needs_security_token(user);
    let (cause, fix) = if password == full || alone {
        return None;
    } else if password == user.password {
        (
            format!(
                "the password of {} was sent without its security token; this org wants the password followed by the security token",
                v(&user.username)
            ),
            "send `\"{{ org.password }}{{ org.security_token }}\"` (on Salesforce, or log in from a trusted IP range)",
        )
    } else if password.starts_with(&user.password) {
        (
            format!(
                "the security token appended to {}'s password is not the user's security token",
                v(&user.username)
            ),
            "append the user's current security token (`{{ org.security_token }}` on the mock)",
        )
    } else {
        (
            format!("the password sent is not {}'s password", v(&user.username)),
            "send the user's password followed by its security token (`{{ org.password }}{{ org.security_token }}` for the first user)",
        )
    };
    Exact::new(cause, fix)
}

pub(super) fn inactive_user(f: &Facts<'_>) -> Option<Exact> {
    let named = f
        .sent
        .get("username")
        .map(str::to_owned)
        .or_else(|| f.claims()?.get("sub")?.as_str().map(str::to_owned))
        .or_else(|| {
            (f.sent.get("grant_type") == Some("client_credentials"))
                .then(|| f.app().client_credentials_user)
                .flatten()
        });
    let inactive: Vec<&str> = f
        .config
        .users
        .iter()
        .filter(|u| !u.active)
        .map(|u| u.username.as_str())
        .collect();
    let cause = match named.as_deref().and_then(|n| f.user(n)) {
        Some(user) if !user.active => format!(
            "user {} is inactive (`active: false` in `mock.users`)",
            v(&user.username)
        ),
        _ if !inactive.is_empty() => format!(
            "this org's inactive users are {} (`active: false` in `mock.users`)",
            list(inactive)
        ),
        _ => return None,
    };
    Exact::new(
        cause,
        "set `active: true` for the user in `mock.users`, or log in as an active user",
    )
}

pub(super) fn expired_code(f: &Facts<'_>) -> Option<Exact> {
    match f.sent.get("grant_type")? {
        "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
            let exp = f.claims()?.get("exp")?.clone();
            let shown = match &exp {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Exact::new(
                format!(
                    "the assertion's `exp` is {}, which is in the past on this org's clock",
                    v(&shown)
                ),
                "make `exp` a few minutes ahead: `exp: 3m` in the `jwt` step's claims",
            )
        }
        "authorization_code" => expired_authorization_code(f),
        "device" => Exact::new(
            format!(
                "the device code is expired or was already used (the app's device codes live {}, `mock.connected_app.device_code_lifetime`)",
                v(&f.app().device_code_lifetime)
            ),
            "start the device flow again and poll with the new `device_code`",
        ),
        _ => None,
    }
}

fn expired_authorization_code(f: &Facts<'_>) -> Option<Exact> {
    let code = f.sent.get("code")?;
    if let Some((earlier, _)) = f
        .earlier_sending("code", code)
        .into_iter()
        .find(|(_, s)| s.get("grant_type") == Some("authorization_code"))
    {
        return Exact::new(
            format!(
                "this code was already exchanged in {}; a code is single-use, even when its first exchange failed",
                step_ref(earlier)
            ),
            "exchange each code once; run the authorize and callback steps again for another",
        );
    }
    let app = f.app();
    if crate::duration::parse(&app.code_lifetime).is_some_and(|d| d.is_zero()) {
        return Exact::new(
            format!(
                "the app's codes expire as soon as they are issued (`mock.connected_app.code_lifetime: {}`)",
                app.code_lifetime
            ),
            "give codes a lifetime (Salesforce's is 15 minutes: `code_lifetime: 15m`), or expect the refusal in a negative test",
        );
    }
    if let Some((auth_step, auth)) = last_authorization(f.earlier)
        && let (Some(issued_to), Some(sent_by)) = (auth.get("client_id"), f.client_id())
        && issued_to != sent_by
    {
        return Exact::new(
            format!(
                "the code was issued to `client_id` {} ({}) and exchanged by {}",
                v(issued_to),
                step_ref(auth_step),
                v(&sent_by)
            ),
            "exchange the code with the `client_id` that asked for it",
        );
    }
    if f.earlier_result("code", code).is_none() {
        return Exact::new(
            "this code did not come from a callback of this run",
            "send the code the callback received: `code: \"{{ callback.code }}\"`",
        );
    }
    None
}

pub(super) fn invalid_code_verifier(f: &Facts<'_>) -> Option<Exact> {
    let (auth_step, auth) = last_authorization(f.earlier)?;
    let challenge = auth.get("code_challenge")?;
    let fix = "send the `code_verifier` of the `pkce` step whose challenge went to the authorize endpoint: `code_verifier: \"{{ pkce.code_verifier }}\"`";
    let verifier = f.sent.get("code_verifier").filter(|s| !s.is_empty());
    let Some(verifier) = verifier else {
        return Exact::new(
            format!(
                "{} sent a `code_challenge`, and this request sent no `code_verifier`",
                step_ref(auth_step)
            ),
            fix,
        );
    };
    if !verifier
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    {
        return Exact::new(
            "the `code_verifier` has characters Salesforce refuses; it takes `A-Z a-z 0-9 - . _` only",
            "make the verifier of those characters (a `pkce` step does)",
        );
    }
    let plain = auth.get("code_challenge_method") == Some("plain");
    let expected = if plain {
        verifier.to_owned()
    } else {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier))
    };
    if expected == challenge {
        return None;
    }
    Exact::new(
        format!(
            "the `code_verifier` sent does not {} the `code_challenge` of {}: they come from different PKCE pairs",
            if plain { "equal" } else { "hash (S256) to" },
            step_ref(auth_step)
        ),
        fix,
    )
}

pub(super) fn redirect_uri_mismatch(f: &Facts<'_>) -> Option<Exact> {
    let app = f.app();
    if f.sent.url.contains("/services/oauth2/token") {
        let sent = f.sent.get("redirect_uri").unwrap_or("");
        let (auth_step, auth) = last_authorization(f.earlier)?;
        let asked = auth.get("redirect_uri")?;
        return Exact::new(
            format!(
                "the token request sent `redirect_uri` {}, and the authorization request ({}) sent {}",
                v(sent),
                step_ref(auth_step),
                v(asked)
            ),
            "send the same `redirect_uri` to the authorize and token endpoints",
        );
    }
    let (_, auth) = authorization(f)?;
    let sent = auth.get("redirect_uri").unwrap_or("");
    Exact::new(
        format!(
            "you sent `redirect_uri` {}; the app's callback URLs are {}",
            v(sent),
            list(app.callback_urls.iter().map(String::as_str))
        ),
        format!(
            "send one of them, or add {} to `mock.connected_app.callback_urls` (on Salesforce, to the app's Callback URL)",
            v(sent)
        ),
    )
}

pub(super) fn redirect_uri_missing(f: &Facts<'_>) -> Option<Exact> {
    let (_, auth) = authorization(f)?;
    if auth.get("redirect_uri").is_some_and(|r| !r.is_empty()) {
        return None;
    }
    Exact::new(
        "the authorization request had no `redirect_uri`",
        format!(
            "send `redirect_uri` with one of the app's callback URLs: {}",
            list(f.app().callback_urls.iter().map(String::as_str))
        ),
    )
}

pub(super) fn expired_refresh_token(f: &Facts<'_>) -> Option<Exact> {
    let token = f.sent.get("refresh_token")?;
    let app = f.app();
    for (earlier, sent) in f.earlier_sending("token", token) {
        if sent.url.contains("/services/oauth2/revoke") {
            return Exact::new(
                format!("this refresh token was revoked in {}", step_ref(earlier)),
                "log in again for a new refresh token, or expect the refusal in a negative test",
            );
        }
    }
    let used = f
        .earlier_sending("refresh_token", token)
        .into_iter()
        .find(|(s, sent)| {
            sent.get("grant_type") == Some("refresh_token")
                && s.result.get("status").and_then(Value::as_u64) == Some(200)
        });
    if app.refresh_token_rotation
        && let Some((earlier, _)) = used
    {
        return Exact::new(
            format!(
                "refresh token rotation is on (`mock.connected_app.refresh_token_rotation: true`) and this refresh token was already used in {}",
                step_ref(earlier)
            ),
            format!(
                "send the new `refresh_token` of {}'s response",
                step_ref(earlier)
            ),
        );
    }
    let policy = app.refresh_token_policy.trim();
    if policy != "infinite" {
        return Exact::new(
            format!(
                "the app's refresh token policy expired it (`mock.connected_app.refresh_token_policy: {policy}`)"
            ),
            "set `refresh_token_policy: infinite` (on Salesforce, *Refresh token is valid until revoked*), or log in again",
        );
    }
    if f.earlier_result("refresh_token", token).is_none() {
        return Exact::new(
            "this refresh token was not issued by this org in this run",
            "send the `refresh_token` of an earlier token response: `refresh_token: \"{{ token.refresh_token }}\"`",
        );
    }
    None
}

pub(super) fn unsupported_grant_type(f: &Facts<'_>) -> Option<Exact> {
    let takes = list(GRANTS.iter().copied());
    let cause = match f.sent.get("grant_type") {
        Some(g) => format!("you sent `grant_type` {}; this org takes {takes}", v(g)),
        None if f.sent.text.is_some() => format!(
            "no form was sent (the token endpoint reads `application/x-www-form-urlencoded`); it takes `grant_type` {takes}"
        ),
        None => format!("no `grant_type` was sent; this org takes {takes}"),
    };
    Exact::new(cause, "send one of them in the token step's `form`")
}

pub(super) fn immediate_unsuccessful(f: &Facts<'_>) -> Option<Exact> {
    let (step, auth) = authorization(f)?;
    if auth.get("immediate") != Some("true") {
        return None;
    }
    let which = step.map_or_else(|| "this request".to_owned(), step_ref);
    Exact::new(
        format!(
            "{which} sent `immediate=true`, and the user had no session on the mock yet, or had not approved the app"
        ),
        "drop `immediate: \"true\"`, or log in and approve the app in an earlier `authorize` step of the same run",
    )
}

pub(super) fn wrong_domain(f: &Facts<'_>) -> Option<Exact> {
    let host = f.sent.header("host").map(str::to_owned).or_else(|| {
        url::Url::parse(&f.sent.url)
            .ok()?
            .host_str()
            .map(str::to_owned)
    })?;
    Exact::new(
        format!("the token request was sent to {}, a login host", v(&host)),
        format!(
            "send it to the org's own URL, {} here",
            v(&format!("{}/services/oauth2/token", f.base_url))
        ),
    )
}

pub(super) fn invalid_assertion(f: &Facts<'_>) -> Option<Exact> {
    let assertion = f.sent.get("assertion").unwrap_or("");
    let fix = "sign the claims with RS256 and the private key of the app's certificate (`{{ org.private_key }}` on the mock, the `jwt` step's default)";
    let (Some(header), Some(claims)) = (jwt_part(assertion, 0), jwt_part(assertion, 1)) else {
        return Exact::new(
            "the `assertion` is not a JWT (three base64url parts, the first two JSON)",
            fix,
        );
    };
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let cause = if alg != "RS256" {
        format!(
            "the assertion is signed with {}; Salesforce takes RS256",
            v(alg)
        )
    } else if !claims.contains_key("exp") {
        "the assertion has no `exp` claim".to_owned()
    } else if f.app().certificate.is_none() {
        "the app has no certificate (`mock.connected_app.certificate` is null), so no assertion verifies".to_owned()
    } else {
        "the signature does not verify with the app's certificate (`mock.connected_app.certificate`): the assertion was signed with another key".to_owned()
    };
    Exact::new(cause, fix)
}

pub(super) fn invalid_audience(f: &Facts<'_>) -> Option<Exact> {
    let aud = f.claims()?.get("aud")?.clone();
    let shown = match &aud {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (host, other) = if f.config.org_settings.sandbox {
        ("https://test.salesforce.com", "a production org's")
    } else {
        ("https://login.salesforce.com", "a sandbox's")
    };
    let cause = if shown.trim_end_matches('/') == other_host(host) {
        format!(
            "the assertion's `aud` is {}, {other} login host; this org accepts {} and its own URL {}",
            v(&shown),
            v(host),
            v(f.base_url)
        )
    } else {
        format!(
            "the assertion's `aud` is {}; this org accepts {} and its own URL {}",
            v(&shown),
            v(host),
            v(f.base_url)
        )
    };
    Exact::new(
        cause,
        "set `aud` to one of them (`{{ org.login_url }}` on the mock; `mock.org_settings.sandbox: true` makes the mock a sandbox)",
    )
}

/// The other login host: production's for a sandbox's, and the reverse.
fn other_host(host: &str) -> &'static str {
    if host.contains("test.") {
        "https://login.salesforce.com"
    } else {
        "https://test.salesforce.com"
    }
}

pub(super) fn invalid_scope(f: &Facts<'_>) -> Option<Exact> {
    let requested = match f.sent.get("scope") {
        Some(s) if f.step.kind == Kind::Token => s.to_owned(),
        _ => authorization(f)?.1.get("scope")?.to_owned(),
    };
    let app = f.app();
    let missing: Vec<&str> = requested
        .split([' ', '+'])
        .filter(|s| !s.is_empty() && !app.scopes.iter().any(|a| a == s))
        .collect();
    if missing.is_empty() {
        return None;
    }
    Exact::new(
        format!(
            "you asked for `scope` {}; the app's scopes are {}, without {}",
            v(&requested),
            list(app.scopes.iter().map(String::as_str)),
            list(missing.iter().copied())
        ),
        format!(
            "ask for the app's scopes only, or add {} to `mock.connected_app.scopes` (on Salesforce, the app's Selected OAuth Scopes)",
            list(missing)
        ),
    )
}

pub(super) fn unsupported_response_type(f: &Facts<'_>) -> Option<Exact> {
    let (_, auth) = authorization(f)?;
    let cause = match auth.get("response_type") {
        Some(r) => format!("the authorization request sent `response_type` {}", v(r)),
        None => "the authorization request sent no `response_type`".to_owned(),
    };
    Exact::new(
        cause,
        "send `response_type: code` (web server flow) or `token` (user-agent flow)",
    )
}

pub(super) fn access_denied(f: &Facts<'_>) -> Option<Exact> {
    let (Some(auth_step), _) = authorization(f)? else {
        return None;
    };
    let consent = auth_step
        .inputs
        .pointer("/as/consent")
        .and_then(Value::as_str);
    if consent != Some("deny") {
        return None;
    }
    Exact::new(
        format!(
            "the built-in user agent pressed Deny on the consent page, as {} asks (`as: {{ consent: deny }}`)",
            step_ref(auth_step)
        ),
        "remove `consent: deny`, or expect `access_denied` on the callback in a negative test",
    )
}

pub(super) fn missing_code_challenge(f: &Facts<'_>) -> Option<Exact> {
    let (auth_step, auth) = authorization(f)?;
    let app = f.app();
    if !app.pkce_required || auth.get("code_challenge").is_some_and(|c| !c.is_empty()) {
        return None;
    }
    let which = auth_step.map_or_else(|| "this request".to_owned(), step_ref);
    Exact::new(
        format!(
            "the app requires PKCE (`mock.connected_app.pkce_required: true`), and {which} sent no `code_challenge`"
        ),
        "add a `pkce` step and send `code_challenge: \"{{ pkce.code_challenge }}\"` (then `code_verifier` to the token endpoint), or set `pkce_required: false`",
    )
}

pub(super) fn authorization_pending(f: &Facts<'_>) -> Option<Exact> {
    let started = f
        .earlier
        .iter()
        .rev()
        .find(|s| s.result.get("device_code").is_some_and(|c| !c.is_null()))?;
    Exact::new(
        format!(
            "{} started the device flow, and this request polled once, before the user approved",
            step_ref(started)
        ),
        "poll: add `poll: { interval: 5s, timeout: 5m }` to the token step (with `--browser auto`, sfscenario approves on the verification page meanwhile)",
    )
}
