fn main() -> std::process::ExitCode {
    sfscenario::cli::main(std::env::args_os())
}
