using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>
/// From polls to webhooks through the real incident code: hourly polls pushed one at a time to
/// <c>POST /polls</c>, the incidents they make, the alerts those raise, received and verified on
/// 127.0.0.1.
/// </summary>
public sealed class PollAlertTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Hourly_polls_raise_store_down_on_the_second_inactive_poll_and_store_recovered_on_the_next_active_one(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:PollInterval", "00:00:01"))));
        var client = app.CreateClient();
        var (webhookId, _) = await Hooks.SubscribeAsync(client, receiver);
        var ingest = client;
        var first = DateTimeOffset.UtcNow.AddHours(-6);

        // A lone inactive poll between active ones: about 50 minutes, no alert.
        await PollAsync(ingest, first, "active");
        await PollAsync(ingest, first.AddHours(1), "inactive");
        await PollAsync(ingest, first.AddHours(2), "active");
        // An alert is queued in the poll's own transaction: none queued once the answer is in, none sent.
        Assert.Empty(await Hooks.DeliveriesAsync(client, webhookId));

        // Two in a row an hour apart: store.down with the second.
        await PollAsync(ingest, first.AddHours(3), "inactive");
        Assert.Empty(await Hooks.DeliveriesAsync(client, webhookId));
        var started = Stopwatch.GetTimestamp();
        await PollAsync(ingest, first.AddHours(4), "inactive");
        var down = (await receiver.WaitForAsync(1))[0];
        var latency = Stopwatch.GetElapsedTime(started, down.ReceivedAt);
        Assert.True(down.Verified);
        var downData = JsonDocument.Parse(down.Body).RootElement;
        Assert.Equal("store.down", downData.GetProperty("type").GetString());
        Assert.Equal("store-e2e", downData.GetProperty("data").GetProperty("store_id").GetString());
        Assert.True(downData.GetProperty("data").GetProperty("duration_minutes").GetDouble() >= 60);

        await PollAsync(ingest, first.AddHours(5), "active");
        var recovered = (await receiver.WaitForAsync(2))[1];
        var recoveredData = JsonDocument.Parse(recovered.Body).RootElement;
        Assert.Equal("store.recovered", recoveredData.GetProperty("type").GetString());
        Assert.Equal(
            downData.GetProperty("data").GetProperty("incident_id").GetString(), recoveredData.GetProperty("data").GetProperty("incident_id").GetString());
        Assert.NotEqual(JsonValueKind.Null, recoveredData.GetProperty("data").GetProperty("end").ValueKind);
        Assert.Equal(2, (await Hooks.DeliveriesAsync(client, webhookId)).Length);
        Assert.Equal(2, receiver.Received.Count);
        TestContext.Current.TestOutputHelper!.WriteLine($"alert latency ({engine}), POST /polls sent -> store.down received: {latency.TotalMilliseconds:0.0} ms");
    }

    internal static async Task PollAsync(HttpClient client, DateTimeOffset at, string status, string store = "store-e2e")
    {
        var csv = $"store_id,status,timestamp_utc\n{store},{status},{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)} UTC\n";
        var response = await client.PostAsync("/polls", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
    }
}
