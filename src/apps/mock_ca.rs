//! A Connected App's file as the mock's `connected_app` keys (the decision
//! table of a Connected App: callback URLs, scopes, PKCE, secrets, refresh
//! policy and rotation, IP relaxation, certificate ⇒ JWT bearer, client
//! credentials with its run-as user, permitted users, session timeout).

use serde_json::{Map, Value, json};

use super::error::SourceError;
use super::mock_app::{
    INFORMATIONAL, MockApp, callback_urls, ip_relaxation, refresh_policy, scope_strings, unmodelled,
};
use super::schema::CONNECTED_APP;
use super::source::App;
use super::xml::Element;

/// The fields of a Connected App the mock does what they say.
const MODELLED: &[&str] = &[
    "oauthConfig.callbackUrl",
    "oauthConfig.certificate",
    "oauthConfig.consumerKey",
    "oauthConfig.consumerSecret",
    "oauthConfig.isAdminApproved",
    "oauthConfig.isClientCredentialEnabled",
    "oauthConfig.isConsumerSecretOptional",
    "oauthConfig.isPkceRequired",
    "oauthConfig.isRefreshTokenRotationEnabled",
    "oauthConfig.isSecretRequiredForRefreshToken",
    "oauthConfig.oauthClientCredentialUser",
    "oauthConfig.scopes",
    "oauthPolicy.ipRelaxation",
    "oauthPolicy.refreshTokenPolicy",
    "permissionSetName",
    "profileName",
    "sessionPolicy.sessionTimeout",
];

pub(crate) fn map(app: &App, out: &mut MockApp) -> Result<(), SourceError> {
    let file = &app.main;
    let path = file.path.as_str();
    let modelled: Vec<&str> = MODELLED.iter().chain(INFORMATIONAL).copied().collect();
    unmodelled(
        &file.root,
        CONNECTED_APP,
        "",
        &modelled,
        &mut out.unmodelled,
    );
    let Some(config) = file.root.child("oauthConfig") else {
        out.not_served = Some("it has no `oauthConfig`: it is not enabled for OAuth".into());
        return Ok(());
    };
    let app_keys = &mut out.connected_app;
    let text = |name: &str| config.text_of(name).filter(|t| !t.is_empty());
    let flag = |name: &str, default: bool| config.flag(name).unwrap_or(default);
    app_keys.insert(
        "callback_urls".into(),
        json!(callback_urls(
            text("callbackUrl").unwrap_or_default(),
            false
        )),
    );
    if let Some(key) = text("consumerKey") {
        app_keys.insert("client_id".into(), json!(key));
    }
    if let Some(secret) = text("consumerSecret") {
        app_keys.insert("client_secret".into(), json!(secret));
    }
    let scopes = scope_strings(config.all("scopes").map(|s| (s.text.trim(), s)), path)?;
    app_keys.insert("scopes".into(), json!(scopes));
    app_keys.insert("pkce_required".into(), json!(flag("isPkceRequired", false)));
    app_keys.insert(
        "require_secret".into(),
        json!(!flag("isConsumerSecretOptional", false)),
    );
    app_keys.insert(
        "require_secret_for_refresh".into(),
        json!(flag("isSecretRequiredForRefreshToken", true)),
    );
    app_keys.insert(
        "refresh_token_rotation".into(),
        json!(flag("isRefreshTokenRotationEnabled", false)),
    );
    certificate(text("certificate"), out);
    let app_keys = &mut out.connected_app;
    let run_as =
        text("oauthClientCredentialUser").filter(|_| flag("isClientCredentialEnabled", false));
    app_keys.insert("client_credentials_user".into(), json!(run_as));
    app_keys.insert(
        "admin_approved".into(),
        json!(flag("isAdminApproved", false)),
    );
    let names = |field: &str| -> Vec<String> {
        file.root
            .all(field)
            .map(|e| e.text.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    };
    app_keys.insert("profiles".into(), json!(names("profileName")));
    app_keys.insert("permission_sets".into(), json!(names("permissionSetName")));
    if let Some(policy) = file.root.child("oauthPolicy") {
        oauth_policy(policy, path, &mut out.connected_app)?;
    }
    let app_keys = &mut out.connected_app;
    if let Some(minutes) = file
        .root
        .child("sessionPolicy")
        .and_then(|s| s.text_of("sessionTimeout"))
        .and_then(|m| m.parse::<u64>().ok())
        .filter(|m| *m > 0)
    {
        app_keys.insert("access_token_lifetime".into(), json!(format!("{minutes}m")));
    }
    Ok(())
}

/// The app's `oauthPolicy`: IP relaxation and the refresh token policy.
fn oauth_policy(
    policy: &Element,
    path: &str,
    app_keys: &mut Map<String, Value>,
) -> Result<(), SourceError> {
    if let Some(relax) = policy.child("ipRelaxation") {
        let value = ip_relaxation(&relax.text).ok_or_else(|| {
            SourceError::at(
                path,
                relax.at,
                format!(
                    "`ipRelaxation` must be ENFORCE, BYPASS, BYPASS_2FACTOR or ENFORCE_RELAXREFRESH, found `{}`",
                    relax.text.trim()
                ),
            )
        })?;
        app_keys.insert("ip_relaxation".into(), json!(value));
    }
    if let Some(refresh) = policy.child("refreshTokenPolicy") {
        let text = refresh.text.trim();
        let mut parts = text.split(':');
        let kind = parts.next().unwrap_or_default();
        let n = parts.next().and_then(|n| n.trim().parse().ok());
        let unit = parts.next();
        let value = refresh_policy(kind, n, unit).ok_or_else(|| {
            SourceError::at(
                path,
                refresh.at,
                format!(
                    "`refreshTokenPolicy` must be infinite, zero, specific_lifetime:N:UNIT or specific_inactivity:N:UNIT, found `{text}`"
                ),
            )
        })?;
        app_keys.insert("refresh_token_policy".into(), Value::String(value));
    }
    Ok(())
}

/// A certificate enables the JWT bearer flow. The mock cannot verify
/// assertions signed with the key of the file's certificate (it does not
/// have it): it verifies them with its own key pair, `org.private_key`, and
/// says so unless the file holds the mock's own certificate.
pub(crate) fn certificate(pem: Option<&str>, out: &mut MockApp) {
    let own = crate::mock::APP_CERTIFICATE_PEM;
    match pem {
        Some(pem) => {
            out.connected_app.insert("certificate".into(), json!(own));
            if pem.trim() != own.trim() {
                out.unmodelled
                    .push("certificate (JWT assertions are checked with the mock's own key, org.private_key)".into());
            }
        }
        None => {
            out.connected_app.insert("certificate".into(), Value::Null);
        }
    }
}
