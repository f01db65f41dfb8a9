-- Expressions of interest (揭榜 / 对接意向), PostgreSQL. An institution answers a public
-- demand with a short proposal naming some of its experts and achievements (JSON arrays of ids);
-- the demand's owner accepts or declines it. One pending interest per institution and demand.

CREATE TABLE interests (
    id              TEXT PRIMARY KEY,
    demand_id       TEXT NOT NULL REFERENCES demands(id),
    org_id          TEXT NOT NULL REFERENCES organizations(id),
    message         TEXT NOT NULL,
    expert_ids      TEXT NOT NULL,
    achievement_ids TEXT NOT NULL,
    status          TEXT NOT NULL,
    decline_reason  TEXT,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX interests_demand ON interests (demand_id, created_at);
CREATE INDEX interests_org ON interests (org_id, created_at);
CREATE UNIQUE INDEX interests_one_pending ON interests (demand_id, org_id) WHERE status = 'pending';
