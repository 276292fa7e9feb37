//! What the Metadata API knows: the types `describeMetadata` lists and the
//! components `listMetadata` finds (the org's Connected Apps, its standard
//! objects and their custom fields, two Apex classes).

use super::connected_app::api_name;
use super::xml::{flag, leaf};
use crate::mock::config::ConnectedApp;
use crate::mock::random::salesforce_id;
use crate::mock::sobjects::SObjectKind;
use crate::mock::state::MockState;

/// `(xmlName, directoryName, suffix, inFolder, metaFile, childXmlNames)`.
type TypeRow = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    bool,
    &'static [&'static str],
);

const TYPES: [TypeRow; 22] = [
    ("ApexClass", "classes", "cls", false, true, &[]),
    ("ApexComponent", "components", "component", false, true, &[]),
    ("ApexPage", "pages", "page", false, true, &[]),
    ("ApexTrigger", "triggers", "trigger", false, true, &[]),
    ("AuraDefinitionBundle", "aura", "", false, false, &[]),
    (
        "ConnectedApp",
        "connectedApps",
        "connectedApp",
        false,
        false,
        &[],
    ),
    (
        "CustomApplication",
        "applications",
        "app",
        false,
        false,
        &[],
    ),
    (
        "CustomLabels",
        "labels",
        "labels",
        false,
        false,
        &["CustomLabel"],
    ),
    (
        "CustomObject",
        "objects",
        "object",
        false,
        false,
        &[
            "CustomField",
            "Index",
            "BusinessProcess",
            "CompactLayout",
            "RecordType",
            "WebLink",
            "ValidationRule",
            "SharingReason",
            "ListView",
            "FieldSet",
        ],
    ),
    ("CustomTab", "tabs", "tab", false, false, &[]),
    ("Dashboard", "dashboards", "dashboard", true, false, &[]),
    ("Document", "documents", "", true, true, &[]),
    ("EmailTemplate", "email", "email", true, true, &[]),
    ("Flow", "flows", "flow", false, false, &[]),
    ("Layout", "layouts", "layout", false, false, &[]),
    ("LightningComponentBundle", "lwc", "", false, false, &[]),
    (
        "NamedCredential",
        "namedCredentials",
        "namedCredential",
        false,
        false,
        &[],
    ),
    (
        "PermissionSet",
        "permissionsets",
        "permissionset",
        false,
        false,
        &[],
    ),
    ("Profile", "profiles", "profile", false, false, &[]),
    (
        "RemoteSiteSetting",
        "remoteSiteSettings",
        "remoteSite",
        false,
        false,
        &[],
    ),
    ("Report", "reports", "report", true, false, &[]),
    (
        "StaticResource",
        "staticresources",
        "resource",
        false,
        true,
        &[],
    ),
];

/// Apex classes every mock org has.
const APEX_CLASSES: [&str; 2] = ["AccountService", "AccountServiceTest"];

/// `DescribeMetadataResult` content.
pub(crate) fn describe() -> String {
    let mut out = String::new();
    for (xml_name, directory, suffix, in_folder, meta_file, children) in TYPES {
        out.push_str("<metadataObjects>");
        for child in children {
            leaf(&mut out, "childXmlNames", child);
        }
        leaf(&mut out, "directoryName", directory);
        flag(&mut out, "inFolder", in_folder);
        flag(&mut out, "metaFile", meta_file);
        if !suffix.is_empty() {
            leaf(&mut out, "suffix", suffix);
        }
        leaf(&mut out, "xmlName", xml_name);
        out.push_str("</metadataObjects>");
    }
    out.push_str("<organizationNamespace></organizationNamespace>");
    flag(&mut out, "partialSaveAllowed", true);
    flag(&mut out, "testRequired", false);
    out
}

/// One listed component.
struct Component {
    full_name: String,
    file_name: String,
    id: String,
    /// Standard objects are not "unmanaged"; they have no state.
    managed_state: bool,
}

