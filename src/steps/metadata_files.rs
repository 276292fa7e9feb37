//! The `metadata` step's file operations: `deploy` (source converted to a
//! package, sent, polled to completion), `retrieve` (the files' text by
//! path) and `compare` (drift: every app in the source read from the org
//! and compared field by field). Zips appear in the step log as their list
//! of files, never their bytes; consumer secrets in the source are learnt
//! by the redactor before anything is sent.

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::metadata::{Endpoint, Output, Params, call_soap};
use super::{Ctx, StepError};
use crate::apps::compare::{Difference, compare as compare_component};
use crate::apps::package::{from_source, unzip, zip};
use crate::apps::{Component, load};
use crate::log::Body;
use crate::secret::Class;

/// How long to wait between two status checks (Salesforce's CLI waits
/// about as long).
const POLL: Duration = Duration::from_secs(1);

pub(super) async fn deploy(
    ctx: &mut Ctx<'_>,
    endpoint: &Endpoint,
    p: &Params,
) -> Result<Output, StepError> {
    let path = source_path(ctx, p)?;
    let package =
        from_source(&path, &endpoint.version).map_err(|e| StepError::input(e.to_string()))?;
    for secret in &package.secrets {
        ctx.redactor
            .secret("consumer_secret", secret, Class::Credential);
    }
    let zipped = base64::engine::general_purpose::STANDARD.encode(zip(&package.files));
    let call = format!(
        "<deploy><ZipFile>{zipped}</ZipFile><DeployOptions><rollbackOnError>true</rollbackOnError><singlePackage>true</singlePackage></DeployOptions></deploy>"
    );
    let (out, started) = call_soap(ctx, endpoint, "deploy", call).await?;
    show_zip(ctx, &package.paths());
    if out.error.is_some() {
        return Ok(finish(out, started));
    }
    let id = text(&started, "id");
    let (out, result) = poll(ctx, endpoint, "checkDeployStatus", &format!(
        "<checkDeployStatus><asyncProcessId>{}</asyncProcessId><includeDetails>true</includeDetails></checkDeployStatus>",
        super::soap::escape(&id)
    ))
    .await?;
    let mut summary = Map::new();
    for key in [
        "id",
        "status",
        "success",
        "numberComponentsDeployed",
        "numberComponentErrors",
        "errorMessage",
    ] {
        summary.insert(key.into(), result.get(key).cloned().unwrap_or(Value::Null));
    }
    let details = result.get("details").cloned().unwrap_or(Value::Null);
    summary.insert(
        "component_successes".into(),
        list(details.get("componentSuccesses")),
    );
    summary.insert(
        "component_failures".into(),
        list(details.get("componentFailures")),
    );
    let mut out = finish(out, Value::Object(summary));
    if text(&result, "success") != "true" {
        out.error = Some(json!("deploy_failed"));
        out.error_description = Some(json!(format!(
            "the deploy ended {}",
            text(&result, "status")
        )));
    }
    Ok(out)
}

