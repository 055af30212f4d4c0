//! HTML to text, in both styles (resume pages and job descriptions).
#![no_main]

use intellicv_ingest::html::{HtmlStyle, has_markup, html_to_text, job_description_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let html = intellicv_fuzz::text(data);
    let _ = has_markup(&html);
    let _ = html_to_text(&html, &HtmlStyle::RESUME);
    let _ = job_description_text(&html);
});
