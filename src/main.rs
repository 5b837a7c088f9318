//! The `bucketlint` binary: parse arguments, run, map the outcome to an exit status.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = bucketlint::cli::Cli::parse();
    ExitCode::from(bucketlint::cli::run(cli))
}
