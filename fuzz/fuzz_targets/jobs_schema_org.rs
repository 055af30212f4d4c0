//! One job record (schema.org JobPosting, Hacker News post or flat) mapped to a draft.
#![no_main]

use intellicv_ingest::jobs::map_record;
use intellicv_ingest::jobs::schema_org;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = map_record(&value, "fuzz");
    if let Some(object) = value.as_object()
        && schema_org::looks_like(object)
    {
        let _ = schema_org::to_draft(object, "fuzz");
    }
});
