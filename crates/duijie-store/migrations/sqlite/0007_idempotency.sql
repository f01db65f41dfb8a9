-- Idempotency-Key: the first answer to a creating POST, kept 24 h per caller and key, so a
-- retried request gets that answer again instead of making a second record. status is NULL
-- while the first request is still running; fingerprint is a hash of the request (method,
-- path, body) so that the same key with another body is refused.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT,
    location     TEXT,
    body         TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
