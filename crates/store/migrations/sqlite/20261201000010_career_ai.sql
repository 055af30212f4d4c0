-- Career coaching plans and AI enrichment runs.
-- coaching_sessions keeps each structured plan a user asked for (target role, gap
-- analysis, ordered skills, evidence, suggested jobs) as JSON, so it can be read again
-- later exactly as it was answered.
CREATE TABLE coaching_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_role     TEXT NOT NULL CHECK (length(target_role) BETWEEN 1 AND 200),
    occupation_uri  TEXT,
    resume_id       INTEGER REFERENCES resumes (id) ON DELETE SET NULL,
    plan            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX coaching_sessions_user_idx ON coaching_sessions (user_id, created_at DESC);

-- One run of POST /admin/ai/enrich: what was asked, by whom, and how it went. Each
-- document's results are ai_enrichments rows pointing at their run (history kept; the
-- newest row per document and kind is the current one).
CREATE TABLE ai_enrichment_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    requested_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    request         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    documents       INTEGER NOT NULL DEFAULT 0,
    succeeded       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    started_at      TEXT NOT NULL,
    finished_at     TEXT
);

ALTER TABLE ai_enrichments ADD COLUMN run_id INTEGER REFERENCES ai_enrichment_runs (id) ON DELETE SET NULL;
CREATE INDEX ai_enrichments_run_idx ON ai_enrichments (run_id);
