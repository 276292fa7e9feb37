//! `--target-org ALIAS`: an org the Salesforce CLI has authorised. sfscenario
//! asks `sf org display --target-org ALIAS --json` once per run (the CLI
//! refreshes the session itself) and takes the instance URL, the access
//! token and the username; a CLI that hides the token there (newer
//! releases) is asked `sf org auth show-access-token` for it.
//!
//! Every way this can go wrong is one line and exit status 2: no `sf` on
//! `PATH`, an alias the CLI does not know, a session that has expired, a
//! CLI that fails or does not answer. The access token never appears in
//! them.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::runner::run_config::CliOrg;
use crate::secret::Secret;

/// How long one `sf` command may take: it starts Node.js and may refresh
/// the session over the network.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The Salesforce CLI's program.
const SF: &str = "sf";

/// The org the Salesforce CLI knows as `alias`.
///
/// # Errors
///
/// One line saying what went wrong and what to do.
pub fn resolve(alias: &str) -> Result<CliOrg, String> {
    let display = run(&["org", "display", "--target-org", alias, "--json"])?;
    let mut org = parse_display(alias, &display)?;
    if !looks_like_token(org.access_token.expose()) {
        let shown = run(&[
            "org",
            "auth",
            "show-access-token",
            "--target-org",
            alias,
            "--json",
        ])?;
        let token = result(alias, &shown)?
            .get("accessToken")
            .and_then(Value::as_str)
            .filter(|t| looks_like_token(t))
            .ok_or_else(|| format!("the Salesforce CLI gave no access token for `{alias}`"))?
            .to_owned();
        org.access_token = Secret::new(token);
    }
    Ok(org)
}

/// What `sf org display --json` printed, read.
///
/// # Errors
///
/// The CLI's error (an unknown alias, …), or a session that has expired.
pub fn parse_display(alias: &str, stdout: &str) -> Result<CliOrg, String> {
    let result = result(alias, stdout)?;
    let text = |k: &str| result.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(status) = text("connectedStatus")
        && expired(&status)
    {
        return Err(format!(
            "the Salesforce CLI's session for `{alias}` has expired ({}); log in again with `sf org login web --alias {alias}`",
            one_line(&status)
        ));
    }
    let instance_url = text("instanceUrl")
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| format!("the Salesforce CLI gave no instance URL for `{alias}`"))?;
    Ok(CliOrg {
        alias: alias.to_owned(),
        instance_url,
        access_token: Secret::new(text("accessToken").unwrap_or_default()),
        username: text("username"),
    })
}

/// The `result` of a `--json` answer, or the CLI's error as one line.
fn result(alias: &str, stdout: &str) -> Result<Value, String> {
    let answer: Value = serde_json::from_str(stdout.trim()).map_err(|_| {
        format!(
            "the Salesforce CLI printed no JSON: {}",
            one_line(stdout.lines().next().unwrap_or("nothing"))
        )
    })?;
    if answer.get("status").and_then(Value::as_i64) == Some(0)
        && let Some(result) = answer.get("result")
    {
        return Ok(result.clone());
    }
    let name = answer.get("name").and_then(Value::as_str).unwrap_or("");
    let message = answer
        .get("message")
        .and_then(Value::as_str)
        .map_or_else(|| "it failed".to_owned(), cli_message);
    if name == "NamedOrgNotFoundError" || name == "NoAuthInfoFound" {
        return Err(format!(
            "the Salesforce CLI knows no org `{alias}` ({message}); `sf org list` shows the ones it knows, `sf org login web --alias {alias}` adds one"
        ));
    }
    if expired(&message) || expired(name) {
        return Err(format!(
            "the Salesforce CLI's session for `{alias}` has expired ({message}); log in again with `sf org login web --alias {alias}`"
        ));
    }
    let name = if name.is_empty() { "error" } else { name };
    Err(format!(
        "the Salesforce CLI failed for `{alias}`: {name}: {message}"
    ))
}

/// Whether a status names an expired or revoked session.
fn expired(status: &str) -> bool {
    let status = status.to_ascii_lowercase();
    [
        "expired",
        "invalid_session_id",
        "refreshtokenautherror",
        "invalid_grant",
        "bad_oauth_token",
    ]
    .iter()
    .any(|needle| status.contains(needle))
}

/// An access token, not the redaction notice newer CLIs print in its place.
fn looks_like_token(token: &str) -> bool {
    token.len() >= 16 && !token.contains(char::is_whitespace) && !token.starts_with('[')
}

