use std::process::ExitCode;

fn main() -> ExitCode {
    kezek::cli::run(std::env::args_os())
}
