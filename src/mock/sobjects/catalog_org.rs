//! The fields of the org's own records: its users and its Organization.

use super::fields::FieldType::{Boolean, DateTime, Email, Phone};
use super::fields::{
    FieldDef, defaulted, name_field, picklist, read_only, reference, required, text, typed,
};

pub(crate) const USER: &[FieldDef] = &[
    FieldDef {
        unique: true,
        ..required(text("Username", "Username", 80))
    },
    required(text("LastName", "Last Name", 80)),
    text("FirstName", "First Name", 40),
    name_field(read_only(text("Name", "Full Name", 121))),
    text("Title", "Title", 80),
    text("Department", "Department", 80),
    required(typed("Email", "Email", Email)),
    typed("Phone", "Phone", Phone),
    required(text("Alias", "Alias", 8)),
    text("CommunityNickname", "Nickname", 40),
    defaulted(typed("IsActive", "Active", Boolean), "true"),
    required(picklist(
        "TimeZoneSidKey",
        "Time Zone",
        &[
            "America/Los_Angeles",
            "America/New_York",
            "Europe/London",
            "Europe/Paris",
            "GMT",
        ],
    )),
    required(picklist(
        "LocaleSidKey",
        "Locale",
        &["en_US", "en_GB", "fr_FR", "de_DE"],
    )),
    required(picklist(
        "EmailEncodingKey",
        "Email Encoding",
        &["UTF-8", "ISO-8859-1"],
    )),
    required(reference(
        "ProfileId",
        "Profile ID",
        "Profile",
        "Profile",
        None,
    )),
    required(picklist(
        "LanguageLocaleKey",
        "Language",
        &["en_US", "fr", "de"],
    )),
    read_only(picklist(
        "UserType",
        "User Type",
        &["Standard", "PowerPartner", "CsnOnly", "Guest"],
    )),
];

pub(crate) const ORGANIZATION: &[FieldDef] = &[
    name_field(required(text("Name", "Name", 80))),
    text("Country", "Country", 80),
    typed("Phone", "Phone", Phone),
    read_only(text("InstanceName", "Instance Name", 5)),
    read_only(defaulted(
        typed("IsSandbox", "Is Sandbox", Boolean),
        "false",
    )),
    read_only(picklist(
        "OrganizationType",
        "Edition",
        &[
            "Team Edition",
            "Professional Edition",
            "Enterprise Edition",
            "Developer Edition",
            "Unlimited Edition",
        ],
    )),
    read_only(text("NamespacePrefix", "Namespace Prefix", 15)),
    read_only(typed(
        "TrialExpirationDate",
        "Trial Expiration Date",
        DateTime,
    )),
    picklist("LanguageLocaleKey", "Language", &["en_US", "fr", "de"]),
    picklist(
        "TimeZoneSidKey",
        "Default Time Zone",
        &[
            "America/Los_Angeles",
            "America/New_York",
            "Europe/London",
            "GMT",
        ],
    ),
];
