//! `metadata`: Metadata API calls over SOAP, the result as plain data.

use serde_json::{Map, Value};

use crate::log::{Body, Party};
use crate::runner::http::Request;
use crate::runner::run::{Run, StepError};
use crate::runner::steps::{duration, get_str, text};
use crate::runner::xml;
use crate::secret::Class;

const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";
/// The API version used when the step gives no `url`.
pub const DEFAULT_API_VERSION: &str = "62.0";

impl Run<'_> {
    pub(crate) async fn metadata(&mut self, params: &Value) -> Result<Value, StepError> {
        let operation = get_str(params, "operation").unwrap_or_default().to_owned();
        let (instance, token) = self.last_token.clone().unwrap_or_default();
        let session = params.get("session").and_then(text).unwrap_or(token);
        if session.is_empty() {
            return Err(StepError::failed(
                "no session: run a token step first or give `session`",
            ));
        }
        self.redactor.secret("access_token", &session, Class::Token);
        let url = match get_str(params, "url") {
            Some(u) => u.to_owned(),
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
        let call = call_body(&operation, params, &version)?;
        let envelope = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<soapenv:Envelope xmlns:soapenv=\"{SOAP_ENV}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<soapenv:Header xmlns=\"{METADATA_NS}\"><SessionHeader><sessionId>{}</sessionId></SessionHeader></soapenv:Header>\
<soapenv:Body xmlns=\"{METADATA_NS}\">{call}</soapenv:Body></soapenv:Envelope>",
            xml::escape(&session)
        );
        let req = Request {
            method: "POST".into(),
            url,
            headers: vec![
                ("content-type".into(), "text/xml; charset=utf-8".into()),
                ("soapaction".into(), "\"\"".into()),
            ],
            body: Some(Body::Text(envelope)),
            timeout: duration(params, "timeout")?.unwrap_or(self.cfg.step_timeout()),
            from: Party::Runner,
        };
        let reply = self.send(req).await?;
        let parsed = xml::to_value(&reply.text).map_err(|e| {
            StepError::failed(format!(
                "the Metadata API answered HTTP {} with {e}",
                reply.status
            ))
        })?;
        let body = &parsed["Envelope"]["Body"];
        let mut result = Map::new();
        let data = match body.get("Fault") {
            Some(fault) => {
                result.insert(
                    "error".into(),
                    fault.get("faultcode").cloned().unwrap_or(Value::Null),
                );
                result.insert(
                    "error_description".into(),
                    fault.get("faultstring").cloned().unwrap_or(Value::Null),
                );
                fault.clone()
            }
            None => {
                let response = &body[format!("{operation}Response").as_str()];
                let r = response.get("result").cloned().unwrap_or(Value::Null);
                if operation == "listMetadata" {
                    match r {
                        Value::Array(_) => r,
                        Value::Null => Value::Array(Vec::new()),
                        one => Value::Array(vec![one]),
                    }
                } else {
                    r
                }
            }
        };
        result.insert("result".into(), data.clone());
        let mut http = reply.result();
        http.insert("json".into(), data);
        result.extend(http);
        Ok(result.into())
    }
}

fn call_body(operation: &str, params: &Value, version: &str) -> Result<String, StepError> {
    let kind = get_str(params, "type").map(xml::escape);
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
            let names: Vec<String> = match params.get("full_names") {
                Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
                Some(v) => text(v).into_iter().collect(),
                None => Vec::new(),
            };
            if names.is_empty() {
                return Err(StepError::input("readMetadata needs `full_names`"));
            }
            let names: String = names
                .iter()
                .map(|n| format!("<fullNames>{}</fullNames>", xml::escape(n)))
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
