using System.Data.Common;
using System.Text.Json;
using Dapper;
using StoreMonitoring.Storage;
using StoreMonitoring.Time;

namespace StoreMonitoring.Alerts;

/// <summary>A row of <c>webhook_subscriptions</c>.</summary>
/// <param name="StoreIds">The stores it is about; null for every store.</param>
public sealed record WebhookSubscription(
    string WebhookId, string Url, IReadOnlyList<string> Events, IReadOnlyList<string>? StoreIds, int MinMinutes, string Secret, long CreatedAtUs, long? DisabledAtUs, string? DisabledReason)
{
    public bool Wants(string eventType, string? storeId = null) =>
        DisabledAtUs is null && Events.Contains(eventType) && (storeId is null || StoreIds is null || StoreIds.Contains(storeId));
}

/// <summary>The subscription table: created, read, disabled (by a 410) and deleted.</summary>
public sealed class WebhookSubscriptions(StoreDatabase database, TimeProvider time)
{
    private const string Columns = """
        webhook_id AS WebhookId, url AS Url, events AS Events, store_ids AS StoreIds, min_minutes AS MinMinutes, secret AS Secret,
        created_at_us AS CreatedAtUs, disabled_at_us AS DisabledAtUs, disabled_reason AS DisabledReason
        """;

    public async Task<WebhookSubscription> CreateAsync(string url, IReadOnlyList<string> events, IReadOnlyList<string>? storeIds, int minMinutes, CancellationToken cancellationToken = default)
    {
        var subscription = new WebhookSubscription(
            Guid.CreateVersion7(time.GetUtcNow()).ToString(), url, events, storeIds, minMinutes, WebhookSignature.NewSecret(), UnixMicros.FromDateTimeOffset(time.GetUtcNow()), null, null);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO webhook_subscriptions (webhook_id, url, events, store_ids, min_minutes, secret, created_at_us)
            VALUES (@WebhookId, @Url, @events, @storeIds, @MinMinutes, @Secret, @CreatedAtUs)
            """,
            new
            {
                subscription.WebhookId, subscription.Url, subscription.MinMinutes, subscription.Secret, subscription.CreatedAtUs,
                events = string.Join(' ', events),
                storeIds = storeIds is null ? null : JsonSerializer.Serialize(storeIds),
            },
            cancellationToken: cancellationToken));
        return subscription;
    }

    public async Task<WebhookSubscription?> GetAsync(string webhookId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_subscriptions WHERE webhook_id = @webhookId", new { webhookId }, cancellationToken: cancellationToken));
        return row?.ToSubscription();
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_subscriptions ORDER BY created_at_us, webhook_id LIMIT @limit", new { limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToSubscription())];
    }

    /// <summary>Deletes a subscription with its deliveries, sent or not; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string webhookId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhook_subscriptions WHERE webhook_id = @webhookId", new { webhookId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhook_deliveries WHERE webhook_id = @webhookId", new { webhookId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    /// <summary>The subscriptions that still receive events, read inside the caller's transaction.</summary>
    internal static IReadOnlyList<WebhookSubscription> Active(DbConnection connection, DbTransaction? transaction) =>
        [.. connection.Query<Row>($"SELECT {Columns} FROM webhook_subscriptions WHERE disabled_at_us IS NULL", transaction: transaction).Select(r => r.ToSubscription())];

    /// <summary>Stops a subscription whose receiver answered 410 Gone; its undelivered events are cancelled.</summary>
    internal async Task DisableAsync(string webhookId, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = UnixMicros.FromDateTimeOffset(time.GetUtcNow());
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_subscriptions SET disabled_at_us = @now, disabled_reason = @reason WHERE webhook_id = @webhookId AND disabled_at_us IS NULL",
            new { webhookId, reason, now }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE webhook_deliveries SET status = {DeliveryStatus.Cancelled.Sql()}, worker = NULL WHERE webhook_id = @webhookId AND status = {DeliveryStatus.Pending.Sql()}",
            new { webhookId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed class Row
    {
        public string WebhookId { get; init; } = "";

        public string Url { get; init; } = "";

        public string Events { get; init; } = "";

        public string? StoreIds { get; init; }

        public long MinMinutes { get; init; }

        public string Secret { get; init; } = "";

        public long CreatedAtUs { get; init; }

        public long? DisabledAtUs { get; init; }

        public string? DisabledReason { get; init; }

        public WebhookSubscription ToSubscription() => new(
            WebhookId, Url, Events.Split(' ', StringSplitOptions.RemoveEmptyEntries), StoreIds is null ? null : JsonSerializer.Deserialize<string[]>(StoreIds),
            (int)MinMinutes, Secret, CreatedAtUs, DisabledAtUs, DisabledReason);
    }
}
