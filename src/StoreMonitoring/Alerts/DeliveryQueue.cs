using Dapper;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

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

    public string Status { get; init; } = "";

    /// <summary>Attempts made so far, this one included once claimed.</summary>
    public long Attempts { get; init; }
}

/// <summary>
/// The delivery rows as a queue shared by every process on the database: a row is claimed with
/// the same conditional UPDATE as report jobs, so one worker at a time owns a delivery, and a
/// worker that dies loses it when its lease (<c>due_at_us</c> while sending) runs out.
/// </summary>
public sealed class DeliveryQueue(StoreDatabase database, TimeProvider time)
{
    // The claim condition, shared by the search and the UPDATE that settles the race for it.
    private const string Claimable = "status IN ('pending', 'sending') AND due_at_us <= @now";
    private const string Owned = "delivery_id = @deliveryId AND worker = @worker AND status = 'sending'";

    private long Now => UnixMicros.FromDateTimeOffset(time.GetUtcNow());

    /// <summary>
    /// Claims the delivery due longest, or one whose worker's lease ran out. A delivery taken over
    /// with its attempts used up fails instead (its last worker died while sending it).
    /// </summary>
    public async Task<ClaimedDelivery?> TryClaimAsync(string worker, TimeSpan lease, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
        var now = Now;
        var candidates = await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            """
            SELECT d.delivery_id AS DeliveryId, d.webhook_id AS WebhookId, d.event_type AS EventType, d.payload AS Payload, d.status AS Status,
                   d.attempts AS Attempts, s.url AS Url, s.secret AS Secret
            FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.webhook_id = d.webhook_id
            WHERE d.status IN ('pending', 'sending') AND d.due_at_us <= @now AND s.disabled_at_us IS NULL
            ORDER BY d.due_at_us LIMIT 10
            """, new { now }, cancellationToken: cancellationToken));

        foreach (var candidate in candidates)
        {
            if (candidate.Status == "sending" && candidate.Attempts >= maxAttempts)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE webhook_deliveries SET status = 'failed', worker = NULL, last_error = @error WHERE delivery_id = @id AND {Claimable}",
                    new { id = candidate.DeliveryId, now, error = "The worker sending the last attempt stopped before recording its outcome." },
                    cancellationToken: cancellationToken));
                continue;
            }

            // Lost to another worker (maybe on another node of a cluster): the next one, then.
            var claimed = await database.TryClaimAsync(connection, new CommandDefinition(
                $"UPDATE webhook_deliveries SET status = 'sending', worker = @worker, attempts = attempts + 1, due_at_us = @leaseUntil WHERE delivery_id = @id AND {Claimable}",
                new { id = candidate.DeliveryId, worker, now, leaseUntil = now + (long)lease.TotalMicroseconds }, cancellationToken: cancellationToken));
            if (claimed == 1)
            {
                return new ClaimedDelivery
                {
                    DeliveryId = candidate.DeliveryId, WebhookId = candidate.WebhookId, EventType = candidate.EventType, Payload = candidate.Payload,
                    Url = candidate.Url, Secret = candidate.Secret, Status = "sending", Attempts = candidate.Attempts + 1,
                };
            }
        }

        return null;
    }

    /// <summary>Extends the claim; false when another worker has taken the delivery over.</summary>
    public async Task<bool> RenewAsync(string deliveryId, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(StoreDatabase.LeaseLockWait, cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE webhook_deliveries SET due_at_us = @leaseUntil WHERE {Owned}",
            new { deliveryId, worker, leaseUntil = Now + (long)lease.TotalMicroseconds }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>The receiver took it (2xx).</summary>
    public Task<bool> DeliveredAsync(string deliveryId, string worker, int statusCode) => RecordAsync(
        "status = 'delivered', delivered_at_us = @now, last_status_code = @statusCode, last_error = NULL", deliveryId, worker, new { statusCode });

    /// <summary>The attempt failed; the next one is due at <paramref name="dueAtUs"/>.</summary>
    public Task<bool> RetryAsync(string deliveryId, string worker, int? statusCode, string error, long dueAtUs) => RecordAsync(
        "status = 'pending', due_at_us = @dueAtUs, last_status_code = @statusCode, last_error = @error", deliveryId, worker, new { statusCode, error, dueAtUs });

    /// <summary>The attempt failed and there will be no other.</summary>
    public Task<bool> FailAsync(string deliveryId, string worker, int? statusCode, string error) => RecordAsync(
        "status = 'failed', last_status_code = @statusCode, last_error = @error", deliveryId, worker, new { statusCode, error });

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
            "DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed', 'cancelled') AND created_at_us < @beforeUs",
            new { beforeUs }, cancellationToken: cancellationToken));
    }

    private async Task<bool> RecordAsync(string set, string deliveryId, string worker, object values)
    {
        var parameters = new DynamicParameters(values);
        parameters.AddDynamicParams(new { deliveryId, worker, now = Now });
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteAsync(
            $"UPDATE webhook_deliveries SET {set}, worker = NULL, last_attempt_us = @now WHERE {Owned}", parameters) == 1;
    }
}
