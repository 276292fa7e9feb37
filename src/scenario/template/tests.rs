//! Templates, case by case.

use super::*;

fn ctx() -> Value {
    Value::from_serialize(serde_json::json!({"n": 5, "s": "a b", "m": {"k": "v"}}))
}

#[test]
fn lone_expression_keeps_type() {
    let t = Templates::new();
    assert_eq!(
        t.render_str("{{ n }}", &ctx()).unwrap(),
        serde_json::json!(5)
    );
    assert_eq!(
        t.render_str("x{{ n }}", &ctx()).unwrap(),
        serde_json::json!("x5")
    );
    assert_eq!(
        t.render_str("{{ m }}", &ctx()).unwrap(),
        serde_json::json!({"k": "v"})
    );
}

#[test]
fn undefined_is_an_error() {
    let t = Templates::new();
    assert!(t.render_str("{{ nope }}", &ctx()).is_err());
    assert!(t.render_str("a {{ nope }}", &ctx()).is_err());
    assert!(t.render_str("{{ m.nope }}", &ctx()).is_err());
}

#[test]
fn extra_filters() {
    let t = Templates::new();
    let r = |s| t.render_str(s, &ctx()).unwrap();
    assert_eq!(r("{{ s | urlencode }}"), serde_json::json!("a%20b"));
    assert_eq!(r("{{ 'hi' | b64encode }}"), serde_json::json!("aGk="));
    assert_eq!(r("{{ 'hi?' | b64url }}"), serde_json::json!("aGk_"));
    assert_eq!(
        r("{{ 'abc' | sha256 }}"),
        serde_json::json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(r("{{ m | json }}"), serde_json::json!("{\"k\":\"v\"}"));
    assert_eq!(
        r("{{ 'e30.eyJzdWIiOiJ4In0.sig' | jwt_claims }}"),
        serde_json::json!({"sub": "x"})
    );
}

#[test]
fn free_port_is_fixed_per_run() {
    let t = Templates::new();
    let a = t.render_str("{{ free_port() }}", &ctx()).unwrap();
    let b = t.render_str("{{ free_port() }}", &ctx()).unwrap();
    assert_eq!(a, b);
    assert_eq!(t.ports().reserved().map(serde_json::Value::from), Some(a));
}

#[test]
fn names_and_filters_found_statically() {
    let t = Templates::new();
    let names = t.names("{{ a.b }} {{ c | upper }}", false).unwrap();
    assert_eq!(names.into_iter().collect::<Vec<_>>(), vec!["a", "c"]);
    assert_eq!(
        Templates::unknown_filters("{{ x | nosuch }}"),
        vec!["nosuch"]
    );
    assert!(Templates::unknown_filters("{{ x | b64url | upper }}").is_empty());
    assert!(t.names("{{ a ", false).is_err());
}

mod paths {
    use super::Templates;

    #[test]
    fn paths_name_the_attributes_read() {
        let t = Templates::new();
        let paths = t
            .paths(
                "{{ pkce.code_verifier | urlencode }} {{ callback.params.code }} {{ a ~ org.client_id }}",
                false,
            )
            .unwrap_or_default();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "a",
                "callback.params.code",
                "org.client_id",
                "pkce.code_verifier"
            ]
        );
        let names = t
            .names("{{ x.y }} {% if z %}{% endif %}", false)
            .unwrap_or_default();
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["x", "z"]);
    }
}

mod proptests {
    //! Whatever the template text, rendering and checking answer with a value
    //! or an error, and the error becomes a diagnostic inside the text.

    use proptest::prelude::*;

    use super::*;

    fn ctx() -> Value {
        Value::from_serialize(serde_json::json!({
            "n": 5, "s": "a b", "m": {"k": "v", "l": [1, 2, 3]},
            "org": {"client_id": "id", "login_url": "http://127.0.0.1:1"},
        }))
    }

    /// Pieces of templates, valid and not, to glue together.
    fn templateish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("{{".to_owned()),
            Just("}}".to_owned()),
            Just("{%".to_owned()),
            Just("%}".to_owned()),
            Just("{#".to_owned()),
            Just("#}".to_owned()),
            Just(" n ".to_owned()),
            Just(" s ".to_owned()),
            Just(" m.k ".to_owned()),
            Just(" m.l[1] ".to_owned()),
            Just(" org.client_id ".to_owned()),
            Just(" nope ".to_owned()),
            Just(" | ".to_owned()),
            Just("urlencode".to_owned()),
            Just("b64encode".to_owned()),
            Just("b64url".to_owned()),
            Just("sha256".to_owned()),
            Just("json".to_owned()),
            Just("jwt_claims".to_owned()),
            Just("upper".to_owned()),
            Just("int".to_owned()),
            Just(" + ".to_owned()),
            Just(" ~ ".to_owned()),
            Just(" * ".to_owned()),
            Just(" / 0 ".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("'".to_owned()),
            Just("\"".to_owned()),
            Just(" if ".to_owned()),
            Just(" for x in range(3) ".to_owned()),
            Just(" endfor ".to_owned()),
            Just(" endif ".to_owned()),
            Just(" set y = 1 ".to_owned()),
            Just("free_port()".to_owned()),
            Just("é".to_owned()),
            Just("😀".to_owned()),
            Just("\n".to_owned()),
            "[a-z]{1,6}",
            "[0-9]{1,12}",
            any::<String>(),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    fn answers(text: &str) -> Result<(), TestCaseError> {
        let t = Templates::new();
        let loc = Location { line: 3, column: 7 };
        if let Err(e) = t.render_str(text, &ctx()) {
            let d = template_diagnostic(&e, text, loc);
            let at = d.loc.ok_or_else(|| TestCaseError::fail("no location"))?;
            prop_assert!(at.line == 3 && at.column >= 7, "{d:?}");
            prop_assert!(!template_message(&e).is_empty());
        }
        for expression in [false, true] {
            if let Err(e) = t.names(text, expression) {
                let _ = template_diagnostic(&e, text, loc);
            }
        }
        let _ = Templates::unknown_filters(text);
        let _ = Templates::attribute_uses(text, "org");
        let _ = t.truth(text, &ctx());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_renders_or_fails_cleanly(text in any::<String>()) {
            answers(&text)?;
        }

        #[test]
        fn template_like_text_renders_or_fails_cleanly(text in templateish()) {
            answers(&text)?;
        }

        #[test]
        fn one_expression_renders_or_fails_cleanly(inner in templateish()) {
            answers(&format!("{{{{ {inner} }}}}"))?;
        }
    }
}
