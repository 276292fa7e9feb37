use super::{Page, Probe, quote, same_resource};

fn probe(found: &[&str]) -> Probe {
    Probe {
        found: found.iter().map(|s| (*s).to_owned()).collect(),
        ..Probe::default()
    }
}

#[test]
fn pages_are_told_by_what_they_show() {
    assert_eq!(
        Page::of(&probe(&["username", "password", "login"])),
        Page::Login
    );
    assert_eq!(Page::of(&probe(&["password"])), Page::Login);
    assert_eq!(Page::of(&probe(&["totp", "verify"])), Page::Verification);
    assert_eq!(Page::of(&probe(&["allow", "deny"])), Page::Consent);
    assert_eq!(Page::of(&probe(&["user_code"])), Page::UserCode);
    assert_eq!(Page::of(&probe(&["error"])), Page::Other);
}

#[test]
fn the_redirect_uri_is_matched_without_query_or_fragment() {
    let r = "http://localhost:8000/callback";
    assert!(same_resource("http://localhost:8000/callback?code=x", r));
    assert!(same_resource(
        "http://localhost:8000/callback#access_token=x",
        r
    ));
    assert!(!same_resource("http://localhost:8001/callback", r));
    assert!(!same_resource("http://localhost:8000/callback/x", r));
}

#[test]
fn page_text_is_quoted_on_one_line_and_cut() {
    assert_eq!(quote("  a\n b\t c "), "a b c");
    let long = "x".repeat(400);
    assert_eq!(quote(&long).chars().count(), 301);
    let p = Probe {
        error: " Please check your username and password. ".into(),
        heading: "Log In".into(),
        ..Probe::default()
    };
    assert_eq!(p.said(), "Please check your username and password.");
}
