//! One form for a component however it was written: fields in the WSDL's
//! order, every field that has a default written out inside each element
//! that is there, scope names as they are read back. Retrieves write this
//! form (without consumer secrets); drift checks compare in it.

use super::schema::{Field, Shape};
use super::scopes;
use super::xml::Element;

/// Fields the org never returns, or makes itself.
pub const NEVER_RETURNED: &[&str] = &[
    "consumerSecret",
    "oauthLink",
    "orgScopedExternalApp",
    "shouldRotateConsumerKey",
    "shouldRotateConsumerSecret",
];

/// `element` in canonical form. `keep_secrets` false drops `consumerSecret`
/// (and the other fields the org never returns).
#[must_use]
pub fn canonical(element: &Element, fields: &[Field], keep_secrets: bool) -> Element {
    let mut out = Element {
        name: element.name.clone(),
        namespace: element.namespace.clone(),
        text: String::new(),
        children: Vec::new(),
        at: element.at,
    };
    for field in fields {
        if !keep_secrets && NEVER_RETURNED.contains(&field.name) {
            continue;
        }
        let mut found = false;
        for child in element.all(field.name) {
            found = true;
            out.children.push(match field.shape {
                Shape::Group(inner) => canonical(child, inner, keep_secrets),
                Shape::Opaque => child.clone(),
                Shape::Text | Shape::Bool | Shape::Int => {
                    let text = child.text.trim();
                    let text = if field.name == "scopes" {
                        scopes::canonical(text)
                    } else {
                        text.to_owned()
                    };
                    Element {
                        children: Vec::new(),
                        ..Element::leaf(field.name, &text)
                    }
                }
            });
        }
        if let (false, Some(default)) = (found, field.default) {
            out.children.push(Element::leaf(field.name, default));
        }
    }
    if element.children.is_empty() {
        out.text = element.text.trim().to_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::canonical;
    use crate::apps::schema::CONNECTED_APP;
    use crate::apps::xml::parse;

    #[test]
    fn order_defaults_scopes_and_secrets() {
        let text = r#"<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
            <oauthConfig><scopes>OfflineAccess</scopes><consumerSecret>S</consumerSecret><callbackUrl>http://x/cb</callbackUrl></oauthConfig>
            <label>A</label><contactEmail>a@example.com</contactEmail></ConnectedApp>"#;
        let root = parse("a", text).unwrap();
        let out = canonical(&root, CONNECTED_APP, false).to_document();
        let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <contactEmail>a@example.com</contactEmail>
    <label>A</label>
    <oauthConfig>
        <callbackUrl>http://x/cb</callbackUrl>
        <isAdminApproved>false</isAdminApproved>
        <isClientCredentialEnabled>false</isClientCredentialEnabled>
        <isCodeCredentialEnabled>false</isCodeCredentialEnabled>
        <isCodeCredentialPostOnly>false</isCodeCredentialPostOnly>
        <isConsumerSecretOptional>false</isConsumerSecretOptional>
        <isIntrospectAllTokens>false</isIntrospectAllTokens>
        <isNamedUserJwtEnabled>false</isNamedUserJwtEnabled>
        <isPkceRequired>false</isPkceRequired>
        <isRefreshTokenRotationEnabled>false</isRefreshTokenRotationEnabled>
        <isSecretRequiredForRefreshToken>true</isSecretRequiredForRefreshToken>
        <isSecretRequiredForTokenExchange>false</isSecretRequiredForTokenExchange>
        <isTokenExchangeEnabled>false</isTokenExchangeEnabled>
        <scopes>RefreshToken</scopes>
    </oauthConfig>
</ConnectedApp>
";
        assert_eq!(out, expected);
        let kept = canonical(&root, CONNECTED_APP, true).to_document();
        assert!(kept.contains("<consumerSecret>S</consumerSecret>"));
    }
}
