//! The full-text index of one collection (tantivy): typed fields, English stemming,
//! queries built from words (no query language to get wrong), filters as index queries
//! that agree with [`SearchFilters::matches`], and highlighted snippets.
//!
//! One [`IndexReader`] lives as long as the index (manual reloads), so a search always
//! sees the last commit; writes go through one writer behind a mutex.

mod filters;
mod highlight;
mod query;
mod schema;
mod tokenizer;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::collector::sort_key::SortByStaticFastValue;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::directory::MmapDirectory;
use tantivy::error::DataCorruption;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermSetQuery};
use tantivy::schema::{Schema, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, Order, ReloadPolicy, Searcher,
    TantivyDocument, TantivyError, Term,
};

pub use highlight::Highlights;
pub use query::TextQuery;

use self::highlight::Highlighter;
use self::query::QueryTerms;
use self::schema::{Fields, names};
use super::{Collection, DocId, SearchDoc, SearchError, SearchFilters};

/// One search result: the document id and its raw relevance score (BM25 with field
/// boosts; 0 when the query has no words and results are ordered by recency).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextHit {
    pub id: DocId,
    pub score: f32,
}

/// How the writer uses the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextIndexConfig {
    /// Indexing threads (each needs at least 15 MB of the memory budget).
    pub writer_threads: usize,
    /// Memory the writer may buffer before it flushes a segment, over all threads.
    pub writer_memory_bytes: usize,
}

impl Default for TextIndexConfig {
    fn default() -> Self {
        TextIndexConfig {
            writer_threads: 1,
            writer_memory_bytes: 64_000_000,
        }
    }
}

/// Written beside the index files: what built the index. Bump `format` when the meaning
/// of the indexed data changes without the schema changing.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Marker {
    format: u32,
    collection: Collection,
}

const FORMAT: u32 = 1;
const MARKER_FILE: &str = "intellicv-text.json";

/// The text index of one collection.
pub struct TextIndex {
    collection: Collection,
    index: Index,
    /// Where the index lives (`None` in memory).
    dir: Option<PathBuf>,
    /// Segment files whose checksum was verified, with their length and modification
    /// time then: segment files are written once, so only new or touched ones are read.
    verified: Mutex<Verified>,
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    english: TextAnalyzer,
    place: TextAnalyzer,
}

impl TextIndex {
    /// Opens the index in `dir`, or creates an empty one (and the directory). An index
    /// written with another schema or for another collection, or whose files fail their
    /// checksums ([`TextIndex::verify`]), is [`SearchError::Corrupt`].
    pub fn open_or_create(dir: &Path, collection: Collection) -> Result<Self, SearchError> {
        Self::open_or_create_with(dir, collection, TextIndexConfig::default())
    }

