//! The redactor never lets a registered secret through: whatever the
//! secret, whatever the text around it, whichever way it is encoded.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use proptest::prelude::*;

use super::{Class, Mode, Redactor};

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
