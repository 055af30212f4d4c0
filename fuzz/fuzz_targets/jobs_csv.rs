//! Job import CSV (gzip or plain) through the draft-named column mapping.
#![no_main]

use intellicv_ingest::jobs::{CsvMapping, read_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let mapping = CsvMapping::draft_names();
    for record in read_csv(data, &mapping, "fuzz").take(10_000) {
        let _ = record;
    }
    let title_only = CsvMapping {
        title: "title".to_owned(),
        delimiter: b';',
        ..CsvMapping::default()
    };
    for record in read_csv(data, &title_only, "fuzz").take(10_000) {
        let _ = record;
    }
});
