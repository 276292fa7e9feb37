//! `deploy` and `checkDeployStatus`: a zipped package (`package.xml` at the
//! root or one folder deep) is checked and stored at once; the async result
//! says Queued, and the first status check answers the finished
//! `DeployResult` with every component's success or failure. The app types
//! are checked field by field; other types are stored as they are. A
//! deployed app is served at once, and deployed `OauthOidc` settings turn
//! the org's switches (the username-password flow) at once.

use std::fmt::Write as _;

use base64::Engine as _;

use super::Call;
use super::envelope::{self, METADATA_NS};
use super::xml::{flag, leaf};
use crate::apps::package::{Members, read_package_xml, unzip};
use crate::apps::{Component, MetadataType};
use crate::mock::org_metadata::Stored;
use crate::mock::response::MockResponse;
use crate::mock::sobjects::clock::soap_datetime;

/// Notes each deployed app the mock now serves, with its credentials (a
/// client needs them to use the app; `sfscenario mock` prints them as its
/// banner does), or why it is not served.
fn announce(call: &Call<'_>, messages: &[Message]) {
    let org = call.state.metadata();
    for app in org.mapped_apps() {
        let deployed = messages.iter().any(|m| {
            m.problem.is_none()
                && m.full_name == app.name
                && matches!(
                    m.type_name.as_str(),
                    "ConnectedApp" | "ExternalClientApplication"
                )
        });
        if !deployed {
            continue;
        }
        let line = match (&app.not_served, org.connected_app(&app)) {
            (Some(reason), _) => format!("deployed app `{}` is not served: {reason}", app.name),
            (None, Ok(served)) => format!(
                "deployed app `{}` served: client_id {} client_secret {} callback URLs {}",
                app.name,
                served.client_id,
                served.client_secret,
                served.callback_urls.join(" ")
            ),
            (None, Err(e)) => format!("deployed app `{}` cannot be served: {e}", app.name),
        };
        call.state.note(line);
        if let Some(warning) = app.warning() {
            call.state.note(warning);
        }
    }
}

/// The options the mock honours (`DeployOptions`).
struct Options {
    check_only: bool,
    rollback_on_error: bool,
    ignore_warnings: bool,
}

/// One component's outcome.
struct Message {
    type_name: String,
    full_name: String,
    file_name: String,
    created: bool,
    problem: Option<(String, Option<(u64, u64)>)>,
    id: String,
}

