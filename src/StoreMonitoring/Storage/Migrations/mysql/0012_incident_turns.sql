-- Every recomputation of a store's incidents bumps its row first, in the same transaction, so two
-- that overlap (an import's and a poll batch's, on two nodes of a Galera cluster) conflict on it and
-- one of them runs again on what the other wrote, instead of both writing from their own snapshot.
ALTER TABLE stores ADD COLUMN incidents_rev BIGINT NOT NULL DEFAULT 0;
