//! `--format pretty`: the live terminal view, built step by step while a
//! scenario runs.

use owo_colors::{OwoColorize, Style};
use serde_json::Value;

use crate::log::{Body, Check, Exchange, Kind, ScenarioLog, Status, StepLog};

use super::RenderOptions;
use super::exchange::{exchange_brief, first_lines, pretty_json, status_line, value_text};
use super::terminal::{safe, safe_step};

/// Longest text body shown with `-v`, in lines.
const BODY_LINES: usize = 40;

#[derive(Clone, Copy)]
enum Tone {
    Pass,
    Fail,
    Skip,
    Dim,
    Bold,
}

fn paint(opts: RenderOptions, tone: Tone, text: &str) -> String {
    if !opts.color {
        return text.to_owned();
    }
    let style = match tone {
        Tone::Pass => Style::new().green(),
        Tone::Fail => Style::new().red(),
        Tone::Skip => Style::new().yellow(),
        Tone::Dim => Style::new().dimmed(),
        Tone::Bold => Style::new().bold(),
    };
    text.style(style).to_string()
}

/// Lines, each ending with a newline.
fn text(lines: &[String]) -> String {
    lines.iter().flat_map(|l| [l.as_str(), "\n"]).collect()
}

/// The scenario's first line: its name, file and target. Empty when quiet.
#[must_use]
pub fn header(name: &str, file: &str, target: &str, opts: &RenderOptions) -> String {
    if opts.quiet {
        return String::new();
    }
    let (name, file, target) = (safe(name), safe(file), safe(target));
    let place = paint(*opts, Tone::Dim, &format!("({file} → {target})"));
    format!("{} {place}\n", paint(*opts, Tone::Bold, &name))
}

/// One finished step: a numbered line, key result fields, and why it failed.
/// When quiet, only failed steps are shown.
#[must_use]
pub fn step(step: &StepLog, opts: &RenderOptions) -> String {
    let opts = *opts;
    if opts.quiet && step.status != Status::Failed {
        return String::new();
    }
    let step = &safe_step(step);
    let mut lines = vec![title(step, opts)];
    if step.status != Status::Skipped {
        lines.extend(key_fields(step).map(|f| format!("    {}", paint(opts, Tone::Dim, &f))));
        if opts.verbose {
            lines.extend(step.exchanges.iter().flat_map(|ex| exchange(ex, opts)));
        }
        let error = step.error.as_deref();
        lines.extend(error.map(|e| format!("    {}", paint(opts, Tone::Fail, e))));
        lines.extend(step.checks.iter().filter_map(|c| check_line(c, opts)));
        if let Some(hint) = &step.hint {
            for (label, text) in super::hint::lines(hint) {
                let indent = if label == "hint" { "    " } else { "      " };
                let label = paint(opts, Tone::Skip, &format!("{label}:"));
                lines.push(format!("{indent}{label} {text}"));
            }
        }
    }
    text(&lines)
}

fn title(step: &StepLog, opts: RenderOptions) -> String {
    let name = format!("{}. {}", step.index, step.name);
    let kind = paint(opts, Tone::Dim, &format!("({})", step.kind));
    let (mark, name, tail) = match step.status {
        Status::Passed => (
            paint(opts, Tone::Pass, "✓"),
            name,
            paint(opts, Tone::Dim, &duration(step.duration_ms)),
        ),
        Status::Failed => (
            paint(opts, Tone::Fail, "✗"),
            name,
            paint(opts, Tone::Dim, &duration(step.duration_ms)),
        ),
        Status::Skipped => (
            paint(opts, Tone::Skip, "-"),
            paint(opts, Tone::Dim, &name),
            paint(opts, Tone::Skip, "skipped"),
        ),
    };
    format!("  {mark} {name} {kind} {tail}")
}

