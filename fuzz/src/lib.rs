//! Shared set-up for the fuzz targets: the panic policy and extraction as production runs it.
//!
//! libFuzzer's panic hook aborts on every panic, even one the code catches. The service
//! contains third-party parser panics on purpose (`ingest::extract::guard`), so by default
//! the targets put back a hook that only reports the panic: a panic that escapes (an
//! uncaught one in our code) still aborts and is a crash, while a contained one is an
//! ordinary `extractor_panicked` error. `INTELLICV_FUZZ_STRICT=1` keeps libFuzzer's hook, to
//! hunt the contained panics too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use intellicv_core::YearMonth;
use intellicv_ingest::extract::{
    ExtractError, ExtractLimits, ExtractedDocument, PdfEngine, extract_with_engine,
};

/// Stack for an extraction, as `ingest::extract::guard` gives production extractions.
const EXTRACTION_STACK_BYTES: usize = 16 << 20;

/// Contained panics seen so far (reported for the first few).
static CONTAINED_PANICS: AtomicU64 = AtomicU64::new(0);

/// Call from each target's `init:` block.
pub fn init() {
    if std::env::var_os("INTELLICV_FUZZ_STRICT").is_some_and(|v| v == "1") {
        return;
    }
    // Drop libFuzzer's aborting hook; an uncaught panic still aborts in
    // `LLVMFuzzerTestOneInput`'s own catch_unwind.
    drop(std::panic::take_hook());
    std::panic::set_hook(Box::new(|info| {
        let n = CONTAINED_PANICS.fetch_add(1, Ordering::Relaxed);
        if n < 20 {
            eprintln!("fuzz: panic (contained unless the run aborts next): {info}");
        }
    }));
}

/// The built-in limits with a deadline far past libFuzzer's `-timeout`, so a slow input is
/// reported by libFuzzer as a timeout instead of being cut short by the cooperative deadline.
pub fn limits() -> ExtractLimits {
    ExtractLimits {
        deadline: Some(Instant::now() + Duration::from_secs(120)),
        ..ExtractLimits::builtin()
    }
}

/// Extract `data` the way production does: on a thread with the extraction stack, under the
/// built-in limits. A panic that escapes extraction is re-raised here, so it is a crash.
pub fn extract(data: &[u8], engine: PdfEngine) -> Result<ExtractedDocument, ExtractError> {
    let data = data.to_vec();
    let worker = std::thread::Builder::new()
        .name("fuzz-extract".into())
        .stack_size(EXTRACTION_STACK_BYTES)
        .spawn(move || extract_with_engine(&data, &limits(), engine))
        .expect("spawn extraction thread");
    match worker.join() {
        Ok(result) => result,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// The month the profile parsers measure experience up to.
pub fn today() -> YearMonth {
    YearMonth {
        year: 2026,
        month: Some(6),
    }
}

/// Text for the text-level parsers: invalid UTF-8 replaced, as uploads are decoded.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
