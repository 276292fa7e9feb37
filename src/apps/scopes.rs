//! OAuth scopes: the Metadata API's names (`Api`, `RefreshToken`; a
//! Connected App's repeated `<scopes>`, an External Client App's comma
//! list) and the strings OAuth requests and responses carry (`api`,
//! `refresh_token`).

/// Metadata name → the scope strings it grants. `Basic` is the identity
/// service (`id`) and its synonyms; `RefreshToken` is also `offline_access`.
const SCOPES: &[(&str, &[&str])] = &[
    ("Basic", &["id", "profile", "email", "address", "phone"]),
    ("Profile", &["profile"]),
    ("Email", &["email"]),
    ("Address", &["address"]),
    ("Phone", &["phone"]),
    ("Api", &["api"]),
    ("Web", &["web"]),
    ("Full", &["full"]),
    ("Chatter", &["chatter_api"]),
    ("CustomApplications", &["visualforce"]),
    ("RefreshToken", &["refresh_token", "offline_access"]),
    ("OfflineAccess", &["offline_access", "refresh_token"]),
    ("OpenID", &["openid"]),
    ("CustomPermissions", &["custom_permissions"]),
    ("Wave", &["wave_api"]),
    ("Eclair", &["eclair_api"]),
    ("Pardot", &["pardot_api"]),
    ("Lightning", &["lightning"]),
    ("Content", &["content"]),
    ("CDPIngest", &["cdp_ingest_api"]),
    ("CDPProfile", &["cdp_profile_api"]),
    ("CDPQuery", &["cdp_query_api"]),
    ("CDPSegment", &["cdp_segment_api"]),
    ("CDPIdentityResolution", &["cdp_identityresolution_api"]),
    ("CDPCalculatedInsight", &["cdp_calculated_insight_api"]),
    ("CDP", &["cdp_api"]),
    ("Chatbot", &["chatbot_api"]),
    ("ForgotPassword", &["forgot_password"]),
    ("UserRegistration", &["user_registration_api"]),
    ("PwdlessLogin", &["pwdless_login_api"]),
    ("SFAP", &["sfap_api"]),
    ("SFApiPlatform", &["sfap_api"]),
    ("Interaction", &["interaction_api"]),
    ("EinsteinGPT", &["einstein_gpt_api"]),
    ("MCP", &["mcp_api"]),
    ("SCRT", &["scrt_api"]),
];

/// The scope strings a Metadata scope name grants; `None` for a name the
/// Metadata API does not have. Case is ignored, as Salesforce's enum
/// parsing of these files does not matter here.
#[must_use]
pub fn wire(name: &str) -> Option<&'static [&'static str]> {
    SCOPES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, strings)| *strings)
}

/// The Metadata name a scope is retrieved as (`OfflineAccess` and the
/// identity synonyms deploy as themselves but read back as `RefreshToken`
/// and `Basic`).
#[must_use]
pub fn canonical(name: &str) -> String {
    let name = name.trim();
    let found = SCOPES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
    match found.map(|(n, _)| *n) {
        Some("OfflineAccess") => "RefreshToken".into(),
        Some("Profile" | "Email" | "Address" | "Phone") => "Basic".into(),
        Some("SFApiPlatform") => "SFAP".into(),
        Some(n) => n.into(),
        None => name.into(),
    }
}

/// The items of an External Client App's comma list, trimmed, empties dropped.
#[must_use]
pub fn split_commas(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{canonical, split_commas, wire};

    #[test]
    fn names_become_scope_strings() {
        assert_eq!(wire("Api"), Some(&["api"][..]));
        assert_eq!(
            wire(" refreshtoken "),
            Some(&["refresh_token", "offline_access"][..])
        );
        assert_eq!(wire("Nope"), None);
        assert_eq!(canonical("OfflineAccess"), "RefreshToken");
        assert_eq!(canonical("Email"), "Basic");
        assert_eq!(
            split_commas("Api, OpenID,,RefreshToken "),
            ["Api", "OpenID", "RefreshToken"]
        );
    }
}
