using System.Data.Common;
using Dapper;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Alerts;

/// <summary>A row of <c>webhook_deliveries</c> as the API and the CLI show it.</summary>
public sealed class WebhookDelivery
{
    public string DeliveryId { get; init; } = "";

    public string WebhookId { get; init; } = "";

    public string EventType { get; init; } = "";

    public DeliveryStatus Status { get; init; }

    /// <summary>The status as stored: reads map it through <see cref="DeliveryStatuses"/>.</summary>
    internal string StoredStatus
    {
        get => Status.Name();
        init => Status = DeliveryStatuses.Stored.Parse(value);
    }

    public long Attempts { get; init; }

    public long CreatedAtUs { get; init; }

    /// <summary>When a pending delivery is next tried.</summary>
    public long DueAtUs { get; init; }

    public long? LastAttemptUs { get; init; }

    public long? LastStatusCode { get; init; }

    public string? LastError { get; init; }

    public long? DeliveredAtUs { get; init; }
}

/// <summary>
/// The transactional outbox: events are written as delivery rows in the transaction of the change
/// that raises them, one row per matching subscription, and wake the local delivery worker.
/// </summary>
public sealed class WebhookOutbox(StoreDatabase database, TimeProvider time, WakeSignal<DeliveryQueue> signal)
{
    internal const string Columns = """
        delivery_id AS DeliveryId, webhook_id AS WebhookId, event_type AS EventType, status AS StoredStatus, attempts AS Attempts,
        created_at_us AS CreatedAtUs, due_at_us AS DueAtUs, last_attempt_us AS LastAttemptUs, last_status_code AS LastStatusCode,
        last_error AS LastError, delivered_at_us AS DeliveredAtUs
        """;


    /// <summary>
    /// Queues one event for one subscription, unless that subscription already has the event with
    /// this <paramref name="dedupeKey"/>; returns the new delivery's id, or null when it had.
    /// </summary>
    public string? Enqueue(DbConnection connection, DbTransaction? transaction, string webhookId, string eventType, string dedupeKey, string payload)
    {
        var id = "msg_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
        var now = UnixMicros.FromDateTimeOffset(time.GetUtcNow());
        var insert = database.Dialect.InsertUnlessPresent(
            "webhook_deliveries", ["delivery_id", "webhook_id", "event_type", "dedupe_key", "payload", "status", "attempts", "created_at_us", "due_at_us"]);
        var inserted = connection.Execute(
            insert.With($"(@id, @webhookId, @eventType, @dedupeKey, @payload, {DeliveryStatus.Pending.Sql()}, 0, @now, @now)"),
            new { id, webhookId, eventType, dedupeKey, payload, now }, transaction);
        if (inserted == 0)
        {
            return null;
        }

        signal.Notify();
        return id;
    }

    /// <summary>Whether a subscription was already sent (queued) the event with this key.</summary>
    internal static bool Contains(DbConnection connection, DbTransaction? transaction, string webhookId, string dedupeKey) =>
        connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = @webhookId AND dedupe_key = @dedupeKey", new { webhookId, dedupeKey }, transaction) > 0;

    /// <summary>Queues a <c>webhook.test</c> event on its own connection.</summary>
    public async Task<string> EnqueueTestAsync(WebhookSubscription subscription, CancellationToken cancellationToken = default)
    {
        var key = $"{WebhookEvents.Test}:{Guid.CreateVersion7():N}";
        var payload = WebhookEvents.Payload(WebhookEvents.Test, time.GetUtcNow(), new TestData(subscription.WebhookId, "A test event from Store Monitoring."));
        await using var connection = await database.OpenAsync(cancellationToken);
        return Enqueue(connection, null, subscription.WebhookId, WebhookEvents.Test, key, payload)!;
    }

    /// <summary>A subscription's deliveries, newest first.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> ListAsync(string webhookId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<WebhookDelivery>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_deliveries WHERE webhook_id = @webhookId ORDER BY created_at_us DESC, delivery_id DESC LIMIT @limit",
            new { webhookId, limit }, cancellationToken: cancellationToken))];
    }
}
