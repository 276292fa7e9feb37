//! What a page is, as the probe script reads it: the selectors it matches,
//! what it says, and which kind of page that makes it.

use super::*;

/// What the probe script sees of the page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Probe {
    pub(super) url: String,
    pub(super) title: String,
    pub(super) ready: String,
    /// The mark this walk left on the document, if it is still the same one.
    pub(super) mark: Option<u64>,
    /// Selector keys with a visible match.
    pub(super) found: Vec<String>,
    /// Selector keys that are not valid CSS.
    pub(super) invalid: Vec<String>,
    /// The visible text of the `error` selector's element.
    pub(super) error: String,
    pub(super) heading: String,
    pub(super) text: String,
}

impl Probe {
    pub(super) fn has(&self, key: &str) -> bool {
        self.found.iter().any(|k| k == key)
    }

    /// Where the page is: its URL without query, and its title.
    pub(super) fn place(&self) -> String {
        let title = quote(&self.title);
        if title.is_empty() {
            strip_query(&self.url).to_owned()
        } else {
            format!("{} (\"{title}\")", strip_query(&self.url))
        }
    }

    /// What the page says: its error message, else its heading and text.
    pub(super) fn said(&self) -> String {
        let text = if self.error.trim().is_empty() {
            format!("{} {}", self.heading.trim(), self.text.trim())
        } else {
            self.error.trim().to_owned()
        };
        quote(&text)
    }
}

/// The probe: one round trip reads the page, and marks the document so that
/// a new one is told from it.
pub(super) const PROBE: &str = r"
const [sel, mark] = arguments;
if (mark !== null) { window.__sfscenarioMark = mark; }
const visible = (e) => e.type !== 'hidden' && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
const found = [], invalid = [];
for (const [key, css] of Object.entries(sel)) {
  try { if (Array.from(document.querySelectorAll(css)).some(visible)) { found.push(key); } }
  catch (e) { invalid.push(key); }
}
let error = '';
try { const e = Array.from(document.querySelectorAll(sel.error)).find(visible); if (e) { error = e.innerText; } } catch (e) {}
const h = document.querySelector('h1, h2');
return { url: location.href, title: document.title, ready: document.readyState,
  mark: (typeof window.__sfscenarioMark === 'number') ? window.__sfscenarioMark : null,
  found, invalid, error, heading: h ? h.innerText : '',
  text: document.body ? document.body.innerText.slice(0, 2000) : '' };
";

/// Takes every secret off the page before it is saved: inputs holding one
/// are emptied, text and attributes holding one show `********`. Values
/// shorter than 8 characters only where they stand whole (as the redactor).
pub(super) const MASK: &str = r"
const secrets = arguments[0].filter((s) => s.length > 0);
const hides = (v) => secrets.some((s) => s.length >= 8 ? v.includes(s) : v.trim() === s);
const masked = (v) => { let t = v; for (const s of secrets) { t = s.length >= 8 ? t.split(s).join('********') : (t.trim() === s ? '********' : t); } return t; };
for (const e of document.querySelectorAll('input, textarea')) { if (e.value && hides(e.value)) { e.value = ''; } }
const root = document.body || document.documentElement;
if (root) {
  const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) { if (hides(n.nodeValue)) { n.nodeValue = masked(n.nodeValue); } }
  for (const e of document.querySelectorAll('*')) {
    for (const a of Array.from(e.attributes)) { if (hides(a.value)) { e.setAttribute(a.name, masked(a.value)); } }
  }
}
if (hides(document.title)) { document.title = masked(document.title); }
return true;
";

/// The page kinds the walk answers, by the selectors they match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Page {
    Verification,
    Login,
    Consent,
    UserCode,
    Other,
}

impl Page {
    pub(super) fn of(probe: &Probe) -> Page {
        if probe.has("totp") {
            Page::Verification
        } else if probe.has("password") {
            Page::Login
        } else if probe.has("allow") || probe.has("deny") {
            Page::Consent
        } else if probe.has("user_code") {
            Page::UserCode
        } else {
            Page::Other
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Page::Verification => "verification",
            Page::Login => "login",
            Page::Consent => "consent",
            Page::UserCode => "device code",
            Page::Other => "other",
        }
    }
}
