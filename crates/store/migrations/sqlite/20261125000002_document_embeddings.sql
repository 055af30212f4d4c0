-- Embedding vectors of indexed documents, so a reindex reuses them instead of running the
-- model again. Vectors are little-endian f32 arrays. `text_hash` is the sha256 of the text
-- that was embedded: a document whose text changed is embedded again. `title_vector` is
-- the embedding of the title alone (job title, resume headline), for title similarity.
CREATE TABLE document_embeddings (
    collection      TEXT NOT NULL CHECK (collection IN ('jobs', 'resumes')),
    doc_id          INTEGER NOT NULL,
    model_sha256    TEXT NOT NULL,
    dimension       INTEGER NOT NULL CHECK (dimension > 0),
    text_hash       TEXT NOT NULL,
    vector          BLOB NOT NULL,
    title_vector    BLOB,
    chunk_count     INTEGER NOT NULL CHECK (chunk_count >= 0),
    chunk_vectors   BLOB NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (collection, doc_id)
);