pub(super) async fn retrieve(
    ctx: &mut Ctx<'_>,
    endpoint: &Endpoint,
    p: &Params,
) -> Result<Output, StepError> {
    let types = p.types.as_ref().filter(|t| !t.is_empty()).ok_or_else(|| {
        StepError::input("retrieve needs `types`, e.g. { ConnectedApp: [Billing_Portal] }")
    })?;
    let mut members = String::new();
    for (type_name, names) in types {
        members.push_str("<types>");
        for name in &names.0 {
            members.push_str(&format!("<members>{}</members>", super::soap::escape(name)));
        }
        members.push_str(&format!(
            "<name>{}</name></types>",
            super::soap::escape(type_name)
        ));
    }
    let version = &endpoint.version;
    let call = format!(
        "<retrieve><request><apiVersion>{version}</apiVersion><unpackaged>{members}<version>{version}</version></unpackaged></request></retrieve>"
    );
    let (out, started) = call_soap(ctx, endpoint, "retrieve", call).await?;
    if out.error.is_some() {
        return Ok(finish(out, started));
    }
    let id = text(&started, "id");
    let (out, result) = poll(
        ctx,
        endpoint,
        "checkRetrieveStatus",
        &format!(
            "<checkRetrieveStatus><asyncProcessId>{}</asyncProcessId></checkRetrieveStatus>",
            super::soap::escape(&id)
        ),
    )
    .await?;
    let zipped = text(&result, "zipFile");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(zipped.split_whitespace().collect::<String>())
        .map_err(|e| StepError::failed(format!("the retrieved zip is not base64: {e}")))?;
    let files = unzip(&bytes).map_err(StepError::failed)?;
    show_zip(
        ctx,
        &files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
    );
    let mut by_path = Map::new();
    for (path, data) in files {
        by_path.insert(
            path,
            Value::String(String::from_utf8_lossy(&data).into_owned()),
        );
    }
    let summary = json!({
        "id": result.get("id").cloned().unwrap_or(Value::Null),
        "status": result.get("status").cloned().unwrap_or(Value::Null),
        "messages": list(result.get("messages")),
        "files": by_path,
    });
    Ok(finish(out, summary))
}

pub(super) async fn compare(
    ctx: &mut Ctx<'_>,
    endpoint: &Endpoint,
    p: &Params,
) -> Result<Output, StepError> {
    let path = source_path(ctx, p)?;
    let source = load(&path).map_err(|e| StepError::input(e.to_string()))?;
    let components: Vec<&Component> = source.apps.iter().flat_map(|a| a.components()).collect();
    for secret in source.apps.iter().flat_map(crate::apps::App::secrets) {
        ctx.redactor
            .secret("consumer_secret", &secret, Class::Credential);
    }
    let mut differences: Vec<Difference> = Vec::new();
    let mut compared = Vec::new();
    let mut last = Output::default();
    let mut by_type: Vec<(&str, Vec<&Component>)> = Vec::new();
    for component in &components {
        match by_type.iter_mut().find(|(t, _)| *t == component.kind.name) {
            Some((_, list)) => list.push(component),
            None => by_type.push((component.kind.name, vec![component])),
        }
    }
    for (type_name, list) in by_type {
        for chunk in list.chunks(10) {
            let names: String = chunk
                .iter()
                .map(|c| {
                    format!(
                        "<fullNames>{}</fullNames>",
                        super::soap::escape(&c.full_name)
                    )
                })
                .collect();
            let call = format!("<readMetadata><type>{type_name}</type>{names}</readMetadata>");
            let (out, _) = call_soap(ctx, endpoint, "readMetadata", call).await?;
            if out.error.is_some() {
                return Ok(finish(out, Value::Null));
            }
            let text = ctx
                .exchanges
                .last()
                .and_then(|e| e.response.as_ref())
                .and_then(|r| match &r.body {
                    Some(Body::Text(t)) => Some(t.clone()),
                    _ => None,
                });
            let records = text.map(|t| records(&t)).unwrap_or_default();
            for component in chunk {
                let org = records.iter().find(|r| {
                    r.text_of("fullName")
                        .is_some_and(|n| n.eq_ignore_ascii_case(&component.full_name))
                });
                differences.extend(compare_component(component, org));
                compared.push(format!("{}:{}", component.kind.name, component.full_name));
            }
            last = out;
        }
    }
    let count = differences.len();
    let listed: Vec<String> = differences
        .iter()
        .take(5)
        .map(ToString::to_string)
        .collect();
    let more = if count > listed.len() {
        format!("; and {} more", count - listed.len())
    } else {
        String::new()
    };
    let summary = json!({
        "compared": compared,
        "differences": differences,
    });
    let mut out = finish(last, summary);
    if count > 0 {
        out.error = Some(json!("drift"));
        out.error_description = Some(json!(format!(
            "{count} difference{} between the org and the source: {}{more}",
            if count == 1 { "" } else { "s" },
            listed.join("; ")
        )));
    }
    Ok(out)
}

