//! The committed walkthroughs (`docs/flows/**/*.md`) as a reader sees them on
//! GitHub, checked in headless Chromium: every ```mermaid block parses with
//! Mermaid's own parser, and each page, rendered by `marked` (GFM) in
//! `github-markdown-css`'s `.markdown-body` at GitHub's width (980 px), has
//! no element outside `<pre>` and `<details>` wider than that.
//!
//! No WebDriver: the test writes one HTML file that loads the bundles from
//! `tests/render/node_modules` (`npm ci --prefix tests/render`), the pages
//! as JSON and `tests/render/check.js`; `chromium --dump-dom` prints the DOM
//! once the script has written its findings into `<pre id="result">`. Nothing
//! is fetched from the network. The fixtures under `tests/fixtures/render/`
//! show that the checker reports what it should.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::gate::{Tool, ToolTest, program};
use crate::harness::root;

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Chromium, Tool::Render] =>
        every_walkthrough_diagram_parses_with_mermaid,
        no_walkthrough_is_wider_than_github_shows_it,
        a_broken_diagram_is_reported_with_its_page_and_line,
        a_table_wider_than_the_page_is_reported,
    ]
}

/// GitHub's page: `.markdown-body` at most this wide.
const GITHUB_WIDTH: f64 = 980.0;

/// How long one Chromium run may take before it is killed.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(120);

/// The files `npm ci --prefix tests/render` installs that the check loads.
pub const BUNDLES: [&str; 3] = [
    "node_modules/marked/lib/marked.umd.js",
    "node_modules/mermaid/dist/mermaid.min.js",
    "node_modules/github-markdown-css/github-markdown.css",
];

pub fn render_dir() -> PathBuf {
    root().join("tests/render")
}

/// What `tests/render/check.js` found (see there).
#[derive(Debug, Deserialize)]
struct Report {
    done: bool,
    width: f64,
    pages: usize,
    diagrams: usize,
    broken: Vec<Broken>,
    wide: Vec<Wide>,
    errors: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Broken {
    page: String,
    line: usize,
    message: String,
}

#[derive(Debug, Deserialize)]
struct Wide {
    page: String,
    #[serde(flatten)]
    element: Element,
    part: Option<Element>,
}

#[derive(Debug, Deserialize)]
struct Element {
    tag: String,
    text: String,
    width: u32,
}

impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}> {} px: {:?}", self.tag, self.width, self.text)
    }
}

/// The Markdown pages under `dir` (relative to the repository), sorted, as
/// (path, text).
fn pages(dir: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{} is not readable: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root().join(dir), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(root())
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, text)
        })
        .collect()
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path)
        .unwrap_or_else(|()| panic!("{} is not an absolute path", path.display()))
        .into()
}

/// The HTML page that checks `pages`: the pages as JSON, then the bundles
/// and the checker, all local files.
fn check_page(pages: &[(String, String)]) -> String {
    let dir = render_dir();
    let json: Vec<serde_json::Value> = pages
        .iter()
        .map(|(name, text)| serde_json::json!({ "name": name, "text": text }))
        .collect();
    // `<` only occurs inside JSON strings, where `\u003c` means the same and
    // cannot end the <script> element.
    let json = serde_json::to_string(&json)
        .expect("JSON")
        .replace('<', "\\u003c");
    let [marked, mermaid, css] = BUNDLES.map(|bundle| file_url(&dir.join(bundle)));
    let check = file_url(&dir.join("check.js"));
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>render check</title>
<link rel="stylesheet" href="{css}">
<style>
/* github-markdown-css's README: GitHub's page width and padding. */
.markdown-body {{ box-sizing: border-box; min-width: 200px; max-width: 980px; margin: 0 auto; padding: 45px; }}
@media (max-width: 767px) {{ .markdown-body {{ padding: 15px; }} }}
</style>
<script type="application/json" id="pages">{json}</script>
</head><body>
<script src="{marked}"></script>
<script src="{mermaid}"></script>
<script src="{check}"></script>
</body></html>
"#
    )
}

/// Whether this process runs as root (Chromium's sandbox refuses root).
fn is_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Kills Chromium and every process it started (its process group).
fn kill_group(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs the check over `pages` in headless Chromium.
fn check(pages: &[(String, String)]) -> Result<Report, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let html = dir.path().join("check.html");
    std::fs::write(&html, check_page(pages)).map_err(|e| e.to_string())?;
    let chromium = program("chromium").ok_or("`chromium` is not on PATH")?;
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        // Nothing but the local files: no host name resolves.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1280,900",
        "--virtual-time-budget=30000",
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.path().join("profile").display()
    ));
    if is_root() {
        cmd.arg("--no-sandbox");
    }
    cmd.arg("--dump-dom")
        .arg(file_url(&html))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|e| format!("chromium: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                kill_group(&mut child);
                return Err(format!(
                    "chromium ran longer than {CHROMIUM_TIMEOUT:?} and was killed"
                ));
            }
            Err(e) => {
                kill_group(&mut child);
                return Err(format!("chromium: {e}"));
            }
        }
    };
    // Chromium's helpers may still hold the pipes open.
    kill_group(&mut child);
    let dom = out.join().unwrap_or_default();
    let log = err.join().unwrap_or_default();
    let result = dom
        .split_once(r#"<pre id="result">"#)
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(json, _)| json);
    let Some(json) = result else {
        let log: Vec<&str> = log
            .lines()
            .filter(|l| !l.contains("dbus") && !l.trim().is_empty())
            .collect();
        return Err(format!(
            "the check page wrote no result (chromium {status}; are the bundles of \
             `npm ci --prefix tests/render` there?):\n{}",
            log.join("\n")
        ));
    };
    let report: Report = serde_json::from_str(json).map_err(|e| format!("{e}: {json}"))?;
    if !report.done || !report.errors.is_empty() {
        return Err(format!(
            "the check failed in the browser: {}",
            report.errors.join("\n")
        ));
    }
    if report.pages != pages.len() {
        return Err(format!("checked {} of {} pages", report.pages, pages.len()));
    }
    if (report.width - GITHUB_WIDTH).abs() > 0.5 {
        return Err(format!(
            "the page was {} px wide, not GitHub's {GITHUB_WIDTH}: the window is too narrow",
            report.width
        ));
    }
    Ok(report)
}

