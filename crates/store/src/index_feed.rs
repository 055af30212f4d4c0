//! What the search indexes read from the database: which documents are searchable and
//! when each last changed, the rows to index, and stored embedding vectors.

use chrono::{DateTime, Utc};

use super::jobs::JOB_COLUMNS;
use super::resumes::RESUME_COLUMNS;
use super::{JobRecord, ResumeRecord, Store, StoreError, with_pool};

/// Rows fetched per `IN (...)` query.
const ID_BATCH: usize = 500;

/// A searchable document's id and last change. Searchable: open job postings and parsed
/// resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct DocVersion {
    pub id: i64,
    pub updated_at: DateTime<Utc>,
}

/// A document's stored embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEmbedding {
    pub doc_id: i64,
    /// The embedder's `model_version` (the model file's sha256, plus the compute mode).
    pub model_sha256: String,
    pub text_hash: String,
    pub vector: Vec<f32>,
    /// The embedding of the title alone, when the document has a title.
    pub title_vector: Option<Vec<f32>>,
    /// Chunk vectors, each of the vector's dimension.
    pub chunk_vectors: Vec<Vec<f32>>,
}

#[derive(sqlx::FromRow)]
struct EmbeddingRow {
    doc_id: i64,
    model_sha256: String,
    dimension: i32,
    text_hash: String,
    vector: Vec<u8>,
    title_vector: Option<Vec<u8>>,
    chunk_vectors: Vec<u8>,
}

/// `$first, $first+1, ...`: `n` numbered placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows `select` (a `SELECT ... FROM table` without a `WHERE`) gives for these ids, in
/// id order, [`ID_BATCH`] ids per query.
pub(super) async fn rows_by_ids<T>(
    store: &Store,
    select: &str,
    ids: &[i64],
) -> Result<Vec<T>, StoreError>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    rows_by_ids_where(store, select, None, ids).await
}

