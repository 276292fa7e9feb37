//! The forms of the login host's pages, as the built-in user agent reads
//! them: the login, one-time code and consent forms and their fields.

use html5gum::{StartTag, Token, Tokenizer};

pub(super) struct Form {
    pub(super) action: String,
    pub(super) hidden: Vec<(String, String)>,
    /// The name of the username input (Salesforce's is `username`).
    pub(super) username: String,
    /// The name of the password input, if the page has one (Salesforce's
    /// login page calls it `pw`).
    pub(super) password: Option<String>,
    /// The name of the verification page's input for a one-time code
    /// (Salesforce's is `tc`).
    pub(super) code: Option<String>,
    /// Button name, allow value, deny value.
    pub(super) decision: Option<(String, String, String)>,
}

/// An HTML element's attribute, entities decoded.
pub(super) fn attribute(tag: &StartTag<()>, name: &str) -> Option<String> {
    tag.attributes
        .get(name.as_bytes())
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

pub(super) fn name_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

impl Form {
    /// The page's first form, read with an HTML tokenizer (entities decoded,
    /// any attribute quoting).
    pub(super) fn parse(html: &str) -> Option<Form> {
        let mut form: Option<Form> = None;
        // Name, value and label of each button, the label gathered until `</button>`.
        let mut buttons: Vec<(String, String, String)> = Vec::new();
        let mut in_button = false;
        for Ok(token) in Tokenizer::new(html) {
            match token {
                Token::StartTag(tag) => match (name_of(&tag.name).as_str(), &mut form) {
                    ("form", None) => {
                        form = Some(Form {
                            action: attribute(&tag, "action").unwrap_or_default(),
                            hidden: Vec::new(),
                            username: "username".into(),
                            password: None,
                            code: None,
                            decision: None,
                        });
                    }
                    ("input", Some(f)) => {
                        let ty = attribute(&tag, "type").map(|t| t.to_ascii_lowercase());
                        match ty.as_deref() {
                            Some("hidden") => {
                                if let Some(name) = attribute(&tag, "name") {
                                    let value = attribute(&tag, "value").unwrap_or_default();
                                    f.hidden.push((name, value));
                                }
                            }
                            Some("password") => {
                                f.password = attribute(&tag, "name").or(Some("password".into()));
                            }
                            Some("submit" | "button" | "checkbox" | "radio") => {}
                            text => {
                                let name = attribute(&tag, "name").filter(|n| !n.is_empty());
                                let one_time = attribute(&tag, "autocomplete")
                                    .is_some_and(|a| a == "one-time-code")
                                    || name.as_deref() == Some("tc");
                                if one_time {
                                    f.code = name;
                                } else if let (Some("text" | "email") | None, Some(name)) =
                                    (text, name)
                                {
                                    f.username = name;
                                }
                            }
                        }
                    }
                    ("button", Some(_)) => {
                        in_button = true;
                        buttons.push((
                            attribute(&tag, "name").unwrap_or_default(),
                            attribute(&tag, "value").unwrap_or_default(),
                            String::new(),
                        ));
                    }
                    _ => {}
                },
                Token::String(text) if in_button => {
                    if let Some(b) = buttons.last_mut() {
                        b.2.push_str(&String::from_utf8_lossy(&text));
                    }
                }
                Token::EndTag(tag) => match name_of(&tag.name).as_str() {
                    "button" => in_button = false,
                    "form" if form.is_some() => break,
                    _ => {}
                },
                _ => {}
            }
        }
        let mut f = form?;
        let find = |word: &str| {
            buttons.iter().find(|(name, value, label)| {
                !name.is_empty()
                    && (value == word || label.trim().to_ascii_lowercase().contains(word))
            })
        };
        if let (Some(allow), Some(deny)) = (find("allow"), find("deny")) {
            f.decision = Some((allow.0.clone(), allow.1.clone(), deny.1.clone()));
        }
        Some(f)
    }
}

/// The text of the page's first element with an `error` class, if any.
pub(super) fn page_error(html: &str) -> Option<String> {
    let mut text: Option<String> = None;
    for Ok(token) in Tokenizer::new(html) {
        match (token, &mut text) {
            (Token::StartTag(tag), None) => {
                let class = attribute(&tag, "class").unwrap_or_default();
                if class.split_whitespace().any(|c| c.contains("error")) {
                    text = Some(String::new());
                }
            }
            (Token::String(s), Some(t)) => t.push_str(&String::from_utf8_lossy(&s)),
            (Token::EndTag(_), Some(_)) => break,
            _ => {}
        }
    }
    let text = text?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}
