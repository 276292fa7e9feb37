//! The metadata types sfscenario reads from source: the app types (a
//! Connected App, an External Client App's header and its settings and
//! policy files), the org's Settings, and a few single-file types a deploy
//! carries as they are. Directory and suffix as the Salesforce CLI's registry
//! names them.

use super::schema::{
    CONNECTED_APP, ECA, ECA_GLOBAL_OAUTH, ECA_OAUTH, ECA_OAUTH_POLICIES, ECA_POLICIES, Field,
    OAUTH_OIDC_SETTINGS,
};

/// One metadata type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataType {
    /// The name in `package.xml` (`ConnectedApp`).
    pub name: &'static str,
    /// File suffix: source `<name>.<suffix>-meta.xml`, zip `<name>.<suffix>`.
    pub suffix: &'static str,
    pub directory: &'static str,
    /// The fields a file may hold; `None`: kept as it is, unchecked.
    pub fields: Option<&'static [Field]>,
    /// What the type is to an app.
    pub role: Role,
    /// Source and zip both hold a content file beside `-meta.xml` (Apex).
    pub content: bool,
}

/// What a type is to an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    ConnectedApp,
    /// An External Client App's header.
    Eca,
    /// A file of an External Client App (names its header in
    /// `externalClientApplication`).
    EcaPart,
    /// Org-wide settings.
    Settings,
    /// Anything else: deployed and retrieved as it is.
    Other,
}

const fn app_type(
    name: &'static str,
    suffix: &'static str,
    directory: &'static str,
    fields: Option<&'static [Field]>,
    role: Role,
) -> MetadataType {
    MetadataType {
        name,
        suffix,
        directory,
        fields,
        role,
        content: false,
    }
}

const fn other(name: &'static str, suffix: &'static str, directory: &'static str) -> MetadataType {
    app_type(name, suffix, directory, None, Role::Other)
}

const fn with_content(
    name: &'static str,
    suffix: &'static str,
    directory: &'static str,
) -> MetadataType {
    MetadataType {
        content: true,
        ..other(name, suffix, directory)
    }
}

const fn part(
    name: &'static str,
    suffix: &'static str,
    directory: &'static str,
    fields: Option<&'static [Field]>,
) -> MetadataType {
    app_type(name, suffix, directory, fields, Role::EcaPart)
}

/// Every type sfscenario knows.
pub const TYPES: &[MetadataType] = &[
    app_type(
        "ConnectedApp",
        "connectedApp",
        "connectedApps",
        Some(CONNECTED_APP),
        Role::ConnectedApp,
    ),
    app_type(
        "ExternalClientApplication",
        "eca",
        "externalClientApps",
        Some(ECA),
        Role::Eca,
    ),
    part(
        "ExtlClntAppGlobalOauthSettings",
        "ecaGlblOauth",
        "extlClntAppGlobalOauthSets",
        Some(ECA_GLOBAL_OAUTH),
    ),
    part(
        "ExtlClntAppOauthSettings",
        "ecaOauth",
        "extlClntAppOauthSettings",
        Some(ECA_OAUTH),
    ),
    part(
        "ExtlClntAppOauthConfigurablePolicies",
        "ecaOauthPlcy",
        "extlClntAppOauthPolicies",
        Some(ECA_OAUTH_POLICIES),
    ),
    part(
        "ExtlClntAppConfigurablePolicies",
        "ecaPlcy",
        "extlClntAppPolicies",
        Some(ECA_POLICIES),
    ),
    part(
        "ExtlClntAppSamlConfigurablePolicies",
        "ecaSamlPlcy",
        "extlClntAppSamlConfigurablePolicies",
        None,
    ),
    part(
        "ExtlClntAppMobileSettings",
        "ecaMobile",
        "extlClntAppMobileSettings",
        None,
    ),
    part(
        "ExtlClntAppMobileConfigurablePolicies",
        "ecaMobilePlcy",
        "extlClntAppMobilePolicies",
        None,
    ),
    part(
        "ExtlClntAppNotificationSettings",
        "ecaNotifications",
        "extlClntAppNotifSettings",
        None,
    ),
    part(
        "ExtlClntAppPushSettings",
        "ecaPush",
        "extlClntAppPushSettings",
        None,
    ),
    part(
        "ExtlClntAppPushConfigurablePolicies",
        "ecaPushPlcy",
        "extlClntAppPushPolicies",
        None,
    ),
    part(
        "ExtlClntAppCanvasSettings",
        "ecaCanvas",
        "extlClntAppCanvasSettings",
        None,
    ),
    part(
        "ExtlClntAppOauthSecuritySettings",
        "ecaOauthSecurity",
        "extlClntAppOauthSecuritySettings",
        None,
    ),
    app_type("Settings", "settings", "settings", None, Role::Settings),
    with_content("ApexClass", "cls", "classes"),
    with_content("ApexComponent", "component", "components"),
    with_content("ApexPage", "page", "pages"),
    with_content("ApexTrigger", "trigger", "triggers"),
    other("CustomApplication", "app", "applications"),
    other("CustomTab", "tab", "tabs"),
    other("Flow", "flow", "flows"),
    other("Layout", "layout", "layouts"),
    other("NamedCredential", "namedCredential", "namedCredentials"),
    other("PermissionSet", "permissionset", "permissionsets"),
    other("Profile", "profile", "profiles"),
    other("RemoteSiteSetting", "remoteSite", "remoteSiteSettings"),
];

