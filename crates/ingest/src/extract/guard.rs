//! Containment for third-party parsers: panics become errors, slow documents time out.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use super::error::ExtractError;

/// Stack for extraction threads: deeply nested PDFs recurse, and a spawned thread's default
/// 2 MiB is small for that.
const EXTRACTION_STACK_BYTES: usize = 16 << 20;

/// Run `f`, turning a panic into [`ExtractError::ExtractorPanicked`] (logged with its message).
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, ExtractError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("non-string panic payload");
        tracing::warn!(panic.message = message, "text extractor panicked");
        ExtractError::ExtractorPanicked
    })
}

/// Run `job` on its own thread and wait at most `limit` for its result.
///
/// A job that overruns is not killed (threads cannot be); it finishes in the background and
/// its result is dropped. Callers handling untrusted uploads should bound how many run at
/// once. A stack overflow still aborts the process: only a subprocess isolates that.
pub fn run_with_timeout<T: Send + 'static>(
    limit: Duration,
    job: impl FnOnce() -> Result<T, ExtractError> + Send + 'static,
) -> Result<T, ExtractError> {
    let (sender, receiver) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("text-extract".into())
        .stack_size(EXTRACTION_STACK_BYTES)
        .spawn(move || {
            // The receiver is gone when we timed out; nothing to report then.
            let _ = sender.send(catch_panic(job).and_then(|result| result));
        });
    if let Err(error) = spawned {
        tracing::error!(error = %error, "could not spawn text extraction thread");
        return Err(ExtractError::ExtractorPanicked);
    }
    match receiver.recv_timeout(limit) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ExtractError::TimedOut {
            limit_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
        }),
        // The worker died without sending, which only an unwinding failure outside
        // `catch_panic` could cause.
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(ExtractError::ExtractorPanicked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_extractor_panicked() {
        let result: Result<(), _> = catch_panic(|| panic!("boom"));
        assert_eq!(result, Err(ExtractError::ExtractorPanicked));
    }

    #[test]
    fn a_job_that_overruns_its_limit_times_out() {
        let result = run_with_timeout(Duration::from_millis(20), || {
            std::thread::sleep(Duration::from_millis(500));
            Ok(1)
        });
        assert_eq!(result, Err(ExtractError::TimedOut { limit_ms: 20 }));
    }

    #[test]
    fn a_job_within_its_limit_returns_its_result() {
        assert_eq!(run_with_timeout(Duration::from_secs(5), || Ok(7)), Ok(7));
    }
}
