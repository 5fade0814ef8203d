-- A version renewed by every change to business hours or time zones, in the same transaction, so
-- that a process may keep the stores' profiles in memory and know, with one read, that they are
-- still current (on every instance sharing the database).
CREATE TABLE IF NOT EXISTS profile_version (
    id      INT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT IGNORE INTO profile_version (id, version) VALUES (1, 0);
