//! Real Salesforce clients against `sfscenario mock`: jsforce (Node) logs in
//! over OAuth and SOAP, pages a query, writes records and reads metadata;
//! simple-salesforce (Python) does the same over TLS with the printed CA.
//! `.ci/run` installs both (`tests/interop/package.json`, `requirements.txt`).

use std::path::{Path, PathBuf};

use crate::gate::{Tool, ToolTest};
use crate::harness::root;
use crate::process::{self, MockProcess};

pub fn tests() -> Vec<ToolTest> {
    let mut tests = crate::tool_tests![&[Tool::Jsforce] =>
        jsforce_logs_in_pages_writes_and_reads_metadata,
    ];
    tests.extend(crate::tool_tests![&[Tool::SimpleSalesforce] =>
        simple_salesforce_over_tls,
    ]);
    tests
}

fn interop_dir() -> PathBuf {
    root().join("tests/interop")
}

/// Seed records and a small batch size, so queries page (see the file).
const CONFIG: &str = "tests/interop/mock.yaml";

fn jsforce_logs_in_pages_writes_and_reads_metadata() {
    let mock = MockProcess::start(&["--config", CONFIG]);
    let mut env = mock.org_env();
    env.push(("MOCK_URL", mock.url.clone()));
    let out = process::run(Path::new("node"), &["jsforce.js"], &interop_dir(), &env);
    out.code(0).stdout_has("jsforce: all checks passed");
    for needle in [
        "query batches: 4",
        "created 001",
        "ConnectedApp sfscenario_Mock_App",
    ] {
        out.stdout_has(needle);
    }
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("POST /services/Soap/m/"), "{log}");
}

fn simple_salesforce_over_tls() {
    let mock = MockProcess::start(&["--tls", "--config", CONFIG]);
    let mut env = mock.org_env();
    env.push(("MOCK_URL", mock.url.clone()));
    let ca = mock.ca_file.clone().expect("a CA file");
    env.push(("MOCK_CA", ca.to_string_lossy().into_owned()));
    let args = ["simple_salesforce_check.py"];
    let out = process::run(Path::new("python3"), &args, &interop_dir(), &env);
    out.code(0)
        .stdout_has("simple-salesforce: all checks passed");
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("POST /services/Soap/u/"), "{log}");
}
