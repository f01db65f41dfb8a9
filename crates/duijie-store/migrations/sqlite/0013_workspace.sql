-- Institutions keep their own achievements, experts and instruments: each record carries a
-- version that every write raises in the same UPDATE (imports too), so an edit made from a
-- stale read changes no row. Who changed what is in the audit log, written in the write's
-- transaction.
ALTER TABLE achievements ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE experts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE instruments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