    pub fn open_or_create_with(
        dir: &Path,
        collection: Collection,
        config: TextIndexConfig,
    ) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::io(dir, e))?;
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(dir).map_err(TantivyError::from)?;
        let exists = Index::exists(&directory).map_err(TantivyError::from)?;
        let marker = Marker {
            format: FORMAT,
            collection,
        };
        let index = if exists {
            check_marker(dir, &marker)?;
            let index = Index::open(directory).map_err(|e| corrupt(dir, e.to_string()))?;
            check_schema(dir, &index, &schema)?;
            index
        } else {
            // The marker first: an index without one is refused, a marker alone is not.
            write_marker(dir, &marker)?;
            Index::create(directory, schema, IndexSettings::default())?
        };
        // Before anything decodes the segments: damaged bytes are found by their
        // checksums here rather than as wrong results, a failure or a panic later.
        let mut verified = Verified::new();
        verify_index(&index, dir, &mut verified)?;
        let text = Self::from_index(index, Some(dir), collection, fields, config)?;
        *text.verified.lock().unwrap_or_else(|e| e.into_inner()) = verified;
        tracing::info!(
            collection = collection.as_str(),
            path = %dir.display(),
            created = !exists,
            "text index opened"
        );
        Ok(text)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory(collection: Collection) -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        Self::from_index(index, None, collection, fields, TextIndexConfig::default())
    }

    fn from_index(
        index: Index,
        dir: Option<&Path>,
        collection: Collection,
        fields: Fields,
        config: TextIndexConfig,
    ) -> Result<Self, SearchError> {
        tokenizer::register(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer =
            index.writer_with_num_threads(config.writer_threads, config.writer_memory_bytes)?;
        Ok(TextIndex {
            collection,
            index,
            dir: dir.map(Path::to_owned),
            verified: Mutex::new(HashMap::new()),
            fields,
            reader,
            writer: Mutex::new(writer),
            english: tokenizer::english_analyzer(),
            place: tokenizer::place_analyzer(),
        })
    }

    pub fn collection(&self) -> Collection {
        self.collection
    }

    /// Checks the index on disk: `meta.json` parses and every file of its segments
    /// matches its checksum (tantivy's footer CRC). Files verified before and unchanged
    /// since (same length and modification time) are not read again. A damaged index is
    /// [`SearchError::Corrupt`] naming the files.
    pub fn verify(&self) -> Result<(), SearchError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        verify_index(&self.index, dir, &mut verified)
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock leaves nothing half-done that the next commit
        // would not redo or roll back; keep using the writer.
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds documents, replacing any with the same id. Visible to search after [`commit`].
    ///
    /// [`commit`]: TextIndex::commit
    pub fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        let writer = self.writer();
        for doc in docs {
            writer.delete_term(Term::from_field_i64(self.fields.id, doc.id));
            writer.add_document(schema::to_document(&self.fields, doc))?;
        }
        Ok(())
    }

    /// Removes documents by id (ids not in the index are ignored). Visible after commit.
    pub fn delete(&self, ids: &[DocId]) -> Result<(), SearchError> {
        let writer = self.writer();
        for &id in ids {
            writer.delete_term(Term::from_field_i64(self.fields.id, id));
        }
        Ok(())
    }

    /// Waits for background merges to finish and releases the writer (and its lock).
    /// Changes not committed are lost.
    pub fn close(self) -> Result<(), SearchError> {
        let writer = self
            .writer
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writer.wait_merging_threads()?;
        Ok(())
    }

    /// Makes every change so far durable and visible to searches started after it returns.
    pub fn commit(&self) -> Result<(), SearchError> {
        let started = std::time::Instant::now();
        let mut writer = self.writer();
        writer.commit()?;
        self.reader.reload()?;
        tracing::debug!(
            collection = self.collection.as_str(),
            duration_ms = started.elapsed().as_secs_f64() * 1e3,
            "text index committed"
        );
        Ok(())
    }

    fn analyse(&self, query: &TextQuery, searcher: &Searcher) -> Result<QueryTerms, SearchError> {
        let mut terms =
            QueryTerms::analyse(query, &mut self.english.clone(), &mut self.place.clone());
        terms.choose_fuzzy(|word| {
            searcher.doc_freq(&Term::from_field_text(self.fields.body, word))
        })?;
        Ok(terms)
    }

    /// The best `limit` documents for `query` among those passing `filters` (`now` in unix
    /// seconds, for `posted_within_days`). A query without words returns the filtered
    /// documents newest first (then by id).
    pub fn search(
        &self,
        query: &TextQuery,
        filters: &SearchFilters,
        now: i64,
        limit: usize,
    ) -> Result<Vec<TextHit>, SearchError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let filter = filters::filter_queries(&self.fields, filters, now);
        let Some(text) = self.analyse(query, &searcher)?.to_query(&self.fields) else {
            return self.newest(&searcher, filter, limit);
        };
        let query: Box<dyn Query> = if filter.is_empty() {
            text
        } else {
            let mut clauses = vec![(Occur::Must, text)];
            for f in filter {
                let unscored: Box<dyn Query> = Box::new(ConstScoreQuery::new(f, 0.0));
                clauses.push((Occur::Must, unscored));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut ids = IdColumns::default();
        top.into_iter()
            .map(|(score, address)| {
                Ok(TextHit {
                    id: ids.id(&searcher, address)?,
                    score,
                })
            })
            .collect()
    }

    fn newest(
        &self,
        searcher: &Searcher,
        filter: Vec<Box<dyn Query>>,
        limit: usize,
    ) -> Result<Vec<TextHit>, SearchError> {
        let query: Box<dyn Query> = if filter.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::intersection(filter))
        };
        let order = (
            (
                SortByStaticFastValue::<i64>::for_field(names::POSTED_AT),
                Order::Desc,
            ),
            (
                SortByStaticFastValue::<i64>::for_field(names::ID),
                Order::Asc,
            ),
        );
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by(order))?;
        let mut ids = IdColumns::default();
        top.into_iter()
            .map(|((_, id), address)| {
                let id = match id {
                    Some(id) => id,
                    None => ids.id(searcher, address)?,
                };
                Ok(TextHit { id, score: 0.0 })
            })
            .collect()
    }

    /// Highlighted title and body of the given documents for `query`. Ids not in the index
    /// are left out of the map.
    pub fn highlights(
        &self,
        query: &TextQuery,
        ids: &[DocId],
    ) -> Result<HashMap<DocId, Highlights>, SearchError> {
        let searcher = self.reader.searcher();
        let terms = self.analyse(query, &searcher)?;
        let lookup = TermSetQuery::new(
            ids.iter()
                .map(|&id| Term::from_field_i64(self.fields.id, id)),
        );
        let addresses = searcher.search(&lookup, &DocSetCollector)?;
        let mut highlighter = Highlighter {
            searcher: &searcher,
            terms: &terms,
            analyzer: self.english.clone(),
        };
        let mut out = HashMap::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
            let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_i64()) else {
                continue;
            };
            let highlights = Highlights {
                title: highlighter.title(self.fields.title, text(self.fields.title))?,
                body: highlighter.body(self.fields.body, text(self.fields.body))?,
            };
            out.insert(id, highlights);
        }
        Ok(out)
    }

    /// Documents visible to search.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Ids of the documents visible to search, ascending.
    pub fn doc_ids(&self) -> Result<Vec<DocId>, SearchError> {
        let searcher = self.reader.searcher();
        let mut ids = Vec::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().i64(names::ID)?;
            ids.extend(segment.doc_ids_alive().filter_map(|d| column.first(d)));
        }
        ids.sort_unstable();
        Ok(ids)
    }
}

