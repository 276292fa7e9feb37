//! SOAP responses as plain data: elements become maps, repeated or
//! list-valued elements become lists, `xsi:nil` becomes none.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Map, Value};

/// Elements that are lists even when they occur once (Metadata API WSDL).
const LISTS: &[&str] = &[
    "metadataObjects",
    "childXmlNames",
    "records",
    "scopes",
    "fields",
    "callbackUrl",
    "queries",
    "fullNames",
    "permissionSetName",
    "profileName",
    "ipRanges",
    "attributes",
    "errors",
];

#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    nil: bool,
    children: Vec<(String, Value)>,
}

impl Element {
    fn into_value(self) -> Value {
        if self.nil {
            return Value::Null;
        }
        if self.children.is_empty() {
            return Value::String(self.text.trim().to_owned());
        }
        let mut map = Map::new();
        for (name, value) in self.children {
            match map.get_mut(&name) {
                Some(Value::Array(items)) => items.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
                None => {
                    let v = if LISTS.contains(&name.as_str()) {
                        Value::Array(vec![value])
                    } else {
                        value
                    };
                    map.insert(name, v);
                }
            }
        }
        Value::Object(map)
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or(&name).to_owned()
}

/// The text of every element named `name` (any namespace prefix), in order;
/// what cannot be parsed yields nothing.
pub fn element_texts(xml: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut found = Vec::new();
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                inside = local(e.name().as_ref()) == name;
                text.clear();
            }
            Ok(Event::Text(t)) if inside => {
                if let Ok(t) = t.decode() {
                    text.push_str(&t);
                }
            }
            Ok(Event::GeneralRef(r)) if inside => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Ok(entity) = r.decode() {
                    text.push_str(
                        quick_xml::escape::resolve_predefined_entity(&entity).unwrap_or(""),
                    );
                }
            }
            Ok(Event::End(_)) => {
                if inside {
                    found.push(std::mem::take(&mut text).trim().to_owned());
                }
                inside = false;
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    found
}

/// Parses an XML document into nested plain data, keyed by local names.
pub fn to_value(xml: &str) -> Result<Value, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("invalid XML: {e}"))?;
        match event {
            Event::Start(_) if stack.len() > 256 => return Err("XML nested too deeply".into()),
            Event::Start(e) => stack.push(start(&e)),
            Event::Empty(e) => {
                let el = start(&e);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push((el.name.clone(), el.into_value()));
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced XML")?;
                let parent = stack.last_mut().ok_or("unbalanced XML")?;
                parent.children.push((el.name.clone(), el.into_value()));
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text
                        .push_str(&t.decode().map_err(|e| format!("invalid XML text: {e}"))?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match r
                        .decode()
                        .map_err(|e| format!("invalid XML: {e}"))?
                        .as_ref()
                    {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => format!("&{other};"),
                    },
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let root = stack.pop().ok_or("empty XML")?;
    Ok(root.into_value())
}

fn start(e: &quick_xml::events::BytesStart<'_>) -> Element {
    let nil = e
        .attributes()
        .flatten()
        .any(|a| local(a.key.as_ref()) == "nil" && a.value.as_ref() == b"true");
    Element {
        name: local(e.name().as_ref()),
        nil,
        ..Element::default()
    }
}

/// Escapes text for an XML element.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn soap_to_plain_data() {
        let xml = r#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="x" xmlns:xsi="y"><soapenv:Body>
            <readMetadataResponse><result><records xsi:type="ConnectedApp"><fullName>A &amp; B</fullName>
            <oauthConfig><scopes>Api</scopes><scopes>Web</scopes><isPkceRequired>true</isPkceRequired></oauthConfig>
            <none xsi:nil="true"/></records></result></readMetadataResponse></soapenv:Body></soapenv:Envelope>"#;
        let v = to_value(xml).unwrap();
        let rec = &v["Envelope"]["Body"]["readMetadataResponse"]["result"]["records"][0];
        assert_eq!(rec["fullName"], json!("A & B"));
        assert_eq!(rec["oauthConfig"]["scopes"], json!(["Api", "Web"]));
        assert_eq!(rec["none"], Value::Null);
    }
}
