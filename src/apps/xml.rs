//! Metadata files as a small element tree that remembers where each element
//! stands (1-based line and column), so that a problem in a file is reported
//! at its place; and the canonical writer the mock retrieves with.

use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

use super::error::SourceError;
use crate::location::Location;

/// The Metadata API's namespace, every metadata file's default namespace.
pub const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";

/// Deepest nesting read; metadata files are shallow.
const MAX_DEPTH: usize = 32;

/// An element: local name, direct text (unescaped, untrimmed), children, place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    /// The `xmlns` of the element (the root's must be the Metadata API's).
    pub namespace: Option<String>,
    pub text: String,
    pub children: Vec<Element>,
    pub at: Location,
}

impl Element {
    /// A leaf with text, at no place (made, not read).
    #[must_use]
    pub fn leaf(name: &str, text: &str) -> Element {
        Element {
            name: name.to_owned(),
            text: text.to_owned(),
            ..Element::default()
        }
    }

    /// The first child with this name.
    #[must_use]
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Every child with this name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The trimmed text of the first child with this name.
    #[must_use]
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|child| child.text.trim())
    }

    /// A boolean child: `Some(true)` for `true`, `Some(false)` for `false`.
    #[must_use]
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.text_of(name)? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// The element as a metadata document: declaration, root in the
    /// Metadata API's namespace, four-space indentation, one element a line.
    #[must_use]
    pub fn to_document(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = write!(out, "<{} xmlns=\"{METADATA_NS}\">", self.name);
        if self.children.is_empty() {
            out.push_str(&escape(&self.text));
        } else {
            out.push('\n');
            for child in &self.children {
                child.write(&mut out, 1);
            }
        }
        let _ = writeln!(out, "</{}>", self.name);
        out
    }

    /// The children as compact XML (`<a>x</a><b><c>y</c></b>`), text escaped.
    #[must_use]
    pub fn inner_xml(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            child.compact(&mut out);
        }
        out
    }

    fn compact(&self, out: &mut String) {
        let _ = write!(out, "<{}>", self.name);
        if self.children.is_empty() {
            out.push_str(&escape(&self.text));
        } else {
            for child in &self.children {
                child.compact(out);
            }
        }
        let _ = write!(out, "</{}>", self.name);
    }

    fn write(&self, out: &mut String, depth: usize) {
        let indent = "    ".repeat(depth);
        if self.children.is_empty() {
            let _ = writeln!(out, "{indent}<{0}>{1}</{0}>", self.name, escape(&self.text));
            return;
        }
        let _ = writeln!(out, "{indent}<{}>", self.name);
        for child in &self.children {
            child.write(out, depth + 1);
        }
        let _ = writeln!(out, "{indent}</{}>", self.name);
    }
}

/// Reads a metadata file; `path` names it in errors.
///
/// # Errors
///
/// Malformed XML, with the line and column where the parser stopped.
pub fn parse(path: &str, text: &str) -> Result<Element, SourceError> {
    let lines = LineIndex::new(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position();
        let fail = |message: String, offset: u64| SourceError::at(path, lines.at(offset), message);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => return Err(fail(format!("malformed XML: {error}"), before)),
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(fail("a second root element".into(), before));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(fail("elements nested too deeply".into(), before));
                }
                stack.push(open(start, lines.at(before)));
                if matches!(event, Event::Empty(_)) {
                    root = close(&mut stack);
                }
            }
            Event::End(_) => root = close(&mut stack),
            Event::Text(t) => {
                let decoded = t
                    .xml_content()
                    .map_err(|e| fail(format!("malformed XML text: {e}"), before))?;
                push_text(&mut stack, &decoded);
            }
            Event::CData(t) => {
                let decoded = t
                    .xml_content()
                    .map_err(|e| fail(format!("malformed XML text: {e}"), before))?;
                push_text(&mut stack, &decoded);
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    _ => {
                        let name = r.decode().map_err(|e| fail(e.to_string(), before))?;
                        predefined(&name)
                            .ok_or_else(|| fail(format!("undefined entity `&{name};`"), before))?
                    }
                };
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (root, stack.is_empty()) {
        (Some(root), true) => Ok(root),
        (_, false) => Err(SourceError::at(
            path,
            lines.at(reader.buffer_position()),
            "unexpected end of file: an element is not closed",
        )),
        (None, true) => Err(SourceError::at(
            path,
            Location { line: 1, column: 1 },
            "no root element",
        )),
    }
}

fn open(start: &BytesStart<'_>, at: Location) -> Element {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let namespace = start
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == b"xmlns")
        .map(|a| String::from_utf8_lossy(a.value.as_ref()).into_owned());
    Element {
        name,
        namespace,
        at,
        ..Element::default()
    }
}

/// Pops the innermost element into its parent; the root when it closes.
fn close(stack: &mut Vec<Element>) -> Option<Element> {
    let element = stack.pop()?;
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(element);
            None
        }
        None => Some(element),
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

/// Byte offsets to 1-based lines and columns (columns count characters).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    fn at(&self, offset: u64) -> Location {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Location {
            line: line as u64,
            column: column as u64 + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Element, parse};

    #[test]
    fn reads_elements_with_their_places() {
        let text = "<?xml version=\"1.0\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>A &amp; B</label>\n    <oauthConfig><scopes>Api</scopes></oauthConfig>\n</ConnectedApp>\n";
        let root = parse("a.xml", text).unwrap();
        assert_eq!(root.name, "ConnectedApp");
        assert_eq!(root.namespace.as_deref(), Some(super::METADATA_NS));
        assert_eq!(root.text_of("label"), Some("A & B"));
        let label = root.child("label").unwrap();
        assert_eq!((label.at.line, label.at.column), (3, 5));
        let scopes = &root.child("oauthConfig").unwrap().children[0];
        assert_eq!((scopes.at.line, scopes.at.column), (4, 18));
    }

    #[test]
    fn malformed_files_are_refused_at_their_place() {
        for (text, line, column) in [
            ("<a>\n  <b></c>\n</a>", 2, 6),
            ("<a>\n<b>", 2, 4),
            ("", 1, 1),
            ("<a/><b/>", 1, 5),
            ("<a>&nope;</a>", 1, 4),
        ] {
            let error = parse("f.xml", text).unwrap_err();
            assert_eq!(
                (error.at.line, error.at.column),
                (line, column),
                "{text:?}: {error}"
            );
        }
    }

    #[test]
    fn writes_canonical_documents() {
        let mut root = Element::leaf("ConnectedApp", "");
        root.children.push(Element::leaf("label", "A & B"));
        let mut config = Element::leaf("oauthConfig", "");
        config.children.push(Element::leaf("scopes", "Api"));
        root.children.push(config);
        let text = root.to_document();
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>A &amp; B</label>\n    <oauthConfig>\n        <scopes>Api</scopes>\n    </oauthConfig>\n</ConnectedApp>\n"
        );
        assert_eq!(parse("x", &text).unwrap().text_of("label"), Some("A & B"));
    }
}
