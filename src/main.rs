//! The `bucketlint` binary: parse arguments, run, map the outcome to an exit status.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = bucketlint::cli::Cli::parse();
    ExitCode::from(bucketlint::cli::run(cli))
}

// Parsing allocates many small nodes from several threads; glibc's allocator spends
// a quarter of the scan in malloc/free and its arena locks (measured with perf).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
