//! The fields of the app types, in the Metadata API WSDL's order, with their
//! shapes and Salesforce's defaults: what a file may hold (anything else is
//! refused with its place), the order a retrieve writes, and what an absent
//! field means when the org's copy is compared with the source.

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Text,
    Bool,
    Int,
    /// Child elements of these fields.
    Group(&'static [Field]),
    /// Child elements the mock keeps as they are (canvas, SAML, mobile).
    Opaque,
}

/// One field of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    /// May occur more than once (a list; order does not matter).
    pub repeated: bool,
    /// Salesforce's value when the field is absent.
    pub default: Option<&'static str>,
}

const fn text(name: &'static str) -> Field {
    Field {
        name,
        shape: Shape::Text,
        repeated: false,
        default: None,
    }
}

const fn text_or(name: &'static str, default: &'static str) -> Field {
    Field {
        default: Some(default),
        ..text(name)
    }
}

const fn texts(name: &'static str) -> Field {
    Field {
        repeated: true,
        ..text(name)
    }
}

const fn int(name: &'static str) -> Field {
    Field {
        shape: Shape::Int,
        ..text(name)
    }
}

/// A boolean that is false when absent.
const fn off(name: &'static str) -> Field {
    Field {
        shape: Shape::Bool,
        default: Some("false"),
        ..text(name)
    }
}

/// A boolean that is true when absent.
const fn on(name: &'static str) -> Field {
    Field {
        shape: Shape::Bool,
        default: Some("true"),
        ..text(name)
    }
}

const fn group(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        shape: Shape::Group(fields),
        ..text(name)
    }
}

const fn groups(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        repeated: true,
        ..group(name, fields)
    }
}

const fn opaque(name: &'static str) -> Field {
    Field {
        shape: Shape::Opaque,
        ..text(name)
    }
}

const ATTRIBUTE: &[Field] = &[text("formula"), text("key")];

const CA_IP_RANGE: &[Field] = &[text("description"), text("end"), text("start")];

const CA_ID_TOKEN: &[Field] = &[
    text("idTokenAudience"),
    off("idTokenIncludeAttributes"),
    off("idTokenIncludeCustomPerms"),
    off("idTokenIncludeStandardClaims"),
    int("idTokenValidity"),
];

const CA_OAUTH_CONFIG: &[Field] = &[
    opaque("assetTokenConfig"),
    text("callbackUrl"),
    text("certificate"),
    text("consumerKey"),
    text("consumerSecret"),
    group("idTokenConfig", CA_ID_TOKEN),
    off("isAdminApproved"),
    off("isClientCredentialEnabled"),
    off("isCodeCredentialEnabled"),
    off("isCodeCredentialPostOnly"),
    off("isConsumerSecretOptional"),
    off("isIntrospectAllTokens"),
    off("isNamedUserJwtEnabled"),
    off("isPkceRequired"),
    off("isRefreshTokenRotationEnabled"),
    on("isSecretRequiredForRefreshToken"),
    off("isSecretRequiredForTokenExchange"),
    off("isTokenExchangeEnabled"),
    text("oauthClientCredentialUser"),
    texts("scopes"),
    text("singleLogoutUrl"),
];

const CA_OAUTH_POLICY: &[Field] = &[
    text_or("ipRelaxation", "ENFORCE"),
    off("isTokenExchangeFlowEnabled"),
    text_or("refreshTokenPolicy", "infinite"),
    text("singleLogoutUrl"),
];

const CA_SESSION_POLICY: &[Field] = &[
    text("policyAction"),
    text("sessionLevel"),
    int("sessionTimeout"),
];

/// `ConnectedApp` (WSDL 63.0; `developerName` and `version` appear in the
/// stubs a managed package's app retrieves as).
pub const CONNECTED_APP: &[Field] = &[
    text("fullName"),
    groups("attributes", ATTRIBUTE),
    opaque("canvas"),
    opaque("canvasConfig"),
    text("contactEmail"),
    text("contactPhone"),
    text("description"),
    text("developerName"),
    text("iconUrl"),
    text("infoUrl"),
    groups("ipRanges", CA_IP_RANGE),
    text("label"),
    text("logoUrl"),
    opaque("mobileAppConfig"),
    text("mobileStartUrl"),
    group("oauthConfig", CA_OAUTH_CONFIG),
    group("oauthPolicy", CA_OAUTH_POLICY),
    texts("permissionSetName"),
    text("plugin"),
    text("pluginExecutionUser"),
    texts("profileName"),
    opaque("samlConfig"),
    group("sessionPolicy", CA_SESSION_POLICY),
    text("startUrl"),
    text("version"),
];

/// `ExternalClientApplication`, the header.
pub const ECA: &[Field] = &[
    text("fullName"),
    text("contactEmail"),
    text("contactPhone"),
    text("description"),
    text_or("distributionState", "Local"),
    text("iconUrl"),
    text("infoUrl"),
    off("isProtected"),
    text("label"),
    text("logoUrl"),
    text("managedType"),
    text("orgScopedExternalApp"),
];

