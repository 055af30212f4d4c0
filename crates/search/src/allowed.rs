//! The documents a filter keeps, computed once per query by one pass over the metadata,
//! so a filtered vector search tests a bit for each document it visits instead of looking
//! up and evaluating that document's metadata (which made filtered hybrid search the slow
//! kind: see docs/benchmarks.md).

use std::collections::HashSet;

use super::{DocId, DocMeta, SearchFilters};

/// A set of document ids: a bitmap when the kept ids are dense enough, a hash set when not.
#[derive(Debug, Clone, PartialEq)]
pub enum Allowed {
    Bits { words: Vec<u64>, len: usize },
    Set(HashSet<DocId>),
}

impl Allowed {
    /// The ids of `docs` that `keep` keeps.
    pub fn collect<'a, M: 'a>(
        docs: impl Iterator<Item = (&'a DocId, &'a M)>,
        keep: impl Fn(&M) -> bool,
    ) -> Self {
        let kept: Vec<DocId> = docs
            .filter(|(_, meta)| keep(meta))
            .map(|(id, _)| *id)
            .collect();
        let len = kept.len();
        let dense = kept.iter().all(|id| *id >= 0)
            && kept
                .iter()
                .max()
                .is_none_or(|max| (*max as u64) <= 8 * len as u64 + 4_096);
        if !dense {
            return Self::Set(kept.into_iter().collect());
        }
        let top = kept.iter().max().map_or(0, |max| *max as usize + 1);
        let mut words = vec![0u64; top.div_ceil(64)];
        for id in kept {
            let id = id as usize;
            words[id / 64] |= 1 << (id % 64);
        }
        Self::Bits { words, len }
    }

    /// The documents of `meta` that `filters` keep; `None` when the filters are empty
    /// (everything passes).
    pub fn filtered<'a>(
        meta: impl Iterator<Item = (&'a DocId, &'a DocMeta)>,
        filters: &SearchFilters,
        now: i64,
    ) -> Option<Self> {
        (!filters.is_empty()).then(|| Self::collect(meta, |m| filters.matches(m, now)))
    }

    pub fn contains(&self, id: DocId) -> bool {
        match self {
            Self::Bits { words, .. } => {
                id >= 0
                    && words
                        .get(id as usize / 64)
                        .is_some_and(|w| w & (1 << (id as usize % 64)) != 0)
            }
            Self::Set(set) => set.contains(&id),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Bits { len, .. } => *len,
            Self::Set(set) => set.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn check(ids: &[DocId]) -> Allowed {
        let docs: HashMap<DocId, i32> = ids.iter().map(|id| (*id, (*id % 3) as i32)).collect();
        let allowed = Allowed::collect(docs.iter(), |m| *m == 0);
        for id in ids {
            assert_eq!(allowed.contains(*id), id % 3 == 0, "{id}");
        }
        for absent in [-5, 1_000_000_007, 999_999_999_999] {
            assert!(!allowed.contains(absent));
        }
        assert_eq!(allowed.len(), ids.iter().filter(|id| *id % 3 == 0).count());
        allowed
    }

    #[test]
    fn dense_ids_make_a_bitmap_and_sparse_ones_a_set_with_the_same_answers() {
        let dense: Vec<DocId> = (1..5_000).collect();
        assert!(matches!(check(&dense), Allowed::Bits { .. }));
        let sparse: Vec<DocId> = (1..50).map(|i| i * 1_000_003).collect();
        assert!(matches!(check(&sparse), Allowed::Set(_)));
        let negative: Vec<DocId> = (-30..30).collect();
        assert!(matches!(check(&negative), Allowed::Set(_)));
        assert!(check(&[]).is_empty());
    }
}
