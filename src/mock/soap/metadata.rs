//! The Metadata API operations the mock answers: `describeMetadata`,
//! `listMetadata` and `readMetadata` (ConnectedApp and CustomObject). Each
//! needs `SessionHeader/sessionId` to be a live access token granted `api`
//! (or `full`).

use super::catalog::{self, apps, object_kinds};
use super::envelope::{self, METADATA_NS};
use super::xml::{flag, leaf};
use super::{Call, connected_app, deploy, retrieve};
use crate::mock::response::MockResponse;
use crate::mock::sobjects::SObjectKind;

const OPERATIONS: [&str; 7] = [
    "describeMetadata",
    "listMetadata",
    "readMetadata",
    "deploy",
    "checkDeployStatus",
    "retrieve",
    "checkRetrieveStatus",
];
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
        "deploy" => return deploy::deploy(call),
        "checkDeployStatus" => {
            return job_status(call, "checkDeployStatus", "<result><checkOnly>", "deploy");
        }
        "retrieve" => return retrieve::retrieve(call),
        "checkRetrieveStatus" => {
            return job_status(call, "checkRetrieveStatus", "<result><done>", "retrieve");
        }
        "describeMetadata" => format!("<result>{}</result>", catalog::describe()),
        "listMetadata" => operation
            .all("queries")
            .map(|query| {
                let type_name = query.text_of("type").unwrap_or_default();
                catalog::list(call.state, type_name) + &deployed(call, type_name)
            })
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
    if let Some(records) = read_deployed(call, type_name) {
        return Some(format!("<result>{records}</result>"));
    }
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
        // An app type, none of these names deployed.
        _ if crate::apps::MetadataType::named(type_name).is_some_and(|t| t.fields.is_some()) => {
            names.map(|_| nil()).collect()
        }
        _ => return None,
    };
    Some(format!("<result>{records}</result>"))
}

/// `FileProperties` of the deployed components of a type.
fn deployed(call: &Call<'_>, type_name: &str) -> String {
    let org = call.state.metadata();
    let mut out = String::new();
    for stored in org.of_type(type_name) {
        out.push_str("<result>");
        leaf(&mut out, "createdById", "005ak0000000001AAA");
        leaf(&mut out, "createdByName", "Mock User");
        leaf(&mut out, "createdDate", "2024-01-01T00:00:00.000Z");
        leaf(&mut out, "fileName", &stored.path);
        leaf(&mut out, "fullName", &stored.full_name);
        leaf(&mut out, "id", &stored.id);
        leaf(&mut out, "lastModifiedById", "005ak0000000001AAA");
        leaf(&mut out, "lastModifiedByName", "Mock User");
        leaf(&mut out, "lastModifiedDate", "2024-01-01T00:00:00.000Z");
        leaf(&mut out, "manageableState", "unmanaged");
        leaf(&mut out, "type", type_name);
        out.push_str("</result>");
    }
    out
}

/// `readMetadata` of deployed components (or those read from source), when
/// the org holds any of the names asked for: each as it is retrieved.
fn read_deployed(call: &Call<'_>, type_name: &str) -> Option<String> {
    let org = call.state.metadata();
    let names: Vec<&str> = call
        .operation
        .all("fullNames")
        .map(|n| n.text.trim())
        .collect();
    if !names.iter().any(|n| org.get(type_name, n).is_some()) {
        return None;
    }
    let mut out = String::new();
    for name in names {
        let Some(stored) = org.get(type_name, name) else {
            out.push_str(r#"<records xsi:nil="true"/>"#);
            continue;
        };
        let text = String::from_utf8_lossy(&org.retrieved(stored)).into_owned();
        let Ok(root) = crate::apps::xml::parse(&stored.path, &text) else {
            out.push_str(r#"<records xsi:nil="true"/>"#);
            continue;
        };
        let _ = std::fmt::Write::write_fmt(
            &mut out,
            format_args!(
                r#"<records xsi:type="{type_name}"><fullName>{}</fullName>{}</records>"#,
                quick_xml::escape::escape(&stored.full_name),
                root.inner_xml()
            ),
        );
    }
    Some(out)
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

/// The result of an asynchronous deploy or retrieve, by its id; a job of
/// the other kind (told by how its result starts) is as unknown as none.
fn job_status(call: &Call<'_>, operation: &str, marker: &str, what: &str) -> MockResponse {
    let id = call
        .operation
        .text_of("asyncProcessId")
        .or_else(|| call.operation.text_of("id"))
        .unwrap_or_default();
    let found = call.state.metadata().jobs.get(id).cloned();
    match found.filter(|r| r.starts_with(marker)) {
        Some(result) => envelope::response(METADATA_NS, operation, &result),
        None => {
            envelope::metadata_fault("INVALID_ID_FIELD", &format!("Invalid or unknown {what} id"))
        }
    }
}
