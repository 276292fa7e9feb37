//! One metadata file read from source: its type, full name and checked
//! element tree. Every element must be a field of its type, in its shape;
//! anything else is refused at its place.

use super::error::SourceError;
use super::schema::{Field, Shape, field};
use super::types::MetadataType;
use super::xml::{self, Element, METADATA_NS};

/// A metadata component read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub kind: &'static MetadataType,
    /// The file's base name (`Billing_Portal`), not any field inside it.
    pub full_name: String,
    /// The file as shown in messages.
    pub path: String,
    pub root: Element,
}

impl Component {
    /// Reads and checks the text of a `*.<suffix>-meta.xml` file.
    ///
    /// # Errors
    ///
    /// Malformed XML, another root element or namespace, an element the type
    /// does not have, a value of the wrong shape — each at its place.
    pub fn parse(
        kind: &'static MetadataType,
        full_name: &str,
        path: &str,
        text: &str,
    ) -> Result<Component, SourceError> {
        let root = xml::parse(path, text)?;
        let expected = kind.root(full_name);
        if root.name != expected {
            return Err(SourceError::at(
                path,
                root.at,
                format!(
                    "expected the root element `{expected}`, found `{}`",
                    root.name
                ),
            ));
        }
        if root.namespace.as_deref() != Some(METADATA_NS) {
            return Err(SourceError::at(
                path,
                root.at,
                format!("`{}` must be in the namespace {METADATA_NS}", root.name),
            ));
        }
        if let Some(fields) = kind.fields_of(full_name) {
            check(path, &root, fields, kind.name)?;
        }
        Ok(Component {
            kind,
            full_name: full_name.to_owned(),
            path: path.to_owned(),
            root,
        })
    }

    /// The trimmed text of a top-level field.
    #[must_use]
    pub fn text(&self, name: &str) -> Option<&str> {
        self.root.text_of(name).filter(|t| !t.is_empty())
    }

    /// A top-level boolean, or its default.
    #[must_use]
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.root.flag(name)
    }

    /// Whether it is the org's `OauthOidc` settings (its OAuth switches).
    #[must_use]
    pub fn is_oauth_settings(&self) -> bool {
        self.kind.role == super::types::Role::Settings && self.full_name == "OauthOidc"
    }

    /// The header an External Client App file belongs to.
    #[must_use]
    pub fn header(&self) -> Option<&str> {
        self.text("externalClientApplication")
    }

    /// The consumer secrets the file holds (a Connected App's
    /// `oauthConfig/consumerSecret`, an ECA's global `consumerSecret`).
    #[must_use]
    pub fn secrets(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut look = |element: Option<&Element>| {
            if let Some(secret) = element.and_then(|e| e.text_of("consumerSecret"))
                && !secret.is_empty()
            {
                found.push(secret.to_owned());
            }
        };
        look(Some(&self.root));
        look(self.root.child("oauthConfig"));
        found
    }

    /// The file as the Metadata API's zip holds it (`-meta.xml` dropped).
    #[must_use]
    pub fn zip_path(&self) -> String {
        self.kind.zip_path(&self.full_name)
    }
}

