//! PDF: both engines (the fast path with its pdf-extract fallback, and pdf-extract alone).
#![no_main]

use intellicv_ingest::extract::PdfEngine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let _ = intellicv_fuzz::extract(data, PdfEngine::Fast);
    let _ = intellicv_fuzz::extract(data, PdfEngine::PdfExtract);
});
