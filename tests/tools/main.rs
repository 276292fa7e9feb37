//! Tests that need an outside tool: a real browser, real Salesforce clients,
//! validators, shells (`cargo test --test tools`).
//!
//! Each test declares the tools it needs (see [`gate`]). Where a tool is
//! missing its tests are ignored, and the summary counts them; with
//! `SFSCENARIO_REQUIRE_TOOLS=1` they fail instead, so CI cannot pass with a
//! broken install step. The harness is `libtest-mimic`: it takes the usual
//! test arguments (a name filter, `--list`, `--ignored`, `--test-threads`).

#[path = "../harness.rs"]
#[allow(
    dead_code,
    reason = "shared with the integration binary, which uses the rest"
)]
mod harness;
#[path = "../interop/process.rs"]
#[allow(
    dead_code,
    reason = "shared with the integration binary, which uses the rest"
)]
mod process;

mod apps;
mod browser;
mod chromium;
mod completions;
mod gate;
mod headless;
mod install;
mod interop;
mod json_schema;
mod junit_schema;
mod render;
mod sf;
mod url_catcher;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let tests = [
        apps::tests(),
        browser::tests(),
        completions::tests(),
        headless::tests(),
        install::tests(),
        interop::tests(),
        json_schema::tests(),
        junit_schema::tests(),
        render::tests(),
        sf::tests(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let trials = gate::trials(tests, &args);
    libtest_mimic::run(&args, trials).exit();
}
