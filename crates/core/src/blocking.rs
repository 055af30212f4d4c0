//! The one way the workspace runs blocking or CPU-bound work from async code.

/// Runs CPU-bound or blocking `f` on tokio's blocking pool, inside the caller's span.
pub async fn spawn_blocking_with_span<F, R>(f: F) -> Result<R, tokio::task::JoinError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    #[allow(clippy::disallowed_methods)] // the one call the others go through
    tokio::task::spawn_blocking(move || span.in_scope(f)).await
}
