-- IntelliCV initial schema (SQLite). Keep in step with migrations/postgres.
-- Timestamps are UTC RFC 3339 text, JSON is text. Enumerations are TEXT with CHECK constraints so both backends agree.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) <= 254),
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'recruiter', 'candidate')),
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
    display_name    TEXT,
    totp_secret     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_login_at   TEXT
);
CREATE INDEX users_role_status_idx ON users (role, status);
CREATE INDEX users_created_at_idx ON users (created_at);

-- Refresh tokens. Rotation keeps a family; reuse of a spent token revokes the family.
CREATE TABLE user_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id       TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    issued_at       TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    revoked_at      TEXT,
    user_agent      TEXT,
    ip              TEXT
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);
CREATE INDEX user_sessions_family_idx ON user_sessions (family_id);

CREATE TABLE user_preferences (
    user_id             INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    desired_titles      TEXT NOT NULL DEFAULT '[]',
    locations           TEXT NOT NULL DEFAULT '[]',
    remote_modes        TEXT NOT NULL DEFAULT '[]',
    employment_types    TEXT NOT NULL DEFAULT '[]',
    salary_min          REAL,
    salary_currency     TEXT,
    match_alert_threshold REAL CHECK (match_alert_threshold BETWEEN 0 AND 100),
    extra               TEXT NOT NULL DEFAULT '{}',
    updated_at          TEXT NOT NULL
);

CREATE TABLE api_keys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    prefix          TEXT NOT NULL UNIQUE,
    key_hash        TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'recruiter', 'candidate')),
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT,
    last_used_at    TEXT,
    revoked_at      TEXT
);

CREATE TABLE resumes (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id            INTEGER REFERENCES users (id) ON DELETE CASCADE,
    source_filename     TEXT NOT NULL,
    content_hash        TEXT NOT NULL,
    content_bytes       BLOB,
    storage_path        TEXT,
    byte_size           INTEGER NOT NULL CHECK (byte_size >= 0),
    format              TEXT NOT NULL,
    extracted_text      TEXT,
    profile             TEXT,
    parse_status        TEXT NOT NULL DEFAULT 'pending' CHECK (parse_status IN ('pending', 'parsed', 'failed')),
    parse_error_code    TEXT,
    parse_error         TEXT,
    headline            TEXT,
    years_experience    REAL,
    seniority           TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    parsed_at           TEXT,
    indexed_at          TEXT,
    CHECK (content_bytes IS NOT NULL OR storage_path IS NOT NULL),
    CHECK (parse_status <> 'failed' OR parse_error_code IS NOT NULL)
);
CREATE INDEX resumes_owner_created_idx ON resumes (owner_id, created_at DESC);
CREATE INDEX resumes_content_hash_idx ON resumes (content_hash);
CREATE INDEX resumes_parse_status_idx ON resumes (parse_status);
CREATE INDEX resumes_updated_at_idx ON resumes (updated_at);

CREATE TABLE resume_skills (
    resume_id       INTEGER NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    skill_uri       TEXT NOT NULL,
    label           TEXT NOT NULL,
    confidence      REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    source          TEXT NOT NULL CHECK (source IN ('gazetteer', 'semantic', 'user', 'import')),
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    last_used_year  INTEGER,
    evidence        TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (resume_id, skill_uri)
);
CREATE INDEX resume_skills_skill_idx ON resume_skills (skill_uri);

CREATE TABLE resume_experiences (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    resume_id       INTEGER NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT,
    company         TEXT,
    location        TEXT,
    start_date      TEXT,
    end_date        TEXT,
    is_current      INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1)),
    description     TEXT,
    span            TEXT,
    UNIQUE (resume_id, position)
);

CREATE TABLE resume_educations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    resume_id       INTEGER NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    degree          TEXT,
    field           TEXT,
    institution     TEXT,
    graduation_year INTEGER,
    span            TEXT,
    UNIQUE (resume_id, position)
);

CREATE TABLE job_postings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    source          TEXT NOT NULL DEFAULT 'manual',
    external_id     TEXT,
    title           TEXT NOT NULL CHECK (length(title) > 0),
    company         TEXT,
    location        TEXT,
    country         TEXT,
    latitude        REAL CHECK (latitude BETWEEN -90 AND 90),
    longitude       REAL CHECK (longitude BETWEEN -180 AND 180),
    remote_mode     TEXT NOT NULL DEFAULT 'unknown' CHECK (remote_mode IN ('remote', 'hybrid', 'onsite', 'unknown')),
    employment_type TEXT NOT NULL DEFAULT 'unknown' CHECK (employment_type IN ('full_time', 'part_time', 'contract', 'temporary', 'internship', 'volunteer', 'other', 'unknown')),
    seniority       TEXT,
    salary_min      REAL CHECK (salary_min >= 0),
    salary_max      REAL CHECK (salary_max >= 0),
    salary_currency TEXT,
    salary_period   TEXT CHECK (salary_period IN ('hour', 'day', 'week', 'month', 'year')),
    description     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed', 'archived')),
    posted_at       TEXT,
    valid_through   TEXT,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    indexed_at      TEXT,
    CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max),
    UNIQUE (source, external_id)
);
CREATE INDEX job_postings_status_posted_idx ON job_postings (status, posted_at DESC);
CREATE INDEX job_postings_created_by_idx ON job_postings (created_by);
CREATE INDEX job_postings_updated_at_idx ON job_postings (updated_at);

