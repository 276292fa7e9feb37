//! Hostile and malformed scenario files: the corpus `tests/fixtures/corpus/` and files
//! generated here (too large, too deep, not UTF-8, binary, one line of a
//! megabyte). For every one, `run` and `validate` exit 2 with a diagnostic
//! that points at `path:line:col` with the source line and a caret, print
//! nothing on stdout, and never panic. Files that are odd but valid (CRLF or
//! CR line ends, a byte order mark, Unicode everywhere) work.
//!
//! Each run is timed; the times are reported (`--nocapture`), not asserted.
//! A run is killed after [`HANG_GUARD`], which fails the test.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::bad_file::{Loc, assert_located, errors};
use crate::harness::{Output, root};

/// A run still going after this is killed: a hang, not slowness.
pub const HANG_GUARD: Duration = Duration::from_secs(20);

/// Runs `sfscenario ARGS` in the repository root like the harness does
/// (`NO_COLOR`, no stdin, no `SF_*` variables), killing it after `limit`.
pub fn run_limited<I, S>(args: I, limit: Duration) -> (Output, Duration)
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let command = std::iter::once("sfscenario".to_owned())
        .chain(args.iter().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfscenario"));
    cmd.args(&args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SF_") {
            cmd.env_remove(key);
        }
    }
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{command}`: {e}"));
    let mut pipes = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        None,
    ];
    pipes[1] = child
        .stderr
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    let readers: Vec<_> = pipes
        .into_iter()
        .map(|pipe| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut buf);
                }
                buf
            })
        })
        .collect();
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() >= limit {
            let _ = child.kill();
            killed = true;
            break child.wait().expect("wait for the killed child");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = started.elapsed();
    let mut texts = readers.into_iter().map(|r| {
        let bytes = r.join().expect("a pipe reader");
        String::from_utf8(bytes)
            .unwrap_or_else(|e| panic!("`{command}` printed bytes that are not UTF-8: {e}"))
    });
    let stdout = texts.next().unwrap_or_default();
    let mut stderr = texts.next().unwrap_or_default();
    if killed {
        stderr.push_str(&format!("\n[killed after {limit:?}: it hung]\n"));
    }
    let out = Output {
        command,
        stdout,
        stderr,
        code: if killed { None } else { status.code() },
    };
    (out, took)
}

/// What an unusable file's first diagnostic must say and where it points.
#[derive(Clone, Debug)]
struct Expect {
    path: String,
    loc: Loc,
    says: String,
}

/// Each file of `tests/fixtures/corpus/`: where the first diagnostic points (line,
/// column) and a part of what stderr says.
const CORPUS: &[(&str, u32, u32, &str)] = &[
    (
        "authorize_consent_unknown",
        3,
        31,
        "`consent` must be one of allow, deny, found `maybe`",
    ),
    (
        "authorize_params_list",
        3,
        25,
        "`params` must be a map, found a list",
    ),
    (
        "callback_listen_https",
        3,
        24,
        "`listen` must be an http:// URL on this machine",
    ),
    (
        "callback_listen_not_a_url",
        3,
        24,
        "`listen` is not a valid URL",
    ),
    (
        "callback_listen_remote",
        3,
        24,
        "`listen` must be on a loopback host",
    ),
    ("callback_missing_listen", 3, 15, "missing `listen`"),
    (
        "description_is_list",
        2,
        14,
        "`description` must be a string, found a list",
    ),
    (
        "duplicate_ids",
        5,
        9,
        "step id `p` is used twice (first at line 3)",
    ),
    (
        "duration_malformed",
        3,
        61,
        "`timeout` must be a duration like 30s",
    ),
    (
        "duration_negative",
        3,
        61,
        "`timeout` must be a duration like 30s",
    ),
    (
        "duration_overflow",
        3,
        61,
        "`timeout` must be a duration like 30s",
    ),
    ("empty_steps", 2, 8, "`steps` is empty"),
    ("exists_not_bool", 6, 22, "`exists` takes true or false"),
    (
        "expect_is_list",
        4,
        13,
        "`expect` must be a map, found a list",
    ),
    (
        "expect_json_is_list",
        4,
        20,
        "`json` must be a map, found a list",
    ),
    (
        "forward_reference",
        3,
        18,
        "`later` refers to step 2 (line 4), which runs later",
    ),
    (
        "homoglyph_kind",
        3,
        5,
        "unknown key `рkce` (did you mean `pkce`?)",
    ),
    (
        "id_is_empty",
        3,
        9,
        "a step id must match [A-Za-z_][A-Za-z0-9_]*",
    ),
    (
        "id_is_map",
        3,
        9,
        "a step id must match [A-Za-z_][A-Za-z0-9_]*",
    ),
    (
        "id_is_number",
        3,
        9,
        "a step id must match [A-Za-z_][A-Za-z0-9_]*",
    ),
    (
        "id_reserved",
        3,
        9,
        "`org` is reserved and cannot be a step id",
    ),
    (
        "id_starts_with_digit",
        3,
        9,
        "a step id must match [A-Za-z_][A-Za-z0-9_]*",
    ),
    (
        "id_unicode",
        3,
        9,
        "a step id must match [A-Za-z_][A-Za-z0-9_]*",
    ),
    (
        "id_with_dash",
        3,
        9,
        "a step id must match [A-Za-z_][A-Za-z0-9_]*",
    ),
    (
        "jwt_alg_unknown",
        3,
        16,
        "`alg` must be one of RS256, found `none`",
    ),
    (
        "matches_invalid_regex",
        6,
        23,
        "invalid regular expression: unclosed character class",
    ),
    (
        "matches_not_a_string",
        6,
        23,
        "`matches` takes a regular expression string",
    ),
    (
        "metadata_full_names_string",
        3,
        73,
        "`full_names` must be a list of strings",
    ),
    (
        "metadata_unknown_operation",
        3,
        27,
        "found `deleteEverything`",
    ),
    ("missing_name", 1, 1, "missing `name`"),
    ("missing_steps", 1, 1, "missing `steps`"),
    ("mock_is_list", 2, 7, "`mock` must be a map, found a list"),
    (
        "mock_uses_org",
        3,
        26,
        "`org` cannot be used in the `mock` section",
    ),
    (
        "name_is_list",
        1,
        7,
        "`name` must be a string, found a list",
    ),
    ("name_is_map", 1, 7, "`name` must be a string, found a map"),
    ("nbsp_after_colon", 3, 5, "U+00A0, which looks like a space"),
    ("no_kind", 3, 5, "a step needs exactly one kind; found none"),
    ("one_of_not_a_list", 6, 22, "`one_of` takes a list"),
    ("pkce_is_list", 3, 11, "`pkce` takes a map, found a list"),
    (
        "pkce_length_float",
        3,
        20,
        "`length` must be an integer, found a number",
    ),
    (
        "pkce_length_huge",
        3,
        20,
        "`length` must be an integer, found a number",
    ),
    (
        "pkce_length_string",
        3,
        20,
        "`length` must be an integer, found a string",
    ),
    (
        "pkce_length_too_high",
        3,
        20,
        "`length` must be between 43 and 128, found 129",
    ),
    (
        "pkce_length_too_low",
        3,
        20,
        "`length` must be between 43 and 128, found 42",
    ),
    (
        "pkce_method_unknown",
        3,
        20,
        "`method` must be one of S256, plain, found `S512`",
    ),
    (
        "request_form_beside_body",
        5,
        7,
        "`form` cannot be combined with `body`",
    ),
    (
        "request_headers_list",
        5,
        16,
        "`headers` must be a map, found a list",
    ),
    (
        "request_json_beside_form",
        6,
        7,
        "`json` cannot be combined with `form` or `body`",
    ),
    ("request_method_unknown", 3, 23, "found `FETCH`"),
    ("request_missing_url", 3, 14, "missing `url`"),
    ("rtl_override_key", 2, 1, "unknown key `\\u{202e}naem`"),
    (
        "secrets_has_map",
        2,
        11,
        "each item of `secrets` must be a string, found a map",
    ),
    (
        "secrets_is_string",
        2,
        10,
        "`secrets` must be a list of strings, found a string",
    ),
    ("self_reference", 4, 18, "`me` is this step's own id"),
    (
        "set_bad_variable_name",
        3,
        11,
        "variable name `a b` must match",
    ),
    ("set_is_list", 3, 10, "`set` must be a map, found a list"),
    (
        "status_empty_list",
        4,
        22,
        "`status` must be an HTTP status (100–599)",
    ),
    (
        "status_is_word",
        4,
        22,
        "`status` must be an HTTP status (100–599)",
    ),
    (
        "status_out_of_range",
        4,
        22,
        "`status` must be an HTTP status (100–599)",
    ),
    ("step_is_list", 3, 5, "step 1 must be a map, found a list"),
    ("step_is_null", 3, 4, "step 1 must be a map, found null"),
    (
        "step_is_string",
        3,
        5,
        "step 1 must be a map, found a string",
    ),
    ("steps_is_map", 3, 3, "`steps` must be a list, found a map"),
    (
        "steps_is_string",
        2,
        8,
        "`steps` must be a list, found a string",
    ),
    (
        "template_deep_blocks",
        3,
        1947,
        "template exceeds maximum recursion limits",
    ),
    (
        "template_deep_parens",
        3,
        84,
        "template exceeds maximum recursion limits",
    ),
    (
        "template_in_block_scalar",
        8,
        12,
        "undefined variable `missing_thing`",
    ),
    (
        "template_unclosed",
        3,
        20,
        "template syntax error: unexpected end of input",
    ),
    (
        "template_unknown_block",
        3,
        18,
        "template syntax error: unknown statement frobnicate",
    ),
    ("template_unknown_filter", 3, 24, "unknown filter `shout`"),
    ("that_is_map", 4, 20, "`that` must be a list of expressions"),
    (
        "that_not_a_string",
        6,
        11,
        "`that` takes expressions as strings, found a number",
    ),
    (
        "that_stray_block_end",
        5,
        36,
        "`}}` cannot stand in an expression",
    ),
    (
        "that_syntax_error",
        4,
        43,
        "template syntax error: unexpected end of input",
    ),
    ("three_kinds", 4, 5, "found pkce and token and request"),
    (
        "token_form_string",
        3,
        19,
        "`form` must be a map, found a string",
    ),
    (
        "token_poll_interval_bad",
        5,
        24,
        "`interval` must be a duration like 30s",
    ),
    (
        "two_kinds",
        4,
        5,
        "a step needs exactly one kind; found pkce and set",
    ),
    ("undefined_variable", 3, 10, "undefined variable `nobody`"),
    ("unicode_keys", 4, 5, "unknown key `ステップ`"),
    (
        "unknown_expect_key",
        4,
        14,
        "unknown key `stat` (did you mean `status`?)",
    ),
    (
        "unknown_matcher",
        6,
        13,
        "unknown key `eq` (did you mean `equals`?)",
    ),
    (
        "unknown_param_key",
        3,
        12,
        "unknown key `lenght` (did you mean `length`?)",
    ),
    ("unknown_step_kind", 3, 5, "unknown key `oauth_dance`"),
    (
        "unknown_top_key",
        1,
        1,
        "unknown key `stpes` (did you mean `steps`?)",
    ),
    (
        "var_name_malformed",
        3,
        3,
        "variable name `my-var` must match",
    ),
    (
        "var_name_reserved",
        3,
        3,
        "`org` is reserved and cannot name a variable",
    ),
    ("var_uses_later_var", 3, 10, "undefined variable `b`"),
    ("vars_is_list", 2, 7, "`vars` must be a map, found a list"),
    (
        "yaml_alias_bomb",
        6,
        26,
        "the file is too large or too complex: more than 50000 values",
    ),
    (
        "yaml_bad_directive",
        1,
        1,
        "invalid YAML: unsupported YAML major version",
    ),
    (
        "yaml_bad_escape",
        1,
        7,
        "invalid YAML: while parsing a quoted scalar",
    ),
    (
        "yaml_bad_indentation",
        4,
        4,
        "invalid YAML: while parsing a block collection",
    ),
    (
        "yaml_binary_tag",
        1,
        16,
        "a `!!binary` value that is not UTF-8 text",
    ),
    (
        "yaml_complex_key",
        2,
        3,
        "invalid YAML: a map key must be a scalar",
    ),
    (
        "yaml_control_character",
        1,
        7,
        "invalid YAML: unexpected character",
    ),
    (
        "yaml_duplicate_form_key",
        6,
        9,
        "duplicate key `grant_type`",
    ),
    ("yaml_duplicate_step_key", 5, 5, "duplicate key `id`"),
    ("yaml_duplicate_top_key", 4, 1, "duplicate key `name`"),
    ("yaml_empty", 1, 1, "the file is empty"),
    (
        "yaml_float_overflow",
        4,
        22,
        "a number that is infinite or not a number",
    ),
    (
        "yaml_garbage_after_end",
        5,
        1,
        "the file holds multiple YAML documents",
    ),
    (
        "yaml_list_root",
        1,
        1,
        "a scenario file must be a map, found a list",
    ),
    ("yaml_lone_surrogate_escape", 1, 7, "high surrogate"),
    (
        "yaml_many_aliases",
        4,
        3007,
        "more than 1000 anchors or aliases",
    ),
    (
        "yaml_mapping_in_plain_scalar",
        1,
        8,
        "mapping values are not allowed in this context",
    ),
    (
        "yaml_not_a_number",
        3,
        20,
        "a number that is infinite or not a number",
    ),
    (
        "yaml_null_root",
        1,
        1,
        "a scenario file must be a map, found null",
    ),
    (
        "yaml_only_comments",
        1,
        1,
        "the file is empty: it holds only comments",
    ),
    (
        "yaml_scalar_root",
        1,
        1,
        "a scenario file must be a map, found a string",
    ),
    (
        "yaml_tab_in_step",
        4,
        3,
        "invalid YAML: a tab is used for indentation",
    ),
    (
        "yaml_tab_indentation",
        3,
        1,
        "invalid YAML: a tab is used for indentation",
    ),
    (
        "yaml_two_documents",
        5,
        1,
        "the file holds multiple YAML documents",
    ),
    (
        "yaml_unclosed_double_quote",
        1,
        7,
        "invalid YAML: unclosed quote",
    ),
    (
        "yaml_unclosed_flow_map",
        4,
        8,
        "while parsing a flow mapping",
    ),
    (
        "yaml_unclosed_flow_seq",
        2,
        8,
        "invalid YAML: unclosed bracket",
    ),
    (
        "yaml_unclosed_single_quote",
        3,
        14,
        "invalid YAML: unclosed quote",
    ),
    (
        "yaml_undefined_alias",
        1,
        7,
        "alias references unknown anchor",
    ),
    ("yaml_whitespace_only", 1, 1, "the file is empty"),
    ("zero_width_kind", 3, 5, "unknown key `\\u{200b}pkce`"),
];

fn corpus_path(name: &str) -> String {
    format!("tests/fixtures/corpus/{name}.yaml")
}

#[test]
fn the_corpus_table_names_every_file() {
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/corpus"))
        .expect("tests/fixtures/corpus")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CORPUS.iter().map(|c| format!("{}.yaml", c.0)).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    assert!(CORPUS.len() >= 60, "the corpus shrank to {}", CORPUS.len());
}

/// Runs `run` and `validate` on every file, `workers` at a time; returns the
/// failures (all of them, not only the first) and the timings.
fn check_all(cases: &[Expect], extra_run_args: &[&str]) -> (Vec<String>, Vec<(String, Duration)>) {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let times = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    for command in ["run", "validate"] {
                        let mut args = vec![command, case.path.as_str()];
                        if command == "run" {
                            args.extend_from_slice(extra_run_args);
                        }
                        let (out, took) = run_limited(args, HANG_GUARD);
                        times
                            .lock()
                            .expect("times")
                            .push((format!("{command} {}", case.path), took));
                        if let Err(why) = refused_with_location(&out, case) {
                            failures.lock().expect("failures").push(why);
                        }
                    }
                }
            });
        }
    });
    (
        failures.into_inner().expect("failures"),
        times.into_inner().expect("times"),
    )
}

/// Exit 2, no panic, empty stdout, the message, and `--> path:L:C` with the
/// source line and a caret under the column.
fn refused_with_location(out: &Output, case: &Expect) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{}: {why}\n{out}", out.command));
    if out.code != Some(2) {
        return fail(&format!("exit status {:?}, expected 2", out.code));
    }
    if out.stderr.contains("panicked") || out.stdout.contains("panicked") {
        return fail("it panicked");
    }
    if !out.stdout.is_empty() {
        return fail("stdout is not empty");
    }
    if !out.stderr.contains(&case.says) {
        return fail(&format!("stderr lacks {:?}", case.says));
    }
    // A long source line is shown cut (`...`) around the column, so the caret
    // cannot stand under the column as counted in the file: for those the
    // arrow alone must name the exact column.
    let mut loc = case.loc;
    if let Loc::At(line, column) = case.loc {
        let arrow = format!("--> {}:{line}:{column}\n", case.path);
        if !out.stderr.contains(&arrow) {
            return fail(&format!("stderr lacks `{}`", arrow.trim_end()));
        }
        if out.stderr.contains(&format!("{line} | ...")) {
            loc = Loc::Line(line);
        }
    }
    let located = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_located(out, &case.path, loc);
    }));
    match located {
        Ok(()) => Ok(()),
        Err(e) => {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!(
                "{}: not located at {:?}: {why}",
                out.command, case.loc
            ))
        }
    }
}

fn report_times(what: &str, times: &mut [(String, Duration)]) {
    times.sort_by_key(|t| std::cmp::Reverse(t.1));
    let total: Duration = times.iter().map(|t| t.1).sum();
    let over = times
        .iter()
        .filter(|t| t.1 > Duration::from_secs(1))
        .count();
    eprintln!(
        "{what}: {} runs, mean {:?}, slowest {:?}, {over} over 1 s",
        times.len(),
        total / u32::try_from(times.len().max(1)).unwrap_or(1),
        times.first().map(|t| t.1).unwrap_or_default(),
    );
    for (name, took) in times.iter().take(5) {
        eprintln!("  {took:>10.1?}  {name}");
    }
}

#[track_caller]
fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_corpus_file_is_refused_with_a_located_diagnostic() {
    let cases: Vec<Expect> = CORPUS
        .iter()
        .map(|(name, line, column, says)| Expect {
            path: corpus_path(name),
            loc: Loc::At(*line, *column),
            says: (*says).to_owned(),
        })
        .collect();
    let (failures, mut times) = check_all(&cases, &[]);
    report_times("tests/fixtures/corpus", &mut times);
    assert_no_failures(&failures);
}

/// A tiny deterministic generator for "random" bytes (xorshift64).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed.to_le_bytes()[0]
        })
        .collect()
}

/// Files too big, too deep or not text to keep in the repository.
fn generated(dir: &Path) -> Vec<(Expect, Vec<u8>)> {
    let mut files: Vec<(&str, Loc, &str, Vec<u8>)> = Vec::new();
    let head = "name: Generated\nsteps:\n  - pkce: {}\n";

    // Over the 4 MiB cap by one byte.
    let mut big = head.to_owned();
    big.push_str(&"# padding\n".repeat(4 * 1024 * 1024 / 10 + 1));
    big.truncate(4 * 1024 * 1024 + 1);
    files.push((
        "over_the_cap.yaml",
        Loc::At(1, 1),
        "limited to 4194304",
        big.into(),
    ));

    // Just under the cap: 100,000 steps.
    let mut steps = String::from("name: A hundred thousand steps\nsteps:\n");
    for i in 0..100_000 {
        steps.push_str(&format!("  - id: s{i}\n    set: {{v: 1}}\n"));
    }
    let room = 4 * 1024 * 1024 - 1 - steps.len();
    steps.push_str(&"#".repeat(room.saturating_sub(1)));
    steps.push('\n');
    assert!(steps.len() < 4 * 1024 * 1024);
    files.push((
        "just_under_the_cap.yaml",
        Loc::Any,
        "the file is too large or too complex",
        steps.into(),
    ));

    // Deep nesting, three ways.
    let depth = 100_000;
    let flow = format!(
        "name: x\nsteps: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    files.push((
        "deep_flow_sequence.yaml",
        Loc::Line(2),
        "nested more than 64",
        flow.into(),
    ));
    let map = format!(
        "name: x\nvars:\n  a: {}1{}\nsteps:\n  - pkce: {{}}\n",
        "{a: ".repeat(10_000),
        "}".repeat(10_000)
    );
    files.push((
        "deep_flow_map.yaml",
        Loc::Line(3),
        "nested more than 64",
        map.into(),
    ));
    let mut block = String::from("name: x\nvars:\n");
    for level in 1..=300 {
        block.push_str(&"  ".repeat(level));
        block.push_str("a:\n");
    }
    files.push((
        "deep_block_map.yaml",
        Loc::Any,
        "nested more than 64",
        block.into(),
    ));

    // Not UTF-8.
    files.push((
        "latin1.yaml",
        Loc::At(1, 10),
        "the file is not valid UTF-8",
        b"name: caf\xe9\nsteps:\n  - pkce: {}\n".to_vec(),
    ));
    files.push((
        "invalid_utf8_on_line_4.yaml",
        Loc::At(4, 14),
        "the file is not valid UTF-8",
        b"name: x\nsteps:\n  - id: a\n    set: {a: \xff\xfe}\n".to_vec(),
    ));
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(head.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    files.push((
        "utf16le.yaml",
        Loc::At(1, 1),
        "the file is not valid UTF-8",
        utf16,
    ));
    let utf16be: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(head.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    files.push((
        "utf16be.yaml",
        Loc::At(1, 1),
        "the file is not valid UTF-8",
        utf16be,
    ));

    // Binary data.
    files.push((
        "nul_byte.yaml",
        Loc::At(1, 8),
        "binary data",
        b"name: a\0b\nsteps:\n  - pkce: {}\n".to_vec(),
    ));
    files.push(("noise.yaml", Loc::Any, "error", noise(64 * 1024, 0x5eed)));
    let alphabet = b" -:{}[],'\"&*!|>#%@`?\nabc\t";
    let mut ascii_noise: Vec<u8> = noise(64 * 1024, 7)
        .into_iter()
        .map(|b| alphabet[usize::from(b) % alphabet.len()])
        .collect();
    ascii_noise.splice(0..0, b"name: x\n".iter().copied());
    files.push((
        "yaml_punctuation_noise.yaml",
        Loc::Any,
        "error",
        ascii_noise,
    ));

    // A line of a megabyte with a mistake at its end.
    let filler = "A".repeat(1024 * 1024);
    let long = format!("name: x\nsteps:\n  - {{pkce: {{}}, doc: \"{filler}\", bogus: 1}}\n");
    let column = long
        .lines()
        .nth(2)
        .expect("line 3")
        .find("bogus")
        .expect("bogus")
        + 1;
    files.push((
        "megabyte_line.yaml",
        Loc::At(3, u32::try_from(column).expect("a column")),
        "unknown key `bogus`",
        long.into(),
    ));

    // A key of 1,000 characters is reported shortened; one of 100,000 is
    // past what YAML allows for a plain key.
    let key = "k".repeat(1_000);
    files.push((
        "long_key.yaml",
        Loc::At(2, 1),
        "unknown key `kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…`",
        format!("name: x\n{key}: 1\nsteps:\n  - pkce: {{}}\n").into(),
    ));
    let key = "k".repeat(100_000);
    files.push((
        "huge_key.yaml",
        Loc::At(2, 1),
        "invalid YAML",
        format!("name: x\n{key}: 1\nsteps:\n  - pkce: {{}}\n").into(),
    ));

    // Many steps, each with an id and an expectation, and one mistake at the end:
    // the checks stay linear in the number of steps.
    let mut many = String::from("name: x\nsteps:\n");
    for i in 0..4_000 {
        many.push_str(&format!(
            "  - id: s{i}\n    set: {{v: {i}}}\n    expect: {{that: [\"s{i}.v == {i}\"]}}\n"
        ));
    }
    many.push_str("  - set: {last: \"{{ s3999.v + nobody }}\"}\n");
    let last = u32::try_from(many.lines().count()).expect("a line");
    files.push((
        "four_thousand_steps.yaml",
        Loc::At(last, 31),
        "undefined variable `nobody`",
        many.into(),
    ));

    files
        .into_iter()
        .map(|(name, loc, says, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, &bytes).expect("write a generated file");
            (
                Expect {
                    path: path.to_string_lossy().into_owned(),
                    loc,
                    says: says.to_owned(),
                },
                bytes,
            )
        })
        .collect()
}

