// mimalloc: a suite's many small, short-lived allocations (HTTP exchanges,
// JSON values, step logs) on one thread per core cost a quarter less CPU
// than with glibc's malloc (bench/RESULTS.md). Without transparent huge
// pages (`no_thp`), which took a single run's peak RSS from 13 to 20 MiB.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sfscenario::cli::main(std::env::args_os())
}
