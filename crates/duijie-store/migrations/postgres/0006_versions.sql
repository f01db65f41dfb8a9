-- Optimistic concurrency: every editable record carries a version that each write raises in
-- the same UPDATE, so a write made from a stale read (or racing a review) changes no row.
ALTER TABLE demands ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE committees ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
