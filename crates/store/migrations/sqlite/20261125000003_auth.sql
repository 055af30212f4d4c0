-- Authentication: TOTP second factor state, and lookups the auth code runs often.
-- users.totp_secret (from the initial schema) holds a secret during setup; the factor is on
-- once totp_enabled_at is set. totp_last_step keeps a code from being accepted twice.
ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

CREATE INDEX api_keys_created_by_idx ON api_keys (created_by);
CREATE INDEX audit_log_target_idx ON audit_log (target_kind, target_id, occurred_at);