/// Every child of `element` is one of `fields`, in its shape; a field that
/// is not repeated occurs once.
fn check(
    path: &str,
    element: &Element,
    fields: &[Field],
    type_name: &str,
) -> Result<(), SourceError> {
    for (index, child) in element.children.iter().enumerate() {
        let Some(spec) = field(fields, &child.name) else {
            return Err(SourceError::at(
                path,
                child.at,
                format!(
                    "`{}` is not a field of {type_name}{}",
                    child.name,
                    suggestion(fields, &child.name)
                ),
            ));
        };
        if !spec.repeated
            && element.children[..index]
                .iter()
                .any(|c| c.name == child.name)
        {
            return Err(SourceError::at(
                path,
                child.at,
                format!("`{}` occurs twice", child.name),
            ));
        }
        let value = child.text.trim();
        let leaf = child.children.is_empty();
        match spec.shape {
            Shape::Bool if !leaf || !matches!(value, "true" | "false") => {
                return Err(SourceError::at(
                    path,
                    child.at,
                    format!("`{}` must be true or false, found `{value}`", child.name),
                ));
            }
            Shape::Int if !leaf || value.parse::<i64>().is_err() => {
                return Err(SourceError::at(
                    path,
                    child.at,
                    format!("`{}` must be a whole number, found `{value}`", child.name),
                ));
            }
            Shape::Text if !leaf => {
                return Err(SourceError::at(
                    path,
                    child.at,
                    format!("`{}` must be text, not elements", child.name),
                ));
            }
            Shape::Group(inner) => {
                check(path, child, inner, &format!("{type_name}.{}", child.name))?
            }
            _ => {}
        }
    }
    Ok(())
}

/// ` (did you mean `x`?)` for a near miss.
fn suggestion(fields: &[Field], name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    fields
        .iter()
        .find(|f| {
            let candidate = f.name.to_ascii_lowercase();
            candidate == lower || strsim_close(&candidate, &lower)
        })
        .map_or_else(String::new, |f| format!(" (did you mean `{}`?)", f.name))
}

/// Whether two names differ by one edit.
fn strsim_close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    a.len().max(b.len()) - prefix - suffix <= 1
}

#[cfg(test)]
mod tests {
    use super::Component;
    use crate::apps::types::MetadataType;

    fn app(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n{body}</ConnectedApp>\n"
        )
    }

    fn parse(text: &str) -> Result<Component, String> {
        let kind = MetadataType::named("ConnectedApp").unwrap();
        Component::parse(kind, "A", "a.connectedApp-meta.xml", text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_connected_app_is_read() {
        let text = app(
            "    <label>A</label>\n    <oauthConfig>\n        <callbackUrl>http://localhost/cb</callbackUrl>\n        <consumerSecret>S3CR3T_VALUE</consumerSecret>\n        <scopes>Api</scopes>\n        <scopes>Web</scopes>\n    </oauthConfig>\n",
        );
        let component = parse(&text).unwrap();
        assert_eq!(component.secrets(), ["S3CR3T_VALUE"]);
        assert_eq!(component.zip_path(), "connectedApps/A.connectedApp");
    }

    #[test]
    fn what_the_type_does_not_have_is_refused_at_its_place() {
        let cases = [
            (
                app(
                    "    <label>A</label>\n    <oauthConfig>\n        <isPkceRequird>true</isPkceRequird>\n    </oauthConfig>\n",
                ),
                "a.connectedApp-meta.xml:5:9: `isPkceRequird` is not a field of ConnectedApp.oauthConfig (did you mean `isPkceRequired`?)",
            ),
            (
                app("  <oauthConfig><isPkceRequired>yes</isPkceRequired></oauthConfig>\n"),
                "a.connectedApp-meta.xml:3:16: `isPkceRequired` must be true or false, found `yes`",
            ),
            (
                app("  <label>A</label><label>B</label>\n"),
                "a.connectedApp-meta.xml:3:19: `label` occurs twice",
            ),
            (
                app("  <sessionPolicy><sessionTimeout>two</sessionTimeout></sessionPolicy>\n"),
                "a.connectedApp-meta.xml:3:18: `sessionTimeout` must be a whole number, found `two`",
            ),
            (
                "<ConnectedApp><label>A</label></ConnectedApp>".to_string(),
                "a.connectedApp-meta.xml:1:1: `ConnectedApp` must be in the namespace http://soap.sforce.com/2006/04/metadata",
            ),
            (
                "<Eca xmlns=\"http://soap.sforce.com/2006/04/metadata\"/>".to_string(),
                "a.connectedApp-meta.xml:1:1: expected the root element `ConnectedApp`, found `Eca`",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(&text).unwrap_err(), expected);
        }
    }
}
