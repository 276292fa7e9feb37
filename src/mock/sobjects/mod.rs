//! The sObject types the mock knows, and their Basic Information describe.

use serde_json::{Map, Value, json};

/// One standard sObject type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SObjectKind {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) label_plural: &'static str,
    pub(crate) key_prefix: &'static str,
    /// Users cannot be deleted, merged or undeleted.
    pub(crate) is_user: bool,
}

const fn kind(
    name: &'static str,
    label: &'static str,
    label_plural: &'static str,
    key_prefix: &'static str,
) -> SObjectKind {
    SObjectKind {
        name,
        label,
        label_plural,
        key_prefix,
        is_user: false,
    }
}

const KINDS: [SObjectKind; 6] = [
    kind("Account", "Account", "Accounts", "001"),
    kind("Contact", "Contact", "Contacts", "003"),
    kind("Opportunity", "Opportunity", "Opportunities", "006"),
    kind("Lead", "Lead", "Leads", "00Q"),
    kind("Case", "Case", "Cases", "500"),
    SObjectKind {
        is_user: true,
        ..kind("User", "User", "Users", "005")
    },
];

impl SObjectKind {
    /// The type called `name`, compared ignoring ASCII case as Salesforce does.
    pub(crate) fn find(name: &str) -> Option<SObjectKind> {
        KINDS
            .iter()
            .copied()
            .find(|kind| kind.name.eq_ignore_ascii_case(name))
    }

    /// Types that take seed records (every type but User).
    pub(crate) fn record_names() -> Vec<&'static str> {
        KINDS
            .iter()
            .filter(|kind| !kind.is_user)
            .map(|kind| kind.name)
            .collect()
    }

    /// `objectDescribe` of the sObject Basic Information resource.
    pub(crate) fn describe(self, version: &str) -> Value {
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        let changeable = !self.is_user;
        json!({
            "activateable": false,
            "createable": true,
            "custom": false,
            "customSetting": false,
            "deepCloneable": false,
            "deletable": changeable,
            "deprecatedAndHidden": false,
            "feedEnabled": true,
            "hasSubtypes": false,
            "isInterface": false,
            "isSubtype": false,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": true,
            "mergeable": changeable,
            "mruEnabled": true,
            "name": self.name,
            "queryable": true,
            "replicateable": true,
            "retrieveable": true,
            "searchable": true,
            "triggerable": true,
            "undeletable": changeable,
            "updateable": true,
            "urls": {
                "compactLayouts": format!("{base}/describe/compactLayouts"),
                "rowTemplate": format!("{base}/{{ID}}"),
                "approvalLayouts": format!("{base}/describe/approvalLayouts"),
                "defaultValues": format!("{base}/defaultValues?recordTypeId&fields"),
                "listviews": format!("{base}/listviews"),
                "describe": format!("{base}/describe"),
                "quickActions": format!("{base}/quickActions"),
                "layouts": format!("{base}/describe/layouts"),
                "sobject": base,
            },
        })
    }

    /// A `recentItems` entry for a stored record.
    pub(crate) fn recent_item(self, version: &str, record: &Map<String, Value>) -> Value {
        let id = record.get("Id").and_then(Value::as_str).unwrap_or_default();
        let url = format!("/services/data/v{version}/sobjects/{}/{id}", self.name);
        json!({
            "attributes": { "type": self.name, "url": url },
            "Id": id,
            "Name": record_name(record),
        })
    }
}

/// `Name`, else `FirstName LastName`, else `Subject`, else the id.
fn record_name(record: &Map<String, Value>) -> Value {
    let text = |key: &str| {
        record
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(name) = record.get("Name") {
        return name.clone();
    }
    let parts: Vec<&str> = ["FirstName", "LastName"]
        .iter()
        .filter_map(|key| text(key))
        .collect();
    if !parts.is_empty() {
        return Value::from(parts.join(" "));
    }
    text("Subject")
        .or_else(|| text("Id"))
        .map_or(Value::Null, Value::from)
}
