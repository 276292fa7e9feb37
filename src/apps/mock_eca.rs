//! An External Client App's files as the mock's `connected_app` keys: the
//! developer's global OAuth settings (key, secret, callback, certificate,
//! flow switches), the local OAuth settings (scopes), the admin's OAuth
//! policies (permitted users, client credentials user, refresh policy, IP
//! relaxation, session timeout) and the plugin switches.
//!
//! Where both a developer switch and an admin policy exist for a flow
//! (client credentials), both must allow it. An ECA never allows the
//! username-password flow. Files that are absent take Salesforce's
//! defaults: PKCE required, the secret required, everyone self-authorizing.

use serde_json::{Value, json};

use super::component::Component;
use super::error::SourceError;
use super::mock_app::{
    INFORMATIONAL, MockApp, callback_urls, ip_relaxation, refresh_policy, scope_strings, unmodelled,
};
use super::mock_ca::certificate;
use super::scopes::split_commas;
use super::source::App;

const GLOBAL: &str = "ExtlClntAppGlobalOauthSettings";
const LOCAL: &str = "ExtlClntAppOauthSettings";
const OAUTH_POLICIES: &str = "ExtlClntAppOauthConfigurablePolicies";
const POLICIES: &str = "ExtlClntAppConfigurablePolicies";

const MODELLED_GLOBAL: &[&str] = &[
    "callbackUrl",
    "certificate",
    "consumerKey",
    "consumerSecret",
    "isClientCredentialsFlowEnabled",
    "isConsumerSecretOptional",
    "isDeviceFlowEnabled",
    "isPkceRequired",
    "isRefreshTokenRotationEnabled",
    "isSecretRequiredForRefreshToken",
];
const MODELLED_LOCAL: &[&str] = &["commaSeparatedOauthScopes"];
const MODELLED_OAUTH_POLICIES: &[&str] = &[
    "clientCredentialsFlowUser",
    "commaSeparatedPermissionSet",
    "commaSeparatedProfile",
    "ipRelaxationPolicyType",
    "isClientCredentialsFlowEnabled",
    "permittedUsersPolicyType",
    "refreshTokenPolicyType",
    "refreshTokenValidityPeriod",
    "refreshTokenValidityUnit",
    "sessionTimeoutInMinutes",
];
/// The other plugins' switches change nothing OAuth does.
const MODELLED_POLICIES: &[&str] = &[
    "isEnabled",
    "isOauthPluginEnabled",
    "isCanvasPluginEnabled",
    "isMobilePluginEnabled",
    "isNotificationPluginEnabled",
    "isPushPluginEnabled",
    "isSamlPluginEnabled",
    "startPage",
];

pub(crate) fn map(app: &App, out: &mut MockApp) -> Result<(), SourceError> {
    report_unmodelled(app, out);
    out.connected_app
        .insert("username_password_flow".into(), json!(false));
    let plugins = app.part(POLICIES);
    let plugin_flag = |name: &str| plugins.and_then(|p| p.flag(name)).unwrap_or(true);
    if !plugin_flag("isEnabled") || !plugin_flag("isOauthPluginEnabled") {
        out.not_served = Some("its policies turn the OAuth plugin off".into());
    }
    if app.part(LOCAL).is_none() {
        out.not_served = Some(format!("it has no {LOCAL}: it is not enabled for OAuth"));
    }
    global(app.part(GLOBAL), out);
    if let Some(local) = app.part(LOCAL) {
        let scopes = local.root.child("commaSeparatedOauthScopes");
        let names = scopes.map(|s| split_commas(&s.text)).unwrap_or_default();
        let at = scopes.unwrap_or(&local.root);
        let strings = scope_strings(names.iter().map(|n| (n.as_str(), at)), &local.path)?;
        out.connected_app.insert("scopes".into(), json!(strings));
    }
    policies(app.part(OAUTH_POLICIES), app.part(GLOBAL), out)
}

fn report_unmodelled(app: &App, out: &mut MockApp) {
    for component in app.components() {
        let own: &[&str] = match component.kind.name {
            GLOBAL => MODELLED_GLOBAL,
            LOCAL => MODELLED_LOCAL,
            OAUTH_POLICIES => MODELLED_OAUTH_POLICIES,
            POLICIES => MODELLED_POLICIES,
            "ExternalClientApplication" => &[],
            other => {
                out.unmodelled
                    .push(format!("{other} ({})", component.full_name));
                continue;
            }
        };
        let modelled: Vec<&str> = own.iter().chain(INFORMATIONAL).copied().collect();
        if let Some(fields) = component.kind.fields {
            let prefix = format!("{}.", component.kind.suffix);
            unmodelled(
                &component.root,
                fields,
                &prefix,
                &modelled,
                &mut out.unmodelled,
            );
        }
    }
}

