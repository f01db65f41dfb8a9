-- The audit log, SQLite (issue #18): who approved, returned, published, exported a
-- contact-bearing file, read contact details in bulk or administered accounts, when, and which
-- records. It holds ids, counts and a short summary, never contact values. Rows are only
-- appended; nothing updates or deletes them.

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    actor_id     TEXT,
    actor_name   TEXT NOT NULL,
    actor_role   TEXT,
    action       TEXT NOT NULL,
    record_kind  TEXT NOT NULL,
    record_ids   TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    summary      TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_actor ON audit_log (actor_name, at);
