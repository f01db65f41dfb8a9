-- The bureau's ledger (台账), SQLite. A cooperation project (合作项目) links a demand (and so
-- its enterprise and region) to the institution that took it on; milestones are a JSON array.
-- Secondments (科技副职 / 挂职) record an expert posted to a host organisation for a period.
-- Dates are 'YYYY-MM-DD' text, so ranges compare as text on both backends.

CREATE TABLE projects (
    id             TEXT PRIMARY KEY,
    demand_id      TEXT NOT NULL REFERENCES demands(id),
    institution_id TEXT NOT NULL REFERENCES organizations(id),
    title          TEXT NOT NULL,
    amount_wan     REAL NOT NULL,
    signed_on      TEXT NOT NULL,
    key_project    INTEGER NOT NULL,
    status         TEXT NOT NULL,
    milestones     TEXT NOT NULL,
    notes          TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX projects_signed ON projects (signed_on);
CREATE INDEX projects_demand ON projects (demand_id);

CREATE TABLE secondments (
    id          TEXT PRIMARY KEY,
    expert_id   TEXT NOT NULL REFERENCES experts(id),
    host_org_id TEXT NOT NULL REFERENCES organizations(id),
    post        TEXT NOT NULL,
    start_on    TEXT NOT NULL,
    end_on      TEXT,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX secondments_start ON secondments (start_on);