#[test]
fn generated_hostile_files_are_refused_with_a_located_diagnostic() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cases: Vec<Expect> = generated(dir.path()).into_iter().map(|c| c.0).collect();
    assert!(cases.len() >= 15, "{}", cases.len());
    let (failures, mut times) = check_all(&cases, &[]);
    report_times("generated files", &mut times);
    assert_no_failures(&failures);
}

#[test]
fn a_file_with_thousands_of_problems_shows_the_first_fifty_and_a_count() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("many_problems.yaml");
    let mut text = String::from("name: x\nsteps:\n");
    for i in 0..5_000 {
        text.push_str(&format!("  - pkce: {{}}\n    bogus{i}: 1\n"));
    }
    std::fs::write(&path, text).expect("write");
    let path = path.to_string_lossy().into_owned();
    for command in ["run", "validate"] {
        let (out, took) = run_limited([command, &path], HANG_GUARD);
        eprintln!("{command} of 5,000 problems: {took:?}");
        out.code(2).no_panic();
        let errors = errors(&out);
        assert_eq!(errors.len(), 51, "{}", out.stderr);
        assert!(errors[0].contains("unknown key `bogus0`"), "{errors:?}");
        assert!(
            errors[50].contains("4950 more problems in this file (only the first 50 are shown)"),
            "{}",
            errors[50]
        );
        assert_located(&out, &path, Loc::At(4, 5));
    }
}

