-- Job applications: the pipeline's status names (submitted, reviewing, interview, offered,
-- hired; rejected from any open state; withdrawn by the candidate), the cover note, the
-- match score of (resume, job) when the application was made, and a candidate's listing.
-- SQLite cannot change a CHECK constraint in place, so both tables are rebuilt; rows from
-- the initial schema's names are carried over (screening -> reviewing, offer -> offered).
-- The history is copied aside first so that dropping applications cascades into nothing.
CREATE TABLE applications_old AS SELECT * FROM applications;
CREATE TABLE application_status_history_old AS SELECT * FROM application_status_history;
DROP TABLE application_status_history;
DROP TABLE applications;

CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id              INTEGER NOT NULL REFERENCES job_postings (id) ON DELETE CASCADE,
    resume_id           INTEGER REFERENCES resumes (id) ON DELETE SET NULL,
    status              TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'reviewing', 'interview', 'offered', 'hired', 'rejected', 'withdrawn')),
    cover_note          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    status_changed_at   TEXT NOT NULL,
    match_score         REAL CHECK (match_score BETWEEN 0 AND 100),
    UNIQUE (user_id, job_id)
);
INSERT INTO applications (id, user_id, job_id, resume_id, status, cover_note, created_at,
    updated_at, status_changed_at)
SELECT id, user_id, job_id, resume_id,
    CASE status WHEN 'screening' THEN 'reviewing' WHEN 'offer' THEN 'offered' ELSE status END,
    cover_letter, created_at, updated_at, status_changed_at
FROM applications_old;

CREATE TABLE application_status_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    changed_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note            TEXT,
    changed_at      TEXT NOT NULL
);
INSERT INTO application_status_history (id, application_id, from_status, to_status,
    changed_by, note, changed_at)
SELECT id, application_id,
    CASE from_status WHEN 'screening' THEN 'reviewing' WHEN 'offer' THEN 'offered' ELSE from_status END,
    CASE to_status WHEN 'screening' THEN 'reviewing' WHEN 'offer' THEN 'offered' ELSE to_status END,
    changed_by, note, changed_at
FROM application_status_history_old;

DROP TABLE application_status_history_old;
DROP TABLE applications_old;

CREATE INDEX applications_job_status_idx ON applications (job_id, status);
CREATE INDEX applications_status_changed_idx ON applications (status, status_changed_at);
CREATE INDEX application_status_history_app_idx ON application_status_history (application_id, changed_at);
CREATE INDEX applications_user_created_idx ON applications (user_id, created_at DESC);
CREATE INDEX applications_resume_idx ON applications (resume_id);