/// The `records` of a `readMetadata` response as element trees.
fn records(text: &str) -> Vec<crate::apps::xml::Element> {
    let Ok(root) = crate::apps::xml::parse("readMetadata", text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    collect(&root, &mut found);
    found
}

fn collect(element: &crate::apps::xml::Element, out: &mut Vec<crate::apps::xml::Element>) {
    for child in &element.children {
        if child.name == "records" {
            if !child.children.is_empty() {
                out.push(child.clone());
            }
        } else {
            collect(child, out);
        }
    }
}

/// Checks status until the job is done, or the step's timeout passes.
async fn poll(
    ctx: &mut Ctx<'_>,
    endpoint: &Endpoint,
    operation: &str,
    call: &str,
) -> Result<(Output, Value), StepError> {
    let deadline = Instant::now() + endpoint.timeout;
    loop {
        let (mut out, result) = call_soap(ctx, endpoint, operation, call.to_owned()).await?;
        show_zip_in_response(ctx);
        if let Some(Body::Text(text)) = ctx
            .exchanges
            .last()
            .and_then(|e| e.response.as_ref())
            .and_then(|r| r.body.as_ref())
        {
            out.body = Some(Value::String(text.clone()));
        }
        if out.error.is_some() || text(&result, "done") == "true" {
            return Ok((out, result));
        }
        if Instant::now() + POLL > deadline {
            return Err(StepError::failed(format!(
                "{operation}: not done after {}",
                humantime::format_duration(endpoint.timeout)
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn finish(mut out: Output, result: Value) -> Output {
    out.result = Some(result.clone());
    out.json = Some(result);
    out
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// A SOAP value that may be one item or several, as a list.
fn list(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(Value::Array(items)) => Value::Array(items.clone()),
        Some(one) => Value::Array(vec![one.clone()]),
    }
}

fn source_path(ctx: &Ctx<'_>, p: &Params) -> Result<std::path::PathBuf, StepError> {
    let source = p
        .source
        .as_ref()
        .ok_or_else(|| StepError::input(format!("{} needs `source`", p.operation.0)))?;
    Ok(ctx.base_dir.join(source.as_str()))
}

/// The last request's `<ZipFile>` shown as the files it holds.
fn show_zip(ctx: &mut Ctx<'_>, paths: &[String]) {
    let shown = format!("[zip: {}]", paths.join(", "));
    let Some(exchange) = ctx
        .exchanges
        .iter_mut()
        .rev()
        .find(|e| matches!(&e.request.body, Some(Body::Text(t)) if t.contains("<ZipFile>")))
    else {
        return;
    };
    if let Some(Body::Text(text)) = &mut exchange.request.body {
        *text = replace_element(text, "ZipFile", &shown);
    }
}

/// The last response's `<zipFile>` shown as the files it holds.
fn show_zip_in_response(ctx: &mut Ctx<'_>) {
    let Some(response) = ctx.exchanges.last_mut().and_then(|e| e.response.as_mut()) else {
        return;
    };
    let Some(Body::Text(text)) = &mut response.body else {
        return;
    };
    let Some(start) = text.find("<zipFile>") else {
        return;
    };
    let from = start + "<zipFile>".len();
    let Some(len) = text[from..].find("</zipFile>") else {
        return;
    };
    let paths = base64::engine::general_purpose::STANDARD
        .decode(
            text[from..from + len]
                .split_whitespace()
                .collect::<String>(),
        )
        .ok()
        .and_then(|b| unzip(&b).ok())
        .map(|files| {
            files
                .into_iter()
                .map(|(p, _)| p)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "unreadable".into());
    *text = replace_element(text, "zipFile", &format!("[zip: {paths}]"));
}

fn replace_element(text: &str, name: &str, with: &str) -> String {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let (Some(start), Some(end)) = (text.find(&open), text.find(&close)) else {
        return text.to_owned();
    };
    if end < start {
        return text.to_owned();
    }
    format!(
        "{}{open}{}{close}{}",
        &text[..start],
        quick_xml::escape::escape(with),
        &text[end + close.len()..]
    )
}
