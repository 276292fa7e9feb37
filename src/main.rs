// mimalloc: a suite's many small, short-lived allocations (HTTP exchanges,
// JSON values, step logs) on one thread per core cost a quarter less CPU
// than with glibc's malloc (bench/RESULTS.md). Without transparent huge
// pages (`no_thp`), which took a single run's peak RSS from 13 to 20 MiB.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `0.1.0 (1a2b3c4)`: the version and the commit it was built from, or
/// `unknown` outside a git checkout (see `build.rs`). Kept in the binary so
/// that a new commit relinks only this file.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SFSCENARIO_COMMIT"),
    ")"
);

fn main() -> std::process::ExitCode {
    sfscenario::cli::main(std::env::args_os(), VERSION)
}
