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
use memchr::memmem::Finder;

mod forms;
mod structured;

use forms::{base64_cores, variants};

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
    /// Documentation made with `--seed`: secrets as in `Display`, and the
    /// values that change from run to run by nature (the mock's URL, free
    /// ports) written as readable stand-ins, so that a page regenerates to
    /// the same bytes.
    Document,
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
    /// Its stand-in in [`Mode::Document`] (`https://MyDomain.my.salesforce.com`).
    readable: Option<String>,
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
            readable: None,
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

    /// Gives a known value a stand-in for documentation: a value that
    /// depends on the machine even with `--seed` (a signature over a URL
    /// with the mock's port).
    pub fn readable(&mut self, value: &str, readable: &str) {
        if let Some(&i) = self.known.index.get(value) {
            let known = Arc::make_mut(&mut self.known);
            known.entries[i].readable = Some(readable.to_owned());
        }
    }

    /// Registers a value replaced by a fixed text in snapshots (`[mock_url]`)
    /// and by a readable stand-in in documentation
    /// (`https://MyDomain.my.salesforce.com`).
    pub fn literal(&mut self, value: &str, replacement: &str, readable: &str) {
        self.add(
            "",
            value,
            Class::Volatile,
            Some(replacement.to_owned()),
            true,
        );
        if let Some(&i) = self.known.index.get(value) {
            let known = Arc::make_mut(&mut self.known);
            known.entries[i].readable = Some(readable.to_owned());
        }
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
        if mode == Mode::Document {
            let owners: Vec<usize> = self
                .known
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.class != Class::Volatile || e.readable.is_some())
                .map(|(i, _)| i)
                .collect();
            let found = self.search_among(text, &owners);
            return self
                .replace_found(text, mode, found)
                .unwrap_or_else(|| text.to_owned());
        }
        let secrets_only = mode == Mode::Display;
        self.rewrite(text, mode, secrets_only, text.len() >= AUTOMATON_FROM)
    }

    /// Rewrites one value of the step log: its secrets only (volatile values
    /// are left to the pass over the finished text), in the form `mode` shows
    /// them; `None` when it holds none. `among` narrows the search to these
    /// entries (those found in the whole log, see `secrets_in`).
    pub(crate) fn redact_secrets_among(
        &self,
        text: &str,
        mode: Mode,
        among: Option<&[usize]>,
    ) -> Option<String> {
        if mode == Mode::Reveal || text.len() < 3 {
            return None;
        }
        let found = match among {
            Some(owners) => self.search_among(text, owners),
            None => self.search(text, true),
        };
        self.replace_found(text, mode, found)
    }

    /// [`Redactor::redact_secrets_among`] over every secret.
    pub(crate) fn redact_secrets(&self, text: &str, mode: Mode) -> Option<String> {
        self.redact_secrets_among(text, mode, None)
    }

    /// The secrets (not the volatile values) that occur in `text`, by entry:
    /// the few a log's values must be searched for.
    pub(crate) fn secrets_in(&self, text: &str) -> Vec<usize> {
        self.replaced(true)
            .filter(|(_, e)| e.forms().iter().any(|f| f.find(text.as_bytes()).is_some()))
            .map(|(owner, _)| owner)
            .collect()
    }

    /// The volatile values with a readable stand-in (the mock's URL, a free
    /// port) that occur in `text`: what [`Mode::Document`] rewrites in a
    /// log's values before rendering.
    pub(crate) fn readable_in(&self, text: &str) -> Vec<usize> {
        self.known
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.class == Class::Volatile && e.readable.is_some())
            .filter(|(_, e)| text.contains(e.value.as_str()))
            .map(|(owner, _)| owner)
            .collect()
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
        self.replace_found(text, mode, found)
            .unwrap_or_else(|| text.to_owned())
    }

    /// `text` with the matches `found` (leftmost first, longest first at one
    /// place) replaced; `None` when nothing was.
    fn replace_found(
        &self,
        text: &str,
        mode: Mode,
        found: Vec<(usize, usize, usize)>,
    ) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut replaced = false;
        for (start, end, owner) in found {
            let e = &self.known.entries[owner];
            if start < last || (e.value.len() < SHORT && !stands_whole(text, start, end)) {
                continue;
            }
            out.push_str(&text[last..start]);
            out.push_str(&replacement(e, mode));
            last = end;
            replaced = true;
        }
        if !replaced {
            return None;
        }
        out.push_str(&text[last..]);
        Some(out)
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
        let owners: Vec<usize> = self.replaced(secrets_only).map(|(i, _)| i).collect();
        self.search_among(text, &owners)
    }

    /// [`Redactor::search`] over these entries only.
    fn search_among(&self, text: &str, owners: &[usize]) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for &owner in owners {
            for form in self.known.entries[owner].forms() {
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
        (Mode::Document, Class::Volatile) => e.readable.clone().unwrap_or_else(|| e.value.clone()),
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
