-- Failed-login counts per account and per client IP, shared by every server process on the
-- database: one row per key, the start of its window (unix milliseconds) and the attempts
-- counted in it.
CREATE TABLE login_throttle (
    scope        TEXT NOT NULL CHECK (scope IN ('account', 'ip')),
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures     BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX login_throttle_window_start ON login_throttle (window_start);
