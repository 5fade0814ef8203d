using Microsoft.Extensions.DependencyInjection;
using StoreMonitoring.Alerts;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

/// <summary><c>storemon webhooks list|deliveries</c>, the real executable on the real database.</summary>
public sealed class WebhookCliTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Webhooks_and_their_deliveries_are_listed_without_secrets(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        string id, secret, deliveryId;
        using (var host = await db.StartLibraryAsync())
        {
            var subscription = await host.Services.GetRequiredService<WebhookSubscriptions>().CreateAsync("https://example.com/hook", ["store.down", "store.stale"], ["s1"], 90);
            (id, secret) = (subscription.WebhookId, subscription.Secret);
            deliveryId = await host.Services.GetRequiredService<WebhookOutbox>().EnqueueTestAsync(subscription);
        }

        var list = await Storemon.RunAsync(db, db.Folder.Path, "webhooks", "list");
        Assert.Equal(0, list.ExitCode);
        var row = Assert.Single(list.Output.TrimEnd('\n').Split('\n').Skip(1));
        Assert.Equal([id, "yes", "store.down,store.stale", "1", "90"], row.Split('\t')[..5]);
        Assert.DoesNotContain(secret, list.Output, StringComparison.Ordinal);

        var deliveries = await Storemon.RunAsync(db, db.Folder.Path, "webhooks", "deliveries", id);
        Assert.Equal(0, deliveries.ExitCode);
        Assert.Equal([deliveryId, "webhook.test", "pending", "0"], Assert.Single(deliveries.Output.TrimEnd('\n').Split('\n').Skip(1)).Split('\t')[..4]);

        var unknown = await Storemon.RunAsync(db, db.Folder.Path, "webhooks", "deliveries", Guid.NewGuid().ToString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no webhook with id", unknown.Error, StringComparison.Ordinal);
    }
}
