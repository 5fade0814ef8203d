-- The snapshot file (business hours, time zones) last applied per kind, by content: importing the
-- same file again is recognised and skipped, so it undoes no edit made since (PUT /stores/{id}/...).
CREATE TABLE IF NOT EXISTS snapshot_files (
    kind          VARCHAR(40) NOT NULL PRIMARY KEY,
    sha256        CHAR(64) NOT NULL,
    file_name     VARCHAR(255) NOT NULL,
    rows_read     BIGINT NOT NULL,
    rejected      BIGINT NOT NULL,
    applied_at_us BIGINT NOT NULL
);
