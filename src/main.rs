fn main() -> std::process::ExitCode {
    tokenctl::run(std::env::args_os())
}
