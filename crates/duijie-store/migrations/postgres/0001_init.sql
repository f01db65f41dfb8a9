-- duijie schema, PostgreSQL. Times are unix milliseconds; record bodies are JSON text with the
-- columns that queries filter or join on kept beside them.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    norm_name   TEXT NOT NULL UNIQUE,
    region      TEXT,
    credit_code TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE experts (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    norm_name    TEXT NOT NULL,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    contact      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (org_id, norm_name)
);

CREATE TABLE achievements (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    expert_id    TEXT REFERENCES experts(id),
    norm_title   TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (org_id, norm_title)
);
CREATE INDEX achievements_expert ON achievements (expert_id);

CREATE TABLE demands (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    norm_title   TEXT NOT NULL,
    title        TEXT NOT NULL,
    status       TEXT NOT NULL,
    field        TEXT,
    region       TEXT,
    body         TEXT NOT NULL,
    contact      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (org_id, norm_title)
);
CREATE INDEX demands_status ON demands (status, created_at);

CREATE TABLE demand_events (
    id          TEXT PRIMARY KEY,
    demand_id   TEXT NOT NULL REFERENCES demands(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT NOT NULL,
    note        TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX demand_events_demand ON demand_events (demand_id, at);

-- The log the search index follows: one row per write, seq strictly increasing in commit order.
CREATE TABLE change_log (
    seq       BIGSERIAL PRIMARY KEY,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op        TEXT NOT NULL,
    at        BIGINT NOT NULL
);

CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    report     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX imports_created ON imports (created_at);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    org_id     TEXT REFERENCES organizations(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
