//! The sObject types the mock knows: their fields, describes and records.

mod catalog;
mod catalog_org;
pub(crate) mod clock;
pub(crate) mod describe;
pub(crate) mod fields;
pub(crate) mod record;
pub(crate) mod store;
mod system;

use serde_json::{Map, Value, json};

use fields::FieldDef;
use system::{AUDIT, EXTERNAL_ID, ID, IS_DELETED, OWNER_ID};

/// One standard sObject type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SObjectKind {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) label_plural: &'static str,
    pub(crate) key_prefix: &'static str,
    pub(crate) createable: bool,
    pub(crate) updateable: bool,
    pub(crate) deletable: bool,
    /// Takes seed records from `mock.records`.
    pub(crate) seedable: bool,
    /// Has `IsDeleted`, `OwnerId` and `External_Id__c` around its own fields.
    standard_record: bool,
    /// Queryable through the Tooling API too.
    pub(crate) tooling: bool,
    own: &'static [FieldDef],
}

const fn kind(
    name: &'static str,
    label_plural: &'static str,
    key_prefix: &'static str,
    own: &'static [FieldDef],
) -> SObjectKind {
    SObjectKind {
        name,
        label: name,
        label_plural,
        key_prefix,
        createable: true,
        updateable: true,
        deletable: true,
        seedable: true,
        standard_record: true,
        tooling: false,
        own,
    }
}

/// Every type; User and Organization come from the configuration, not from
/// `mock.records`, and the mock does not create or delete them.
const KINDS: [SObjectKind; 7] = [
    kind("Account", "Accounts", "001", catalog::ACCOUNT),
    kind("Contact", "Contacts", "003", catalog::CONTACT),
    kind("Opportunity", "Opportunities", "006", catalog::OPPORTUNITY),
    kind("Lead", "Leads", "00Q", catalog::LEAD),
    kind("Case", "Cases", "500", catalog::CASE),
    SObjectKind {
        createable: false,
        deletable: false,
        seedable: false,
        standard_record: false,
        tooling: true,
        ..kind("User", "Users", "005", catalog_org::USER)
    },
    SObjectKind {
        createable: false,
        updateable: false,
        deletable: false,
        seedable: false,
        standard_record: false,
        tooling: true,
        ..kind(
            "Organization",
            "Organizations",
            "00D",
            catalog_org::ORGANIZATION,
        )
    },
];

static STANDARD_HEAD: [FieldDef; 2] = [ID, IS_DELETED];
static PLAIN_HEAD: [FieldDef; 1] = [ID];
static STANDARD_TAIL: [FieldDef; 7] = [
    OWNER_ID,
    AUDIT[0],
    AUDIT[1],
    AUDIT[2],
    AUDIT[3],
    AUDIT[4],
    EXTERNAL_ID,
];
static PLAIN_TAIL: [FieldDef; 5] = AUDIT;

impl SObjectKind {
    /// The type called `name`, compared ignoring ASCII case as Salesforce does.
    pub(crate) fn find(name: &str) -> Option<SObjectKind> {
        KINDS
            .iter()
            .copied()
            .find(|kind| kind.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn all() -> &'static [SObjectKind] {
        &KINDS
    }

    /// Types that take seed records.
    pub(crate) fn record_names() -> Vec<&'static str> {
        KINDS
            .iter()
            .filter(|kind| kind.seedable)
            .map(|kind| kind.name)
            .collect()
    }

    /// Every field, in describe order.
    pub(crate) fn fields(self) -> impl Iterator<Item = &'static FieldDef> {
        let (head, tail): (&'static [FieldDef], &'static [FieldDef]) = if self.standard_record {
            (&STANDARD_HEAD, &STANDARD_TAIL)
        } else {
            (&PLAIN_HEAD, &PLAIN_TAIL)
        };
        head.iter().chain(self.own).chain(tail)
    }

    /// The field called `name`, ignoring ASCII case.
    pub(crate) fn field(self, name: &str) -> Option<&'static FieldDef> {
        self.fields()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// The reference field whose relationship is `name` (`Owner` → `OwnerId`).
    pub(crate) fn relationship(self, name: &str) -> Option<&'static FieldDef> {
        self.fields().find(|field| {
            field
                .relationship
                .is_some_and(|relationship| relationship.eq_ignore_ascii_case(name))
        })
    }

    /// `/services/data/vXX.X/sobjects/<Type>`.
    pub(crate) fn url(self, version: &str) -> String {
        format!("/services/data/v{version}/sobjects/{}", self.name)
    }

    /// `objectDescribe` of the sObject Basic Information resource, and one
    /// entry of the global describe.
    pub(crate) fn describe(self, version: &str) -> Value {
        let base = self.url(version);
        json!({
            "activateable": false,
            "createable": self.createable,
            "custom": false,
            "customSetting": false,
            "deepCloneable": false,
            "deletable": self.deletable,
            "deprecatedAndHidden": false,
            "feedEnabled": self.standard_record,
            "hasSubtypes": false,
            "isInterface": false,
            "isSubtype": false,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": true,
            "mergeable": self.deletable,
            "mruEnabled": true,
            "name": self.name,
            "queryable": true,
            "replicateable": true,
            "retrieveable": true,
            "searchable": true,
            "triggerable": true,
            "undeletable": self.deletable,
            "updateable": self.updateable,
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
        let id = record::id(record);
        let name = self
            .fields()
            .find(|field| field.name_field)
            .map_or("Name", |field| field.name);
        let mut item = Map::new();
        item.insert("attributes".into(), record::attributes(self, version, id));
        item.insert("Id".into(), Value::from(id));
        item.insert(name.into(), record::value(self, record, name));
        Value::Object(item)
    }
}

#[cfg(test)]
mod tests {
    use super::SObjectKind;

    #[test]
    fn kinds_and_fields() {
        let account = SObjectKind::find("account").unwrap();
        let names: Vec<&str> = account.fields().map(|field| field.name).collect();
        assert_eq!(names[..3], ["Id", "IsDeleted", "Name"]);
        assert_eq!(names.last(), Some(&"External_Id__c"));
        assert!(names.contains(&"OwnerId") && names.contains(&"SystemModstamp"));
        assert_eq!(account.field("billingcity").unwrap().name, "BillingCity");
        assert_eq!(account.relationship("owner").unwrap().name, "OwnerId");
        let user = SObjectKind::find("User").unwrap();
        assert!(user.field("IsDeleted").is_none());
        assert_eq!(
            SObjectKind::record_names(),
            ["Account", "Contact", "Opportunity", "Lead", "Case"]
        );
        for kind in SObjectKind::all() {
            let mut seen = std::collections::HashSet::new();
            assert!(
                kind.fields().all(|field| seen.insert(field.name)),
                "{}",
                kind.name
            );
        }
    }
}
