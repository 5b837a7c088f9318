//! Every front end and report for one input named `main.tf.json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = bucketlint::fuzz::exercise("input/main.tf.json", data) {
        panic!("{e}");
    }
});
