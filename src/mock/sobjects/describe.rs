//! `GET sobjects` (global describe) and `GET sobjects/{Type}/describe`, with
//! the keys of a v62.0 response, alphabetically ordered as Salesforce sends them.

use serde_json::{Map, Value, json};

use super::SObjectKind;
use super::fields::{FieldDef, FieldType};

/// The master record type every object has.
const MASTER_RECORD_TYPE: &str = "012000000000000AAA";

/// `{"encoding", "maxBatchSize", "sobjects"}`.
pub(crate) fn global(version: &str) -> Value {
    let sobjects: Vec<Value> = SObjectKind::all()
        .iter()
        .map(|kind| kind.describe(version))
        .collect();
    json!({ "encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects })
}

/// The full describe of one type; `base_url` makes the `ui…` URLs absolute.
pub(crate) fn full(kind: SObjectKind, version: &str, base_url: &str) -> Value {
    let mut out = match kind.describe(version) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let plural = kind.label_plural;
    let extra = json!({
        "actionOverrides": [],
        "associateEntityType": null,
        "associateParentEntity": null,
        "childRelationships": child_relationships(kind),
        "compactLayoutable": true,
        "dataTranslationEnabled": false,
        "defaultImplementation": null,
        "extendedBy": null,
        "extendsInterfaces": null,
        "fields": kind.fields().map(|field| field_describe(kind, field)).collect::<Vec<_>>(),
        "implementedBy": null,
        "implementsInterfaces": null,
        "listviewable": null,
        "lookupLayoutable": null,
        "namedLayoutInfos": [],
        "networkScopeFieldName": null,
        "recordTypeInfos": [{
            "active": true,
            "available": true,
            "defaultRecordTypeMapping": true,
            "developerName": "Master",
            "master": true,
            "name": "Master",
            "recordTypeId": MASTER_RECORD_TYPE,
            "urls": {
                "layout": format!("{}/describe/layouts/{MASTER_RECORD_TYPE}", kind.url(version)),
            },
        }],
        "searchLayoutable": true,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": [
            { "label": format!("All {}", plural.to_lowercase()), "name": "everything" },
            { "label": format!("My {}", plural.to_lowercase()), "name": "mine" },
        ],
    });
    if let Value::Object(extra) = extra {
        out.extend(extra);
    }
    if let Some(Value::Object(urls)) = out.get_mut("urls") {
        let prefix = kind.key_prefix;
        urls.insert(
            "uiEditTemplate".into(),
            format!("{base_url}/{{ID}}/e").into(),
        );
        urls.insert(
            "uiDetailTemplate".into(),
            format!("{base_url}/{{ID}}").into(),
        );
        urls.insert(
            "uiNewRecord".into(),
            format!("{base_url}/{prefix}/e").into(),
        );
    }
    let mut entries: Vec<(String, Value)> = out.into_iter().collect();
    entries.sort_by(|(a, _), (b, _)| a.cmp(b));
    Value::Object(entries.into_iter().collect())
}

/// Every field of every type that points at `kind`.
fn child_relationships(kind: SObjectKind) -> Vec<Value> {
    let mut out = Vec::new();
    for child in SObjectKind::all() {
        for field in child.fields() {
            if field.reference_to != Some(kind.name) {
                continue;
            }
            out.push(json!({
                "cascadeDelete": false,
                "childSObject": child.name,
                "deprecatedAndHidden": false,
                "field": field.name,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": field.child_relationship,
                "restrictedDelete": false,
            }));
        }
    }
    out
}

/// One entry of `fields`.
fn field_describe(kind: SObjectKind, field: &FieldDef) -> Value {
    let ty = field.kind;
    let long_text = ty == FieldType::TextArea;
    let person_name = field.name == "Name" && matches!(kind.name, "Contact" | "Lead" | "User");
    let compound = match field.name {
        "FirstName" | "LastName" | "Salutation" if kind.name != "Organization" => Some("Name"),
        name if name.starts_with("Billing") => Some("BillingAddress"),
        _ => None,
    };
    let extra_type = if long_text {
        Some("plaintextarea")
    } else if person_name {
        Some("personname")
    } else {
        None
    };
    let default = match (ty, field.default) {
        (FieldType::Boolean, default) => Value::Bool(default == Some("true")),
        _ => Value::Null,
    };
    let byte_length = match ty {
        FieldType::Id | FieldType::Reference => 18,
        _ => field.length * 3,
    };
    let numeric = matches!(ty, FieldType::Currency | FieldType::Percent);
    let first = json!({
        "aggregatable": !long_text && ty != FieldType::Boolean,
        "aiPredictionField": false,
        "autoNumber": field.name == "CaseNumber",
        "byteLength": byte_length,
        "calculated": false,
        "calculatedFormula": null,
        "cascadeDelete": false,
        "caseSensitive": false,
        "compoundFieldName": compound,
        "controllerName": null,
        "createable": field.createable,
        "custom": field.custom,
        "dataTranslationEnabled": false,
        "defaultValue": default,
        "defaultValueFormula": null,
        "defaultedOnCreate": field.defaulted,
        "dependentPicklist": false,
        "deprecatedAndHidden": false,
        "digits": if ty == FieldType::Int { field.precision } else { 0 },
        "displayLocationInDecimal": false,
        "encrypted": false,
        "externalId": field.external_id,
        "extraTypeInfo": extra_type,
        "filterable": !long_text,
        "filteredLookupInfo": null,
        "formulaTreatNullNumberAsZero": false,
        "groupable": !long_text && !numeric && ty != FieldType::DateTime,
        "highScaleNumber": false,
        "htmlFormatted": false,
        "idLookup": field.id_lookup(),
    });
    match (first, field_describe_rest(field, long_text, numeric)) {
        (Value::Object(mut first), Value::Object(second)) => {
            first.extend(second);
            Value::Object(first)
        }
        (first, _) => first,
    }
}

/// The entry's keys from `inlineHelpText` on, in Salesforce's order.
fn field_describe_rest(field: &FieldDef, long_text: bool, numeric: bool) -> Value {
    let ty = field.kind;
    let picklist: Vec<Value> = field
        .picklist
        .iter()
        .map(|value| {
            json!({
                "active": true,
                "defaultValue": field.default == Some(*value),
                "label": value,
                "validFor": null,
                "value": value,
            })
        })
        .collect();
    json!({
        "inlineHelpText": null,
        "label": field.label,
        "length": field.length,
        "mask": null,
        "maskType": null,
        "name": field.name,
        "nameField": field.name_field,
        "namePointing": false,
        "nillable": field.nillable,
        "permissionable": field.nillable && field.updateable,
        "picklistValues": picklist,
        "polymorphicForeignKey": false,
        "precision": if numeric { field.precision } else { 0 },
        "queryByDistance": false,
        "referenceTargetField": null,
        "referenceTo": field.reference_to.into_iter().collect::<Vec<_>>(),
        "relationshipName": field.relationship,
        "relationshipOrder": null,
        "restrictedDelete": false,
        "restrictedPicklist": false,
        "scale": if numeric { field.scale } else { 0 },
        "searchPrefilterable": false,
        "soapType": ty.soap_type(),
        "sortable": !long_text,
        "type": ty.name(),
        "unique": field.unique,
        "updateable": field.updateable,
        "writeRequiresMasterRead": false,
    })
}
