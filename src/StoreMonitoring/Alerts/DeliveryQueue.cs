using Dapper;
using StoreMonitoring.Storage;

namespace StoreMonitoring.Alerts;

/// <summary>A delivery a worker has claimed, with what it needs to send it.</summary>
public sealed class ClaimedDelivery
{
    public string DeliveryId { get; init; } = "";

    public string WebhookId { get; init; } = "";

    public string EventType { get; init; } = "";

    public string Payload { get; init; } = "";

    public string Url { get; init; } = "";

    public string Secret { get; init; } = "";

    public DeliveryStatus Status { get; init; }

    /// <summary>The status as stored: reads map it through <see cref="DeliveryStatuses"/>.</summary>
    internal string StoredStatus
    {
        get => Status.Name();
        init => Status = DeliveryStatuses.Stored.Parse(value);
    }

    /// <summary>Attempts made so far, this one included once claimed.</summary>
    public long Attempts { get; init; }
}

/// <summary>
/// The delivery rows as a queue shared by every process on the database (a <see cref="LeasedQueue"/>):
/// one worker at a time owns a delivery, and a worker that dies loses it when its lease
/// (<c>due_at_us</c> while sending) runs out.
/// </summary>
public sealed class DeliveryQueue(StoreDatabase database, TimeProvider time)
{
    /// <summary>A pending delivery waits until it is due; a sending one is held until its lease ends, both in <c>due_at_us</c>.</summary>
    private static readonly LeasedTable Table = LeasedTable.Of(
        "webhook_deliveries", [("delivery_id", "deliveryId")], "due_at_us", DeliveryStatuses.Stored, DeliveryStatus.Pending, DeliveryStatus.Sending, waitingIsDue: true);

    private readonly LeasedQueue _queue = new(database, time, Table);

    private long Now => _queue.Now;

    /// <summary>
    /// Claims the delivery due longest, or one whose worker's lease ran out. A delivery taken over
    /// with its attempts used up fails instead (its last worker died while sending it).
    /// </summary>
    public Task<ClaimedDelivery?> TryClaimAsync(string worker, TimeSpan lease, int maxAttempts, CancellationToken cancellationToken) =>
        _queue.TryClaimAsync(worker, lease, maxAttempts, new ClaimSteps<ClaimedDelivery, ClaimedDelivery>
        {
            FindAsync = (connection, now, ct) => connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
                $"""
                SELECT d.delivery_id AS DeliveryId, d.webhook_id AS WebhookId, d.event_type AS EventType, d.payload AS Payload, d.status AS StoredStatus,
                       d.attempts AS Attempts, s.url AS Url, s.secret AS Secret
                FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.webhook_id = d.webhook_id
                WHERE {_queue.Claimable("d")} AND s.disabled_at_us IS NULL
                ORDER BY d.due_at_us LIMIT {LeasedQueue.CandidateLimit}
                """, new { now }, cancellationToken: ct)),
            Row = d => new LeasedRow(new { deliveryId = d.DeliveryId }, d.Status == DeliveryStatus.Sending, d.Attempts),
            OutOfAttemptsAsync = (connection, d, now, ct) => connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE webhook_deliveries SET status = {DeliveryStatus.Failed.Sql()}, worker = NULL, last_error = @error WHERE delivery_id = @deliveryId AND {_queue.Claimable()}",
                new { deliveryId = d.DeliveryId, now, error = "The worker sending the last attempt stopped before recording its outcome." },
                cancellationToken: ct)),
            ClaimedAsync = (_, d, _) => Task.FromResult<ClaimedDelivery?>(new ClaimedDelivery
            {
                DeliveryId = d.DeliveryId, WebhookId = d.WebhookId, EventType = d.EventType, Payload = d.Payload,
                Url = d.Url, Secret = d.Secret, Status = DeliveryStatus.Sending, Attempts = d.Attempts + 1,
            }),
        }, cancellationToken);

    /// <summary>Extends the claim; false when another worker has taken the delivery over.</summary>
    public Task<bool> RenewAsync(string deliveryId, string worker, TimeSpan lease, CancellationToken cancellationToken) =>
        _queue.RenewAsync(new { deliveryId }, worker, lease, cancellationToken);

    /// <summary>The receiver took it (2xx).</summary>
    public Task<bool> DeliveredAsync(string deliveryId, string worker, int statusCode) => RecordAsync(
        $"status = {DeliveryStatus.Delivered.Sql()}, delivered_at_us = @now, last_status_code = @statusCode, last_error = NULL", deliveryId, worker, new { statusCode });

    /// <summary>The attempt failed; the next one is due at <paramref name="dueAtUs"/>.</summary>
    public Task<bool> RetryAsync(string deliveryId, string worker, int? statusCode, string error, long dueAtUs) => RecordAsync(
        $"status = {DeliveryStatus.Pending.Sql()}, due_at_us = @dueAtUs, last_status_code = @statusCode, last_error = @error", deliveryId, worker, new { statusCode, error, dueAtUs });

    /// <summary>The attempt failed and there will be no other.</summary>
    public Task<bool> FailAsync(string deliveryId, string worker, int? statusCode, string error) => RecordAsync(
        $"status = {DeliveryStatus.Failed.Sql()}, last_status_code = @statusCode, last_error = @error", deliveryId, worker, new { statusCode, error });

    /// <summary>Deletes finished deliveries queued before <paramref name="beforeUs"/>; returns how many.</summary>
    /// <remarks>
    /// Their dedupe keys go with them: a store silent for longer than the retention raises
    /// <c>store.stale</c> again, a reminder; an incident open for longer ends without
    /// <c>store.recovered</c>.
    /// </remarks>
    public async Task<int> PurgeAsync(long beforeUs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM webhook_deliveries WHERE status IN ({DeliveryStatuses.Stored.SqlList(DeliveryStatus.Delivered, DeliveryStatus.Failed, DeliveryStatus.Cancelled)}) AND created_at_us < @beforeUs",
            new { beforeUs }, cancellationToken: cancellationToken));
    }

    private async Task<bool> RecordAsync(string set, string deliveryId, string worker, object values)
    {
        var parameters = new DynamicParameters(values);
        parameters.AddDynamicParams(new { deliveryId, worker, now = Now });
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteAsync(
            $"UPDATE webhook_deliveries SET {set}, worker = NULL, last_attempt_us = @now WHERE {_queue.Owned}", parameters) == 1;
    }
}
