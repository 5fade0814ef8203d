using System.Diagnostics;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>
/// Alert latency, from the start of the transaction that makes an incident reach
/// <c>min_minutes</c> (and writes the outbox row) to the receiver, with the default poll interval (a local event wakes the
/// worker at once). The figures go to the test output for BENCHMARKS.md; the test itself checks
/// only that every alert arrives.
/// </summary>
public sealed class AlertLatencyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Store_down_alerts_reach_the_receiver_after_the_commit(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:PollInterval", "00:00:01"))));
        var client = app.CreateClient();
        await Hooks.SubscribeAsync(client, receiver);

        const int alerts = 20;
        var latencies = new List<double>();
        for (var i = 0; i < alerts; i++)
        {
            var id = $"incident-{i}";
            var started = Stopwatch.GetTimestamp();
            await IncidentAlertTests.ChangeAsync(app.Services, (IncidentAlertTests.Incident(id, down: 50), IncidentAlertTests.Incident(id, down: 110, polls: 2)));
            var received = await receiver.WaitForAsync(i + 1);
            Assert.True(received[i].Verified);
            latencies.Add(Stopwatch.GetElapsedTime(started, received[i].ReceivedAt).TotalMilliseconds);
        }

        latencies.Sort();
        TestContext.Current.TestOutputHelper!.WriteLine(
            $"alert latency ({engine}, {alerts} store.down): p50 {latencies[alerts / 2]:0.0} ms, p95 {latencies[(int)(alerts * 0.95)]:0.0} ms, max {latencies[^1]:0.0} ms");
        Assert.Equal(alerts, receiver.Received.Count);
    }
}
