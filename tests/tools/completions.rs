//! `sfscenario completions SHELL` prints a script that loads in that shell
//! without an error and registers a completer for `sfscenario`; where the
//! shell can be asked without a terminal, the completer offers the
//! subcommands. Debian packages `bash zsh fish elvish` (`.ci/run`).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::gate::{BASH_COMPLETION, Tool, ToolTest};
use crate::harness::{Output, Sfscenario, root};

pub fn tests() -> Vec<ToolTest> {
    let mut tests = crate::tool_tests![&[Tool::Bash] => bash_completion_loads_and_completes];
    tests.extend(crate::tool_tests![&[Tool::Zsh] => zsh_completion_loads_and_registers]);
    tests.extend(crate::tool_tests![&[Tool::Fish] => fish_completion_loads_and_completes]);
    tests.extend(crate::tool_tests![&[Tool::Elvish] => elvish_completion_loads_and_completes]);
    tests.extend(crate::tool_tests![&[Tool::Bash, Tool::BashCompletion] =>
        the_readme_bash_location_loads_on_demand]);
    tests.extend(crate::tool_tests![&[Tool::Zsh] => the_readme_zsh_location_is_found_by_compinit]);
    tests.extend(crate::tool_tests![&[Tool::Fish] => the_readme_fish_location_completes]);
    tests
}

/// Runs the README's line that installs `shell`'s completions, with `HOME`
/// a new directory and `sfscenario` on `PATH`; returns that `HOME`.
fn install_as_the_readme_says(shell: &str) -> tempfile::TempDir {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let needle = format!("sfscenario completions {shell} >");
    let line = readme
        .lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("the README does not say where {shell} completions go"));
    let home = tempfile::tempdir().expect("a HOME");
    let bin = Path::new(env!("CARGO_BIN_EXE_sfscenario"))
        .parent()
        .expect("the binary's directory")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", line])
        .env("HOME", home.path())
        .env("PATH", path)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "`{line}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    home
}

fn the_readme_bash_location_loads_on_demand() {
    let home = install_as_the_readme_says("bash");
    let code = format!(
        "source {BASH_COMPLETION} || exit 1\n\
         _completion_loader sfscenario\n\
         complete -p sfscenario"
    );
    let out = shell("bash", &["--norc", "--noprofile", "-c", &code], home.path());
    out.stdout_has("-F _sfscenario sfscenario");
}

fn the_readme_zsh_location_is_found_by_compinit() {
    let home = install_as_the_readme_says("zsh");
    // What the README asks of ~/.zshrc.
    let code = "fpath=(~/.zfunc $fpath)\n\
                autoload -Uz compinit && compinit -u -d ~/.zcompdump || exit 1\n\
                print -r -- \"registered: $_comps[sfscenario]\"";
    let out = shell("zsh", &["-f", "-c", code], home.path());
    out.stdout_has("registered: _sfscenario");
}

fn the_readme_fish_location_completes() {
    let home = install_as_the_readme_says("fish");
    // fish loads ~/.config/fish/completions by itself (not with
    // --no-config), for a command it finds on PATH.
    let bin = Path::new(env!("CARGO_BIN_EXE_sfscenario"))
        .parent()
        .expect("the binary's directory");
    let code = format!(
        "set -gx PATH '{}' $PATH; complete -C 'sfscenario '",
        bin.display()
    );
    let out = shell("fish", &["-c", &code], home.path());
    offers_the_subcommands(&out);
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
