-- Store ids are long strings (UUIDs); observations refer to a small integer key instead, which
-- makes the largest table several times smaller and faster to load and scan.
CREATE TABLE stores (
    store_key INTEGER PRIMARY KEY,
    store_id  TEXT NOT NULL UNIQUE
);

-- Clustered on (store, time): the report reads it in exactly this order, so the table is its own
-- covering index.
CREATE TABLE store_status (
    store_key      INTEGER NOT NULL,
    observed_at_us INTEGER NOT NULL,
    active         INTEGER NOT NULL,
    PRIMARY KEY (store_key, observed_at_us)
) WITHOUT ROWID;

CREATE TABLE business_hours (
    store_key   INTEGER NOT NULL,
    day_of_week INTEGER NOT NULL,
    start_local TEXT NOT NULL,
    end_local   TEXT NOT NULL
);
CREATE INDEX ix_business_hours_store ON business_hours (store_key);

CREATE TABLE store_timezones (
    store_key    INTEGER PRIMARY KEY,
    timezone_str TEXT NOT NULL
);

CREATE TABLE import_runs (
    import_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at_us  INTEGER NOT NULL,
    finished_at_us INTEGER NOT NULL,
    succeeded      INTEGER NOT NULL,
    summary_json   TEXT NOT NULL
);

CREATE TABLE report_jobs (
    report_id       TEXT PRIMARY KEY,
    status          TEXT NOT NULL,
    method          TEXT NOT NULL,
    requested_now_us INTEGER NULL,
    now_us          INTEGER NULL,
    requested_at_us INTEGER NOT NULL,
    started_at_us   INTEGER NULL,
    finished_at_us  INTEGER NULL,
    stores_total    INTEGER NOT NULL DEFAULT 0,
    stores_done     INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    worker          TEXT NULL,
    lease_until_us  INTEGER NULL,
    error           TEXT NULL
);
CREATE INDEX ix_report_jobs_status ON report_jobs (status, requested_at_us);

-- Figures in microseconds of business time; the CSV and JSON are rendered from these on download.
CREATE TABLE report_rows (
    report_id       TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    hour_up         INTEGER NOT NULL,
    hour_down       INTEGER NOT NULL,
    hour_business   INTEGER NOT NULL,
    hour_est_up     INTEGER NOT NULL,
    hour_polls      INTEGER NOT NULL,
    day_up          INTEGER NOT NULL,
    day_down        INTEGER NOT NULL,
    day_business    INTEGER NOT NULL,
    day_est_up      INTEGER NOT NULL,
    day_polls       INTEGER NOT NULL,
    week_up         INTEGER NOT NULL,
    week_down       INTEGER NOT NULL,
    week_business   INTEGER NOT NULL,
    week_est_up     INTEGER NOT NULL,
    week_polls      INTEGER NOT NULL,
    PRIMARY KEY (report_id, store_id)
);

-- Database-wide leases, so that two processes on one database never import at once.
CREATE TABLE app_locks (
    lock_name     TEXT PRIMARY KEY,
    holder        TEXT NULL,
    expires_at_us INTEGER NOT NULL DEFAULT 0
);
INSERT INTO app_locks (lock_name) VALUES ('import');