CREATE TABLE job_skills (
    job_id          INTEGER NOT NULL REFERENCES job_postings (id) ON DELETE CASCADE,
    skill_uri       TEXT NOT NULL,
    label           TEXT NOT NULL,
    requirement     TEXT NOT NULL CHECK (requirement IN ('required', 'preferred')),
    confidence      REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    evidence        TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (job_id, skill_uri)
);
CREATE INDEX job_skills_skill_idx ON job_skills (skill_uri, requirement);

CREATE TABLE job_matches (
    resume_id       INTEGER NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    job_id          INTEGER NOT NULL REFERENCES job_postings (id) ON DELETE CASCADE,
    score           REAL NOT NULL CHECK (score BETWEEN 0 AND 100),
    explanation     TEXT NOT NULL,
    model_version   TEXT NOT NULL,
    computed_at     TEXT NOT NULL,
    PRIMARY KEY (resume_id, job_id)
);
CREATE INDEX job_matches_job_score_idx ON job_matches (job_id, score DESC);
CREATE INDEX job_matches_resume_score_idx ON job_matches (resume_id, score DESC);

CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id              INTEGER NOT NULL REFERENCES job_postings (id) ON DELETE CASCADE,
    resume_id           INTEGER REFERENCES resumes (id) ON DELETE SET NULL,
    status              TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')),
    cover_letter        TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    status_changed_at   TEXT NOT NULL,
    UNIQUE (user_id, job_id)
);
CREATE INDEX applications_job_status_idx ON applications (job_id, status);
CREATE INDEX applications_status_changed_idx ON applications (status, status_changed_at);

CREATE TABLE application_status_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    changed_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note            TEXT,
    changed_at      TEXT NOT NULL
);
CREATE INDEX application_status_history_app_idx ON application_status_history (application_id, changed_at);

CREATE TABLE processing_jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled')),
    total_items     INTEGER NOT NULL DEFAULT 0 CHECK (total_items >= 0),
    done_items      INTEGER NOT NULL DEFAULT 0 CHECK (done_items >= 0),
    failed_items    INTEGER NOT NULL DEFAULT 0 CHECK (failed_items >= 0),
    result          TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    last_error      TEXT,
    run_after       TEXT NOT NULL,
    locked_by       TEXT,
    locked_at       TEXT,
    heartbeat_at    TEXT,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX processing_jobs_ready_idx ON processing_jobs (status, run_after);
CREATE INDEX processing_jobs_created_idx ON processing_jobs (created_at);

CREATE TABLE processing_job_items (
    job_id          INTEGER NOT NULL REFERENCES processing_jobs (id) ON DELETE CASCADE,
    item_index      INTEGER NOT NULL,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    result          TEXT,
    error           TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (job_id, item_index)
);

CREATE TABLE ai_models (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('embedding', 'generation', 'extraction')),
    version         TEXT NOT NULL,
    checksum        TEXT,
    dimensions      INTEGER,
    config          TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'loaded', 'failed', 'retired')),
    loaded_at       TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE ai_enrichments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind     TEXT NOT NULL CHECK (target_kind IN ('resume', 'job')),
    target_id       INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    model_id        INTEGER REFERENCES ai_models (id) ON DELETE SET NULL,
    result          TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX ai_enrichments_target_idx ON ai_enrichments (target_kind, target_id, kind, created_at DESC);

CREATE TABLE analytics_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type      TEXT NOT NULL,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    subject_kind    TEXT,
    subject_id      INTEGER,
    properties      TEXT NOT NULL DEFAULT '{}',
    occurred_at     TEXT NOT NULL
);
CREATE INDEX analytics_events_type_time_idx ON analytics_events (event_type, occurred_at);
CREATE INDEX analytics_events_time_idx ON analytics_events (occurred_at);

CREATE TABLE system_metrics (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    value           REAL NOT NULL,
    labels          TEXT NOT NULL DEFAULT '{}',
    recorded_at     TEXT NOT NULL
);
CREATE INDEX system_metrics_name_time_idx ON system_metrics (name, recorded_at);

CREATE TABLE audit_log (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_api_key_id    INTEGER REFERENCES api_keys (id) ON DELETE SET NULL,
    action              TEXT NOT NULL,
    target_kind         TEXT,
    target_id           TEXT,
    outcome             TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    ip                  TEXT,
    details             TEXT NOT NULL DEFAULT '{}',
    occurred_at         TEXT NOT NULL
);
CREATE INDEX audit_log_time_idx ON audit_log (occurred_at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, occurred_at);
CREATE INDEX audit_log_action_idx ON audit_log (action, occurred_at);
