using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoreMonitoring.Tests.Api;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>Settings and calls the webhook tests share.</summary>
internal static class Hooks
{
    /// <summary>The whole retry schedule in about a second, private destinations allowed (the receiver is on 127.0.0.1).</summary>
    public static readonly (string Key, string? Value)[] Fast =
    [
        ("StoreMonitoring:Webhooks:AllowPrivateNetworks", "true"),
        ("StoreMonitoring:Webhooks:PollInterval", "00:00:00.050"),
        ("StoreMonitoring:Webhooks:RetryDelays:0", "00:00:00.100"),
        ("StoreMonitoring:Webhooks:RetryDelays:1", "00:00:00.200"),
        ("StoreMonitoring:Webhooks:RetryDelays:2", "00:00:00.300"),
        ("StoreMonitoring:Webhooks:Jitter", "0"),
        ("StoreMonitoring:Webhooks:Timeout", "00:00:05"),
        ("StoreMonitoring:Webhooks:Lease", "00:00:10"),
        ("StoreMonitoring:RateLimit:PermitLimit", "1000000"),
    ];

    public static (string Key, string? Value)[] With(params (string Key, string? Value)[] extra) => [.. Fast, .. extra];

    public static async Task<(string Id, string Secret)> SubscribeAsync(HttpClient client, WebhookReceiver receiver, string[]? events = null, string[]? storeIds = null, int? minMinutes = null)
    {
        var response = await client.PostAsJsonAsync("/webhooks", new { url = receiver.Url, events = events ?? ["store.down", "store.recovered"], store_ids = storeIds, min_minutes = minMinutes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        var secret = body.GetProperty("secret").GetString()!;
        receiver.Secret = secret;
        return (body.GetProperty("webhook_id").GetString()!, secret);
    }

    public static async Task<string> SendTestAsync(HttpClient client, string webhookId)
    {
        var response = await client.PostAsync($"/webhooks/{webhookId}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("delivery_id").GetString()!;
    }

    public static async Task<JsonElement[]> DeliveriesAsync(HttpClient client, string webhookId)
    {
        var response = await client.GetAsync($"/webhooks/{webhookId}/deliveries");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.JsonAsync()).GetProperty("deliveries").EnumerateArray()];
    }

    /// <summary>Polls the deliveries endpoint until one reaches <paramref name="status"/>.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string webhookId, string deliveryId, string status, int timeoutSeconds = 30)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var delivery = (await DeliveriesAsync(client, webhookId)).Single(d => d.GetProperty("delivery_id").GetString() == deliveryId);
            if (delivery.GetProperty("status").GetString() == status)
            {
                return delivery;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(timeoutSeconds), $"Delivery {deliveryId} is {delivery.GetProperty("status")}, not {status}, after {timeoutSeconds} s.");
            await Task.Delay(50);
        }
    }
}
