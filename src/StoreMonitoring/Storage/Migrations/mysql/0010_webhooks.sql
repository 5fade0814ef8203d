-- Webhook subscriptions and their transactional outbox: a delivery row is written in the same
-- transaction as the change that causes its event, and the delivery worker works through the rows.
-- MEDIUMTEXT for store_ids: up to 1000 ids of up to 255 characters pass TEXT's 64 KiB.
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    webhook_id      VARCHAR(36) NOT NULL PRIMARY KEY,
    url             VARCHAR(2048) NOT NULL,
    events          VARCHAR(255) NOT NULL,
    store_ids       MEDIUMTEXT NULL,
    min_minutes     BIGINT NOT NULL,
    secret          VARCHAR(128) NOT NULL,
    created_at_us   BIGINT NOT NULL,
    disabled_at_us  BIGINT NULL,
    disabled_reason TEXT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per event per subscription; delivery_id is the webhook-id header, the same on every
-- retry. due_at_us is when the row may next be claimed: the next attempt while pending, the end
-- of the worker's lease while sending. dedupe_key keeps an event from being raised twice for one
-- subscription when the change that causes it is seen again.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id      VARCHAR(36) NOT NULL PRIMARY KEY,
    webhook_id       VARCHAR(36) NOT NULL,
    event_type       VARCHAR(32) NOT NULL,
    dedupe_key       VARCHAR(400) NOT NULL,
    payload          MEDIUMTEXT NOT NULL,
    status           VARCHAR(16) NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    created_at_us    BIGINT NOT NULL,
    due_at_us        BIGINT NOT NULL,
    worker           VARCHAR(255) NULL,
    last_attempt_us  BIGINT NULL,
    last_status_code BIGINT NULL,
    last_error       TEXT NULL,
    delivered_at_us  BIGINT NULL,
    UNIQUE KEY ux_webhook_deliveries_dedupe (webhook_id, dedupe_key),
    KEY ix_webhook_deliveries_due (status, due_at_us),
    KEY ix_webhook_deliveries_webhook (webhook_id, created_at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