/// The check over `docs/flows`, run once for both of its tests.
fn walkthroughs() -> &'static (usize, Report) {
    static REPORT: OnceLock<Result<(usize, Report), String>> = OnceLock::new();
    let result = REPORT.get_or_init(|| {
        let pages = pages("docs/flows");
        check(&pages).map(|report| (pages.len(), report))
    });
    match result {
        Ok(found) => found,
        Err(why) => panic!("{why}"),
    }
}

/// The check over `tests/fixtures/render`, run once for both of its tests.
fn fixtures() -> &'static Report {
    static REPORT: OnceLock<Result<Report, String>> = OnceLock::new();
    match REPORT.get_or_init(|| check(&pages("tests/fixtures/render"))) {
        Ok(report) => report,
        Err(why) => panic!("{why}"),
    }
}

fn broken_lines(report: &Report) -> String {
    report
        .broken
        .iter()
        .map(|b| {
            let message = b.message.replace('\n', "\n      ");
            format!("  {}:{}: {message}", b.page, b.line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn wide_lines(report: &Report) -> String {
    report
        .wide
        .iter()
        .map(|w| match &w.part {
            Some(part) => format!("  {}: {}\n      widest part: {part}", w.page, w.element),
            None => format!("  {}: {}", w.page, w.element),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pages_in<'a>(pages: impl Iterator<Item = &'a String>) -> usize {
    pages.collect::<std::collections::BTreeSet<_>>().len()
}

fn every_walkthrough_diagram_parses_with_mermaid() {
    let (count, report) = walkthroughs();
    assert!(*count > 0, "no pages under docs/flows");
    assert!(
        report.broken.is_empty(),
        "{} of {count} walkthroughs have a Mermaid diagram that Mermaid's parser \
         rejects; GitHub shows an error box in its place. Fix the diagram the \
         Markdown renderer writes (src/render) and regenerate the pages:\n{}",
        pages_in(report.broken.iter().map(|b| &b.page)),
        broken_lines(report)
    );
}

fn no_walkthrough_is_wider_than_github_shows_it() {
    let (count, report) = walkthroughs();
    assert!(*count > 0, "no pages under docs/flows");
    assert!(
        report.wide.is_empty(),
        "{} of {count} walkthroughs, rendered as GitHub does, have elements wider \
         than its {GITHUB_WIDTH} px page outside code blocks and <details>: the \
         reader scrolls them sideways. In the Markdown renderer (src/render), \
         break the widest part (a URL at its parameters), give a table fewer or \
         narrower columns, or move the value into a code block or a collapsed \
         <details>; then regenerate the pages:\n{}",
        pages_in(report.wide.iter().map(|w| &w.page)),
        wide_lines(report)
    );
}

fn a_broken_diagram_is_reported_with_its_page_and_line() {
    let report = fixtures();
    let page = "tests/fixtures/render/broken-diagram.md";
    let found: Vec<&Broken> = report.broken.iter().filter(|b| b.page == page).collect();
    assert!(
        found.len() == 1 && found[0].line == 17 && found[0].message.contains("Parse error"),
        "expected one broken diagram, fenced at {page}:17, with Mermaid's parse error; \
         the checker found:\n{}",
        broken_lines(report)
    );
    assert_eq!(report.broken.len(), 1, "{}", broken_lines(report));
    assert!(
        report.diagrams >= 2,
        "the fixture's good diagram was not checked"
    );
}

fn a_table_wider_than_the_page_is_reported() {
    let report = fixtures();
    let page = "tests/fixtures/render/wide-table.md";
    let [found] = report.wide.as_slice() else {
        panic!(
            "expected exactly one wide element, the table of {page} (not the \
             paragraph, code block or <details> holding the same URL); the \
             checker found:\n{}",
            wide_lines(report)
        );
    };
    assert_eq!(found.page, page, "{}", wide_lines(report));
    assert_eq!(found.element.tag, "table", "{}", wide_lines(report));
    assert!(
        f64::from(found.element.width) > GITHUB_WIDTH,
        "{}",
        wide_lines(report)
    );
    let part = found.part.as_ref().expect("the widest cell");
    assert!(
        part.tag == "td" && part.text.starts_with("https://MyDomain.my.salesforce.com/"),
        "the widest part should be the URL's cell: {part}"
    );
}
