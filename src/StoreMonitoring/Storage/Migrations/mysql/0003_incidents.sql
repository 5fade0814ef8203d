-- Incidents: maximal stretches of estimated downtime inside a store's business hours, kept current
-- as polls arrive (see Incidents/IncidentFinder.cs). end_us is NULL while an incident is open.
CREATE TABLE IF NOT EXISTS incidents (
    incident_id   VARCHAR(36) NOT NULL PRIMARY KEY,
    store_key     INT NOT NULL,
    start_us      BIGINT NOT NULL,
    end_us        BIGINT NULL,
    down_us       BIGINT NOT NULL,
    polls         BIGINT NOT NULL,
    first_poll_us BIGINT NOT NULL,
    last_poll_us  BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    KEY ix_incidents_store (store_key, start_us),
    KEY ix_incidents_start (start_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