pub(crate) fn deploy(call: &Call<'_>) -> MockResponse {
    let operation = call.operation;
    let zip = operation.text_of("ZipFile").unwrap_or_default();
    let options = operation.child("DeployOptions");
    let option = |name: &str, default: bool| {
        options
            .and_then(|o| o.text_of(name))
            .map_or(default, |v| v == "true")
    };
    let options = Options {
        check_only: option("checkOnly", false),
        rollback_on_error: option("rollbackOnError", true),
        ignore_warnings: option("ignoreWarnings", false),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(zip.split_whitespace().collect::<String>())
        .map_err(|e| format!("the ZipFile is not base64: {e}"));
    let state = call.state;
    let mut org = state.metadata();
    let id = org.new_id("0Af");
    let started = soap_datetime(state.now_ms());
    let outcome = bytes.and_then(|b| unzip(&b)).and_then(|files| {
        let (members, prefix) = package(&files)?;
        Ok(components(&members, &prefix, &files))
    });
    let (messages, stored, error) = match outcome {
        Ok((messages, stored)) => (messages, stored, None),
        Err(message) => (Vec::new(), Vec::new(), Some(message)),
    };
    let failed = error.is_some() || messages.iter().any(|m| m.problem.is_some());
    let keep = !options.check_only && (!failed || !options.rollback_on_error);
    let mut messages = messages;
    // The org's switches a deployed `OauthOidc.settings` turns.
    let mut switches = serde_json::Map::new();
    if keep {
        for (message, item) in messages.iter_mut().zip(stored) {
            if let Some(item) = item {
                if let Some(settings) = item.component.as_ref().filter(|c| c.is_oauth_settings()) {
                    switches.extend(crate::apps::mock_app::org_settings(settings));
                }
                message.created = org.get(&item.type_name, &item.full_name).is_none();
                org.put(item);
                message.id = org
                    .get(&message.type_name, &message.full_name)
                    .map(|s| s.id.clone())
                    .unwrap_or_default();
            }
        }
    }
    let result = result(
        &id,
        &options,
        &messages,
        error.as_deref(),
        &started,
        &soap_datetime(state.now_ms()),
    );
    org.finish(id.clone(), result);
    drop(org);
    if keep {
        state.set_org_settings(&switches);
        for (key, value) in &switches {
            state.note(format!(
                "deployed OauthOidc settings: org_settings.{key} is {value}"
            ));
        }
        state.refresh_apps();
        announce(call, &messages);
    }
    let content = format!("<result><done>false</done><id>{id}</id><state>Queued</state></result>");
    envelope::response(METADATA_NS, "deploy", &content)
}

/// The members of `package.xml`, and the folder it is in (`""` or `zip/`).
fn package(files: &[(String, Vec<u8>)]) -> Result<(Members, String), String> {
    let (path, bytes) = files
        .iter()
        .filter(|(p, _)| {
            p == "package.xml" || (p.ends_with("/package.xml") && p.matches('/').count() == 1)
        })
        .min_by_key(|(p, _)| p.len())
        .ok_or("No package.xml found")?;
    let text = std::str::from_utf8(bytes).map_err(|_| "package.xml is not UTF-8".to_string())?;
    let (members, _) = read_package_xml(text)?;
    let prefix = path.trim_end_matches("package.xml").to_owned();
    Ok((members, prefix))
}

type Checked = (Vec<Message>, Vec<Option<Stored>>);

/// Each member found in the zip and checked, in `package.xml`'s order.
fn components(members: &Members, prefix: &str, files: &[(String, Vec<u8>)]) -> Checked {
    let mut messages = Vec::new();
    let mut stored = Vec::new();
    for (type_name, names) in members {
        let kind = MetadataType::named(type_name);
        for name in names.iter().filter(|n| n.as_str() != "*") {
            let mut message = Message {
                type_name: type_name.clone(),
                full_name: name.clone(),
                file_name: String::new(),
                created: false,
                problem: None,
                id: String::new(),
            };
            let file = find(kind, name, prefix, files);
            let Some((path, bytes)) = file else {
                message.file_name = format!("{prefix}package.xml");
                message.problem = Some((
                    format!(
                        "An object '{name}' of type {type_name} was named in package.xml, but was not found in zipped directory"
                    ),
                    None,
                ));
                messages.push(message);
                stored.push(None);
                continue;
            };
            let relative = path.strip_prefix(prefix).unwrap_or(path).to_owned();
            message.file_name.clone_from(path);
            match check(kind, type_name, name, &relative, bytes, files, path) {
                Ok(item) => stored.push(Some(item)),
                Err(problem) => {
                    message.problem = Some(problem);
                    stored.push(None);
                }
            }
            messages.push(message);
        }
    }
    (messages, stored)
}

/// The zip entry of a member: its type's path, or for a type the mock does
/// not know, any file named after it.
fn find<'a>(
    kind: Option<&MetadataType>,
    name: &str,
    prefix: &str,
    files: &'a [(String, Vec<u8>)],
) -> Option<(&'a String, &'a Vec<u8>)> {
    let wanted = kind.map(|k| format!("{prefix}{}", k.zip_path(name)));
    files
        .iter()
        .map(|(p, b)| (p, b))
        .find(|(path, _)| match &wanted {
            Some(wanted) => path.as_str() == wanted.as_str(),
            None => {
                let file = path.rsplit('/').next().unwrap_or_default();
                path.starts_with(prefix)
                    && !path.ends_with("-meta.xml")
                    && file.rsplit_once('.').map(|(stem, _)| stem) == Some(name)
            }
        })
}

