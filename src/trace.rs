//! Stage timings for profiling: with `BUCKETLINT_TRACE` set, each stage of a scan
//! prints the time since the first stage and the resident memory to stderr.

use std::sync::OnceLock;
use std::time::Instant;

/// Notes that the scan reached `stage`; silent unless `BUCKETLINT_TRACE` is set.
pub fn stage(stage: &str) {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let Some(start) =
        START.get_or_init(|| std::env::var_os("BUCKETLINT_TRACE").map(|_| Instant::now()))
    else {
        return;
    };
    eprintln!(
        "{:>8.3} s {:>6} MB  {stage}",
        start.elapsed().as_secs_f64(),
        resident_mb().map_or_else(|| "?".into(), |m| m.to_string())
    );
}

/// Resident memory in MB, where the system says (Linux).
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}
