//! `retrieve` and `checkRetrieveStatus`: the components a request names
//! (`unpackaged` types and members, `*` for every one of a type), zipped
//! under `unpackaged/` (at the root with `singlePackage`), app types in
//! canonical form without consumer secrets. A member the org does not have
//! is a message, not a failure, as Salesforce answers.

use std::fmt::Write as _;

use base64::Engine as _;

use super::Call;
use super::envelope::{self, METADATA_NS};
use super::xml::{flag, leaf};
use crate::apps::package::{Members, package_xml, zip};
use crate::mock::response::MockResponse;
use crate::mock::sobjects::clock::soap_datetime;

pub(crate) fn retrieve(call: &Call<'_>) -> MockResponse {
    let operation = call.operation;
    let request = operation
        .child("request")
        .or_else(|| operation.child("retrieveRequest"))
        .unwrap_or(operation);
    let single = request.text_of("singlePackage") == Some("true");
    let version = request.text_of("apiVersion").map_or_else(
        || call.version.clone(),
        |v| format!("{:.1}", v.parse::<f64>().unwrap_or(0.0)),
    );
    let mut wanted = Members::new();
    if let Some(package) = request.child("unpackaged") {
        for types in package.all("types") {
            let name = types.text_of("name").unwrap_or_default().to_owned();
            let list = wanted.entry(name).or_default();
            list.extend(types.all("members").map(|m| m.text.trim().to_owned()));
        }
    }
    let state = call.state;
    let now = soap_datetime(state.now_ms());
    let mut org = state.metadata();
    let id = org.new_id("09S");
    let root = if single { "" } else { "unpackaged/" };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut found = Members::new();
    let mut properties = String::new();
    let mut messages = String::new();
    for (type_name, names) in &wanted {
        let all = names.iter().any(|n| n == "*");
        let mut chosen: Vec<_> = if all {
            org.of_type(type_name).cloned().collect()
        } else {
            Vec::new()
        };
        for name in names.iter().filter(|n| n.as_str() != "*") {
            match org.get(type_name, name) {
                Some(stored) => chosen.push(stored.clone()),
                None => {
                    let _ = write!(
                        messages,
                        "<messages><fileName>{root}package.xml</fileName><problem>Entity of type '{}' named '{}' cannot be found</problem></messages>",
                        quick_xml::escape::escape(type_name),
                        quick_xml::escape::escape(name)
                    );
                }
            }
        }
        for stored in chosen {
            let path = format!("{root}{}", stored.path);
            if files.iter().any(|(p, _)| *p == path) {
                continue;
            }
            found
                .entry(type_name.clone())
                .or_default()
                .push(stored.full_name.clone());
            file_properties(
                &mut properties,
                &path,
                &stored.full_name,
                &stored.id,
                type_name,
                &now,
            );
            if let Some(meta) = &stored.content {
                files.push((format!("{path}-meta.xml"), meta.clone()));
            }
            files.push((path, org.retrieved(&stored)));
        }
    }
    let manifest = format!("{root}package.xml");
    file_properties(&mut properties, &manifest, &manifest, "", "Package", &now);
    files.insert(0, (manifest, package_xml(&found, &version).into_bytes()));
    let zipped = base64::engine::general_purpose::STANDARD.encode(zip(&files));
    let mut result = String::from("<result>");
    flag(&mut result, "done", true);
    result.push_str(&properties);
    leaf(&mut result, "id", &id);
    result.push_str(&messages);
    leaf(&mut result, "status", "Succeeded");
    flag(&mut result, "success", true);
    leaf(&mut result, "zipFile", &zipped);
    result.push_str("</result>");
    org.finish(id.clone(), result);
    let content = format!("<result><done>false</done><id>{id}</id><state>Queued</state></result>");
    envelope::response(METADATA_NS, "retrieve", &content)
}

fn file_properties(
    out: &mut String,
    path: &str,
    full_name: &str,
    id: &str,
    type_name: &str,
    now: &str,
) {
    out.push_str("<fileProperties>");
    leaf(out, "createdById", "005ak0000000001AAA");
    leaf(out, "createdByName", "Mock User");
    leaf(out, "createdDate", now);
    leaf(out, "fileName", path);
    leaf(out, "fullName", full_name);
    leaf(out, "id", id);
    leaf(out, "lastModifiedById", "005ak0000000001AAA");
    leaf(out, "lastModifiedByName", "Mock User");
    leaf(out, "lastModifiedDate", now);
    leaf(out, "manageableState", "unmanaged");
    leaf(out, "type", type_name);
    out.push_str("</fileProperties>");
}
