//! What the other side answered, as the doctor reads it from a step's
//! result: the OAuth `error` and `error_description`, a REST error's
//! `errorCode` and `message`, a SOAP fault's code and string, the status.

use serde_json::Value;

use crate::kind::Kind;
use crate::log::StepLog;
use crate::steps::element_texts;

use super::table::{Entry, Pattern, entries};

/// A failed step's answer, as far as it names an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub kind: Option<Kind>,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub description: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    /// Without its namespace prefix (`INVALID_SESSION_ID`).
    pub faultcode: Option<String>,
    pub faultstring: Option<String>,
}

impl Answer {
    /// The answer of a step, if it names an error at all.
    #[must_use]
    pub fn of(step: &StepLog) -> Option<Answer> {
        let result = &step.result;
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let json = result.get("json");
        let mut a = Answer {
            kind: Some(step.kind),
            status: result
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok()),
            ..Answer::default()
        };
        if step.kind == Kind::Metadata {
            // The step keeps a fault's code and string as its error.
            a.faultcode = text(result.get("error")).map(|c| local(&c));
            a.faultstring = text(result.get("error_description"));
        } else {
            a.error = text(result.get("error")).or_else(|| text(json.and_then(|j| j.get("error"))));
            a.description = text(result.get("error_description"))
                .or_else(|| text(json.and_then(|j| j.get("error_description"))));
        }
        // A REST error: `[{"message": …, "errorCode": …}]` (or one object).
        let first = json.and_then(|j| j.get(0).or(Some(j)));
        a.error_code = text(first.and_then(|e| e.get("errorCode")));
        if a.error_code.is_some() {
            a.message = text(first.and_then(|e| e.get("message")));
        }
        if let Some(body) = result.get("body").and_then(Value::as_str) {
            a.read_body(body);
        }
        let named = [&a.error, &a.error_code, &a.faultcode]
            .iter()
            .any(|v| v.is_some());
        named.then_some(a)
    }

    /// A text body: a SOAP fault, or a form-encoded OAuth error (the revoke
    /// endpoint's, the authorize endpoint's plain refusal).
    fn read_body(&mut self, body: &str) {
        if self.faultcode.is_none() && body.contains("faultcode>") {
            self.faultcode = element_texts(body, "faultcode")
                .into_iter()
                .next()
                .map(|c| local(&c));
            self.faultstring = element_texts(body, "faultstring").into_iter().next();
        }
        let trimmed = body.trim();
        if self.error.is_none() && trimmed.starts_with("error=") && !trimmed.contains('<') {
            for (k, v) in form_urlencoded::parse(trimmed.as_bytes()) {
                match k.as_ref() {
                    "error" => self.error = Some(v.into_owned()),
                    "error_description" => self.description = Some(v.into_owned()),
                    _ => {}
                }
            }
        }
    }

    /// `invalid_grant: authentication failure`, `INVALID_SESSION_ID: Session
    /// expired or invalid`, as the hint names the error.
    #[must_use]
    pub fn label(&self) -> String {
        let code = [&self.error, &self.error_code, &self.faultcode]
            .into_iter()
            .flatten()
            .next()
            .cloned()
            .unwrap_or_default();
        let detail = if self.error.is_some() {
            &self.description
        } else if self.error_code.is_some() {
            &self.message
        } else {
            &self.faultstring
        };
        match detail.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() && d != code => {
                let d = d.strip_prefix(&format!("{code}: ")).unwrap_or(d);
                format!("{code}: {}", first_line(d))
            }
            _ => code,
        }
    }

    fn matches(&self, p: &Pattern) -> bool {
        let eq = |want: &Option<String>, got: &Option<String>| {
            want.as_ref()
                .is_none_or(|w| got.as_deref().is_some_and(|g| g == w))
        };
        let eq_case = |want: &Option<String>, got: &Option<String>| {
            want.as_ref().is_none_or(|w| {
                got.as_deref()
                    .is_some_and(|g| g.trim().eq_ignore_ascii_case(w))
            })
        };
        let contains = |want: &Option<String>, got: &Option<String>| {
            want.as_ref().is_none_or(|w| {
                got.as_deref()
                    .is_some_and(|g| g.to_lowercase().contains(&w.to_lowercase()))
            })
        };
        eq(&p.error, &self.error)
            && eq_case(&p.description, &self.description)
            && eq(&p.error_code, &self.error_code)
            && contains(&p.message, &self.message)
            && eq(&p.faultcode, &self.faultcode)
            && contains(&p.fault, &self.faultstring)
            && p.status.is_none_or(|s| self.status == Some(s))
            && p.kinds()
                .is_none_or(|kinds| self.kind.is_some_and(|k| kinds.contains(&k)))
    }

    /// The table's entry for this answer: the most specific match, then the
    /// first.
    #[must_use]
    pub fn entry(&self) -> Option<&'static Entry> {
        let mut best: Option<(usize, &'static Entry)> = None;
        for entry in entries() {
            let score = entry
                .matches
                .iter()
                .filter(|p| self.matches(p))
                .map(Pattern::specificity)
                .max();
            if let Some(score) = score
                && best.is_none_or(|(b, _)| score > b)
            {
                best = Some((score, entry));
            }
        }
        best.map(|(_, e)| e)
    }
}

