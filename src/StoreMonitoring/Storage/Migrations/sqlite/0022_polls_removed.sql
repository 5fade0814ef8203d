-- Stores whose oldest raw polls retention deleted (Retention:PollDays). Their daily rollups up to
-- and including the local date of frozen_through_us stay as they were: the polls that made them are
-- gone, so no recomputation (a new poll, a file, an hours or zone change) rewrites them. NULL: fewer
-- than three polls were left, and the frozen dates follow the third remaining poll (see
-- Reports/Rollups/FrozenDates.cs).
CREATE TABLE IF NOT EXISTS polls_removed (
    store_key         INTEGER NOT NULL PRIMARY KEY,
    removed_before_us INTEGER NOT NULL,
    frozen_through_us INTEGER NULL
);
