//! A bounded cache of query vectors with hit and miss counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use moka::sync::Cache;
use serde::Serialize;

/// Query text → vector, least recently used entries evicted past the capacity.
pub struct QueryCache {
    entries: Cache<String, Arc<[f32]>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Counters for status reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
    pub capacity: u64,
}

impl QueryCache {
    pub fn new(capacity: u64) -> Self {
        Self {
            entries: Cache::new(capacity),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cached vector for `text`, counting a hit or a miss.
    pub fn get(&self, text: &str) -> Option<Arc<[f32]>> {
        let found = self.entries.get(text);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub fn insert(&self, text: &str, vector: Arc<[f32]>) {
        self.entries.insert(text.to_owned(), vector);
    }

    /// Forgets every cached vector (benchmarks measure uncached queries).
    pub fn clear(&self) {
        self.entries.invalidate_all();
    }

    pub fn stats(&self) -> CacheStats {
        self.entries.run_pending_tasks();
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
            capacity: self.entries.policy().max_capacity().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_count_hits_and_misses() {
        let cache = QueryCache::new(10);
        assert!(cache.get("rust").is_none());
        cache.insert("rust", Arc::from(vec![1.0, 0.0]));
        assert_eq!(cache.get("rust").as_deref(), Some(&[1.0, 0.0][..]));
        assert!(cache.get("Rust").is_none());
        let stats = cache.stats();
        assert_eq!(
            (stats.hits, stats.misses, stats.entries, stats.capacity),
            (1, 2, 1, 10)
        );
    }
}
