-- Every table gets a primary key (Galera replicates rows by key, and a server with
-- sql_require_primary_key refuses tables without one). A store's window on a day is unique; the
-- import drops repeats of the same window before it writes.
CREATE TABLE business_hours_keyed (
    store_key   INTEGER NOT NULL,
    day_of_week INTEGER NOT NULL,
    start_local TEXT NOT NULL,
    end_local   TEXT NOT NULL,
    PRIMARY KEY (store_key, day_of_week, start_local, end_local)
) WITHOUT ROWID;
INSERT OR IGNORE INTO business_hours_keyed (store_key, day_of_week, start_local, end_local)
    SELECT store_key, day_of_week, start_local, end_local FROM business_hours;
DROP TABLE business_hours;
ALTER TABLE business_hours_keyed RENAME TO business_hours;
