-- The rest of issue #19: a sign-in throttle shared by every replica, the outgoing webhook's
-- outbox, durable match-notice jobs, and instruments cited in a 揭榜.

-- Failed sign-ins per throttle key (the SHA-256 of "account:<login>" or "address:<ip>", so no
-- account name or address is stored). One row per key, updated by an UPSERT, so replicas
-- count together; rows whose window and lock have passed are pruned as failures come in.
CREATE TABLE sign_in_failures (
    throttle_key TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    since        INTEGER NOT NULL,
    locked_until INTEGER
);
CREATE INDEX sign_in_failures_since ON sign_in_failures (since);

-- Events for the bureau's group chat robot, written in the transaction of the notice that
-- causes them (title and link only: no contact data). Claimed with a lease like mail_outbox;
-- status: pending | sent | failed.
CREATE TABLE webhook_outbox (
    id              TEXT PRIMARY KEY,
    idem_key        TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    link            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at);

-- A newly published demand whose match notices are still to be written: inserted in the
-- publication's transaction, deleted once the notices are written (their keys make a retry
-- write nothing twice).
CREATE TABLE match_jobs (
    demand_id       TEXT PRIMARY KEY,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT,
    claimed_until   INTEGER,
    created_at      INTEGER NOT NULL
);

-- Instruments (科研仪器) cited as evidence, like experts and achievements (a JSON list).
ALTER TABLE interests ADD COLUMN instrument_ids TEXT NOT NULL DEFAULT '[]';
