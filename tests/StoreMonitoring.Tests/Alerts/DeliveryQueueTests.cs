using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Alerts;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

public sealed class DeliveryQueueTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Retention_deletes_old_finished_deliveries_and_keeps_everything_still_to_send(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        using var host = await db.StartLibraryAsync();
        var webhookId = await IncidentAlertTests.SubscribeAsync(host);
        var outbox = host.Services.GetRequiredService<WebhookOutbox>();
        await using var connection = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        foreach (var (key, status, createdAt) in new[] { ("old-delivered", "delivered", 10L), ("old-failed", "failed", 10L), ("old-pending", "pending", 10L), ("old-sending", "sending", 10L), ("new-delivered", "delivered", 1000L) })
        {
            var id = outbox.Enqueue(connection, null, webhookId, "webhook.test", key, "{}");
            await connection.ExecuteAsync("UPDATE webhook_deliveries SET status = @status, created_at_us = @createdAt WHERE delivery_id = @id", new { status, createdAt, id });
        }

        Assert.Equal(2, await host.Services.GetRequiredService<DeliveryQueue>().PurgeAsync(100, CancellationToken.None));
        Assert.Equal(["new-delivered", "old-pending", "old-sending"], (await connection.QueryAsync<string>("SELECT dedupe_key FROM webhook_deliveries")).Order());
    }
}
