//! The redactor, case by case.

use super::{Class, Mode, Redactor, Secret};

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
    r.literal(
        "http://127.0.0.1:40123",
        "[mock_url]",
        "https://MyDomain.my.salesforce.com",
    );
    let text = "http://127.0.0.1:40123/x?state=k3j4h5g6f7";
    assert_eq!(r.redact(text, Mode::Display), text);
    assert_eq!(r.redact(text, Mode::Snapshot), "[mock_url]/x?state=[state]");
}

#[test]
fn secret_debug_is_masked() {
    assert_eq!(format!("{:?}", Secret::new("hunter2")), "********");
}
