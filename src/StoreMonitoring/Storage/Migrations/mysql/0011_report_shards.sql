-- A report's stores, split into ranges of store keys that any instance's worker can claim, each
-- with a lease of its own, so several processes compute one report together. The rows stay after
-- the report completes (who computed what, how many tries) and go with the report.
CREATE TABLE IF NOT EXISTS report_shards (
    report_id      VARCHAR(36) NOT NULL,
    shard          INT NOT NULL,
    first_key      INT NOT NULL,
    last_key       INT NOT NULL,
    status         VARCHAR(16) NOT NULL,
    worker         VARCHAR(255) NULL,
    lease_until_us BIGINT NULL,
    attempts       INT NOT NULL DEFAULT 0,
    stores         INT NOT NULL DEFAULT 0,
    finished_at_us BIGINT NULL,
    PRIMARY KEY (report_id, shard),
    KEY ix_report_shards_status (status, lease_until_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE report_jobs ADD COLUMN shards_total INT NOT NULL DEFAULT 0, ADD COLUMN shards_done INT NOT NULL DEFAULT 0;