/// A small scenario that is valid and full of non-ASCII text.
const ODD_BUT_VALID: &str = "name: Odd but valid ✓ — Ünïcödé 🚀
description: \"שלום — مرحبا — こんにちは — e\u{301}\"
vars:
  greeting: \"héllo wörld 👋\"
steps:
  - id: pkce
    name: \"Schritt 1 — PKCE 🔐\"
    pkce: {}
  - id: s
    set:
      note: \"{{ greeting }} / {{ pkce.code_challenge_method }}\"
    expect:
      that:
        - \"s.note == 'héllo wörld 👋 / S256'\"
";

#[test]
fn crlf_cr_bom_and_unicode_files_work() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let crlf = ODD_BUT_VALID.replace('\n', "\r\n");
    let variants: Vec<(&str, String)> = vec![
        ("plain.yaml", ODD_BUT_VALID.to_owned()),
        ("crlf.yaml", crlf.clone()),
        ("cr_only.yaml", ODD_BUT_VALID.replace('\n', "\r")),
        ("bom.yaml", format!("\u{feff}{ODD_BUT_VALID}")),
        ("bom_crlf.yaml", format!("\u{feff}{crlf}")),
        ("no_final_newline.yaml", ODD_BUT_VALID.trim_end().to_owned()),
        ("trailing_spaces.yaml", ODD_BUT_VALID.replace('\n', "   \n")),
    ];
    for (name, text) in variants {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let path = path.to_string_lossy().into_owned();
        let (validate, _) = run_limited(["validate", &path], HANG_GUARD);
        validate.code(0).no_panic();
        let (run, took) = run_limited(["run", &path, "--format", "json"], HANG_GUARD);
        run.code(0).no_panic();
        let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
        assert_eq!(log["name"], "Odd but valid ✓ — Ünïcödé 🚀", "{name}");
        assert_eq!(log["steps"][0]["name"], "Schritt 1 — PKCE 🔐", "{name}");
        assert_eq!(
            log["steps"][1]["result"]["note"], "héllo wörld 👋 / S256",
            "{name}"
        );
        eprintln!("{name}: ran in {took:?}");
    }
}