/// Reads ids from the id column, opening each segment's column once.
#[derive(Default)]
struct IdColumns(HashMap<u32, Column<i64>>);

impl IdColumns {
    fn id(&mut self, searcher: &Searcher, address: DocAddress) -> Result<DocId, SearchError> {
        let column = match self.0.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .i64(names::ID)?,
            ),
        };
        column.first(address.doc_id).ok_or_else(|| {
            let reason = format!("document {address:?} has no id");
            TantivyError::DataCorruption(DataCorruption::comment_only(reason)).into()
        })
    }
}

/// Segment files verified, with their length and modification time then.
type Verified = HashMap<PathBuf, (u64, Option<std::time::SystemTime>)>;

/// See [`TextIndex::verify`].
fn verify_index(index: &Index, dir: &Path, verified: &mut Verified) -> Result<(), SearchError> {
    let metas = index
        .load_metas()
        .map_err(|e| corrupt(dir, format!("unreadable meta.json: {e}")))?;
    let managed = index.directory().list_managed_files();
    let mut live = HashSet::new();
    let mut damaged = Vec::new();
    let segments: HashSet<String> = metas
        .segments
        .iter()
        .map(|s| s.id().uuid_string())
        .collect();
    // A segment's files are `<segment uuid>.<component>` (and `.<opstamp>.del`).
    let of_live_segment = |path: &Path| {
        path.to_str()
            .and_then(|name| name.split('.').next())
            .is_some_and(|id| segments.contains(id))
    };
    for path in managed.into_iter().filter(|p| of_live_segment(p)) {
        let stamp = match std::fs::metadata(dir.join(&path)) {
            Ok(m) => (m.len(), m.modified().ok()),
            // Merged away and collected since the metas were read.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(SearchError::io(dir.join(&path), e)),
        };
        live.insert(path.clone());
        if verified.get(&path) == Some(&stamp) {
            continue;
        }
        match index.directory().validate_checksum(&path) {
            Ok(true) => {
                verified.insert(path, stamp);
            }
            Ok(false) => damaged.push(format!("{} (checksum)", path.display())),
            Err(tantivy::directory::error::OpenReadError::FileDoesNotExist(_)) => {}
            Err(e) => damaged.push(format!("{} ({e})", path.display())),
        }
    }
    verified.retain(|path, _| live.contains(path));
    if damaged.is_empty() {
        Ok(())
    } else {
        Err(corrupt(
            dir,
            format!("damaged files: {}", damaged.join(", ")),
        ))
    }
}

fn corrupt(dir: &Path, reason: String) -> SearchError {
    SearchError::Corrupt {
        path: PathBuf::from(dir),
        reason,
    }
}

fn check_schema(dir: &Path, index: &Index, expected: &Schema) -> Result<(), SearchError> {
    if index.schema() == *expected {
        return Ok(());
    }
    let have: HashSet<String> = index
        .schema()
        .fields()
        .map(|(_, e)| format!("{e:?}"))
        .collect();
    let differing: Vec<&str> = expected
        .fields()
        .filter(|(_, e)| !have.contains(&format!("{e:?}")))
        .map(|(_, e)| e.name())
        .collect();
    Err(corrupt(
        dir,
        format!(
            "schema differs from this version's (fields changed: {}); rebuild with `intellicv reindex`",
            differing.join(", ")
        ),
    ))
}

fn check_marker(dir: &Path, expected: &Marker) -> Result<(), SearchError> {
    let path = dir.join(MARKER_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| corrupt(dir, format!("cannot read {MARKER_FILE}: {e}")))?;
    let found: Marker = serde_json::from_str(&text)
        .map_err(|e| corrupt(dir, format!("unreadable {MARKER_FILE}: {e}")))?;
    if found != *expected {
        return Err(corrupt(
            dir,
            format!(
                "built as format {} for {}, expected format {} for {}",
                found.format,
                found.collection.as_str(),
                expected.format,
                expected.collection.as_str()
            ),
        ));
    }
    Ok(())
}

fn write_marker(dir: &Path, marker: &Marker) -> Result<(), SearchError> {
    let path = dir.join(MARKER_FILE);
    let json = serde_json::to_string(marker).map_err(|e| corrupt(dir, e.to_string()))?;
    std::fs::write(&path, json).map_err(|e| SearchError::io(path, e))
}