/// [`rows_by_ids`] of the rows that also meet `condition` (an SQL condition on the table).
async fn rows_by_ids_where<T>(
    store: &Store,
    select: &str,
    condition: Option<&str>,
    ids: &[i64],
) -> Result<Vec<T>, StoreError>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let mut out = Vec::with_capacity(ids.len());
    for batch in ids.chunks(ID_BATCH) {
        let condition = condition.map(|c| format!("{c} AND ")).unwrap_or_default();
        let sql = format!(
            "{select} WHERE {condition}id IN ({}) ORDER BY id",
            placeholders(1, batch.len())
        );
        let rows = with_pool!(store.db(), pool => {
            let mut q = sqlx::query_as::<_, T>(&sql);
            for id in batch {
                q = q.bind(id);
            }
            q.fetch_all(pool).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

impl Store {
    /// Open job postings (`collection = "jobs"`) or parsed resumes (`"resumes"`), by id.
    pub async fn searchable_versions(
        &self,
        collection: &str,
    ) -> Result<Vec<DocVersion>, StoreError> {
        let sql = match collection {
            "jobs" => "SELECT id, updated_at FROM job_postings WHERE status = 'open' ORDER BY id",
            _ => "SELECT id, updated_at FROM resumes WHERE parse_status = 'parsed' ORDER BY id",
        };
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, DocVersion>(sql).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// Which of `ids` are searchable now (open postings, parsed resumes): a query over
    /// these ids only, so indexing a few documents costs the same however many are stored.
    pub async fn searchable_among(
        &self,
        collection: &str,
        ids: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        let (table, searchable) = match collection {
            "jobs" => ("job_postings", "status = 'open'"),
            _ => ("resumes", "parse_status = 'parsed'"),
        };
        let rows: Vec<(i64,)> = rows_by_ids_where(
            self,
            &format!("SELECT id FROM {table}"),
            Some(searchable),
            ids,
        )
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    pub async fn jobs_by_ids(&self, ids: &[i64]) -> Result<Vec<JobRecord>, StoreError> {
        rows_by_ids(
            self,
            &format!("SELECT {JOB_COLUMNS} FROM job_postings"),
            ids,
        )
        .await
    }

    pub async fn resumes_by_ids(&self, ids: &[i64]) -> Result<Vec<ResumeRecord>, StoreError> {
        rows_by_ids(self, &format!("SELECT {RESUME_COLUMNS} FROM resumes"), ids).await
    }

    /// Stored embeddings of these documents (those that have one).
    pub async fn embeddings(
        &self,
        collection: &str,
        ids: &[i64],
    ) -> Result<Vec<StoredEmbedding>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for batch in ids.chunks(ID_BATCH) {
            let sql = format!(
                "SELECT doc_id, model_sha256, dimension, text_hash, vector, title_vector, \
                 chunk_vectors \
                 FROM document_embeddings WHERE collection = $1 AND doc_id IN ({})",
                placeholders(2, batch.len())
            );
            let rows = with_pool!(self.db(), pool => {
                let mut q = sqlx::query_as::<_, EmbeddingRow>(&sql).bind(collection);
                for id in batch {
                    q = q.bind(id);
                }
                q.fetch_all(pool).await
            })?;
            out.extend(rows.into_iter().map(decode_embedding));
        }
        Ok(out)
    }

    /// Stores (or replaces) document embeddings in one transaction.
    pub async fn put_embeddings(
        &self,
        collection: &str,
        embeddings: &[StoredEmbedding],
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO document_embeddings (collection, doc_id, model_sha256, dimension, \
            text_hash, vector, chunk_count, chunk_vectors, updated_at, title_vector) VALUES ($1, $2, \
            $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (collection, doc_id) DO UPDATE SET \
            model_sha256 = excluded.model_sha256, dimension = excluded.dimension, \
            text_hash = excluded.text_hash, vector = excluded.vector, \
            title_vector = excluded.title_vector, \
            chunk_count = excluded.chunk_count, chunk_vectors = excluded.chunk_vectors, \
            updated_at = excluded.updated_at";
        let now = Utc::now();
        with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            for e in embeddings {
                let chunks: Vec<f32> = e.chunk_vectors.iter().flatten().copied().collect();
                sqlx::query(sql)
                    .bind(collection)
                    .bind(e.doc_id)
                    .bind(&e.model_sha256)
                    .bind(e.vector.len() as i32)
                    .bind(&e.text_hash)
                    .bind(f32_bytes(&e.vector))
                    .bind(e.chunk_vectors.len() as i32)
                    .bind(f32_bytes(&chunks))
                    .bind(now)
                    .bind(e.title_vector.as_deref().map(f32_bytes))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }

    pub async fn delete_embeddings(&self, collection: &str, ids: &[i64]) -> Result<(), StoreError> {
        for batch in ids.chunks(ID_BATCH) {
            let sql = format!(
                "DELETE FROM document_embeddings WHERE collection = $1 AND doc_id IN ({})",
                placeholders(2, batch.len())
            );
            with_pool!(self.db(), pool => {
                let mut q = sqlx::query(&sql).bind(collection);
                for id in batch {
                    q = q.bind(id);
                }
                q.execute(pool).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn bytes_f32(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn decode_embedding(row: EmbeddingRow) -> StoredEmbedding {
    let dim = usize::try_from(row.dimension).unwrap_or(1).max(1);
    let chunks = bytes_f32(&row.chunk_vectors);
    StoredEmbedding {
        doc_id: row.doc_id,
        model_sha256: row.model_sha256,
        text_hash: row.text_hash,
        vector: bytes_f32(&row.vector),
        title_vector: row.title_vector.as_deref().map(bytes_f32),
        chunk_vectors: chunks.chunks_exact(dim).map(<[f32]>::to_vec).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_through_bytes() {
        let v = vec![0.25_f32, -1.5, 3.0e-7];
        assert_eq!(bytes_f32(&f32_bytes(&v)), v);
    }

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(placeholders(1, 3), "$1, $2, $3");
        assert_eq!(placeholders(2, 2), "$2, $3");
    }
}
