//! The Metadata API operations the mock answers: `describeMetadata`,
//! `listMetadata` and `readMetadata` (ConnectedApp and CustomObject). Each
//! needs `SessionHeader/sessionId` to be a live access token granted `api`
//! (or `full`).

use super::catalog::{self, apps, object_kinds};
use super::envelope::{self, METADATA_NS};
use super::xml::{flag, leaf};
use super::{Call, connected_app};
use crate::mock::response::MockResponse;
use crate::mock::sobjects::SObjectKind;

const OPERATIONS: [&str; 3] = ["describeMetadata", "listMetadata", "readMetadata"];
/// System fields a CustomObject's metadata does not list.
const SYSTEM_FIELDS: [&str; 7] = [
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
];

pub(crate) fn handle(call: &Call<'_>) -> MockResponse {
    let operation = call.operation;
    let name = operation.name.as_str();
    if !OPERATIONS.contains(&name) {
        return envelope::no_operation(METADATA_NS, operation.namespace.as_deref(), name);
    }
    let session = call
        .envelope
        .child("Header")
        .and_then(|header| header.child("SessionHeader"))
        .and_then(|header| header.text_of("sessionId"));
    let Some(grant) = session.and_then(|token| call.state.session(token)) else {
        return envelope::invalid_session();
    };
    if !grant.allows_api() {
        return envelope::not_for_api(METADATA_NS);
    }
    let content = match name {
        "describeMetadata" => format!("<result>{}</result>", catalog::describe()),
        "listMetadata" => operation
            .all("queries")
            .map(|query| catalog::list(call.state, query.text_of("type").unwrap_or_default()))
            .collect(),
        _ => match read(call) {
            Some(content) => content,
            None => {
                let message = "This type of metadata is not available for this organization";
                return envelope::metadata_fault("INVALID_TYPE", message);
            }
        },
    };
    envelope::response(METADATA_NS, name, &content)
}

/// `<result>` with one `records` per full name, in order; an unknown name
/// reads as `<records xsi:nil="true"/>`. `None`: the type cannot be read.
fn read(call: &Call<'_>) -> Option<String> {
    let operation = call.operation;
    let type_name = operation.text_of("type").unwrap_or_default();
    let names = operation.all("fullNames").map(|name| name.text.trim());
    let nil = || r#"<records xsi:nil="true"/>"#.to_string();
    let records: String = match type_name {
        "ConnectedApp" => {
            let apps = apps(call.state);
            names
                .map(|name| {
                    apps.iter()
                        .find(|app| connected_app::api_name(&app.name).eq_ignore_ascii_case(name))
                        .map_or_else(nil, |app| connected_app::record(call.state, app))
                })
                .collect()
        }
        "CustomObject" => names
            .map(|name| {
                object_kinds()
                    .find(|kind| kind.name.eq_ignore_ascii_case(name))
                    .map_or_else(nil, custom_object)
            })
            .collect(),
        _ => return None,
    };
    Some(format!("<result>{records}</result>"))
}

/// `<records xsi:type="CustomObject">`: the object's labels and its fields.
fn custom_object(kind: SObjectKind) -> String {
    let mut out = String::from(r#"<records xsi:type="CustomObject">"#);
    leaf(&mut out, "fullName", kind.name);
    flag(&mut out, "enableFeeds", true);
    flag(&mut out, "enableHistory", false);
    for field in kind
        .fields()
        .filter(|field| !SYSTEM_FIELDS.contains(&field.name))
    {
        let ty = field.kind;
        out.push_str("<fields>");
        leaf(&mut out, "fullName", field.name);
        if field.external_id {
            flag(&mut out, "externalId", true);
        }
        leaf(&mut out, "label", field.label);
        if ty == crate::mock::sobjects::fields::FieldType::String {
            leaf(&mut out, "length", &field.length.to_string());
        }
        if ty.is_number() {
            leaf(&mut out, "precision", &field.precision.to_string());
        }
        if let (Some(target), Some(relationship)) = (field.reference_to, field.relationship) {
            leaf(&mut out, "referenceTo", target);
            leaf(&mut out, "relationshipName", relationship);
        }
        flag(&mut out, "required", !field.nillable && field.createable);
        if ty.is_number() {
            leaf(&mut out, "scale", &field.scale.to_string());
        }
        leaf(&mut out, "type", ty.metadata_type());
        if field.unique {
            flag(&mut out, "unique", true);
        }
        out.push_str("</fields>");
    }
    leaf(&mut out, "label", kind.label);
    leaf(&mut out, "pluralLabel", kind.label_plural);
    leaf(&mut out, "sharingModel", "ReadWrite");
    out.push_str("</records>");
    out
}
