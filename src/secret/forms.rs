//! The forms a secret can take in output — raw, URL- and percent-encoded,
//! base64 (also inside longer base64), JSON- and XML-escaped — each of which
//! the redactor searches for.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::SHORT;

/// What base64 text shows of a secret inside a longer base64 text (a Basic
/// credential `id:secret`, a server echoing a request in base64): for each of
/// the three places the secret can start in base64's 3-byte groups, the
/// characters made of the secret's bits alone, in both alphabets.
pub(super) fn base64_cores(value: &str) -> Vec<String> {
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

/// Percent-encoding as the `urlencode` template filter writes it (ASCII
/// letters and digits kept, and `/ . - _`).
const FILTER: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'.')
    .remove(b'-')
    .remove(b'_');
/// RFC 3986: the unreserved characters kept.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// JavaScript's `encodeURIComponent`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The forms a value can take in output: raw, URL-encoded, base64, JSON-escaped.
pub(super) fn variants(value: &str) -> Vec<(String, bool)> {
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
    for set in [FILTER, UNRESERVED, COMPONENT] {
        push(utf8_percent_encode(value, set).to_string());
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
