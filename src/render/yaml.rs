//! A small block-YAML emitter for JSON values, written for snapshots that
//! stay valid after redaction.
//!
//! Every string is double-quoted (or a literal block when it spans lines), so
//! a placeholder such as `[mock_url]` or a mask such as `********` substituted
//! into the text later can never turn a scalar into a flow sequence or an
//! alias, and a value like `"62.0"` or `"yes"` keeps its type. Double-quoted
//! escapes are JSON's, so the redactor's JSON-escaped forms match here too.

use serde_json::{Map, Value};

/// `value` as a YAML document ending with a newline.
pub(super) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => sequence(&mut out, items, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

/// A block mapping with keys at column `indent`; with `inline`, the first key
/// continues the current line (after `- `).
fn mapping(out: &mut String, map: &Map<String, Value>, indent: usize, inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str(&key_text(key));
        out.push(':');
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(out, inner, indent + 2, false);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                sequence(out, items, indent + 2);
            }
            Value::String(s) if fits_block(s) => {
                out.push(' ');
                literal(out, s, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                mapping(out, map, indent + 2, true);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                sequence(out, inner, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

/// Keys stay plain when they cannot be read as anything but a string.
fn key_text(key: &str) -> String {
    const RESERVED: [&str; 11] = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", "",
    ];
    let mut chars = key.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !RESERVED.contains(&key.to_ascii_lowercase().as_str());
    if plain { key.to_owned() } else { quoted(key) }
}

/// A double-quoted scalar with JSON-compatible escapes.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                // Outside the BMP a char is never a control or special: one escape suffices.
                let code = u32::from(c);
                out.push_str("\\u");
                out.extend((0..4).rev().map(|i| hex_digit(code >> (4 * i))));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hex_digit(nibble: u32) -> char {
    char::from_digit(nibble & 0xf, 16).unwrap_or('0')
}

/// Characters YAML does not allow raw, or reads as line breaks.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Multi-line text without characters a literal block cannot hold.
fn fits_block(s: &str) -> bool {
    s.trim_end_matches('\n').contains('\n')
        && s.chars()
            .all(|c| c == '\n' || c == '\t' || !needs_escape(c))
}

/// A literal block scalar whose content sits at column `indent`.
fn literal(out: &mut String, s: &str, indent: usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push('|');
    if s.starts_with([' ', '\n']) {
        // Content indentation cannot be detected from a first line that is
        // empty or starts with a space: state it (relative to the key).
        out.push('2');
    }
    out.push_str(match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    });
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::to_yaml;

    fn round_trip(value: &Value) {
        let text = to_yaml(value);
        let back: Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("invalid YAML ({e}):\n{text}"));
        assert_eq!(&back, value, "\n{text}");
    }

    #[test]
    fn tricky_strings_round_trip() {
        for s in [
            "62.0",
            "true",
            "no",
            "null",
            "~",
            "",
            " lead",
            "a: b",
            "- x",
            "#c",
            "[x]",
            "*a",
            "é ü ✓",
            "tab\there",
            "quote\"back\\",
            "ctrl\u{1}\u{7f}",
            "line\u{2028}sep",
        ] {
            round_trip(&json!({ "k": s, "list": [s] }));
        }
    }

    #[test]
    fn multi_line_strings_round_trip() {
        for s in [
            "a\nb",
            "a\nb\n",
            "a\nb\n\n\n",
            "  lead\nb",
            "\nlead\n",
            "\n   \nx",
            "a\n  \n\nb",
            "a\r\nb",
            "x\n\ty\n",
            "a\n  ",
        ] {
            round_trip(
                &json!({ "k": s, "nested": [{ "inner": { "k": s }, "n": 1 }], "list": [s] }),
            );
        }
    }

    #[test]
    fn structures_round_trip() {
        round_trip(&json!({
            "empty_map": {}, "empty_list": [], "nested": [[1, 2], [], [{}], [{"a": null}]],
            "numbers": [0, -1, 1.5, 12_345_678_901_234_567_u64], "yes": true, "1": "one",
            "a b": "spaced key", "<<": "merge"
        }));
        round_trip(&json!([1, "two", {"three": 3}]));
        round_trip(&json!("scalar"));
    }

    #[test]
    fn layout_is_plain_block_yaml() {
        let text = to_yaml(&json!({"a": [{"b": 1, "c": "x"}], "d": {"e": "l1\nl2\n"}}));
        assert_eq!(
            text,
            "a:\n  - b: 1\n    c: \"x\"\nd:\n  e: |\n    l1\n    l2\n"
        );
    }
}
