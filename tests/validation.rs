//! One test per file of the corpus `tests/fixtures/bad/`: where its first diagnostic
//! points and what it says, for both `run` and `validate`.

use std::path::Path;

use crate::bad_file::{Loc, assert_located, bad};
use crate::harness::Sfscenario;

#[test]
fn malformed_yaml() {
    bad("malformed_yaml.yaml")
        .at(5, 7)
        .says("invalid YAML")
        .says("flow mapping")
        .check();
}

#[test]
fn tab_indentation() {
    bad("tab_indentation.yaml")
        .on_line(3)
        .says("invalid YAML")
        .says("tab")
        .check();
}

#[test]
fn tab_indentation_points_at_the_tab() {
    bad("tab_indentation.yaml").at(3, 1).check();
}

#[test]
fn tab_continuation() {
    bad("tab_continuation.yaml")
        .says("invalid YAML")
        .says("tab")
        .check();
}

#[test]
fn tab_continuation_points_at_the_tab() {
    bad("tab_continuation.yaml").at(4, 1).check();
}

#[test]
fn unknown_top_level_key() {
    bad("unknown_top_key.yaml")
        .at(2, 1)
        .says("unknown key `descripton`")
        .says("did you mean `description`?")
        .check();
}

#[test]
fn unknown_step_key_with_a_typo() {
    bad("step_key_typo.yaml")
        .at(4, 5)
        .says("unknown key `nmae`")
        .says("did you mean `name`?")
        .says("in step 1 (`pkce`)")
        .check();
}

#[test]
fn unknown_step_kind() {
    let out = bad("unknown_kind.yaml").says("`oauth_dance`").check();
    assert_located(&out, "tests/fixtures/bad/unknown_kind.yaml", Loc::At(4, 5));
    out.stderr_has("pkce, authorize, callback, token, request, jwt, metadata, set");
}

#[test]
fn two_kinds_in_one_step() {
    bad("two_kinds.yaml")
        .at(5, 5)
        .says("exactly one kind")
        .says("pkce and set")
        .check();
}

#[test]
fn a_step_with_no_kind() {
    bad("no_kind.yaml")
        .at(5, 5)
        .says("exactly one kind")
        .says("found none")
        .says("in step 2")
        .check();
}

#[test]
fn duplicate_step_ids() {
    bad("duplicate_id.yaml")
        .on_line(5)
        .says("step id `pkce` is used twice")
        .says("first at line 3")
        .check();
}

#[test]
fn duplicate_step_ids_point_at_the_id() {
    bad("duplicate_id.yaml").at(5, 9).check();
}

#[test]
fn malformed_id() {
    bad("malformed_id.yaml")
        .at(3, 9)
        .says("[A-Za-z_][A-Za-z0-9_]*")
        .check();
}

#[test]
fn undefined_variable() {
    bad("undefined_variable.yaml")
        .at(7, 19)
        .says("undefined variable `redirect_urii`")
        .says("did you mean `redirect_uri`?")
        .says("in step 1 (`callback`)")
        .check();
}

#[test]
fn a_field_org_does_not_have() {
    bad("org_field_typo.yaml")
        .at(5, 16)
        .says("`org` has no field `instanse_url`")
        .says("did you mean `instance_url`?")
        .says("in step 1 (`versions`)")
        .check();
}

#[test]
fn reference_to_a_later_step() {
    bad("forward_reference.yaml")
        .at(5, 21)
        .says("`pkce` refers to step 2")
        .says("runs later")
        .check();
}

#[test]
fn template_syntax_error() {
    bad("template_syntax.yaml")
        .at(5, 27)
        .says("template syntax error")
        .check();
}

#[test]
fn unknown_filter() {
    bad("unknown_filter.yaml")
        .at(7, 24)
        .says("unknown filter `shout`")
        .check();
}

#[test]
fn pkce_length_out_of_range() {
    bad("pkce_length.yaml")
        .at(5, 15)
        .says("`length` must be between 43 and 128, found 20")
        .check();
}

#[test]
fn invalid_regex() {
    bad("invalid_regex.yaml")
        .at(10, 30)
        .says("invalid regular expression")
        .says("in step 2 (`accounts`)")
        .check();
}

