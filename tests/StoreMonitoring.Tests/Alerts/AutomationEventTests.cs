using System.Net;
using System.Text.Json;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Alerts;

/// <summary>import.completed and report.completed, raised by the real import and the real report worker.</summary>
public sealed class AutomationEventTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task An_import_and_a_report_each_send_their_completed_event(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 3);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new StoreMonitoringApp(db.Settings(Hooks.With(("StoreMonitoring:Webhooks:PollInterval", "00:00:01"))));
        var client = app.CreateClient();
        await Hooks.SubscribeAsync(client, receiver, events: ["import.completed", "report.completed"]);

        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);
        var reportId = await client.TriggerAsync("?method=ratio");
        await client.WaitForReportAsync(reportId);

        var received = await receiver.WaitForAsync(2);
        Assert.All(received, r => Assert.True(r.Verified));
        var events = received.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["import.completed", "report.completed"], events.Select(e => e.GetProperty("type").GetString()).Order());
        var report = events.Single(e => e.GetProperty("type").GetString() == "report.completed").GetProperty("data");
        Assert.Equal(reportId, report.GetProperty("report_id").GetString());
    }
}
