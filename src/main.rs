use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = mandate::cli::Cli::parse();
    ExitCode::from(mandate::cli::run(cli))
}
