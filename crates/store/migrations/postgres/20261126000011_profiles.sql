-- A user's job-portal profile. The display name stays in users and what the candidate is
-- looking for (desired roles, places, remote modes, employment types, salary) in
-- user_preferences; this table holds the rest. profile_skills are the skills a user states,
-- by ESCO id or by free text normalised to ESCO, optionally rated 1-5.
CREATE TABLE profiles (
    user_id         BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    headline        TEXT CHECK (length(headline) <= 200),
    location        TEXT CHECK (length(location) <= 200),
    visibility      TEXT NOT NULL DEFAULT 'recruiters' CHECK (visibility IN ('private', 'recruiters')),
    open_to_work    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE profile_skills (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    skill_uri       TEXT NOT NULL,
    label           TEXT NOT NULL,
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    source          TEXT NOT NULL CHECK (source IN ('esco_id', 'text')),
    source_text     TEXT,
    added_at        TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, skill_uri)
);
CREATE INDEX profile_skills_skill_idx ON profile_skills (skill_uri);
