//! The hint table, `hints.yaml`, embedded in the binary and parsed once.
//!
//! The table is data rather than Rust: the same entries make the docs'
//! error table (`docs/errors.md`) and the walkthroughs' common errors, and
//! its wording — Salesforce's settings, quoted error strings, links — is
//! reviewed like documentation. The cost is that a mistake in the file is
//! found by a test (`the_table_is_well_formed`) instead of the compiler;
//! parsing it takes well under a millisecond and happens only when a step
//! fails.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::kind::Kind;

/// The file, as written.
pub const SOURCE: &str = include_str!("hints.yaml");

/// Where an error happens, as the `flows` of an entry name it.
pub const FLOWS: &[&str] = &[
    "web_server",
    "user_agent",
    "username_password",
    "refresh_token",
    "jwt_bearer",
    "client_credentials",
    "device",
    "revoke",
    "rest",
    "metadata",
    "soap_login",
];

/// One known error.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    #[serde(rename = "match")]
    pub matches: Vec<Pattern>,
    pub flows: Vec<String>,
    pub meaning: String,
    pub causes: Vec<String>,
    pub fix: String,
    pub sources: Vec<String>,
}

/// One way an answer is recognised: every key given must match.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// OAuth `error`, exact.
    pub error: Option<String>,
    /// OAuth `error_description`, exact but for case.
    pub description: Option<String>,
    /// REST `errorCode`, exact.
    pub error_code: Option<String>,
    /// REST `message` contains it, ignoring case.
    pub message: Option<String>,
    /// SOAP `faultcode` without its namespace prefix, exact.
    pub faultcode: Option<String>,
    /// SOAP `faultstring` contains it, ignoring case.
    pub fault: Option<String>,
    pub status: Option<u16>,
    /// Step kinds (`token`, `request`, …) the answer may come from.
    pub kinds: Option<Vec<String>>,
}

impl Pattern {
    /// How many keys it sets: a more specific pattern wins.
    #[must_use]
    pub fn specificity(&self) -> usize {
        let Pattern {
            error,
            description,
            error_code,
            message,
            faultcode,
            fault,
            status,
            kinds,
        } = self;
        [
            error.is_some(),
            description.is_some(),
            error_code.is_some(),
            message.is_some(),
            faultcode.is_some(),
            fault.is_some(),
            status.is_some(),
            kinds.is_some(),
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }

    /// The step kinds it names, when every name is a kind.
    #[must_use]
    pub fn kinds(&self) -> Option<Vec<Kind>> {
        self.kinds
            .as_ref()
            .map(|names| names.iter().filter_map(|n| Kind::from_name(n)).collect())
    }

    /// The error as Salesforce names it, for the docs: `invalid_grant:
    /// authentication failure`, `INVALID_SESSION_ID (HTTP 401)`.
    #[must_use]
    pub fn label(&self) -> String {
        let mut label = [&self.error, &self.error_code, &self.faultcode]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        for detail in [&self.description, &self.message, &self.fault]
            .into_iter()
            .flatten()
        {
            label.push_str(": ");
            label.push_str(detail);
        }
        if let Some(status) = self.status {
            label.push_str(&format!(" (HTTP {status})"));
        }
        label
    }
}

/// The parsed table; empty if the embedded file does not parse, which
/// `the_table_is_well_formed` rules out for every build that passed its
/// tests.
#[must_use]
pub fn entries() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| parse(SOURCE).unwrap_or_default())
}

/// The entries of a flow (one of [`FLOWS`]), in the table's order: a
/// walkthrough's common errors.
pub fn for_flow(flow: &str) -> impl Iterator<Item = &'static Entry> {
    let flow = flow.to_owned();
    entries().iter().filter(move |e| e.flows.contains(&flow))
}

/// The entry with this id.
#[must_use]
pub fn entry(id: &str) -> Option<&'static Entry> {
    entries().iter().find(|e| e.id == id)
}

/// Parses a table.
///
/// # Errors
///
/// The YAML error, with its place.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

/// What is wrong with a table, one line each; empty when nothing is.
#[must_use]
pub fn problems(entries: &[Entry]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = format!("entry `{}`", e.id);
        if e.id.is_empty() || !e.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            out.push(format!("{at}: an id is lowercase letters and `_`"));
        }
        if entries[..i].iter().any(|other| other.id == e.id) {
            out.push(format!("{at}: the id is used twice"));
        }
        if e.matches.is_empty() || e.matches.iter().any(|p| p.specificity() == 0) {
            out.push(format!("{at}: every `match` alternative needs a key"));
        }
        for p in &e.matches {
            if p.kinds
                .as_ref()
                .is_some_and(|k| p.kinds().map_or(0, |kinds| kinds.len()) != k.len())
            {
                out.push(format!("{at}: `kinds` names an unknown step kind"));
            }
        }
        if e.flows.is_empty() || e.flows.iter().any(|f| !FLOWS.contains(&f.as_str())) {
            out.push(format!("{at}: `flows` must name some of {FLOWS:?}"));
        }
        if !(1..=4).contains(&e.causes.len()) {
            out.push(format!("{at}: one to four causes"));
        }
        let prose = std::iter::once(&e.meaning)
            .chain(&e.causes)
            .chain(std::iter::once(&e.fix));
        for text in prose {
            if text.trim().is_empty() || text.contains('\n') {
                out.push(format!("{at}: empty or multi-line text: {text:?}"));
            }
        }
        // One to three lines of about a hundred characters.
        if e.fix.chars().count() > 300 {
            out.push(format!("{at}: the fix is longer than three lines"));
        }
        if e.sources.is_empty() {
            out.push(format!("{at}: no source"));
        }
        for s in &e.sources {
            let plain = s
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>[]`|\"'".contains(&b));
            if !s.starts_with("https://") || !plain {
                out.push(format!("{at}: a source is a plain https URL: {s}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{SOURCE, entries, parse, problems};

    #[test]
    fn the_table_is_well_formed() {
        let table = parse(SOURCE).unwrap_or_else(|e| panic!("hints.yaml: {e}"));
        assert!(table.len() >= 25, "{} entries", table.len());
        let problems = problems(&table);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert_eq!(entries().len(), table.len());
        for flow in super::FLOWS {
            assert!(
                super::for_flow(flow).next().is_some(),
                "no entry for {flow}"
            );
        }
    }

    #[test]
    fn problems_are_found() {
        let bad = parse(
            "- id: Bad-Id\n  match: [{}]\n  flows: [nowhere]\n  meaning: m\n  causes: []\n  fix: f\n  sources: [http://x]\n",
        )
        .unwrap_or_default();
        let found = problems(&bad).join("\n");
        for what in [
            "lowercase",
            "needs a key",
            "`flows`",
            "one to four",
            "https",
        ] {
            assert!(found.contains(what), "{what}: {found}");
        }
        assert!(parse("- id: x\n  colour: red\n").is_err());
    }
}
