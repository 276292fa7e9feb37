//! Secrets and volatile values, and the redactor that keeps them out of every
//! output.
//!
//! The runner registers each secret (tokens, codes, verifiers, credentials) and
//! each random or machine-dependent value (state, ports, timestamps) with its
//! role as soon as it is made or seen. Renderers produce text; the redactor then
//! rewrites that text, so a secret cannot leak whatever position it ends up in
//! (URL, header, form, JSON body, error message), including its URL-encoded,
//! base64 and JSON-escaped forms.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use memchr::memmem::Finder;

mod structured;

/// A string whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The one way to the value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

/// How a registered value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Passwords, client secrets, security tokens, keys: always `********`.
    Credential,
    /// Tokens, codes, verifiers, assertions: a short prefix and `…` when long enough.
    Token,
    /// Not secret, but random or machine-dependent: replaced only in snapshots.
    Volatile,
}

/// How text is rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Role placeholders for every secret and volatile value.
    Snapshot,
    /// Secrets shortened or masked; volatile values kept.
    Display,
    /// `--show-secrets`: nothing changed.
    Reveal,
}

/// Values shorter than this are replaced only where they stand whole.
const SHORT: usize = 8;
/// Tokens at least this long show a prefix in display mode.
const PREFIX_MIN: usize = 20;
const PREFIX_LEN: usize = 6;

#[derive(Debug, Clone)]
struct Entry {
    value: String,
    class: Class,
    placeholder: String,
    /// Replaced only as written: its encoded forms are registered on their own.
    literal: bool,
    /// Every form the value is replaced in, each with its searcher: built on
    /// first search, then shared by the redactor's clones.
    forms: Arc<OnceLock<Box<[Finder<'static>]>>>,
}

impl Entry {
    fn new(value: &str, class: Class, placeholder: String, literal: bool) -> Self {
        Entry {
            value: value.to_owned(),
            class,
            placeholder,
            literal,
            forms: Arc::default(),
        }
    }

    /// A value's class changed: its forms are built again.
    fn reclassify(&mut self, class: Class) {
        self.class = class;
        self.forms = Arc::default();
    }

    fn forms(&self) -> &[Finder<'static>] {
        self.forms.get_or_init(|| self.build_forms())
    }

    fn build_forms(&self) -> Box<[Finder<'static>]> {
        let mut forms = if self.literal {
            vec![(self.value.clone(), true)]
        } else {
            variants(&self.value)
        };
        if self.class != Class::Volatile && self.value.len() >= SHORT {
            for core in base64_cores(&self.value) {
                if !forms.iter().any(|(f, _)| *f == core) {
                    forms.push((core, false));
                }
            }
        }
        forms
            .iter()
            .map(|(form, _)| Finder::new(form.as_bytes()).into_owned())
            .collect()
    }
}

/// What a redactor has learnt. Shared between clones until one learns more,
/// so handing a copy to every step's observer costs a reference count.
#[derive(Debug, Default, Clone)]
struct Known {
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    role_counts: HashMap<String, usize>,
}

/// Learns secret and volatile values and rewrites text that may contain them.
#[derive(Debug, Default)]
pub struct Redactor {
    known: Arc<Known>,
    /// The automata over every value and over the secrets only, built on
    /// first use after a change.
    automata: Mutex<[Option<Arc<Automaton>>; 2]>,
}

impl Clone for Redactor {
    fn clone(&self) -> Self {
        Redactor {
            known: Arc::clone(&self.known),
            automata: Mutex::new([None, None]),
        }
    }
}

/// One automaton over every form of every value a mode replaces.
#[derive(Debug)]
struct Automaton {
    /// The entry each pattern belongs to.
    owners: Vec<usize>,
    automaton: Option<AhoCorasick>,
}

/// Texts at least this long are searched with an automaton: building it costs
/// more than searching a step's few kilobytes form by form.
const AUTOMATON_FROM: usize = 32 * 1024;

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret value with its role (`access_token`, `password`, …).
    pub fn secret(&mut self, role: &str, value: &str, class: Class) {
        self.add(role, value, class, None, false);
    }

