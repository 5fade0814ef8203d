-- Incidents: maximal stretches of estimated downtime inside a store's business hours, kept current
-- as polls arrive (see Incidents/IncidentFinder.cs). end_us is NULL while an incident is open.
CREATE TABLE incidents (
    incident_id   TEXT PRIMARY KEY,
    store_key     INTEGER NOT NULL,
    start_us      INTEGER NOT NULL,
    end_us        INTEGER NULL,
    down_us       INTEGER NOT NULL,
    polls         INTEGER NOT NULL,
    first_poll_us INTEGER NOT NULL,
    last_poll_us  INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);
CREATE INDEX ix_incidents_store ON incidents (store_key, start_us);
CREATE INDEX ix_incidents_start ON incidents (start_us);
