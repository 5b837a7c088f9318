//! One input through every stage and every report format, for the cargo-fuzz
//! targets in `fuzz/` (nightly) and the stable mutation runner
//! (`examples/fuzz.rs`): what counts as a failure is decided here, once.

use crate::report::{self, Format, RenderOptions};
use crate::walk::FileKind;
use crate::{Input, Options, analyze, decode, source::MAX_FILE_BYTES};
use std::path::Path;

/// Scans `bytes` as a file called `name` (its extension picks the front end) and
/// renders every report. A panic escapes to the caller; an internal error caught
/// by the pipeline, a report that is not valid JSON or XML where it must be, or a
/// second run that reports differently is an `Err`.
pub fn exercise(name: &str, bytes: &[u8]) -> Result<(), String> {
    let kind =
        FileKind::of(Path::new(name)).ok_or_else(|| format!("{name}: not a scanned file name"))?;
    let input = Input {
        path: name.into(),
        display: name.into(),
        kind,
        content: decode(bytes.to_vec(), MAX_FILE_BYTES),
    };
    // Every input parsed, also one that names no AWS resource.
    let options = Options {
        parse_all: true,
        ..Options::default()
    };
    let scan = analyze(vec![input.clone()], &options);
    if let Some(f) = scan
        .findings
        .iter()
        .find(|f| f.message.contains("this is a bucketlint bug"))
    {
        return Err(f.message.clone());
    }
    let mut json = String::new();
    for format in Format::ALL {
        let out = report::render(format, &scan, RenderOptions::default());
        match format {
            Format::Json | Format::Sarif => {
                serde_json::from_str::<serde_json::Value>(&out)
                    .map_err(|e| format!("{format:?} report is not JSON: {e}"))?;
                if format == Format::Json {
                    json = out;
                }
            }
            Format::Junit if !out.starts_with("<?xml") => {
                return Err("JUnit report is not XML".into());
            }
            _ => {}
        }
    }
    let again = analyze(vec![input], &options);
    if report::render(Format::Json, &again, RenderOptions::default()) != json {
        return Err("a second scan of the same input reports differently".into());
    }
    Ok(())
}