/// Checks one component and makes what the org stores.
fn check(
    kind: Option<&'static MetadataType>,
    type_name: &str,
    name: &str,
    relative: &str,
    bytes: &[u8],
    files: &[(String, Vec<u8>)],
    path: &str,
) -> Result<Stored, (String, Option<(u64, u64)>)> {
    let content = kind.filter(|k| k.content).map(|_| {
        let meta = format!("{path}-meta.xml");
        files
            .iter()
            .find(|(p, _)| *p == meta)
            .map(|(_, b)| b.clone())
            .unwrap_or_default()
    });
    let component = match kind.filter(|k| k.fields_of(name).is_some()) {
        Some(kind) => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ("Error parsing file: not UTF-8".to_string(), None))?;
            let component = Component::parse(kind, name, relative, text).map_err(|e| {
                (
                    format!("Error parsing file: {}", e.message),
                    Some((e.at.line, e.at.column)),
                )
            })?;
            Some(component)
        }
        None => None,
    };
    Ok(Stored {
        kind,
        type_name: type_name.to_owned(),
        full_name: name.to_owned(),
        path: relative.to_owned(),
        bytes: bytes.to_vec(),
        content,
        component,
        id: String::new(),
    })
}

/// The finished `DeployResult`.
fn result(
    id: &str,
    options: &Options,
    messages: &[Message],
    error: Option<&str>,
    started: &str,
    now: &str,
) -> String {
    let failures = messages.iter().filter(|m| m.problem.is_some()).count();
    let deployed = messages.len() - failures;
    let success = error.is_none() && failures == 0;
    let mut out = String::from("<result>");
    flag(&mut out, "checkOnly", options.check_only);
    leaf(&mut out, "completedDate", now);
    leaf(&mut out, "createdBy", "005ak0000000001AAA");
    leaf(&mut out, "createdByName", "Mock User");
    leaf(&mut out, "createdDate", started);
    out.push_str("<details>");
    if error.is_none() {
        message(&mut out, &package_message(), now);
    }
    for m in messages {
        message(&mut out, m, now);
    }
    out.push_str("<runTestResult><numFailures>0</numFailures><numTestsRun>0</numTestsRun><totalTime>0.0</totalTime></runTestResult>");
    out.push_str("</details>");
    flag(&mut out, "done", true);
    if let Some(error) = error {
        leaf(&mut out, "errorMessage", error);
        leaf(&mut out, "errorStatusCode", "UNKNOWN_EXCEPTION");
    }
    leaf(&mut out, "id", id);
    flag(&mut out, "ignoreWarnings", options.ignore_warnings);
    leaf(&mut out, "lastModifiedDate", now);
    let _ = write!(
        out,
        "<numberComponentErrors>{failures}</numberComponentErrors><numberComponentsDeployed>{}</numberComponentsDeployed><numberComponentsTotal>{}</numberComponentsTotal><numberTestErrors>0</numberTestErrors><numberTestsCompleted>0</numberTestsCompleted><numberTestsTotal>0</numberTestsTotal>",
        if success { deployed } else { 0 },
        messages.len()
    );
    flag(&mut out, "rollbackOnError", options.rollback_on_error);
    flag(&mut out, "runTestsEnabled", false);
    leaf(&mut out, "startDate", started);
    leaf(
        &mut out,
        "status",
        if success { "Succeeded" } else { "Failed" },
    );
    flag(&mut out, "success", success);
    out.push_str("</result>");
    out
}

/// Salesforce reports `package.xml` itself as a component without a type.
fn package_message() -> Message {
    Message {
        type_name: String::new(),
        full_name: "package.xml".into(),
        file_name: "package.xml".into(),
        created: false,
        problem: None,
        id: String::new(),
    }
}

/// A `componentSuccesses` or `componentFailures` element.
fn message(out: &mut String, m: &Message, now: &str) {
    let tag = if m.problem.is_some() {
        "componentFailures"
    } else {
        "componentSuccesses"
    };
    let _ = write!(out, "<{tag}>");
    flag(out, "changed", m.problem.is_none() && !m.created);
    if let Some((_, Some((_, column)))) = &m.problem {
        leaf(out, "columnNumber", &column.to_string());
    }
    leaf(out, "componentType", &m.type_name);
    flag(out, "created", m.problem.is_none() && m.created);
    leaf(out, "createdDate", now);
    flag(out, "deleted", false);
    leaf(out, "fileName", &m.file_name);
    leaf(out, "fullName", &m.full_name);
    if !m.id.is_empty() {
        leaf(out, "id", &m.id);
    }
    if let Some((problem, at)) = &m.problem {
        if let Some((line, _)) = at {
            leaf(out, "lineNumber", &line.to_string());
        }
        leaf(out, "problem", problem);
        leaf(out, "problemType", "Error");
    }
    flag(out, "success", m.problem.is_none());
    let _ = write!(out, "</{tag}>");
}
