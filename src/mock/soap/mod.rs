//! The SOAP APIs: the Metadata API (`/services/Soap/m/{version}`) and the
//! partner API's `login` (`/services/Soap/u/{version}`). Both take a trailing
//! slash or the org id after the version, as the URLs `login` hands out have.

mod catalog;
mod connected_app;
mod deploy;
mod envelope;
mod metadata;
mod partner;
mod retrieve;
mod xml;

use super::request::MockRequest;
use super::response::{self, MockResponse};
use super::rest::FIRST_VERSION;
use super::state::MockState;
use envelope::{ENVELOPE_NS, METADATA_NS, PARTNER_FAULT_NS};

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let rest = request
        .path
        .strip_prefix("/services/Soap/")
        .unwrap_or_default()
        .trim_end_matches('/');
    let parts: Vec<&str> = rest.split('/').collect();
    let (api, version) = match parts.as_slice() {
        [api, version] | [api, version, _] => (*api, *version),
        _ => return response::not_found(),
    };
    let latest = state.org_settings().max_version();
    let Some(version) = version_number(version, latest) else {
        return response::not_found();
    };
    let fault_namespace = match api {
        "m" => METADATA_NS,
        "u" => PARTNER_FAULT_NS,
        _ => return response::not_found(),
    };
    let envelope = match xml::parse(&request.body) {
        Ok(envelope) => envelope,
        Err(message) => return envelope::client_fault(fault_namespace, &message),
    };
    if envelope.name != "Envelope" || envelope.namespace.as_deref() != Some(ENVELOPE_NS) {
        let message = "Unable to find SOAP Envelope (http://schemas.xmlsoap.org/soap/envelope/)";
        return envelope::client_fault(fault_namespace, message);
    }
    let Some(operation) = envelope
        .child("Body")
        .and_then(|body| body.children.first())
    else {
        return envelope::client_fault(fault_namespace, "Body element with an operation expected");
    };
    let call = Call {
        state,
        request,
        envelope: &envelope,
        operation,
        version,
    };
    if api == "m" {
        metadata::handle(&call)
    } else {
        partner::handle(&call)
    }
}

/// One SOAP request, parsed.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a MockState,
    pub(crate) request: &'a MockRequest,
    pub(crate) envelope: &'a xml::Element,
    /// The Body's first element (`login`, `readMetadata`, …).
    pub(crate) operation: &'a xml::Element,
    /// `62.0`.
    pub(crate) version: String,
}

/// `62.0` for a version the mock serves (up to `latest`).
fn version_number(text: &str, latest: u32) -> Option<String> {
    let number: u32 = text.strip_suffix(".0")?.parse().ok()?;
    (FIRST_VERSION..=latest)
        .contains(&number)
        .then(|| format!("{number}.0"))
}

#[cfg(test)]
mod deploy_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod metadata_tests;