/// `FileProperties` of every component of `type_name` (none for types the
/// mock has no components of).
pub(crate) fn list(state: &MockState, type_name: &str) -> String {
    let components: Vec<Component> = match type_name {
        "ConnectedApp" => apps(state)
            .iter()
            .zip(1..)
            .map(|(app, n)| {
                let name = api_name(&app.name);
                component(
                    &name,
                    format!("connectedApps/{name}.connectedApp"),
                    salesforce_id("0H4", n),
                )
            })
            .collect(),
        "CustomObject" => object_kinds()
            .map(|kind| Component {
                managed_state: false,
                id: String::new(),
                ..component(
                    kind.name,
                    format!("objects/{}.object", kind.name),
                    String::new(),
                )
            })
            .collect(),
        "CustomField" => object_kinds()
            .zip(1..)
            .map(|(kind, n)| {
                let name = format!("{}.External_Id__c", kind.name);
                component(
                    &name,
                    format!("objects/{}.object", kind.name),
                    salesforce_id("00N", n),
                )
            })
            .collect(),
        "ApexClass" => APEX_CLASSES
            .iter()
            .zip(1..)
            .map(|(name, n)| {
                component(name, format!("classes/{name}.cls"), salesforce_id("01p", n))
            })
            .collect(),
        _ => Vec::new(),
    };
    let (user_id, user_name) =
        state
            .users()
            .first()
            .map_or((String::new(), String::new()), |user| {
                let name = format!("{} {}", user.user.first_name, user.user.last_name);
                (user.id.clone(), name.trim().to_string())
            });
    let mut out = String::new();
    for item in components {
        out.push_str("<result>");
        leaf(&mut out, "createdById", &user_id);
        leaf(&mut out, "createdByName", &user_name);
        leaf(&mut out, "createdDate", COMPONENT_DATE);
        leaf(&mut out, "fileName", &item.file_name);
        leaf(&mut out, "fullName", &item.full_name);
        leaf(&mut out, "id", &item.id);
        leaf(&mut out, "lastModifiedById", &user_id);
        leaf(&mut out, "lastModifiedByName", &user_name);
        leaf(&mut out, "lastModifiedDate", COMPONENT_DATE);
        if item.managed_state {
            leaf(&mut out, "manageableState", "unmanaged");
        }
        leaf(&mut out, "type", type_name);
        out.push_str("</result>");
    }
    out
}

fn component(full_name: &str, file_name: String, id: String) -> Component {
    Component {
        full_name: full_name.to_string(),
        file_name,
        id,
        managed_state: true,
    }
}

/// The configured app, then the Salesforce CLI's.
pub(crate) fn apps(state: &MockState) -> Vec<ConnectedApp> {
    vec![
        state.config.connected_app.clone(),
        ConnectedApp::platform_cli(),
    ]
}

/// Objects the Metadata API lists as `CustomObject` (not Organization).
pub(crate) fn object_kinds() -> impl Iterator<Item = SObjectKind> {
    SObjectKind::all()
        .iter()
        .copied()
        .filter(|kind| kind.name != "Organization")
}

/// When every listed component was made and last changed: a fixed instant
/// (the identity service's `last_modified_date` too), so that listings are
/// the same on every run and snapshots and docs of them are stable.
const COMPONENT_DATE: &str = "2024-01-01T00:00:00.000Z";

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn describes_connected_apps_and_objects() {
        let xml = describe();
        assert!(xml.contains("<metadataObjects><directoryName>connectedApps</directoryName><inFolder>false</inFolder><metaFile>false</metaFile><suffix>connectedApp</suffix><xmlName>ConnectedApp</xmlName></metadataObjects>"));
        assert!(xml.contains("<childXmlNames>CustomField</childXmlNames>"));
        assert!(xml.ends_with(
            "<partialSaveAllowed>true</partialSaveAllowed><testRequired>false</testRequired>"
        ));
    }
}
