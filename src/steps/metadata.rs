//! `metadata`: Metadata API calls over SOAP, the result as plain data.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::duration::Duration as Span;
use crate::keys::{KeySpec, Ty, key, required};
use crate::log::{Body, Party, Role};
use crate::net::client::Request;
use crate::secret::Class;

use super::fields::{Text, TextList};
use super::request;
use super::soap;
use super::{Ctx, StepError};

pub const TITLE: &str = "Metadata API Call";

pub const KEYS: &[KeySpec] = &[
    required(
        "operation",
        Ty::Enum(&[
            "describeMetadata",
            "listMetadata",
            "readMetadata",
            "deploy",
            "retrieve",
            "compare",
        ]),
        "Metadata API operation; deploy, retrieve and compare work with files",
    ),
    key("type", Ty::Str, "metadata type, e.g. ConnectedApp"),
    key("full_names", Ty::StrList, "full names for readMetadata"),
    key(
        "source",
        Ty::Str,
        "deploy and compare: Salesforce DX source (an app file or a directory), relative to the scenario file",
    ),
    key(
        "types",
        Ty::AnyMap,
        "retrieve: full names by type, e.g. { ConnectedApp: [Billing_Portal] }",
    ),
    key(
        "url",
        Ty::Str,
        "SOAP endpoint (default from the last token)",
    ),
    key(
        "session",
        Ty::Str,
        "session id (default the last access token)",
    ),
    key("timeout", Ty::Duration, "timeout of the exchange"),
];

const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";
/// The API version used when the step gives no `url`.
pub const DEFAULT_API_VERSION: &str = "62.0";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub(super) operation: Text,
    #[serde(rename = "type")]
    kind: Option<Text>,
    full_names: Option<TextList>,
    pub(super) source: Option<Text>,
    pub(super) types: Option<IndexMap<String, TextList>>,
    url: Option<Text>,
    session: Option<Text>,
    timeout: Option<Span>,
}

/// The SOAP result as plain data, the HTTP response, and a fault's code
/// and string (none without a fault).
#[derive(Debug, Default, Serialize)]
pub struct Output {
    pub(super) result: Option<Value>,
    pub(super) status: Option<Value>,
    pub(super) headers: Option<Value>,
    /// The SOAP result (or fault) as data, as `expect.json` sees it.
    pub(super) json: Option<Value>,
    pub(super) body: Option<Value>,
    pub(super) error: Option<Value>,
    pub(super) error_description: Option<Value>,
}

/// Where and as whom a step calls the Metadata API.
pub(super) struct Endpoint {
    pub(super) url: String,
    pub(super) session: String,
    pub(super) version: String,
    pub(super) timeout: std::time::Duration,
}

pub async fn run(ctx: &mut Ctx<'_>, p: Params) -> Result<Output, StepError> {
    let operation = p.operation.0.clone();
    let endpoint = endpoint(ctx, &p)?;
    match operation.as_str() {
        "deploy" => return super::metadata_files::deploy(ctx, &endpoint, &p).await,
        "retrieve" => return super::metadata_files::retrieve(ctx, &endpoint, &p).await,
        "compare" => return super::metadata_files::compare(ctx, &endpoint, &p).await,
        _ => {}
    }
    let names = p.full_names.clone().unwrap_or_default().0;
    let call = call_body(
        &operation,
        p.kind.as_ref().map(Text::as_str),
        &names,
        &endpoint.version,
    )?;
    let (out, data) = call_soap(ctx, &endpoint, &operation, call).await?;
    let mut out = out;
    let data = match data {
        data if out.error.is_some() || operation != "listMetadata" => data,
        list @ Value::Array(_) => list,
        Value::Null => Value::Array(Vec::new()),
        one => Value::Array(vec![one]),
    };
    out.result = Some(data.clone());
    out.json = Some(data);
    Ok(out)
}