/// The CLI's message, without its parsing preamble and help hints.
fn cli_message(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Parsing --") && !l.starts_with("See more help")
        })
        .collect();
    one_line(&lines.join(" "))
}

/// One line of at most 300 characters.
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out: String = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > 300 {
        out = out.chars().take(300).collect::<String>() + "…";
    }
    out
}

/// Runs `sf ARGS…`: its stdout, whatever its exit status (`--json`
/// answers go to stdout either way).
fn run(args: &[&str]) -> Result<String, String> {
    let shown = format!("{SF} {}", args.join(" "));
    let mut child = Command::new(SF)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "the Salesforce CLI (`{SF}`) is not on PATH; install it with `npm install --global @salesforce/cli`, or run against `--org` with SF_INSTANCE_URL and SF_ACCESS_TOKEN"
            ),
            _ => format!("cannot start `{shown}`: {e}"),
        })?;
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{shown}` did not answer within {} s",
                    TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("`{shown}`: {e}")),
        }
    }
    let out = String::from_utf8_lossy(&stdout.join().unwrap_or_default()).into_owned();
    if out.trim().is_empty() {
        let err = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
        let why = err
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.contains("update available"))
            .unwrap_or("no output");
        return Err(format!("`{shown}` printed nothing: {}", one_line(why)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_display;

    /// What `sf org display --target-org mockorg --json` printed (CLI
    /// 2.116.6, against `sfscenario mock`).
    const DISPLAYED: &str = r#"{
  "status": 0,
  "result": {
    "id": "00Dak0000000001EAA",
    "accessToken": "00Dak0000000001!AQvrGydnaKNh9FQTnZbhemDDm9tvGwkIFFFB8AE9",
    "instanceUrl": "http://127.0.0.1:43591/",
    "username": "mock.user@example.com",
    "connectedStatus": "Connected",
    "alias": "mockorg"
  },
  "warnings": ["Using insecure protocol: http: on url: http://127.0.0.1:43591"]
}"#;

    #[test]
    fn the_instance_loses_its_trailing_slash() {
        let org = parse_display("mockorg", DISPLAYED).unwrap();
        assert_eq!(org.instance_url, "http://127.0.0.1:43591");
        assert_eq!(org.username.as_deref(), Some("mock.user@example.com"));
        assert!(org.access_token.expose().starts_with("00Dak0000000001!"));
        assert!(!format!("{org:?}").contains("AQvrGyd"));
    }

    #[test]
    fn an_unknown_alias_is_one_line() {
        let answer = r#"{"name": "NamedOrgNotFoundError", "message": "Parsing --target-org \n\tNo authorization information found for nope.\nSee more help with --help", "exitCode": 2, "status": 2}"#;
        let err = parse_display("nope", answer).unwrap_err();
        assert_eq!(
            err,
            "the Salesforce CLI knows no org `nope` (No authorization information found for nope.); `sf org list` shows the ones it knows, `sf org login web --alias nope` adds one"
        );
    }

    #[test]
    fn an_expired_session_is_refused() {
        let expired = DISPLAYED.replace("\"Connected\"", "\"Session expired or invalid\"");
        let err = parse_display("mockorg", &expired).unwrap_err();
        assert!(
            err.contains("has expired (Session expired or invalid)"),
            "{err}"
        );
        assert!(!err.contains("AQvrGyd"), "{err}");
        // A status that says nothing of the session is left to the steps.
        let other = DISPLAYED.replace("\"Connected\"", "\"The requested resource does not exist\"");
        assert!(parse_display("mockorg", &other).is_ok());
    }

    #[test]
    fn other_failures_are_one_line() {
        assert!(
            parse_display("x", "Warning: something\n")
                .unwrap_err()
                .starts_with("the Salesforce CLI printed no JSON: Warning: something")
        );
        let failed = r#"{"status": 1, "name": "GenericError", "message": "boom\nagain"}"#;
        assert_eq!(
            parse_display("x", failed).unwrap_err(),
            "the Salesforce CLI failed for `x`: GenericError: boom again"
        );
        let no_url = r#"{"status": 0, "result": {"accessToken": "00Dx0000000000!AAAAAAAAAAAA"}}"#;
        assert!(
            parse_display("x", no_url)
                .unwrap_err()
                .contains("no instance URL")
        );
    }
}