    /// Registers a random or machine-dependent value, replaced only in snapshots.
    pub fn volatile(&mut self, role: &str, value: &str) {
        self.add(role, value, Class::Volatile, None, false);
    }

    /// Registers a clock value, or one derived from the clock (a signature over
    /// `issued_at`): every one becomes the same `[role]`, because whether two
    /// of them are equal depends on timing.
    pub fn clock(&mut self, role: &str, value: &str) {
        self.add(
            role,
            value,
            Class::Volatile,
            Some(format!("[{role}]")),
            false,
        );
    }

    /// Registers a value replaced by a fixed text in snapshots (`[mock_url]`).
    pub fn literal(&mut self, value: &str, replacement: &str) {
        self.add(
            "",
            value,
            Class::Volatile,
            Some(replacement.to_owned()),
            true,
        );
    }

    fn add(&mut self, role: &str, value: &str, class: Class, fixed: Option<String>, literal: bool) {
        if value.is_empty() || value.len() < 3 {
            return;
        }
        if let Some(&i) = self.known.index.get(value) {
            // A value first seen as volatile and later known as secret becomes secret.
            if self.known.entries[i].class == Class::Volatile && class != Class::Volatile {
                self.forget_automata();
                Arc::make_mut(&mut self.known).entries[i].reclassify(class);
            }
            return;
        }
        self.forget_automata();
        let known = Arc::make_mut(&mut self.known);
        let placeholder = fixed.unwrap_or_else(|| {
            let n = known.role_counts.entry(role.to_owned()).or_insert(0);
            *n += 1;
            if *n == 1 {
                format!("[{role}]")
            } else {
                format!("[{role}#{n}]")
            }
        });
        known.index.insert(value.to_owned(), known.entries.len());
        known
            .entries
            .push(Entry::new(value, class, placeholder, literal));
    }

    fn forget_automata(&mut self) {
        if let Ok(mut m) = self.automata.lock() {
            *m = [None, None];
        }
    }

    /// Adds another redactor's values (for reports over several scenarios).
    pub fn merge(&mut self, other: &Redactor) {
        self.forget_automata();
        let known = Arc::make_mut(&mut self.known);
        for e in &other.known.entries {
            if !known.index.contains_key(&e.value) {
                known.index.insert(e.value.clone(), known.entries.len());
                known.entries.push(e.clone());
            }
        }
    }

    /// Whether `value` is a registered secret (not merely volatile).
    pub fn is_secret(&self, value: &str) -> bool {
        self.known
            .index
            .get(value)
            .is_some_and(|&i| self.known.entries[i].class != Class::Volatile)
    }

    /// Every registered secret value (for tests and leak checks).
    pub fn secret_values(&self) -> Vec<String> {
        self.known
            .entries
            .iter()
            .filter(|e| e.class != Class::Volatile)
            .map(|e| e.value.clone())
            .collect()
    }

    /// Rewrites `text` for the given mode: secrets, and in snapshots the
    /// volatile values too. This is the pass over finished text; the step
    /// log's values have been through [`Redactor::redact_log`] before.
    pub fn redact(&self, text: &str, mode: Mode) -> String {
        if mode == Mode::Reveal {
            return text.to_owned();
        }
        let secrets_only = mode == Mode::Display;
        self.rewrite(text, mode, secrets_only, text.len() >= AUTOMATON_FROM)
    }

    /// Rewrites one value of the step log: its secrets only (volatile values
    /// are left to the pass over the finished text), in the form `mode` shows
    /// them. The automaton serves every value of a log once built.
    pub(crate) fn redact_secrets(&self, text: &str, mode: Mode) -> Option<String> {
        if mode == Mode::Reveal || text.len() < 3 {
            return None;
        }
        let out = self.rewrite(text, mode, true, true);
        (out != text).then_some(out)
    }

