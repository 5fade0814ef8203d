-- A version renewed by every change to business hours or time zones, in the same transaction, so
-- that a process may keep the stores' profiles in memory and know, with one read, that they are
-- still current (on every instance sharing the database).
CREATE TABLE IF NOT EXISTS profile_version (
    id      INT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO profile_version (id, version) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM profile_version WHERE id = 1);
