//! The queue settings (`[queue]`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The background job queue (batch processing) and its workers in the server process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSettings {
    /// Jobs run at once by one server process; 0 runs none (jobs wait in the queue).
    pub workers: usize,
    /// How often an idle worker looks for a due job (a new job wakes the workers at once).
    pub poll_interval_ms: u64,
    /// How long a claimed job stays a worker's without a heartbeat; a job whose lease ran
    /// out (its process died) is claimed again.
    pub lease_secs: u64,
    /// How often a worker renews its lease (keep well under `lease_secs`).
    pub heartbeat_secs: u64,
    /// Attempts before a job is dead.
    pub max_attempts: u32,
    /// The first retry waits this long, doubling each attempt (with up to 25% jitter).
    pub backoff_base_secs: u64,
    /// The longest wait between attempts.
    pub backoff_max_secs: u64,
    /// The only server directories an admin's batch `directory` may read (and symlinks
    /// in them may point into). Empty (the default): no server path can be read. A root
    /// may neither contain nor lie inside the data dir, the index dir or the SQLite
    /// file's directory; the server refuses to start otherwise.
    pub import_roots: Vec<PathBuf>,
    /// Directories deeper than this below a batch `directory` are not walked.
    pub import_max_depth: usize,
    /// Most files (and most directories) one batch `directory` walk may find; more is a
    /// 422.
    pub import_max_files: usize,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            workers: 2,
            poll_interval_ms: 1000,
            lease_secs: 60,
            heartbeat_secs: 15,
            max_attempts: 5,
            backoff_base_secs: 5,
            backoff_max_secs: 600,
            import_roots: Vec::new(),
            import_max_depth: 16,
            import_max_files: 10_000,
        }
    }
}