    /// Whether any secret (not merely a volatile value) is known.
    pub(crate) fn knows_secrets(&self) -> bool {
        self.known
            .entries
            .iter()
            .any(|e| e.class != Class::Volatile)
    }

    fn rewrite(&self, text: &str, mode: Mode, secrets_only: bool, automaton: bool) -> String {
        if text.len() < 3 {
            return text.to_owned();
        }
        let found = if automaton {
            let automaton = self.automaton(secrets_only);
            match &automaton.automaton {
                Some(ac) => ac
                    .find_iter(text)
                    .map(|m| (m.start(), m.end(), automaton.owners[m.pattern().as_usize()]))
                    .collect(),
                None => self.search(text, secrets_only),
            }
        } else {
            self.search(text, secrets_only)
        };
        if found.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end, owner) in found {
            let e = &self.known.entries[owner];
            if start < last || (e.value.len() < SHORT && !stands_whole(text, start, end)) {
                continue;
            }
            out.push_str(&text[last..start]);
            out.push_str(&replacement(e, mode));
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// The entries replaced (all, or the secrets only), with their index.
    fn replaced(&self, secrets_only: bool) -> impl Iterator<Item = (usize, &Entry)> {
        self.known
            .entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| !(secrets_only && e.class == Class::Volatile))
    }

    /// Every occurrence of every form, leftmost first and longest first at
    /// the same place (the order the automaton reports them in).
    fn search(&self, text: &str, secrets_only: bool) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for (owner, e) in self.replaced(secrets_only) {
            for form in e.forms() {
                let len = form.needle().len();
                for start in form.find_iter(text.as_bytes()) {
                    found.push((start, start + len, owner));
                }
            }
        }
        found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        found
    }

    fn automaton(&self, secrets_only: bool) -> Arc<Automaton> {
        let slot = usize::from(secrets_only);
        if let Ok(cache) = self.automata.lock()
            && let Some(a) = &cache[slot]
        {
            return Arc::clone(a);
        }
        let mut patterns: Vec<&[u8]> = Vec::new();
        let mut owners = Vec::new();
        for (owner, e) in self.replaced(secrets_only) {
            for form in e.forms() {
                patterns.push(form.needle());
                owners.push(owner);
            }
        }
        let automaton = Arc::new(Automaton {
            owners,
            automaton: AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&patterns)
                .ok(),
        });
        if let Ok(mut cache) = self.automata.lock() {
            cache[slot] = Some(Arc::clone(&automaton));
        }
        automaton
    }
}

fn replacement(e: &Entry, mode: Mode) -> String {
    match (mode, e.class) {
        (Mode::Snapshot, _) => e.placeholder.clone(),
        (_, Class::Credential) => "********".to_owned(),
        (_, Class::Token) if e.value.chars().count() >= PREFIX_MIN => {
            let prefix: String = e.value.chars().take(PREFIX_LEN).collect();
            // Only a prefix that no format escapes or reads as markup is shown.
            if prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!.-_".contains(c))
            {
                format!("{prefix}…")
            } else {
                "********".to_owned()
            }
        }
        (_, Class::Token) => "********".to_owned(),
        (_, Class::Volatile) => e.value.clone(),
    }
}

/// True when the match is not part of a longer word.
fn stands_whole(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let matched = &text[start..end];
    // A boundary is needed only where the value itself begins or ends with a word character.
    let before = !matched.chars().next().is_some_and(word)
        || text[..start].chars().next_back().is_none_or(|c| !word(c));
    let after = !matched.chars().next_back().is_some_and(word)
        || text[end..].chars().next().is_none_or(|c| !word(c));
    before && after
}

/// What base64 text shows of a secret inside a longer base64 text (a Basic
/// credential `id:secret`, a server echoing a request in base64): for each of
/// the three places the secret can start in base64's 3-byte groups, the
/// characters made of the secret's bits alone, in both alphabets.
fn base64_cores(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut cores: Vec<String> = Vec::new();
    for lead in 0..3usize {
        let mut shifted = vec![0u8; lead];
        shifted.extend_from_slice(bytes);
        let first = (8 * lead).div_ceil(6);
        let end = 8 * (lead + bytes.len()) / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&shifted);
            if let Some(core) = encoded.get(first..end)
                && core.len() >= SHORT
                && !cores.iter().any(|c| c == core)
            {
                cores.push(core.to_owned());
            }
        }
    }
    cores
}

