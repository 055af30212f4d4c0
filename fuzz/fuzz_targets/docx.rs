//! DOCX: whole-document extraction (format detection, then the docx reader), as uploads run it.
#![no_main]

use intellicv_ingest::extract::PdfEngine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let _ = intellicv_fuzz::extract(data, PdfEngine::default());
});
