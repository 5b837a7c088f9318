//! Wall time, peak resident memory and CPU time of a child process, read from
//! `/proc` while it runs (Linux; elsewhere only the time is known). Shared by the
//! bounds test and the figures bench.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Measured {
    pub secs: f64,
    /// High-water mark of resident memory, MB.
    pub peak_mb: Option<f64>,
    /// User and system CPU seconds (to the last poll, 2 ms before exit at most).
    pub user: Option<f64>,
    pub sys: Option<f64>,
    /// `None` when killed at the deadline.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
}

/// Whether this system reports a process's memory (`/proc/PID/status`).
pub fn memory_known() -> bool {
    peak_mb(std::process::id()).is_some()
}

fn peak_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// utime and stime in seconds (`/proc/PID/stat` fields 14 and 15, in USER_HZ = 100).
fn cpu(pid: u32) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its `)`.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let sys: f64 = fields.get(12)?.parse().ok()?;
    Some((user / 100.0, sys / 100.0))
}

/// Wall seconds of `cmd` run to its end with no output kept and nothing polled: for
/// runs of a few milliseconds, where [`measure`]'s 2 ms polling would show.
pub fn wall(cmd: &mut Command) -> f64 {
    let start = Instant::now();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the command starts");
    assert!(matches!(status.code(), Some(0..=2)), "{cmd:?}: {status}");
    start.elapsed().as_secs_f64()
}

/// Runs `cmd` with stdout captured, stdin and stderr closed; killed after `deadline`.
pub fn measure(cmd: &mut Command, deadline: Duration) -> Measured {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the command starts");
    let mut pipe = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.read_to_end(&mut out);
        out
    });
    let (mut peak, mut times) = (None, None);
    let code = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited on") {
            break status.code();
        }
        peak = peak_mb(child.id()).or(peak);
        times = cpu(child.id()).or(times);
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Measured {
        secs: start.elapsed().as_secs_f64(),
        peak_mb: peak,
        user: times.map(|t| t.0),
        sys: times.map(|t| t.1),
        code,
        stdout: reader.join().unwrap_or_default(),
    }
}
