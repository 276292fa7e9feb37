//! SOAP responses and faults as Salesforce writes them: `soapenv:`-prefixed
//! Envelope and Body (jsforce finds them by `:Envelope`/`:Body`), the API's
//! namespace as default, faults with HTTP 500.

use std::fmt::Write as _;

use hyper::StatusCode;
use quick_xml::escape::escape;

use crate::mock::response::{self, MockResponse};

pub(crate) const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";
pub(crate) const PARTNER_NS: &str = "urn:partner.soap.sforce.com";
pub(crate) const PARTNER_FAULT_NS: &str = "urn:fault.partner.soap.sforce.com";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const XML: &str = "text/xml;charset=UTF-8";
const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// HTTP 200: `<soapenv:Body><{operation}Response>{content}</…>`, in `namespace`.
pub(crate) fn response(namespace: &str, operation: &str, content: &str) -> MockResponse {
    let mut xml = String::from(DECLARATION);
    let _ = write!(
        xml,
        r#"<soapenv:Envelope xmlns:soapenv="{ENVELOPE_NS}" xmlns="{namespace}" xmlns:xsi="{XSI_NS}"><soapenv:Body><{operation}Response>{content}</{operation}Response></soapenv:Body></soapenv:Envelope>"#
    );
    response::body(StatusCode::OK, XML, xml)
}

/// One fault.
pub(crate) struct Fault<'a> {
    /// Namespace bound to the `sf` prefix.
    pub(crate) namespace: &'a str,
    /// `sf:INVALID_SESSION_ID`, `soapenv:Client`, …
    pub(crate) code: &'a str,
    pub(crate) message: &'a str,
    /// `<detail>` content, already XML.
    pub(crate) detail: Option<String>,
}

/// HTTP 500 with a `soapenv:Fault`.
pub(crate) fn fault(fault: &Fault<'_>) -> MockResponse {
    let namespace = fault.namespace;
    let mut xml = String::from(DECLARATION);
    let xsi = if fault.detail.is_some() {
        format!(r#" xmlns:xsi="{XSI_NS}""#)
    } else {
        String::new()
    };
    let _ = write!(
        xml,
        r#"<soapenv:Envelope xmlns:soapenv="{ENVELOPE_NS}" xmlns:sf="{namespace}"{xsi}><soapenv:Body><soapenv:Fault><faultcode>{}</faultcode><faultstring>{}</faultstring>"#,
        escape(fault.code),
        escape(fault.message)
    );
    if let Some(detail) = &fault.detail {
        let _ = write!(xml, "<detail>{detail}</detail>");
    }
    xml.push_str("</soapenv:Fault></soapenv:Body></soapenv:Envelope>");
    response::body(StatusCode::INTERNAL_SERVER_ERROR, XML, xml)
}

/// The Metadata API's `INVALID_SESSION_ID` fault, word for word.
pub(crate) fn invalid_session() -> MockResponse {
    fault(&Fault {
        namespace: METADATA_NS,
        code: "sf:INVALID_SESSION_ID",
        message: "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session",
        detail: None,
    })
}

/// `INVALID_SESSION_ID` for a live token without the `api` (or `full`)
/// scope, word for word.
pub(crate) fn not_for_api(namespace: &str) -> MockResponse {
    fault(&Fault {
        namespace,
        code: "sf:INVALID_SESSION_ID",
        message: "INVALID_SESSION_ID: This session is not valid for use with the API",
        detail: None,
    })
}

/// A `soapenv:Client` fault: the request itself is wrong.
pub(crate) fn client_fault(namespace: &str, message: &str) -> MockResponse {
    fault(&Fault {
        namespace,
        code: "soapenv:Client",
        message,
        detail: None,
    })
}

/// `No operation available for request {ns}op, …` (an unknown operation).
pub(crate) fn no_operation(
    namespace: &str,
    request_ns: Option<&str>,
    operation: &str,
) -> MockResponse {
    let message = format!(
        "No operation available for request {{{}}}{operation}, please check the WSDL for the service.",
        request_ns.unwrap_or_default()
    );
    client_fault(namespace, &message)
}

/// An API fault (`sf:{code}`, `{code}: {message}`) with the partner API's
/// typed detail (`sf:LoginFault`, …) that simple-salesforce reads.
pub(crate) fn partner_fault(code: &str, message: &str, fault_type: &str) -> MockResponse {
    let detail = format!(
        r#"<sf:{fault_type} xsi:type="sf:{fault_type}"><sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{}</sf:exceptionMessage></sf:{fault_type}>"#,
        escape(message)
    );
    fault(&Fault {
        namespace: PARTNER_FAULT_NS,
        code: &format!("sf:{code}"),
        message: &format!("{code}: {message}"),
        detail: Some(detail),
    })
}

/// A Metadata API fault: `sf:{code}`, `{code}: {message}`.
pub(crate) fn metadata_fault(code: &str, message: &str) -> MockResponse {
    fault(&Fault {
        namespace: METADATA_NS,
        code: &format!("sf:{code}"),
        message: &format!("{code}: {message}"),
        detail: None,
    })
}
