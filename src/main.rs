// mimalloc: many small short-lived allocations on several threads (HTTP
// exchanges, JSON values, step logs) cost a third less time than with the
// system allocator; see bench/RESULTS.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sfscenario::cli::main(std::env::args_os())
}