#[test]
fn problems_in_crlf_cr_and_bom_files_are_located_right() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // `lenght` is on line 3, column 12, however the lines end.
    let text = "name: x\nsteps:\n  - pkce: {lenght: 50}\n";
    let template = "name: x\nvars:\n  a: \"{{ nobody }}\"\nsteps:\n  - pkce: {}\n";
    let cases = [
        (
            "crlf.yaml",
            text.replace('\n', "\r\n"),
            (3, 12),
            "unknown key `lenght`",
        ),
        (
            "cr.yaml",
            text.replace('\n', "\r"),
            (3, 12),
            "unknown key `lenght`",
        ),
        (
            "bom.yaml",
            format!("\u{feff}{text}"),
            (3, 12),
            "unknown key `lenght`",
        ),
        (
            "bom_first_line.yaml",
            "\u{feff}nmae: x\nsteps:\n  - pkce: {}\n".to_owned(),
            (1, 1),
            "unknown key `nmae`",
        ),
        (
            "crlf_template.yaml",
            template.replace('\n', "\r\n"),
            (3, 10),
            "undefined variable `nobody`",
        ),
        (
            "cr_template.yaml",
            template.replace('\n', "\r"),
            (3, 10),
            "undefined variable `nobody`",
        ),
    ];
    let mut expects = Vec::new();
    for (name, text, (line, column), says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        expects.push(Expect {
            path: path.to_string_lossy().into_owned(),
            loc: Loc::At(line, column),
            says: says.to_owned(),
        });
    }
    let (failures, _) = check_all(&expects, &[]);
    assert_no_failures(&failures);
}

