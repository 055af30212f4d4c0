//! JSON Resume: extraction (detection, parse, rendering) and the profile built from it.
#![no_main]

use intellicv_ingest::extract::PdfEngine;
use intellicv_ingest::profile::profile_from_json_resume;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    if let Ok(document) = intellicv_fuzz::extract(data, PdfEngine::default())
        && let Some(resume) = &document.json_resume
    {
        let _ = profile_from_json_resume(resume, &document.text, intellicv_fuzz::today());
    }
});
