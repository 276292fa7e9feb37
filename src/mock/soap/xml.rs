//! Just enough XML for SOAP: requests read into a small element tree (local
//! names and namespaces, text unescaped) and responses written with escaping.

use std::fmt::Write as _;

use quick_xml::NsReader;
use quick_xml::escape::escape;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Deepest nesting read; SOAP requests are shallow.
const MAX_DEPTH: usize = 64;

/// An element: namespace URI, local name, child elements and direct text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
    pub(crate) children: Vec<Element>,
    pub(crate) text: String,
}

impl Element {
    /// The first child with this local name.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Every child with this local name.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The text of the first child with this name, trimmed.
    pub(crate) fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|child| child.text.trim())
    }
}

/// The document's root element, or the parser's complaint.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| "Invalid byte sequence: not UTF-8".to_string())?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|error| error.to_string())?;
        let namespace = match namespace {
            ResolveResult::Bound(namespace) => {
                Some(String::from_utf8_lossy(namespace.as_ref()).into_owned())
            }
            _ => None,
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let element = Element {
                    namespace,
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Element::default()
                };
                if stack.len() >= MAX_DEPTH {
                    return Err("XML nested too deeply".into());
                }
                stack.push(element);
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack)?;
                }
            }
            Event::End(_) => {
                if let Some(root) = close(&mut stack)? {
                    return Ok(root);
                }
            }
            Event::Text(text) => {
                let decoded = text.xml_content().map_err(|error| error.to_string())?;
                push_text(&mut stack, &decoded);
            }
            Event::CData(data) => {
                let decoded = data.xml_content().map_err(|error| error.to_string())?;
                push_text(&mut stack, &decoded);
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|error| error.to_string())?
                {
                    Some(c) => c,
                    None => {
                        let name = reference.decode().map_err(|error| error.to_string())?;
                        predefined(&name).ok_or_else(|| format!("undefined entity &{name};"))?
                    }
                };
                push_text(&mut stack, resolved.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => return Err("Premature end of file.".into()),
            _ => {}
        }
    }
}

/// Pops the innermost element into its parent; returns it when it was the root.
fn close(stack: &mut Vec<Element>) -> Result<Option<Element>, String> {
    let element = stack.pop().ok_or("unexpected end tag")?;
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(element);
            Ok(None)
        }
        None => Ok(Some(element)),
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(element) = stack.last_mut() {
        element.text.push_str(text);
    }
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// `<tag>text</tag>`, the text escaped.
pub(crate) fn leaf(out: &mut String, tag: &str, text: &str) {
    let _ = write!(out, "<{tag}>{}</{tag}>", escape(text));
}

/// `<tag>true</tag>` or `<tag>false</tag>`.
pub(crate) fn flag(out: &mut String, tag: &str, value: bool) {
    leaf(out, tag, if value { "true" } else { "false" });
}

#[cfg(test)]
mod tests {
    use super::{leaf, parse};

    #[test]
    fn reads_namespaces_text_and_entities() {
        let root = parse(
            br#"<?xml version="1.0"?><se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>a&amp;b&#64;x</username><password><![CDATA[p<w]]>&apos;</password><empty/></login></se:Body></se:Envelope>"#,
        )
        .unwrap();
        assert_eq!(root.name, "Envelope");
        let login = &root.child("Body").unwrap().children[0];
        assert_eq!(
            login.namespace.as_deref(),
            Some("urn:partner.soap.sforce.com")
        );
        assert_eq!(login.text_of("username"), Some("a&b@x"));
        assert_eq!(login.text_of("password"), Some("p<w'"));
        assert_eq!(login.text_of("empty"), Some(""));
    }

    #[test]
    fn refuses_broken_xml() {
        for broken in ["<a><b></a>", "<a>", "not xml", "<a>&nope;</a>", ""] {
            assert!(parse(broken.as_bytes()).is_err(), "{broken}");
        }
        assert!(parse(&[0xff, 0xfe]).is_err());
        assert!(parse("<a>".repeat(100).as_bytes()).is_err());
    }

    #[test]
    fn writes_escaped_leaves() {
        let mut out = String::new();
        leaf(&mut out, "x", "a<b & \"c\"");
        assert_eq!(out, "<x>a&lt;b &amp; &quot;c&quot;</x>");
    }
}