/// The developer's switches; without the file, Salesforce's defaults and no
/// callback URL (the scenario's `connected_app.callback_urls` can add one).
fn global(file: Option<&Component>, out: &mut MockApp) {
    let flag = |name: &str, default: bool| file.and_then(|f| f.flag(name)).unwrap_or(default);
    let text = |name: &str| file.and_then(|f| f.text(name));
    let keys = &mut out.connected_app;
    keys.insert(
        "callback_urls".into(),
        json!(callback_urls(text("callbackUrl").unwrap_or_default(), true)),
    );
    if let Some(key) = text("consumerKey") {
        keys.insert("client_id".into(), json!(key));
    }
    if let Some(secret) = text("consumerSecret") {
        keys.insert("client_secret".into(), json!(secret));
    }
    keys.insert("pkce_required".into(), json!(flag("isPkceRequired", true)));
    keys.insert(
        "require_secret".into(),
        json!(!flag("isConsumerSecretOptional", false)),
    );
    keys.insert(
        "require_secret_for_refresh".into(),
        json!(flag("isSecretRequiredForRefreshToken", true)),
    );
    keys.insert(
        "refresh_token_rotation".into(),
        json!(flag("isRefreshTokenRotationEnabled", false)),
    );
    keys.insert(
        "device_flow_enabled".into(),
        json!(flag("isDeviceFlowEnabled", false)),
    );
    certificate(text("certificate"), out);
}

/// The admin's OAuth policies; without the file, those Salesforce creates
/// on deploy: everyone self-authorizes, client credentials off.
fn policies(
    file: Option<&Component>,
    global: Option<&Component>,
    out: &mut MockApp,
) -> Result<(), SourceError> {
    let keys = &mut out.connected_app;
    let developer_allows = global
        .and_then(|g| g.flag("isClientCredentialsFlowEnabled"))
        .unwrap_or(false);
    let Some(file) = file else {
        keys.insert("client_credentials_user".into(), Value::Null);
        keys.insert("admin_approved".into(), json!(false));
        return Ok(());
    };
    let path = file.path.as_str();
    let admin_allows = file.flag("isClientCredentialsFlowEnabled").unwrap_or(false);
    let run_as = file
        .text("clientCredentialsFlowUser")
        .filter(|_| developer_allows && admin_allows);
    keys.insert("client_credentials_user".into(), json!(run_as));
    let permitted = file.root.child("permittedUsersPolicyType");
    let admin_approved = match permitted.map(|p| p.text.trim()) {
        None | Some("AllSelfAuthorized") => false,
        Some("AdminApprovedPreAuthorized") => true,
        Some(other) => {
            return Err(SourceError::at(
                path,
                permitted.map_or(file.root.at, |p| p.at),
                format!(
                    "`permittedUsersPolicyType` must be AllSelfAuthorized or AdminApprovedPreAuthorized, found `{other}`"
                ),
            ));
        }
    };
    keys.insert("admin_approved".into(), json!(admin_approved));
    let list = |name: &str| split_commas(file.text(name).unwrap_or_default());
    keys.insert("profiles".into(), json!(list("commaSeparatedProfile")));
    keys.insert(
        "permission_sets".into(),
        json!(list("commaSeparatedPermissionSet")),
    );
    if let Some(relax) = file.root.child("ipRelaxationPolicyType") {
        let value = ip_relaxation(&relax.text).ok_or_else(|| {
            SourceError::at(
                path,
                relax.at,
                format!(
                    "`ipRelaxationPolicyType` must be Enforce, Bypass, Bypass_2factor or Enforce_RelaxRefresh, found `{}`",
                    relax.text.trim()
                ),
            )
        })?;
        keys.insert("ip_relaxation".into(), json!(value));
    }
    if let Some(kind) = file.root.child("refreshTokenPolicyType") {
        let n = file
            .text("refreshTokenValidityPeriod")
            .and_then(|n| n.parse().ok());
        let value = refresh_policy(&kind.text, n, file.text("refreshTokenValidityUnit")).ok_or_else(|| {
            SourceError::at(
                path,
                kind.at,
                "the refresh token policy must be Infinite, Zero, or SpecificLifetime / SpecificInactivity with `refreshTokenValidityPeriod` and `refreshTokenValidityUnit` (Hours, Days, Months)",
            )
        })?;
        keys.insert("refresh_token_policy".into(), Value::String(value));
    }
    if let Some(minutes) = file
        .text("sessionTimeoutInMinutes")
        .and_then(|m| m.parse::<u64>().ok())
        .filter(|m| *m > 0)
    {
        keys.insert("access_token_lifetime".into(), json!(format!("{minutes}m")));
    }
    Ok(())
}
