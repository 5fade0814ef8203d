-- A report's stores, split into ranges of store keys that any instance's worker can claim, each
-- with a lease of its own, so several processes compute one report together. The rows stay after
-- the report completes (who computed what, how many tries) and go with the report.
CREATE TABLE report_shards (
    report_id      TEXT NOT NULL,
    shard          INTEGER NOT NULL,
    first_key      INTEGER NOT NULL,
    last_key       INTEGER NOT NULL,
    status         TEXT NOT NULL,
    worker         TEXT NULL,
    lease_until_us INTEGER NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    stores         INTEGER NOT NULL DEFAULT 0,
    finished_at_us INTEGER NULL,
    PRIMARY KEY (report_id, shard)
);
CREATE INDEX ix_report_shards_status ON report_shards (status, lease_until_us);

ALTER TABLE report_jobs ADD COLUMN shards_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_jobs ADD COLUMN shards_done INTEGER NOT NULL DEFAULT 0;
