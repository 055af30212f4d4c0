-- Organisations: recruiters belong to one, postings belong to one, and an organisation's
-- recruiters see and move only the applications to its postings (admins see all).
-- kind: 'default' (exactly one: postings without a recruiter author, e.g. imports and
-- admins' postings), 'personal' (made for a recruiter who was given none; personal_of names
-- them) or 'team' (made by an admin).
CREATE TABLE organisations (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind            TEXT NOT NULL CHECK (kind IN ('default', 'personal', 'team')),
    personal_of     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX organisations_one_default_idx ON organisations (kind) WHERE kind = 'default';

INSERT INTO organisations (name, kind, created_at)
VALUES ('Default organisation', 'default', now());

ALTER TABLE users ADD COLUMN organisation_id BIGINT REFERENCES organisations (id) ON DELETE SET NULL;
CREATE INDEX users_organisation_idx ON users (organisation_id);

-- Every existing recruiter gets a personal organisation (nobody sees another recruiter's
-- applications after the upgrade; an admin can then put recruiters together).
INSERT INTO organisations (name, kind, personal_of, created_at)
SELECT COALESCE(display_name, email), 'personal', id, now()
FROM users WHERE role = 'recruiter';
UPDATE users SET organisation_id = (SELECT o.id FROM organisations o WHERE o.personal_of = users.id)
WHERE role = 'recruiter';

ALTER TABLE job_postings ADD COLUMN organisation_id BIGINT REFERENCES organisations (id) ON DELETE SET NULL;
CREATE INDEX job_postings_organisation_idx ON job_postings (organisation_id);

-- Existing postings: the organisation of their author, or the default one (imports,
-- postings of admins, postings whose author was deleted).
UPDATE job_postings SET organisation_id = COALESCE(
    (SELECT u.organisation_id FROM users u WHERE u.id = job_postings.created_by),
    (SELECT o.id FROM organisations o WHERE o.kind = 'default'));
