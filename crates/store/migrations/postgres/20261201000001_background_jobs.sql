-- The background job queue: one row per job, one row per item of its work so progress,
-- results and errors are per item and a restarted job skips the items already done.
-- Claiming: UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING.
-- A job whose lease (locked_until) ran out is claimed again.
CREATE TABLE background_jobs (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,
    payload         JSONB NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    run_after       TIMESTAMPTZ NOT NULL,
    locked_by       TEXT,
    locked_until    TIMESTAMPTZ,
    progress_done   INTEGER NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
    progress_failed INTEGER NOT NULL DEFAULT 0 CHECK (progress_failed >= 0),
    progress_total  INTEGER NOT NULL DEFAULT 0 CHECK (progress_total >= 0),
    result          JSONB,
    last_error      TEXT,
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ
);
CREATE INDEX background_jobs_claim_idx ON background_jobs (status, run_after);
CREATE INDEX background_jobs_lease_idx ON background_jobs (status, locked_until);

CREATE TABLE background_job_items (
    job_id          BIGINT NOT NULL REFERENCES background_jobs (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 0),
    item_key        TEXT NOT NULL,
    input           BYTEA,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    result          JSONB,
    error           TEXT,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (job_id, position)
);
CREATE INDEX background_job_items_status_idx ON background_job_items (job_id, status, position);
