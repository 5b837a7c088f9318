//! The `bucketlint` binary: parse arguments, run, map the outcome to an exit status.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = bucketlint::cli::Cli::parse();
    let status = bucketlint::cli::run(cli);
    bucketlint::trace::stage("end");
    ExitCode::from(status)
}

// Parsing allocates many small nodes from several threads; glibc's allocator spends
// a quarter of the scan in malloc/free and its arena locks (measured with perf).
// Built without transparent huge pages (`no_thp`): the first touch of each 2 MiB
// page zeroed all of it, a third of a small scan's time, and the corpus held 25%
// more memory (measured with perf stat and /usr/bin/time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
