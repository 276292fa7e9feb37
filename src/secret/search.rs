//! Finding the values a redactor knows in a text, and replacing each with
//! its form for the output mode: form by form for a step's few kilobytes,
//! with one Aho-Corasick automaton for long texts.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{Class, Entry, Mode, PREFIX_LEN, PREFIX_MIN, Redactor, SHORT};

/// One automaton over every form of every value a mode replaces.
#[derive(Debug)]
pub(super) struct Automaton {
    /// The entry each pattern belongs to.
    owners: Vec<usize>,
    automaton: Option<AhoCorasick>,
}

/// Texts at least this long are searched with an automaton: building it costs
/// more than searching a step's few kilobytes form by form.
pub(super) const AUTOMATON_FROM: usize = 32 * 1024;

impl Redactor {
    pub(super) fn rewrite(
        &self,
        text: &str,
        mode: Mode,
        secrets_only: bool,
        automaton: bool,
    ) -> String {
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
    pub(super) fn replace_found(
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
    pub(super) fn replaced(&self, secrets_only: bool) -> impl Iterator<Item = (usize, &Entry)> {
        self.known
            .entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| !(secrets_only && e.class == Class::Volatile))
    }

    /// Every occurrence of every form, leftmost first and longest first at
    /// the same place (the order the automaton reports them in).
    pub(super) fn search(&self, text: &str, secrets_only: bool) -> Vec<(usize, usize, usize)> {
        let owners: Vec<usize> = self.replaced(secrets_only).map(|(i, _)| i).collect();
        self.search_among(text, &owners)
    }

    /// [`Redactor::search`] over these entries only.
    pub(super) fn search_among(&self, text: &str, owners: &[usize]) -> Vec<(usize, usize, usize)> {
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

    pub(super) fn automaton(&self, secrets_only: bool) -> Arc<Automaton> {
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

pub(super) fn replacement(e: &Entry, mode: Mode) -> String {
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
pub(super) fn stands_whole(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let matched = &text[start..end];
    // A boundary is needed only where the value itself begins or ends with a word character.
    let before = !matched.chars().next().is_some_and(word)
        || text[..start].chars().next_back().is_none_or(|c| !word(c));
    let after = !matched.chars().next_back().is_some_and(word)
        || text[end..].chars().next().is_none_or(|c| !word(c));
    before && after
}
