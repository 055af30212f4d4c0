-- Job applications: the pipeline's status names (submitted, reviewing, interview, offered,
-- hired; rejected from any open state; withdrawn by the candidate), the cover note, the
-- match score of (resume, job) when the application was made, and a candidate's listing.
-- Rows from the initial schema's names are carried over (screening -> reviewing,
-- offer -> offered).
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
UPDATE applications SET status = CASE status WHEN 'screening' THEN 'reviewing'
    WHEN 'offer' THEN 'offered' ELSE status END;
UPDATE application_status_history SET
    from_status = CASE from_status WHEN 'screening' THEN 'reviewing'
        WHEN 'offer' THEN 'offered' ELSE from_status END,
    to_status = CASE to_status WHEN 'screening' THEN 'reviewing'
        WHEN 'offer' THEN 'offered' ELSE to_status END;
ALTER TABLE applications ADD CONSTRAINT applications_status_check CHECK (status IN
    ('submitted', 'reviewing', 'interview', 'offered', 'hired', 'rejected', 'withdrawn'));
ALTER TABLE applications RENAME COLUMN cover_letter TO cover_note;
ALTER TABLE applications ADD COLUMN match_score DOUBLE PRECISION
    CHECK (match_score BETWEEN 0 AND 100);
CREATE INDEX applications_user_created_idx ON applications (user_id, created_at DESC);
CREATE INDEX applications_resume_idx ON applications (resume_id);
