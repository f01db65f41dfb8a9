-- Messages and attachments (issue #19), PostgreSQL.
-- A 揭榜's institution gives a contact person with it; the demand's owner sees it once the
-- 揭榜 is accepted. Each 揭榜 has a conversation between the owner and that institution.
-- Attachments (on a demand, or in a conversation) keep their bytes in the database: replicas
-- on PostgreSQL share no data directory, and a file commits with its message or not at all.

ALTER TABLE interests ADD COLUMN contact_name TEXT;
ALTER TABLE interests ADD COLUMN contact_phone TEXT;
ALTER TABLE interests ADD COLUMN contact_email TEXT;

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    interest_id TEXT NOT NULL REFERENCES interests(id),
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    sender_id   TEXT,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX messages_interest ON messages (interest_id, created_at);

-- interest_id NULL: an attachment of the demand itself; else one posted in that conversation.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    demand_id    TEXT NOT NULL REFERENCES demands(id),
    interest_id  TEXT REFERENCES interests(id),
    org_id       TEXT,
    uploaded_by  TEXT,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_demand ON attachments (demand_id, created_at);
CREATE INDEX attachments_interest ON attachments (interest_id, created_at);

-- Which attachments a message carries: its own files and demand files it points to.
CREATE TABLE message_attachments (
    message_id    TEXT NOT NULL REFERENCES messages(id),
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    PRIMARY KEY (message_id, attachment_id)
);
CREATE INDEX message_attachments_attachment ON message_attachments (attachment_id);