const ECA_ID_TOKEN: &[Field] = &[
    text("idTokenAudience"),
    off("idTokenIncludeAttributes"),
    off("idTokenIncludeCustomPermissions"),
    off("idTokenIncludeStandardClaims"),
    int("idTokenValidityInMinutes"),
];

/// `ExtlClntAppGlobalOauthSettings`: key, secret, callback, flow switches.
pub const ECA_GLOBAL_OAUTH: &[Field] = &[
    text("fullName"),
    text("callbackUrl"),
    text("certificate"),
    text("consumerKey"),
    text("consumerSecret"),
    text("externalClientApplication"),
    group("idTokenConfig", ECA_ID_TOKEN),
    off("isClientCredentialsFlowEnabled"),
    off("isCodeCredFlowEnabled"),
    off("isCodeCredPostOnly"),
    off("isConsumerSecretOptional"),
    off("isDeviceFlowEnabled"),
    off("isIntrospectAllTokens"),
    off("isNamedUserJwtEnabled"),
    on("isPkceRequired"),
    off("isRefreshTokenRotationEnabled"),
    on("isSecretRequiredForRefreshToken"),
    off("isSecretRequiredForTokenExchange"),
    off("isTokenExchangeEnabled"),
    text("label"),
    off("shouldRotateConsumerKey"),
    off("shouldRotateConsumerSecret"),
];

const ECA_IP_RANGE: &[Field] = &[
    text("description"),
    text("endIpAddress"),
    text("startIpAddress"),
];

/// `ExtlClntAppOauthSettings`: scopes, trusted ranges, attributes.
pub const ECA_OAUTH: &[Field] = &[
    text("fullName"),
    off("areAttributesIncludedInAssetToken"),
    off("areCustomPermsIncludedInAssetToken"),
    text("assetTokenAudiences"),
    text("assetTokenSigningCertificate"),
    int("assetTokenValidity"),
    text("clientAssertionCertificate"),
    text("commaSeparatedCustomScopes"),
    text("commaSeparatedOauthScopes"),
    groups("customAttributes", ATTRIBUTE),
    text("externalClientApplication"),
    off("isFirstPartyAppEnabled"),
    text("label"),
    text("oauthLink"),
    text("singleLogoutUrl"),
    groups("trustedIpRanges", ECA_IP_RANGE),
];

/// `ExtlClntAppOauthConfigurablePolicies`: the admin's OAuth policies.
pub const ECA_OAUTH_POLICIES: &[Field] = &[
    text("fullName"),
    text("apexHandler"),
    text("clientCredentialsFlowUser"),
    text("commaSeparatedCustomScopes"),
    text("commaSeparatedPermissionSet"),
    text("commaSeparatedProfile"),
    groups("customAttributes", ATTRIBUTE),
    text("executeHandlerAs"),
    text("externalClientApplication"),
    text("guestJwtSessionTimeoutType"),
    int("guestJwtTimeout"),
    text_or("ipRelaxationPolicyType", "Enforce"),
    off("isClientCredentialsFlowEnabled"),
    off("isGuestCodeCredFlowEnabled"),
    off("isNamedUserJwtEnabled"),
    off("isTokenExchangeFlowEnabled"),
    text("label"),
    text("namedUserJwtSessionTimeoutType"),
    int("namedUserJwtTimeout"),
    text_or("permittedUsersPolicyType", "AllSelfAuthorized"),
    text("policyAction"),
    text_or("refreshTokenPolicyType", "Infinite"),
    int("refreshTokenValidityPeriod"),
    text("refreshTokenValidityUnit"),
    text("requiredSessionLevel"),
    int("sessionTimeoutInMinutes"),
    text("singleLogoutUrl"),
    text("startUrl"),
];

/// `ExtlClntAppConfigurablePolicies`: the plugins' on/off switches.
pub const ECA_POLICIES: &[Field] = &[
    text("fullName"),
    text("externalClientApplication"),
    on("isCanvasPluginEnabled"),
    on("isEnabled"),
    on("isMobilePluginEnabled"),
    on("isNotificationPluginEnabled"),
    on("isOauthPluginEnabled"),
    on("isPushPluginEnabled"),
    on("isSamlPluginEnabled"),
    text("label"),
    text("startPage"),
    text("startUrl"),
];

/// `OauthOidcSettings` (`settings/OauthOidc.settings-meta.xml`).
pub const OAUTH_OIDC_SETTINGS: &[Field] = &[
    text("fullName"),
    off("blockOAuthUnPwFlow"),
    off("blockOAuthUsrAgtFlow"),
    off("isPkceRequired"),
    off("oAuthCdCrdtFlowEnable"),
];

/// The field called `name` among `fields`.
#[must_use]
pub fn field<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name == name)
}
