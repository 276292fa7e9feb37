//! Whatever the bytes, the loader answers: a scenario, or problems that
//! each point at a line and column inside the file and render with a caret.
//! Files generated from the schema table (see [`generate`]) reach past the
//! YAML syntax: most load, and every problem planted in them is reported.

mod generate;

use proptest::prelude::*;

use super::*;
use generate::generated;

/// Checks one input: no panic, and every problem located and renderable.
fn answers(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lossy = String::from_utf8_lossy(bytes);
    let lines = normalize(&lossy).split('\n').count() as u64;
    let diags = match load("p.yaml", bytes) {
        Ok(scenario) => {
            crate::scenario::check::check(&scenario, &crate::scenario::template::Templates::new())
        }
        Err(diags) => {
            prop_assert!(!diags.is_empty(), "an error without a diagnostic");
            diags
        }
    };
    for d in &diags {
        let loc = d.loc.ok_or_else(|| TestCaseError::fail(format!("{d:?}")))?;
        prop_assert!(loc.line >= 1 && loc.column >= 1, "{d:?}");
        prop_assert!(loc.line <= lines + 1, "line {} of {lines}: {d:?}", loc.line);
        let text = d.render("p.yaml", &lossy);
        prop_assert!(text.contains("--> p.yaml:"), "{text}");
        prop_assert!(text.contains('^'), "{text}");
    }
    prop_assert!(diags.len() <= MAX_DIAGNOSTICS + 1);
    Ok(())
}

/// Pieces of scenario files, valid and not, to glue together.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("name: x\n".to_owned()),
        Just("steps:\n".to_owned()),
        Just("  - ".to_owned()),
        Just("    ".to_owned()),
        Just("pkce: {}\n".to_owned()),
        Just("id: a\n".to_owned()),
        Just("set: {a: \"{{ b }}\"}\n".to_owned()),
        Just("request: {url: \"http://localhost:1/{{ a.b }}\"}\n".to_owned()),
        Just("callback: {listen: \"http://localhost:8000/cb\"}\n".to_owned()),
        Just("expect:\n      json: {a: {matches: \"(\"}}\n      that: [\"x ==\"]\n".to_owned()),
        Just("vars:\n  a: &x [1, 2]\n  b: *x\n".to_owned()),
        Just("mock: {users: [{username: u}]}\n".to_owned()),
        Just("{{ ".to_owned()),
        Just(" }}".to_owned()),
        Just("{% if %}".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(": ".to_owned()),
        Just(", ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("\t".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("!!binary ".to_owned()),
        Just("? ".to_owned()),
        Just("|\n".to_owned()),
        Just(">-\n".to_owned()),
        Just("# c\n".to_owned()),
        Just("---\n".to_owned()),
        Just("...\n".to_owned()),
        Just("%YAML 1.2\n".to_owned()),
        Just("<<: *a\n".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("\u{202e}".to_owned()),
        Just("\u{a0}".to_owned()),
        Just("é".to_owned()),
        Just("😀".to_owned()),
        Just("\0".to_owned()),
        "[a-z_]{1,8}",
        "[0-9]{1,20}",
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_loaded_or_located(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        answers(&bytes)?;
    }

    #[test]
    fn arbitrary_text_is_loaded_or_located(text in any::<String>()) {
        answers(text.as_bytes())?;
    }

    #[test]
    fn yaml_like_text_is_loaded_or_located(text in yamlish()) {
        answers(text.as_bytes())?;
    }

    #[test]
    fn a_valid_head_with_a_yaml_like_tail_is_loaded_or_located(tail in yamlish()) {
        answers(format!("name: x\nsteps:\n  - id: a\n    pkce: {{}}\n{tail}").as_bytes())?;
    }
}

/// Files made from the schema table load (and pass every check) unless a
/// problem was planted; every planted problem is reported at its step, so
/// the loader is tested well past the first syntax error: a share of the
/// generated files load, and the counts say so.
#[test]
fn generated_scenarios_load_and_every_planted_problem_is_reported() {
    use std::cell::Cell;

    use proptest::test_runner::{Config, TestRunner};

    let (cases, loaded, with_problems) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    let mut runner = TestRunner::new(Config {
        cases: 256,
        source_file: Some(file!()),
        test_name: Some(concat!(
            module_path!(),
            "::generated_scenarios_load_and_every_planted_problem_is_reported"
        )),
        ..Config::default()
    });
    let result = runner.run(&generated(), |g| {
        answers(g.text.as_bytes())?;
        let diags = match load("p.yaml", g.text.as_bytes()) {
            Ok(s) => {
                crate::scenario::check::check(&s, &crate::scenario::template::Templates::new())
            }
            Err(diags) => diags,
        };
        cases.set(cases.get() + 1);
        if g.planted.is_empty() {
            prop_assert!(
                diags.is_empty(),
                "a file made from the schema table is refused:\n{}\n{:#?}",
                g.text,
                diags
            );
            loaded.set(loaded.get() + 1);
        } else {
            with_problems.set(with_problems.get() + 1);
            for (what, lines) in &g.planted {
                prop_assert!(
                    diags
                        .iter()
                        .any(|d| d.loc.is_some_and(|l| lines.contains(&l.line))),
                    "{what} (lines {lines:?}) is not reported:\n{}\n{:#?}",
                    g.text,
                    diags
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (cases, loaded, with_problems) = (cases.get(), loaded.get(), with_problems.get());
    // About a third of the files have no planted problem.
    assert!(
        loaded * 5 >= cases,
        "only {loaded} of {cases} generated files loaded"
    );
    assert!(
        with_problems * 5 >= cases,
        "only {with_problems} of {cases} generated files had planted problems"
    );
}
