//! `sfscenario completions SHELL` prints a script that loads in that shell
//! without an error and registers a completer for `sfscenario`; where the
//! shell can be asked without a terminal, the completer offers the
//! subcommands. Debian packages `bash zsh fish elvish` (`.ci/run`).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::gate::{Tool, ToolTest};
use crate::harness::{Output, Sfscenario};

pub fn tests() -> Vec<ToolTest> {
    let mut tests = crate::tool_tests![&[Tool::Bash] => bash_completion_loads_and_completes];
    tests.extend(crate::tool_tests![&[Tool::Zsh] => zsh_completion_loads_and_registers]);
    tests.extend(crate::tool_tests![&[Tool::Fish] => fish_completion_loads_and_completes]);
    tests.extend(crate::tool_tests![&[Tool::Elvish] => elvish_completion_loads_and_completes]);
    tests
}

const SUBCOMMANDS: &[&str] = &["run", "validate", "mock", "schema", "completions"];

/// Writes `sfscenario completions SHELL` to a file in `dir`.
fn script(shell: &str, dir: &Path) -> String {
    let out = Sfscenario::new().args(["completions", shell]).run();
    out.success().no_panic();
    assert!(!out.stdout.is_empty(), "no {shell} script");
    let path = dir.join(format!("sfscenario.{shell}"));
    std::fs::write(&path, &out.stdout).expect("write the script");
    path.to_string_lossy().into_owned()
}

/// Runs `shell args…` with no rc files read and nothing on stdin.
fn shell(program: &str, args: &[&str], home: &Path) -> Output {
    let out = Command::new(program)
        .args(args)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let output = Output {
        command: format!("{program} {}", args.join(" ")),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    };
    output.success();
    assert!(
        output.stderr.trim().is_empty(),
        "{program} printed errors loading the script\n{output}"
    );
    output
}

fn offers_the_subcommands(out: &Output) {
    let words: Vec<&str> = out
        .stdout
        .split_whitespace()
        .map(|w| w.split('\t').next().unwrap_or(w))
        .collect();
    for sub in SUBCOMMANDS {
        assert!(words.contains(sub), "`{sub}` is not offered\n{out}");
    }
}

fn bash_completion_loads_and_completes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = script("bash", dir.path());
    // Load it, show the registration, then complete `sfscenario ` as bash would.
    let code = format!(
        "source '{file}' || exit 1\n\
         complete -p sfscenario || exit 1\n\
         COMP_WORDS=(sfscenario ''); COMP_CWORD=1; COMP_LINE='sfscenario '; COMP_POINT=11\n\
         _sfscenario sfscenario '' sfscenario\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = shell("bash", &["--norc", "--noprofile", "-c", &code], dir.path());
    out.stdout_has("-F _sfscenario sfscenario");
    offers_the_subcommands(&out);
}

fn zsh_completion_loads_and_registers() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = script("zsh", dir.path());
    // The completion system first (as a user's .zshrc has it), then the script,
    // which registers its function with `compdef`.
    let code = format!(
        "autoload -Uz compinit && compinit -u -D || exit 1\n\
         source '{file}' || exit 1\n\
         print -r -- \"registered: $_comps[sfscenario]\"\n\
         (( $+functions[_sfscenario] )) && print defined"
    );
    let out = shell("zsh", &["-f", "-c", &code], dir.path());
    out.stdout_has("registered: _sfscenario")
        .stdout_has("defined");
}

fn fish_completion_loads_and_completes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = script("fish", dir.path());
    let code = format!("source '{file}'; or exit 1; complete -C 'sfscenario '");
    let out = shell("fish", &["--no-config", "-c", &code], dir.path());
    offers_the_subcommands(&out);
}

fn elvish_completion_loads_and_completes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = script("elvish", dir.path());
    // Elvish's line editor (`edit:`) exists only in a terminal session: the
    // script is evaluated with a stand-in `edit:` namespace that holds the
    // completer map and `complex-candidate`, then the completer it registered
    // is called as the editor would call it.
    let program = dir.path().join("load.elv");
    std::fs::write(
        &program,
        format!(
            "fn complex-candidate {{|c &display='' &code-suffix=''| put $c }}\n\
             var completion = (ns [&arg-completer=[&]])\n\
             var edit = (ns [&completion:=$completion &complex-candidate~=$complex-candidate~])\n\
             eval (slurp < '{file}') &ns=(ns [&edit:=$edit])\n\
             var completer = $edit[completion:][arg-completer][sfscenario]\n\
             $completer sfscenario '' | each {{|c| echo $c }}\n"
        ),
    )
    .expect("write the elvish program");
    let out = shell("elvish", &["-norc", &program.to_string_lossy()], dir.path());
    offers_the_subcommands(&out);
}