/// `sf:INVALID_SESSION_ID` → `INVALID_SESSION_ID`.
fn local(code: &str) -> String {
    code.rsplit(':').next().unwrap_or(code).trim().to_owned()
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Answer;
    use crate::kind::Kind;
    use crate::log::{Location, Status, StepLog};

    fn step(kind: Kind, result: serde_json::Value) -> StepLog {
        StepLog {
            index: 1,
            id: None,
            name: "s".into(),
            kind,
            doc: None,
            location: Location::default(),
            status: Status::Failed,
            duration_ms: 0,
            inputs: json!({}),
            exchanges: Vec::new(),
            result,
            checks: Vec::new(),
            error: None,
            hint: None,
        }
    }

    fn id(kind: Kind, result: serde_json::Value) -> Option<String> {
        Answer::of(&step(kind, result))
            .and_then(|a| a.entry())
            .map(|e| e.id.clone())
    }

    #[test]
    fn the_most_specific_entry_wins() {
        let oauth =
            |d: &str| json!({"status": 400, "error": "invalid_grant", "error_description": d});
        assert_eq!(
            id(Kind::Token, oauth("authentication failure")).as_deref(),
            Some("authentication_failure")
        );
        assert_eq!(
            id(Kind::Token, oauth("Authentication Failure")).as_deref(),
            Some("authentication_failure")
        );
        assert_eq!(
            id(Kind::Token, oauth("something new")).as_deref(),
            Some("invalid_grant")
        );
        let rest = |m: &str| json!({"status": 401, "json": [{"message": m, "errorCode": "INVALID_SESSION_ID"}]});
        assert_eq!(
            id(Kind::Request, rest("Session expired or invalid")).as_deref(),
            Some("invalid_session_id")
        );
        assert_eq!(
            id(
                Kind::Request,
                rest("This session is not valid for use with the REST API")
            )
            .as_deref(),
            Some("session_not_valid_for_rest")
        );
    }

    #[test]
    fn answers_are_read_from_every_shape() {
        let fault = json!({"status": 500, "error": "sf:INVALID_SESSION_ID", "error_description": "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session"});
        let a = Answer::of(&step(Kind::Metadata, fault.clone())).unwrap();
        assert_eq!(a.faultcode.as_deref(), Some("INVALID_SESSION_ID"));
        assert_eq!(
            a.label(),
            "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session"
        );
        assert_eq!(
            id(Kind::Metadata, fault).as_deref(),
            Some("soap_invalid_session_id")
        );
        let soap = "<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
        assert_eq!(
            id(Kind::Request, json!({"status": 500, "body": soap})).as_deref(),
            Some("invalid_login")
        );
        let revoke = "error=invalid_token&error_description=Token%20was%20invalid";
        let a = Answer::of(&step(Kind::Request, json!({"status": 400, "body": revoke}))).unwrap();
        assert_eq!(a.label(), "invalid_token: Token was invalid");
        let oauth_json = json!({"status": 400, "json": {"error": "invalid_client_id", "error_description": "client identifier invalid"}});
        assert_eq!(
            id(Kind::Request, oauth_json).as_deref(),
            Some("invalid_client_id")
        );
        assert!(Answer::of(&step(Kind::Request, json!({"status": 500, "body": "oops"}))).is_none());
        assert!(Answer::of(&step(Kind::Token, json!({"status": 400, "json": [1, 2]}))).is_none());
    }

    #[test]
    fn kinds_restrict_a_match() {
        let pending = json!({"error": "authorization_pending"});
        assert_eq!(
            id(Kind::Token, pending.clone()).as_deref(),
            Some("authorization_pending")
        );
        assert_eq!(id(Kind::Callback, pending), None);
    }
}
