-- Webhook subscriptions and their transactional outbox: a delivery row is written in the same
-- transaction as the change that causes its event, and the delivery worker works through the rows.
CREATE TABLE webhook_subscriptions (
    webhook_id      TEXT PRIMARY KEY,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    store_ids       TEXT NULL,
    min_minutes     INTEGER NOT NULL,
    secret          TEXT NOT NULL,
    created_at_us   INTEGER NOT NULL,
    disabled_at_us  INTEGER NULL,
    disabled_reason TEXT NULL
);

-- One row per event per subscription; delivery_id is the webhook-id header, the same on every
-- retry. due_at_us is when the row may next be claimed: the next attempt while pending, the end
-- of the worker's lease while sending. dedupe_key keeps an event from being raised twice for one
-- subscription when the change that causes it is seen again.
CREATE TABLE webhook_deliveries (
    delivery_id      TEXT PRIMARY KEY,
    webhook_id       TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at_us    INTEGER NOT NULL,
    due_at_us        INTEGER NOT NULL,
    worker           TEXT NULL,
    last_attempt_us  INTEGER NULL,
    last_status_code INTEGER NULL,
    last_error       TEXT NULL,
    delivered_at_us  INTEGER NULL,
    UNIQUE (webhook_id, dedupe_key)
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, due_at_us);
CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at_us);