/// The endpoint and session of a step: given, or from the last token.
fn endpoint(ctx: &mut Ctx<'_>, p: &Params) -> Result<Endpoint, StepError> {
    let (instance, token) = ctx.session.last_token.clone().unwrap_or_default();
    let session = p.session.as_ref().map_or(token, |t| t.0.clone());
    if session.is_empty() {
        return Err(StepError::failed(
            "no session: run a token step first or give `session`",
        ));
    }
    ctx.redactor.secret("access_token", &session, Class::Token);
    let url = match &p.url {
        Some(u) => u.0.clone(),
        None if !instance.is_empty() => {
            format!("{instance}/services/Soap/m/{DEFAULT_API_VERSION}")
        }
        None => {
            return Err(StepError::failed(
                "no endpoint: run a token step first or give `url`",
            ));
        }
    };
    let version = url
        .rsplit('/')
        .find(|s| s.contains('.'))
        .unwrap_or(DEFAULT_API_VERSION)
        .to_owned();
    Ok(Endpoint {
        url,
        session,
        version,
        timeout: p.timeout.map_or(ctx.settings.step_timeout(), |d| d.0),
    })
}

/// One SOAP call: the HTTP part of the result, and the operation's
/// `result` (or the fault) as data.
pub(super) async fn call_soap(
    ctx: &mut Ctx<'_>,
    endpoint: &Endpoint,
    operation: &str,
    call: String,
) -> Result<(Output, Value), StepError> {
    let envelope = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<soapenv:Envelope xmlns:soapenv=\"{SOAP_ENV}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<soapenv:Header xmlns=\"{METADATA_NS}\"><SessionHeader><sessionId>{}</sessionId></SessionHeader></soapenv:Header>\
<soapenv:Body xmlns=\"{METADATA_NS}\">{call}</soapenv:Body></soapenv:Envelope>",
        soap::escape(&endpoint.session)
    );
    let req = Request {
        method: "POST".into(),
        url: endpoint.url.clone(),
        headers: vec![
            ("content-type".into(), "text/xml; charset=utf-8".into()),
            ("soapaction".into(), "\"\"".into()),
        ],
        body: Some(Body::Text(envelope)),
        timeout: endpoint.timeout,
        from: Party::Runner,
        role: Role::Protocol,
    };
    let reply = ctx.send(req).await?;
    let parsed = soap::to_value(&reply.text).map_err(|e| {
        StepError::failed(format!(
            "the Metadata API answered HTTP {} with {e}",
            reply.status
        ))
    })?;
    let body = &parsed["Envelope"]["Body"];
    let http = request::Output::of(&reply);
    let mut out = Output {
        status: http.status,
        headers: http.headers,
        body: http.body,
        ..Output::default()
    };
    let data = match body.get("Fault") {
        Some(fault) => {
            out.error = fault.get("faultcode").cloned();
            out.error_description = fault.get("faultstring").cloned();
            fault.clone()
        }
        None => {
            let response = &body[format!("{operation}Response").as_str()];
            response.get("result").cloned().unwrap_or(Value::Null)
        }
    };
    Ok((out, data))
}

fn call_body(
    operation: &str,
    kind: Option<&str>,
    names: &[String],
    version: &str,
) -> Result<String, StepError> {
    let kind = kind.map(soap::escape);
    Ok(match operation {
        "describeMetadata" => {
            format!("<describeMetadata><asOfVersion>{version}</asOfVersion></describeMetadata>")
        }
        "listMetadata" => {
            let kind = kind.ok_or_else(|| StepError::input("listMetadata needs `type`"))?;
            format!(
                "<listMetadata><queries><type>{kind}</type></queries><asOfVersion>{version}</asOfVersion></listMetadata>"
            )
        }
        "readMetadata" => {
            let kind = kind.ok_or_else(|| StepError::input("readMetadata needs `type`"))?;
            if names.is_empty() {
                return Err(StepError::input("readMetadata needs `full_names`"));
            }
            let names: String = names
                .iter()
                .map(|n| format!("<fullNames>{}</fullNames>", soap::escape(n)))
                .collect();
            format!("<readMetadata><type>{kind}</type>{names}</readMetadata>")
        }
        other => {
            return Err(StepError::input(format!(
                "unknown Metadata API operation `{other}`"
            )));
        }
    })
}
