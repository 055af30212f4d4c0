-- Career coaching plans and AI enrichment runs.
-- coaching_sessions keeps each structured plan a user asked for (target role, gap
-- analysis, ordered skills, evidence, suggested jobs) as JSON, so it can be read again
-- later exactly as it was answered.
CREATE TABLE coaching_sessions (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_role     TEXT NOT NULL CHECK (length(target_role) BETWEEN 1 AND 200),
    occupation_uri  TEXT,
    resume_id       BIGINT REFERENCES resumes (id) ON DELETE SET NULL,
    plan            JSONB NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX coaching_sessions_user_idx ON coaching_sessions (user_id, created_at DESC);

-- One run of POST /admin/ai/enrich: what was asked, by whom, and how it went. Each
-- document's results are ai_enrichments rows pointing at their run (history kept; the
-- newest row per document and kind is the current one).
CREATE TABLE ai_enrichment_runs (
    id              BIGSERIAL PRIMARY KEY,
    requested_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    request         JSONB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    documents       INTEGER NOT NULL DEFAULT 0,
    succeeded       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ
);

ALTER TABLE ai_enrichments ADD COLUMN run_id BIGINT REFERENCES ai_enrichment_runs (id) ON DELETE SET NULL;
CREATE INDEX ai_enrichments_run_idx ON ai_enrichments (run_id);
