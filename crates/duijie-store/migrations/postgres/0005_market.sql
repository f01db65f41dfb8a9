-- The technology market, PostgreSQL: shared research instruments (科研仪器共享) that
-- institutions offer, and expert committees (专家咨询委员会) the bureau assembles. Bodies and
-- member lists are JSON text; the columns queries filter on are kept beside them.

CREATE TABLE instruments (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX instruments_org ON instruments (org_id);

CREATE TABLE committees (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    field       TEXT NOT NULL,
    size        BIGINT NOT NULL,
    status      TEXT NOT NULL,
    notes       TEXT NOT NULL,
    subtopics   TEXT NOT NULL,
    members     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX committees_created ON committees (created_at);
