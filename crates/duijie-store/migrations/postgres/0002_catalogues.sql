-- Catalogue editions (需求目录), PostgreSQL. An edition is compiled as a draft from approved demands,
-- then published once: each item then keeps a frozen JSON snapshot of the demand as published
-- (contact included; readers see what their role allows), so later edits never change it.

CREATE TABLE catalogues (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    period       TEXT,
    status       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX catalogues_status ON catalogues (status, created_at);

CREATE TABLE catalogue_items (
    catalogue_id TEXT NOT NULL REFERENCES catalogues(id),
    demand_id    TEXT NOT NULL REFERENCES demands(id),
    position     BIGINT NOT NULL,
    snapshot     TEXT,
    PRIMARY KEY (catalogue_id, demand_id)
);
CREATE INDEX catalogue_items_demand ON catalogue_items (demand_id);