#[test]
fn non_loopback_callback() {
    bad("non_loopback_listen.yaml")
        .at(5, 15)
        .says("loopback")
        .says("example.com")
        .check();
}

#[test]
fn json_beside_form() {
    bad("json_beside_form.yaml")
        .at(9, 7)
        .says("`json` cannot be combined with `form`")
        .check();
}

#[test]
fn non_standard_http_method() {
    bad("bad_method.yaml")
        .at(5, 15)
        .says("`method` must be one of")
        .says("`FETCH`")
        .check();
}

#[test]
fn malformed_duration() {
    bad("bad_duration.yaml")
        .at(8, 16)
        .says("`timeout` must be a duration")
        .check();
}

#[test]
fn two_yaml_documents() {
    // The second document starts on line 5, after its `---`.
    bad("two_documents.yaml")
        .at(5, 1)
        .says("multiple YAML documents")
        .check();
}

#[test]
fn two_yaml_documents_message_speaks_to_users() {
    let out = bad("two_documents.yaml").check();
    assert!(
        !out.stderr.contains("from_str"),
        "the message names a Rust function\n{out}"
    );
}

#[test]
fn empty_file() {
    rejected_with("tests/fixtures/bad/empty.yaml", "the file is empty");
}

#[test]
fn empty_file_is_located() {
    bad("empty.yaml").at(1, 1).check();
}

/// Writes a scenario named `café` in Latin-1: byte 0xE9 at line 1, column 10.
fn non_utf8_file(dir: &Path) -> String {
    let path = dir.join("latin1.yaml");
    std::fs::write(&path, b"name: caf\xe9\nsteps:\n  - pkce: {}\n").expect("write latin1.yaml");
    path.to_str().expect("a UTF-8 temporary path").to_owned()
}

#[test]
fn non_utf8_bytes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = non_utf8_file(dir.path());
    rejected_with(&path, "the file is not valid UTF-8");
}

#[test]
fn non_utf8_bytes_are_located() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = non_utf8_file(dir.path());
    for command in ["run", "validate"] {
        let out = Sfscenario::new().args([command, &path]).run();
        out.code(2).no_panic();
        assert_located(&out, &path, Loc::At(1, 10));
    }
}

/// `run` and `validate` reject `path` with `message`, without a panic.
fn rejected_with(path: &str, message: &str) {
    for command in ["run", "validate"] {
        let out = Sfscenario::new().args([command, path]).run();
        out.code(2)
            .no_panic()
            .stdout_empty()
            .stderr_has(&format!("error: {message}"))
            .stderr_has(path);
    }
}

#[test]
fn a_field_that_a_closed_result_lacks() {
    bad("field_typo.yaml")
        .at(8, 24)
        .says("`org` has no field `clientid`")
        .says("did you mean `client_id`?")
        .check();
    bad("field_typo.yaml")
        .at(9, 29)
        .says("the result of `pkce` has no field `code_verifer`")
        .says("did you mean `code_verifier`?")
        .says("in step 2 (`login`)")
        .check();
}

#[test]
fn a_field_that_a_set_step_did_not_set() {
    bad("field_typo_in_that.yaml")
        .at(7, 15)
        .says("this step's result has no field `answr`")
        .says("did you mean `answer`?")
        .check();
    bad("field_typo_in_that.yaml")
        .at(9, 36)
        .says("the result of `made` has no field `question`")
        .check();
}

/// An open result (a token response) may have any field, so reading one it
/// lacks is found only at run time: the step fails (exit 1), and the message
/// names the expression and its place.
#[test]
fn an_undefined_field_at_run_time_names_the_expression() {
    let out = crate::harness::Sfscenario::new()
        .args(["run", "tests/fixtures/runtime/undefined_field.yaml"])
        .run();
    out.code(1).no_panic();
    out.stdout_has(
        "undefined_field.yaml:12:42: undefined value: `token.acess_tokn` is not defined",
    );
    crate::bad_file::assert_located(
        &out,
        "tests/fixtures/runtime/undefined_field.yaml",
        crate::bad_file::Loc::At(12, 42),
    );
}
