//! Stage timings for profiling: with `BUCKETLINT_TRACE` set, each stage of a scan
//! prints the time since the first stage and the resident memory to stderr, and
//! each rule the time it took.

use std::sync::OnceLock;
use std::time::Instant;

/// When tracing started; `None` when `BUCKETLINT_TRACE` is not set.
fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("BUCKETLINT_TRACE").map(|_| Instant::now()))
}

/// Notes that the scan reached `stage`.
pub fn stage(stage: &str) {
    let Some(start) = start() else {
        return;
    };
    eprintln!(
        "{:>8.3} s {:>6} MB  {stage}",
        start.elapsed().as_secs_f64(),
        resident_mb().map_or_else(|| "?".into(), |m| m.to_string())
    );
}

/// Runs `f`, saying how long it took when that is a millisecond or more.
pub fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    if start().is_none() {
        return f();
    }
    let t = Instant::now();
    let out = f();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    if ms >= 1.0 {
        eprintln!("{ms:>8.1} ms  {what}");
    }
    out
}

/// Resident memory in MB, where the system says (Linux).
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}
