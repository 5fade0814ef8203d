using System.Diagnostics;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>
/// Alert latency as the issue defines it: from sending the poll that makes an incident reach
/// <c>min_minutes</c> (<c>POST /polls</c>) to the receiver getting <c>store.down</c>, with the
/// default poll interval (a local event wakes the worker at once). The figures go to the test
/// output for BENCHMARKS.md; the test itself checks only that every alert arrives, signed.
/// </summary>
public sealed class AlertLatencyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Store_down_alerts_reach_the_receiver_after_the_poll_that_raises_them(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:PollInterval", "00:00:01"))));
        var client = app.CreateClient();
        await Hooks.SubscribeAsync(client, receiver);
        var first = DateTimeOffset.UtcNow.AddHours(-3);

        const int alerts = 20;
        var latencies = new List<double>();
        for (var i = 0; i < alerts; i++)
        {
            var store = $"latency-{i}";
            await PollAlertTests.PollAsync(client, first, "active", store);
            await PollAlertTests.PollAsync(client, first.AddHours(1), "inactive", store);
            var sent = Stopwatch.GetTimestamp();
            await PollAlertTests.PollAsync(client, first.AddHours(2), "inactive", store);
            var received = await receiver.WaitForAsync(i + 1);
            Assert.True(received[i].Verified);
            Assert.Contains(store, received[i].Body, StringComparison.Ordinal);
            latencies.Add(Stopwatch.GetElapsedTime(sent, received[i].ReceivedAt).TotalMilliseconds);
        }

        latencies.Sort();
        TestContext.Current.TestOutputHelper!.WriteLine(
            $"alert latency ({engine}, {alerts} store.down, POST /polls sent -> webhook received): p50 {latencies[alerts / 2]:0.0} ms, p95 {latencies[(int)(alerts * 0.95)]:0.0} ms, max {latencies[^1]:0.0} ms");
        Assert.Equal(alerts, receiver.Received.Count);
    }
}
