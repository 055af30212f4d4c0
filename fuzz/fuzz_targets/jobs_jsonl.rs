//! Job import JSON Lines and JSON arrays (gzip or plain), every record mapped to a draft.
#![no_main]

use intellicv_ingest::jobs::read_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    for record in read_json(data, "fuzz").take(10_000) {
        let _ = record;
    }
});