/// `value` percent-encoded, keeping ASCII letters, digits and `keep`.
fn percent_encoded(value: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The forms a value can take in output: raw, URL-encoded, base64, JSON-escaped.
fn variants(value: &str) -> Vec<(String, bool)> {
    let mut forms = vec![(value.to_owned(), true)];
    let mut push = |s: String| {
        if s != value && !forms.iter().any(|(f, _)| *f == s) {
            forms.push((s, false));
        }
    };
    let form: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    push(form.replace('+', "%20"));
    push(form);
    // Percent-encoding as the `urlencode` template filter writes it, and as
    // RFC 3986 (unreserved characters kept) and JavaScript clients do.
    for keep in [&b"/.-_"[..], b"-._~", b"-_.!~*'()"] {
        push(percent_encoded(value, keep));
    }
    if value.len() >= SHORT {
        // Padded first: the longest form wins where both match.
        push(STANDARD.encode(value));
        push(URL_SAFE.encode(value));
        push(STANDARD_NO_PAD.encode(value));
        push(URL_SAFE_NO_PAD.encode(value));
    }
    // As markup text or an attribute value (SOAP bodies, HTML pages).
    if value.contains(['&', '<', '>', '"', '\'']) {
        let text = value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        push(text.replace('"', "&quot;").replace('\'', "&#39;"));
        push(text.replace('"', "&quot;").replace('\'', "&apos;"));
        push(text);
    }
    if let Ok(json) = serde_json::to_string(value) {
        push(json[1..json.len() - 1].to_owned());
        // Escaped once more, as inside a JSON string shown in JSON.
        if let Ok(twice) = serde_json::to_string(&json[1..json.len() - 1]) {
            push(twice[1..twice.len() - 1].to_owned());
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_uses_numbered_role_placeholders() {
        let mut r = Redactor::new();
        r.secret(
            "access_token",
            "00Dak0000000001!AQ.first-token-value",
            Class::Token,
        );
        r.secret(
            "access_token",
            "00Dak0000000001!AQ.second-token-val",
            Class::Token,
        );
        let text = "a=00Dak0000000001!AQ.second-token-val b=00Dak0000000001!AQ.first-token-value";
        assert_eq!(
            r.redact(text, Mode::Snapshot),
            "a=[access_token#2] b=[access_token]"
        );
    }

    #[test]
    fn display_shows_prefix_for_long_tokens_and_masks_credentials() {
        let mut r = Redactor::new();
        r.secret(
            "access_token",
            "00Dak0000000001!AQ.some-long-token",
            Class::Token,
        );
        r.secret("client_secret", "S3CR3T-VALUE-123", Class::Credential);
        let text = "Bearer 00Dak0000000001!AQ.some-long-token secret=S3CR3T-VALUE-123";
        assert_eq!(
            r.redact(text, Mode::Display),
            "Bearer 00Dak0… secret=********"
        );
    }

    #[test]
    fn encoded_forms_are_redacted() {
        let mut r = Redactor::new();
        r.secret("code", "aPrx/abc+def==", Class::Token);
        let text = "code=aPrx%2Fabc%2Bdef%3D%3D b64=YVByeC9hYmMrZGVmPT0=";
        let out = r.redact(text, Mode::Snapshot);
        assert_eq!(out, "code=[code] b64=[code]");
    }

    #[test]
    fn base64_without_padding_is_redacted() {
        // Found by the property test: a secret's base64 without `=` padding leaked.
        let mut r = Redactor::new();
        r.secret("code", " 0  aA00ய🪀0AAA", Class::Token);
        assert_eq!(
            r.redact("x IDAgIGFBMDDgrq/wn6qAMEFBQQ y", Mode::Snapshot),
            "x [code] y"
        );
    }

    #[test]
    fn short_values_only_whole() {
        let mut r = Redactor::new();
        r.secret("password", "abc12", Class::Credential);
        assert_eq!(r.redact("xabc12 abc12", Mode::Display), "xabc12 ********");
    }

    #[test]
    fn volatile_values_kept_outside_snapshots() {
        let mut r = Redactor::new();
        r.volatile("state", "k3j4h5g6f7");
        r.literal("http://127.0.0.1:40123", "[mock_url]");
        let text = "http://127.0.0.1:40123/x?state=k3j4h5g6f7";
        assert_eq!(r.redact(text, Mode::Display), text);
        assert_eq!(r.redact(text, Mode::Snapshot), "[mock_url]/x?state=[state]");
    }

    #[test]
    fn secret_debug_is_masked() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "********");
    }
}

#[cfg(test)]
mod proptests {
    //! The redactor never lets a registered secret through: whatever the
    //! secret, whatever the text around it, whichever way it is encoded.

    use proptest::prelude::*;

    use super::*;

    /// The forms a leak would take, as a reader would search for them.
    fn leak_forms(secret: &str) -> Vec<(&'static str, String)> {
        let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let json = serde_json::to_string(secret).unwrap_or_default();
        vec![
            ("whole", secret.to_owned()),
            ("form-urlencoded", form.clone()),
            ("percent-encoded", form.replace('+', "%20")),
            ("base64", STANDARD_NO_PAD.encode(secret)),
            ("base64url", URL_SAFE_NO_PAD.encode(secret)),
            ("json", json[1..json.len() - 1].to_owned()),
        ]
    }

    /// How a secret is written into the text.
    fn embed(secret: &str, how: usize) -> String {
        let json = serde_json::to_string(secret).unwrap_or_default();
        let once = json[1..json.len() - 1].to_owned();
        let twice = serde_json::to_string(&once).unwrap_or_default();
        let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        match how {
            0 => secret.to_owned(),
            1 => form.clone(),
            2 => form.replace('+', "%20"),
            3 => STANDARD.encode(secret),
            4 => STANDARD_NO_PAD.encode(secret),
            5 => URL_SAFE_NO_PAD.encode(secret),
            6 => once,
            _ => twice[1..twice.len() - 1].to_owned(),
        }
    }

    /// Whether `c` can be part of some form of `secret` in a text: raw,
    /// URL-encoded, base64 (either alphabet, any alignment), JSON-escaped.
    /// Text without such characters cannot be part of any match, so the
    /// redactor must pass it through as it is.
    fn may_encode(c: char, secret: &str) -> bool {
        c.is_ascii_alphanumeric() || "%+/=-_.*\\\"".contains(c) || secret.contains(c)
    }

    /// `text` without the characters that may encode one of `secrets`.
    fn inert(text: &str, secrets: &[String]) -> String {
        text.chars()
            .filter(|&c| !secrets.iter().any(|s| may_encode(c, s)))
            .collect()
    }

    /// The text around the secrets survives: redacting `before + middle +
    /// after` (`before` and `after` inert) changes the middle only.
    fn surroundings_survive(
        r: &Redactor,
        before: &str,
        middle: &str,
        after: &str,
        mode: Mode,
    ) -> Result<(), TestCaseError> {
        let out = r.redact(&format!("{before}{middle}{after}"), mode);
        let expected = format!("{before}{}{after}", r.redact(middle, mode));
        prop_assert_eq!(
            out,
            expected,
            "the text around a secret changed in {:?}",
            mode
        );
        Ok(())
    }

    fn secret() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9]{8,64}",
            "[A-Za-z0-9!.*_=+/%&?#~ -]{8,64}",
            "[ -~]{8,64}",
            "\\PC{8,24}",
            // Shaped like Salesforce's tokens and codes.
            "00D[A-Za-z0-9]{12}![A-Za-z0-9._]{40,80}",
            "aPrx[A-Za-z0-9._]{40,60}==",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        #[test]
        fn a_secret_never_shows(
            secret in secret(),
            credential in any::<bool>(),
            how in 0usize..8,
            before in "\\PC{0,40}",
            after in "\\PC{0,40}",
        ) {
            let mut r = Redactor::new();
            let class = if credential { Class::Credential } else { Class::Token };
            r.secret("role", &secret, class);
            let text = format!("{before}{}{after}", embed(&secret, how));
            let secrets = [secret.clone()];
            let (calm_before, calm_after) = (inert(&before, &secrets), inert(&after, &secrets));
            for mode in [Mode::Display, Mode::Snapshot] {
                let out = r.redact(&text, mode);
                for (form, leak) in leak_forms(&secret) {
                    prop_assert!(
                        !out.contains(&leak) || before.contains(&leak) || after.contains(&leak),
                        "{form} form {leak:?} of {secret:?} shows in {mode:?}: {out:?}"
                    );
                }
                surroundings_survive(&r, &calm_before, &embed(&secret, how), &calm_after, mode)?;
            }
        }

        #[test]
        fn a_secret_inside_longer_base64_never_shows(
            secret in secret(),
            before in "\\PC{0,20}",
            after in "\\PC{0,20}",
            url_safe in any::<bool>(),
            mode in prop_oneof![Just(Mode::Display), Just(Mode::Snapshot)],
        ) {
            let mut r = Redactor::new();
            r.secret("role", &secret, Class::Credential);
            let blob = format!("{before}{secret}{after}");
            let encoded = if url_safe {
                URL_SAFE_NO_PAD.encode(&blob)
            } else {
                STANDARD.encode(&blob)
            };
            let out = r.redact(&format!("x-echo: {encoded}"), mode);
            // The header name survives: no form of a secret without `:` and
            // ` ` crosses `: `, and `x-echo` is shorter than any form.
            if !secret.contains(':') && !secret.contains(' ') {
                prop_assert!(out.starts_with("x-echo: "), "{out:?}");
            }
            // Decode every run of base64 left in the output: the secret is not in any.
            for run in out.split(|c: char| !(c.is_ascii_alphanumeric() || "+/-_".contains(c))) {
                for skip in 0..4 {
                    let Some(part) = run.get(skip..) else { continue };
                    let part = &part[..part.len() - part.len() % 4];
                    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                        if let Ok(bytes) = engine.decode(part) {
                            let text = String::from_utf8_lossy(&bytes);
                            prop_assert!(!text.contains(secret.as_str()), "{secret:?} in {out:?}");
                        }
                    }
                }
            }
        }

        #[test]
        fn several_secrets_never_show(
            secrets in proptest::collection::vec(secret(), 1..5),
            hows in proptest::collection::vec(0usize..8, 5),
            glue in "[ &=?/:,\"\\\\]{0,3}",
            before in "\\PC{0,20}",
            after in "\\PC{0,20}",
        ) {
            let mut r = Redactor::new();
            for (i, s) in secrets.iter().enumerate() {
                r.secret(&format!("role{i}"), s, Class::Token);
                // Values that are not secret must not disturb the others.
                r.volatile("state", &format!("{s}-state"));
            }
            let text = secrets
                .iter()
                .zip(&hows)
                .map(|(s, how)| embed(s, *how))
                .collect::<Vec<_>>()
                .join(&glue);
            let (calm_before, calm_after) = (inert(&before, &secrets), inert(&after, &secrets));
            for mode in [Mode::Display, Mode::Snapshot] {
                let out = r.redact(&text, mode);
                for s in &secrets {
                    for (form, leak) in leak_forms(s) {
                        prop_assert!(
                            !out.contains(&leak),
                            "{form} form {leak:?} of {s:?} shows in {mode:?}: {out:?}"
                        );
                    }
                }
                surroundings_survive(&r, &calm_before, &text, &calm_after, mode)?;
            }
        }
    }
}
