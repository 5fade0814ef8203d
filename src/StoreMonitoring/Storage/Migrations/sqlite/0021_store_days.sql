-- Per store and local date (yyyymmdd in the store's own zone), inside its business hours: what a
-- period report sums (see Reports/Rollups). Times in microseconds, by the interpolating method;
-- polls_in_hours / active_in_hours are what the ratio method needs. Kept current on every write
-- that can change them, in the same transaction; retention of raw polls leaves them alone.
CREATE TABLE IF NOT EXISTS store_days (
    store_key        INT NOT NULL,
    local_date       INT NOT NULL,
    business_us      BIGINT NOT NULL,
    up_us            BIGINT NOT NULL,
    down_us          BIGINT NOT NULL,
    unknown_us       BIGINT NOT NULL,
    polls_in_hours   INT NOT NULL,
    active_in_hours  INT NOT NULL,
    incidents        INT NOT NULL,
    longest_incident_us BIGINT NOT NULL,
    PRIMARY KEY (store_key, local_date)
) WITHOUT ROWID;
