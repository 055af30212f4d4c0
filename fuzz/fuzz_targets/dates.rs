//! Date parsing: job posting dates and resume date tokens and ranges.
#![no_main]

use intellicv_ingest::jobs::dates::parse_datetime;
use intellicv_ingest::profile::{find_range, parse_date};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let text = intellicv_fuzz::text(data);
    let _ = parse_datetime(&text);
    let _ = parse_date(&text);
    for line in text.lines().take(1_000) {
        let _ = find_range(line);
    }
});
