//! Every front end and report for one input named `template.yaml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = bucketlint::fuzz::exercise("input/template.yaml", data) {
        panic!("{e}");
    }
});