#[test]
fn runaway_templates_are_stopped() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write = |name: &str, text: &str| -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    let nested =
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
    // In `vars`: rendered before the first request, so the input is unusable (exit 2).
    let in_vars = write(
        "loop_in_vars.yaml",
        &format!("name: x\nvars:\n  a: \"{nested}\"\nsteps:\n  - pkce: {{}}\n"),
    );
    let (out, took) = run_limited(["run", &in_vars], HANG_GUARD);
    eprintln!("a loop of 10^10 in vars stopped after {took:?}");
    out.code(2)
        .no_panic()
        .stderr_has("the template does too much work");
    assert_located(&out, &in_vars, Loc::At(3, 7));
    // validate does not render templates: the file is well formed.
    let (out, _) = run_limited(["validate", &in_vars], HANG_GUARD);
    out.code(0);

    // In a step: the step fails (exit 1), the run goes on to its report.
    let in_step = write(
        "loop_in_step.yaml",
        &format!("name: x\nsteps:\n  - set: {{a: \"{nested}\"}}\n"),
    );
    let (out, took) = run_limited(["run", &in_step, "--format", "json"], HANG_GUARD);
    eprintln!("a loop of 10^10 in a step stopped after {took:?}");
    out.code(1).no_panic();
    let log: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let error = log["steps"][0]["error"].as_str().expect("a step error");
    assert!(error.contains("the template does too much work"), "{error}");

    // Output of gigabytes: refused at 16 MiB.
    let huge = write(
        "huge_output.yaml",
        "name: x\nsteps:\n  - set: {a: \"{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}\"}\n",
    );
    let (out, _) = run_limited(["run", &huge, "--format", "json"], HANG_GUARD);
    out.code(1).no_panic();
    let log: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let error = log["steps"][0]["error"].as_str().expect("a step error");
    assert!(error.contains("larger than the limit of 16 MiB"), "{error}");

    // Recursion without end.
    let recursive = write(
        "recursive_macro.yaml",
        "name: x\nvars:\n  a: \"{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}\"\nsteps:\n  - pkce: {}\n",
    );
    let (out, _) = run_limited(["run", &recursive], HANG_GUARD);
    out.code(2)
        .no_panic()
        .stderr_has("recursion limit exceeded");
}