impl MetadataType {
    /// The type called `name` in `package.xml`.
    #[must_use]
    pub fn named(name: &str) -> Option<&'static MetadataType> {
        TYPES.iter().find(|t| t.name == name)
    }

    /// The type whose files end in `.<suffix>` (`.<suffix>-meta.xml` in source).
    #[must_use]
    pub fn by_suffix(suffix: &str) -> Option<&'static MetadataType> {
        TYPES.iter().find(|t| t.suffix == suffix)
    }

    /// The root element of a component called `full_name`: the type's name,
    /// or for Settings `<full_name>Settings` (`OauthOidcSettings`).
    #[must_use]
    pub fn root(&self, full_name: &str) -> String {
        if self.role == Role::Settings {
            format!("{full_name}Settings")
        } else {
            self.name.to_owned()
        }
    }

    /// The fields a component called `full_name` may hold.
    #[must_use]
    pub fn fields_of(&self, full_name: &str) -> Option<&'static [Field]> {
        match self.role {
            Role::Settings if full_name == "OauthOidc" => Some(OAUTH_OIDC_SETTINGS),
            _ => self.fields,
        }
    }

    /// The app types a source file can be (everything but Settings and others).
    #[must_use]
    pub fn is_app_part(&self) -> bool {
        matches!(self.role, Role::ConnectedApp | Role::Eca | Role::EcaPart)
    }

    /// The component's path in a Metadata API zip (`connectedApps/X.connectedApp`).
    #[must_use]
    pub fn zip_path(&self, full_name: &str) -> String {
        format!("{}/{full_name}.{}", self.directory, self.suffix)
    }
}

/// `(full name, type)` of a source file name `<name>.<suffix>-meta.xml`.
#[must_use]
pub fn source_file(file_name: &str) -> Option<(&str, &'static MetadataType)> {
    let stem = file_name.strip_suffix("-meta.xml")?;
    let (name, suffix) = stem.rsplit_once('.')?;
    let kind = MetadataType::by_suffix(suffix)?;
    (!name.is_empty()).then_some((name, kind))
}

#[cfg(test)]
mod tests {
    use super::{MetadataType, Role, TYPES, source_file};

    #[test]
    fn suffixes_and_names_are_unique() {
        for (i, t) in TYPES.iter().enumerate() {
            assert!(
                TYPES[..i]
                    .iter()
                    .all(|o| o.suffix != t.suffix && o.name != t.name),
                "{t:?}"
            );
        }
    }

    #[test]
    fn source_files_name_their_type() {
        let (name, kind) = source_file("Billing_Portal.connectedApp-meta.xml").unwrap();
        assert_eq!((name, kind.name), ("Billing_Portal", "ConnectedApp"));
        let (name, kind) = source_file("Billing.Portal_glbloauth.ecaGlblOauth-meta.xml").unwrap();
        assert_eq!(
            (name, kind.role),
            ("Billing.Portal_glbloauth", Role::EcaPart)
        );
        assert!(source_file("x.txt").is_none());
        assert!(source_file(".connectedApp-meta.xml").is_none());
        let settings = MetadataType::named("Settings").unwrap();
        assert_eq!(settings.root("OauthOidc"), "OauthOidcSettings");
        assert!(settings.fields_of("OauthOidc").is_some());
        assert_eq!(
            settings.zip_path("OauthOidc"),
            "settings/OauthOidc.settings"
        );
    }
}
