//! Drift: an app's component as the org has it against its source, field by
//! field. Both sides are made canonical first, so element order, explicit
//! defaults and scope aliases make no difference; lists (scopes, callback
//! URLs, comma lists, permission sets, IP ranges) are compared as sets; the
//! fields the org never returns (secrets, generated links) are left out, and
//! so is a consumer key the source does not give (the org made one).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::canonical::canonical;
use super::component::Component;
use super::mock_app::callback_urls;
use super::schema::{Field, Shape};
use super::scopes::split_commas;
use super::xml::Element;

/// One field whose value in the org is not the source's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `ConnectedApp:Billing_Portal`.
    pub component: String,
    /// `oauthConfig.isPkceRequired`; empty when the whole component differs.
    pub field: String,
    /// The org's value; none when the org does not have it.
    pub org: Option<String>,
    /// The source's value (or Salesforce's default when the source omits it).
    pub source: Option<String>,
}

impl std::fmt::Display for Difference {
    /// `ConnectedApp:X oauthConfig.isPkceRequired: org true, source false`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "absent".into());
        match (self.field.is_empty(), &self.org) {
            (true, None) => write!(f, "{}: not in the org", self.component),
            (true, Some(_)) => write!(f, "{}: not in the source", self.component),
            (false, _) => write!(
                f,
                "{} {}: org {}, source {}",
                self.component,
                self.field,
                shown(&self.org),
                shown(&self.source)
            ),
        }
    }
}

/// The differences between `source` and the org's copy (`None`: the org
/// has no such component).
#[must_use]
pub fn compare(source: &Component, org: Option<&Element>) -> Vec<Difference> {
    let component = format!("{}:{}", source.kind.name, source.full_name);
    let Some(fields) = source.kind.fields_of(&source.full_name) else {
        return Vec::new();
    };
    let Some(org) = org else {
        return vec![Difference {
            component,
            field: String::new(),
            org: None,
            source: Some("present".into()),
        }];
    };
    let ours = flatten(&canonical(&source.root, fields, false), fields);
    let theirs = flatten(&canonical(org, fields, false), fields);
    let mut paths: Vec<&String> = ours.keys().chain(theirs.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths {
        let skip =
            path == "fullName" || (path.ends_with("consumerKey") && !ours.contains_key(path));
        if skip || ours.get(path) == theirs.get(path) {
            continue;
        }
        let show = |values: Option<&Vec<String>>| values.map(|v| v.join(", "));
        out.push(Difference {
            component: component.clone(),
            field: path.clone(),
            org: show(theirs.get(path)),
            source: show(ours.get(path)),
        });
    }
    out
}

/// Every field as `path → values`, list values sorted.
fn flatten(element: &Element, fields: &[Field]) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    walk(element, fields, "", &mut out);
    out
}

fn walk(
    element: &Element,
    fields: &[Field],
    prefix: &str,
    out: &mut BTreeMap<String, Vec<String>>,
) {
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        let children: Vec<&Element> = element.all(field.name).collect();
        if children.is_empty() {
            continue;
        }
        let mut values: Vec<String> = match field.shape {
            Shape::Group(inner) if !field.repeated => {
                walk(children[0], inner, &format!("{path}."), out);
                continue;
            }
            Shape::Group(_) | Shape::Opaque => children.iter().map(|c| serialize(c)).collect(),
            Shape::Text | Shape::Bool | Shape::Int => children
                .iter()
                .flat_map(|c| split(field.name, c.text.trim()))
                .collect(),
        };
        if field.repeated || values.len() > 1 {
            values.sort();
            values.dedup();
        }
        out.insert(path, values);
    }
}

/// The items of a field that holds a list in one string.
fn split(name: &str, text: &str) -> Vec<String> {
    if name == "callbackUrl" {
        callback_urls(text, true)
    } else if name.starts_with("commaSeparated") {
        split_commas(text)
    } else {
        vec![text.to_owned()]
    }
}

/// `key=value; …` of an element's leaves, for comparing list items.
fn serialize(element: &Element) -> String {
    if element.children.is_empty() {
        return element.text.trim().to_owned();
    }
    let mut parts: Vec<String> = element
        .children
        .iter()
        .map(|c| format!("{}={}", c.name, serialize(c)))
        .collect();
    parts.sort();
    parts.join("; ")
}

/// The differences as a JSON list, as a step's result holds them.
#[must_use]
pub fn to_json(differences: &[Difference]) -> Value {
    serde_json::to_value(differences).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::compare;
    use crate::apps::component::Component;
    use crate::apps::types::MetadataType;
    use crate::apps::xml::parse;

    fn app(body: &str) -> Component {
        let text = format!(
            "<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">{body}</ConnectedApp>"
        );
        Component::parse(
            MetadataType::named("ConnectedApp").unwrap(),
            "A",
            "a",
            &text,
        )
        .unwrap()
    }

    #[test]
    fn order_defaults_secrets_and_generated_keys_are_no_drift() {
        let source = app(
            "<label>A</label><oauthConfig><callbackUrl>http://a\nhttp://b</callbackUrl><consumerSecret>S</consumerSecret><scopes>Api</scopes><scopes>OfflineAccess</scopes></oauthConfig>",
        );
        let org = parse(
            "org",
            "<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\"><fullName>A</fullName><oauthConfig><scopes>RefreshToken</scopes><isPkceRequired>false</isPkceRequired><scopes>Api</scopes><consumerKey>3MVG9</consumerKey><callbackUrl>http://b\nhttp://a</callbackUrl></oauthConfig><label>A</label></ConnectedApp>",
        )
        .unwrap();
        assert_eq!(compare(&source, Some(&org)), []);
    }

    #[test]
    fn a_changed_field_is_a_difference_and_a_missing_component_is_one() {
        let source = app(
            "<label>A</label><oauthConfig><callbackUrl>http://a</callbackUrl><isPkceRequired>true</isPkceRequired></oauthConfig>",
        );
        let org = parse(
            "org",
            "<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\"><label>A</label><oauthConfig><callbackUrl>http://a</callbackUrl><isPkceRequired>false</isPkceRequired></oauthConfig><description>edited</description></ConnectedApp>",
        )
        .unwrap();
        let differences = compare(&source, Some(&org));
        let shown: Vec<(&str, Option<&str>, Option<&str>)> = differences
            .iter()
            .map(|d| (d.field.as_str(), d.org.as_deref(), d.source.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                ("description", Some("edited"), None),
                ("oauthConfig.isPkceRequired", Some("false"), Some("true")),
            ]
        );
        assert_eq!(differences[0].component, "ConnectedApp:A");
        let missing = compare(&source, None);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].org, None);
    }
}
