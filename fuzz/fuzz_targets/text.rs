//! Format detection and text decoding, then the resume profile parser on the text.
#![no_main]

use intellicv_ingest::extract::{PdfEngine, detect_format, normalize_text};
use intellicv_ingest::profile::parse_profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let _ = detect_format(data);
    if let Ok(document) = intellicv_fuzz::extract(data, PdfEngine::default()) {
        let _ = parse_profile(&document.text, intellicv_fuzz::today());
    }
    let text = intellicv_fuzz::text(data);
    let _ = parse_profile(&normalize_text(&text), intellicv_fuzz::today());
});
