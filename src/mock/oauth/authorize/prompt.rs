//! The authorize request's `prompt`: `login`, `consent` and
//! `select_account`, space-separated, in any combination.

/// What `prompt` asks for (space-separated values, any combination).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Prompt {
    /// Log in again, even with a session.
    pub(crate) login: bool,
    /// Ask for consent again, even if given before.
    pub(crate) consent: bool,
    /// Let the user choose the account: the login page, the session's user
    /// filled in.
    pub(crate) select_account: bool,
}

impl Prompt {
    pub(super) fn parse(prompt: Option<&str>) -> Prompt {
        let values: Vec<&str> = prompt.unwrap_or_default().split([' ', '+']).collect();
        Prompt {
            login: values.contains(&"login"),
            consent: values.contains(&"consent"),
            select_account: values.contains(&"select_account"),
        }
    }
}
