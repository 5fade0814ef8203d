-- The SQLite schema for MySQL 8 / MariaDB 10.6+: same tables, columns and names, since the code's
-- SQL is shared. Text is utf8mb4 with binary collation everywhere, so ids compare and sort byte
-- for byte (code point order) as in SQLite and reports come out in the same order on both.
-- Timestamps are BIGINT microseconds since the Unix epoch, as in SQLite: no DATETIME precision or
-- time zone differences between MySQL and MariaDB to worry about.
-- SQLite's INTEGER is 64-bit, and Dapper maps positional records only when the column's type is
-- the parameter's exactly, so integers are BIGINT too. Only store keys are INT (they are never
-- near 2^31) and the status flag TINYINT: they fill the largest table, read by ordinal.
-- MySQL commits each DDL statement at once, so the migration's transaction cannot undo a script
-- that fails halfway: IF NOT EXISTS and INSERT IGNORE let it simply run again.

-- Store ids are long strings (UUIDs); observations refer to a small integer key instead, which
-- makes the largest table several times smaller and faster to load and scan. Keys are assigned by
-- the importer, not AUTO_INCREMENT, so the same file gives the same keys on both engines.
CREATE TABLE IF NOT EXISTS stores (
    store_key INT NOT NULL PRIMARY KEY,
    store_id  VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    UNIQUE KEY ux_stores_store_id (store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- InnoDB clusters rows on the primary key (store, time): the report reads in exactly this order,
-- so the table is its own covering index and the read needs no filesort.
CREATE TABLE IF NOT EXISTS store_status (
    store_key      INT NOT NULL,
    observed_at_us BIGINT NOT NULL,
    active         TINYINT NOT NULL,
    PRIMARY KEY (store_key, observed_at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS business_hours (
    store_key   INT NOT NULL,
    day_of_week BIGINT NOT NULL,
    start_local VARCHAR(16) NOT NULL,
    end_local   VARCHAR(16) NOT NULL,
    KEY ix_business_hours_store (store_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS store_timezones (
    store_key    INT NOT NULL PRIMARY KEY,
    timezone_str VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- MEDIUMTEXT: a summary with rejected-row examples for several files can pass TEXT's 64 KiB.
CREATE TABLE IF NOT EXISTS import_runs (
    import_id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    started_at_us  BIGINT NOT NULL,
    finished_at_us BIGINT NOT NULL,
    succeeded      BIGINT NOT NULL,
    summary_json   MEDIUMTEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS report_jobs (
    report_id        VARCHAR(36) NOT NULL PRIMARY KEY,
    status           VARCHAR(16) NOT NULL,
    method           VARCHAR(32) NOT NULL,
    requested_now_us BIGINT NULL,
    now_us           BIGINT NULL,
    requested_at_us  BIGINT NOT NULL,
    started_at_us    BIGINT NULL,
    finished_at_us   BIGINT NULL,
    stores_total     BIGINT NOT NULL DEFAULT 0,
    stores_done      BIGINT NOT NULL DEFAULT 0,
    attempts         BIGINT NOT NULL DEFAULT 0,
    worker           VARCHAR(255) NULL,
    lease_until_us   BIGINT NULL,
    error            TEXT NULL,
    KEY ix_report_jobs_status (status, requested_at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Figures in microseconds of business time; the CSV and JSON are rendered from these on download.
CREATE TABLE IF NOT EXISTS report_rows (
    report_id       VARCHAR(36) NOT NULL,
    store_id        VARCHAR(255) NOT NULL,
    hour_up         BIGINT NOT NULL,
    hour_down       BIGINT NOT NULL,
    hour_business   BIGINT NOT NULL,
    hour_est_up     BIGINT NOT NULL,
    hour_polls      BIGINT NOT NULL,
    day_up          BIGINT NOT NULL,
    day_down        BIGINT NOT NULL,
    day_business    BIGINT NOT NULL,
    day_est_up      BIGINT NOT NULL,
    day_polls       BIGINT NOT NULL,
    week_up         BIGINT NOT NULL,
    week_down       BIGINT NOT NULL,
    week_business   BIGINT NOT NULL,
    week_est_up     BIGINT NOT NULL,
    week_polls      BIGINT NOT NULL,
    PRIMARY KEY (report_id, store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Database-wide leases, so that two processes on one database never import at once.
CREATE TABLE IF NOT EXISTS app_locks (
    lock_name     VARCHAR(64) NOT NULL PRIMARY KEY,
    holder        VARCHAR(255) NULL,
    expires_at_us BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO app_locks (lock_name) VALUES ('import');
