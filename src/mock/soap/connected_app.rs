//! `readMetadata` of a ConnectedApp: the mock's configuration in the Metadata
//! API's shape (WSDL 63.0 element order; scopes as the `ConnectedAppOauthAccessScope`
//! enum, not OAuth strings).

use super::xml::{flag, leaf};
use crate::mock::config::ConnectedApp;
use crate::mock::duration::RefreshPolicy;
use crate::mock::state::MockState;

/// OAuth scope → Metadata API enum value.
const SCOPES: [(&str, &str); 33] = [
    ("id", "Basic"),
    ("api", "Api"),
    ("web", "Web"),
    ("full", "Full"),
    ("chatter_api", "Chatter"),
    ("visualforce", "CustomApplications"),
    ("refresh_token", "RefreshToken"),
    ("offline_access", "RefreshToken"),
    ("openid", "OpenID"),
    ("profile", "Profile"),
    ("email", "Email"),
    ("address", "Address"),
    ("phone", "Phone"),
    ("custom_permissions", "CustomPermissions"),
    ("wave_api", "Wave"),
    ("eclair_api", "Eclair"),
    ("pardot_api", "Pardot"),
    ("lightning", "Lightning"),
    ("content", "Content"),
    ("cdp_ingest_api", "CDPIngest"),
    ("cdp_profile_api", "CDPProfile"),
    ("cdp_query_api", "CDPQuery"),
    ("chatbot_api", "Chatbot"),
    ("cdp_segment_api", "CDPSegment"),
    ("cdp_identityresolution_api", "CDPIdentityResolution"),
    ("cdp_calculated_insight_api", "CDPCalculatedInsight"),
    ("forgot_password", "ForgotPassword"),
    ("user_registration_api", "UserRegistration"),
    ("sfap_api", "SFAP"),
    ("interaction_api", "Interaction"),
    ("cdp_api", "CDP"),
    ("einstein_gpt_api", "EinsteinGPT"),
    ("pwdless_login_api", "PwdlessLogin"),
];

/// A label as an API name: `sfscenario Mock App` → `sfscenario_Mock_App`.
pub(crate) fn api_name(label: &str) -> String {
    let mut name = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    match name.chars().next() {
        Some(first) if first.is_ascii_alphabetic() => name.to_string(),
        _ => format!("X{name}"),
    }
}

/// The Metadata enum values of OAuth scopes, without repeats; scopes with no
/// enum value are left out.
pub(crate) fn metadata_scopes(scopes: &[String]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for scope in scopes {
        let found = SCOPES.iter().find(|(oauth, _)| oauth == scope);
        if let Some(&(_, value)) = found
            && !out.contains(&value)
        {
            out.push(value);
        }
    }
    out
}

/// `infinite`, `immediately`, or `specific_lifetime:N:HOURS|DAYS`.
fn refresh_policy(app: &ConnectedApp) -> String {
    match RefreshPolicy::parse(&app.refresh_token_policy) {
        Some(RefreshPolicy::Immediately) => "immediately".into(),
        Some(RefreshPolicy::After(lifetime)) => {
            let seconds = lifetime.as_secs();
            if seconds > 0 && seconds % 86_400 == 0 {
                format!("specific_lifetime:{}:DAYS", seconds / 86_400)
            } else {
                format!("specific_lifetime:{}:HOURS", seconds.div_ceil(3600).max(1))
            }
        }
        Some(RefreshPolicy::Infinite) | None => "infinite".into(),
    }
}

/// `<records xsi:type="ConnectedApp">…</records>` for the app called `full_name`.
pub(crate) fn record(state: &MockState, app: &ConnectedApp) -> String {
    let contact = state
        .users()
        .first()
        .map_or("", |user| user.user.email.as_str());
    let mut out = String::from(r#"<records xsi:type="ConnectedApp">"#);
    leaf(&mut out, "fullName", &api_name(&app.name));
    leaf(&mut out, "contactEmail", contact);
    leaf(&mut out, "label", &app.name);
    out.push_str("<oauthConfig>");
    leaf(&mut out, "callbackUrl", &app.callback_urls.join("\n"));
    if let Some(certificate) = &app.certificate {
        leaf(&mut out, "certificate", certificate.trim());
    }
    leaf(&mut out, "consumerKey", &app.client_id);
    flag(&mut out, "isAdminApproved", app.admin_approved);
    let client_credentials = app.client_credentials_user.as_ref();
    flag(
        &mut out,
        "isClientCredentialEnabled",
        client_credentials.is_some(),
    );
    flag(&mut out, "isCodeCredentialEnabled", false);
    flag(&mut out, "isCodeCredentialPostOnly", false);
    flag(&mut out, "isConsumerSecretOptional", !app.require_secret);
    flag(&mut out, "isIntrospectAllTokens", false);
    flag(&mut out, "isNamedUserJwtEnabled", false);
    flag(&mut out, "isPkceRequired", app.pkce_required);
    flag(
        &mut out,
        "isRefreshTokenRotationEnabled",
        app.refresh_token_rotation,
    );
    flag(
        &mut out,
        "isSecretRequiredForRefreshToken",
        app.require_secret,
    );
    flag(&mut out, "isSecretRequiredForTokenExchange", false);
    flag(&mut out, "isTokenExchangeEnabled", false);
    if let Some(user) = client_credentials {
        leaf(&mut out, "oauthClientCredentialUser", user);
    }
    for scope in metadata_scopes(&app.scopes) {
        leaf(&mut out, "scopes", scope);
    }
    out.push_str("</oauthConfig><oauthPolicy>");
    leaf(
        &mut out,
        "ipRelaxation",
        &app.ip_relaxation.to_ascii_uppercase(),
    );
    leaf(&mut out, "refreshTokenPolicy", &refresh_policy(app));
    out.push_str("</oauthPolicy>");
    for name in &app.permission_sets {
        leaf(&mut out, "permissionSetName", name);
    }
    for name in &app.profiles {
        leaf(&mut out, "profileName", name);
    }
    out.push_str("</records>");
    out
}

#[cfg(test)]
mod tests {
    use super::{ConnectedApp, api_name, metadata_scopes, refresh_policy};

    #[test]
    fn names_scopes_and_policies() {
        assert_eq!(api_name("sfscenario Mock App"), "sfscenario_Mock_App");
        assert_eq!(api_name("  Salesforce CLI!"), "Salesforce_CLI");
        assert_eq!(api_name("1 app"), "X1_app");
        let scopes: Vec<String> = ["api", "refresh_token", "offline_access", "openid", "x"]
            .map(String::from)
            .to_vec();
        assert_eq!(metadata_scopes(&scopes), ["Api", "RefreshToken", "OpenID"]);
        let policy = |text: &str| {
            refresh_policy(&ConnectedApp {
                refresh_token_policy: text.into(),
                ..ConnectedApp::default()
            })
        };
        assert_eq!(policy("infinite"), "infinite");
        assert_eq!(policy("immediately"), "immediately");
        assert_eq!(policy("48h"), "specific_lifetime:2:DAYS");
        assert_eq!(policy("90m"), "specific_lifetime:2:HOURS");
    }
}
