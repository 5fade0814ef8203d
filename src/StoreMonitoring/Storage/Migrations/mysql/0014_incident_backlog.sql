-- Stores whose incidents an import still owes: written in the transaction that commits the
-- import's polls, deleted in the one that recomputes the store's incidents. A row left behind by a
-- crash in between is settled at the next import or by the housekeeping at start-up.
CREATE TABLE IF NOT EXISTS incident_backlog (
    store_key INT NOT NULL PRIMARY KEY
);