/// A failed check; with `-v`, every check with its mark.
fn check_line(check: &Check, opts: RenderOptions) -> Option<String> {
    let (subject, expected, actual) = (&check.subject, &check.expected, &check.actual);
    if check.passed {
        let text = paint(opts, Tone::Dim, &format!("{subject}: {actual}"));
        return opts
            .verbose
            .then(|| format!("    {} {text}", paint(opts, Tone::Pass, "✓")));
    }
    let text = paint(
        opts,
        Tone::Fail,
        &format!("{subject}: expected {expected}, got {actual}"),
    );
    Some(if opts.verbose {
        format!("    {} {text}", paint(opts, Tone::Fail, "✗"))
    } else {
        format!("    {text}")
    })
}

/// The result fields worth a glance, per step kind; for an `authorize` step
/// with a built-in user agent, its requests.
fn key_fields(step: &StepLog) -> Option<String> {
    if step.kind == Kind::Authorize && !step.exchanges.is_empty() {
        let briefs: Vec<String> = step.exchanges.iter().map(exchange_brief).collect();
        return Some(format!("browser: {}", briefs.join(", ")));
    }
    let keys: &[&str] = match step.kind {
        Kind::Pkce => &["code_challenge_method"],
        Kind::Authorize => &["url"],
        Kind::Callback => &["code", "error", "error_description"],
        Kind::Token => &[
            "status",
            "token_type",
            "scope",
            "instance_url",
            "error",
            "error_description",
        ],
        Kind::Request | Kind::Metadata => &["status"],
        Kind::Jwt | Kind::Set => &[],
    };
    // A failed step's error line already tells the OAuth error.
    let told = |key: &str| step.error.is_some() && matches!(key, "error" | "error_description");
    let parts: Vec<String> = keys
        .iter()
        .filter(|k| !told(k))
        .filter_map(|k| match step.result.get(*k) {
            None | Some(Value::Null) => None,
            Some(v) => Some(format!("{k}: {}", value_text(v))),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// A whole exchange, curl `-v` style.
fn exchange(ex: &Exchange, opts: RenderOptions) -> Vec<String> {
    let req = &ex.request;
    let mut lines = vec![format!("> {} {}", req.method, req.url)];
    lines.extend(req.headers.iter().map(|(n, v)| format!("> {n}: {v}")));
    if let Some(body) = &req.body {
        lines.push(">".to_owned());
        lines.extend(body_text(body).lines().map(|l| format!("> {l}")));
    }
    if let Some(resp) = &ex.response {
        lines.push(format!("< {}", status_line(resp.status)));
        lines.extend(resp.headers.iter().map(|(n, v)| format!("< {n}: {v}")));
        if let Some(body) = resp.body.as_ref().filter(|b| !is_empty(b)) {
            lines.push("<".to_owned());
            lines.extend(body_text(body).lines().map(|l| format!("< {l}")));
        }
    }
    if let Some(error) = &ex.error {
        lines.push(paint(opts, Tone::Fail, &format!("! {error}")));
    }
    lines.iter().map(|l| format!("    {l}")).collect()
}

fn is_empty(body: &Body) -> bool {
    matches!(body, Body::Text(t) if t.is_empty()) || matches!(body, Body::Form(f) if f.is_empty())
}

fn body_text(body: &Body) -> String {
    match body {
        Body::Form(fields) => form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish(),
        Body::Json(value) => pretty_json(value),
        Body::Text(text) => first_lines(text, BODY_LINES),
    }
}

fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{}.{:02} s", ms / 1000, (ms % 1000) / 10)
    }
}

/// The scenario's last line: PASSED or FAILED, step counts and duration.
/// When quiet, only failed scenarios have one.
#[must_use]
pub fn footer(log: &ScenarioLog, opts: &RenderOptions) -> String {
    footer_with(log, &log.name, log.error.as_deref(), opts)
}

/// The footer of `log` showing `name` and `error` in its stead (their
/// redacted forms), without copying its steps.
#[must_use]
pub fn footer_with(
    log: &ScenarioLog,
    name: &str,
    error: Option<&str>,
    opts: &RenderOptions,
) -> String {
    let opts = *opts;
    if opts.quiet && log.status != Status::Failed {
        return String::new();
    }
    let mut lines = Vec::new();
    if let Some(error) = error {
        let mark = paint(opts, Tone::Fail, "✗");
        lines.push(format!(
            "  {mark} {}",
            paint(opts, Tone::Fail, &safe(error))
        ));
    }
    if let Some(reason) = &log.skipped {
        lines.push(format!("  - {}", paint(opts, Tone::Skip, &safe(reason))));
    }
    let verdict = match log.status {
        Status::Passed => paint(opts, Tone::Pass, "PASSED"),
        Status::Failed => paint(opts, Tone::Fail, "FAILED"),
        Status::Skipped => paint(opts, Tone::Skip, "SKIPPED"),
    };
    let (passed, failed, skipped) = counts(log.steps.iter().map(|s| s.status));
    let mut parts = vec![format!("{passed} passed")];
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    let steps = format!("{} steps ({})", log.steps.len(), parts.join(", "));
    let tail = format!("· {steps} · {}", duration(log.duration_ms));
    lines.push(format!(
        "{verdict} {} {}",
        safe(name),
        paint(opts, Tone::Dim, &tail)
    ));
    text(&lines)
}

/// The run's last line: counts of scenarios.
#[must_use]
pub fn summary(logs: &[ScenarioLog], opts: &RenderOptions) -> String {
    let opts = *opts;
    let (passed, failed, skipped) = counts(logs.iter().map(|l| l.status));
    let failed_text = format!("{failed} failed");
    let failed_text = if failed > 0 {
        paint(opts, Tone::Fail, &failed_text)
    } else {
        failed_text
    };
    let passed_text = paint(opts, Tone::Pass, &format!("{passed} passed"));
    format!("{passed_text}, {failed_text}, {skipped} skipped\n")
}

fn counts(statuses: impl Iterator<Item = Status>) -> (usize, usize, usize) {
    statuses.fold((0, 0, 0), |(p, f, s), status| match status {
        Status::Passed => (p + 1, f, s),
        Status::Failed => (p, f + 1, s),
        Status::Skipped => (p, f, s + 1),
    })
}

/// Header, every step, footer.
pub(super) fn scenario(log: &ScenarioLog, opts: &RenderOptions) -> String {
    let mut out = header(&log.name, &log.file, &log.target, opts);
    for s in &log.steps {
        out.push_str(&step(s, opts));
    }
    out.push_str(&footer(log, opts));
    out
}

#[cfg(test)]
mod tests {
    use super::super::RenderOptions;
    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::{scenario, summary};

    fn opts(color: bool, verbose: bool, quiet: bool) -> RenderOptions {
        RenderOptions {
            color,
            verbose,
            quiet,
        }
    }

    #[test]
    fn pretty_pkce_flow() {
        insta::assert_snapshot!(scenario(&pkce_flow(), &opts(false, false, false)));
    }

    #[test]
    fn pretty_failed_token_flow() {
        insta::assert_snapshot!(scenario(&failed_token_flow(), &opts(false, false, false)));
    }

    #[test]
    fn pretty_verbose_failed_token_flow() {
        insta::assert_snapshot!(scenario(&failed_token_flow(), &opts(false, true, false)));
    }

    #[test]
    fn pretty_quiet_shows_only_failures() {
        let log = failed_token_flow();
        insta::assert_snapshot!(scenario(&log, &opts(false, false, true)));
        assert_eq!(scenario(&pkce_flow(), &opts(false, false, true)), "");
    }

    #[test]
    fn colour_only_when_asked() {
        let log = failed_token_flow();
        assert!(!scenario(&log, &opts(false, true, false)).contains('\u{1b}'));
        assert!(scenario(&log, &opts(true, false, false)).contains("\u{1b}[31m"));
        assert!(summary(&[log], &opts(true, false, false)).contains('\u{1b}'));
    }
}
