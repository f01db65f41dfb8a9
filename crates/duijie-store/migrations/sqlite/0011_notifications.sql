-- Notifications (issue #19): the in-app inbox, each person's choice of how to hear of each kind,
-- and the outbox of e-mails a background worker sends. Inbox rows and outbox rows are written
-- in the transaction of the event that causes them.

-- One notification for one account. `dedupe_key` makes a notification written again (a retried
-- match notice, a milestone checked by two replicas) a no-op. `digest_pending` = 1 while it
-- waits for its owner's daily digest e-mail.
CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    link           TEXT NOT NULL,
    dedupe_key     TEXT,
    digest_pending INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    read_at        INTEGER
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications (user_id, dedupe_key);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_digest ON notifications (digest_pending, user_id);

-- immediate | digest | off per account and kind; a missing row is immediate.
CREATE TABLE notification_prefs (
    user_id  TEXT NOT NULL REFERENCES users(id),
    kind     TEXT NOT NULL,
    delivery TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- E-mails to send. `idem_key` is unique per mail (its Message-ID is derived from the row id);
-- a worker claims a row by setting `claimed_by` and a lease `claimed_until` in a conditional
-- UPDATE, so two workers never hold one row; a crashed worker's lease runs out and another
-- retries. status: pending | sent | failed (gave up after the last attempt).
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    idem_key        TEXT NOT NULL UNIQUE,
    user_id         TEXT NOT NULL REFERENCES users(id),
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    items           TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
