using System.Text.Json;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>The learned method through the whole service: trigger, shards, storage, CSV and JSON.</summary>
public sealed class LearnedReportTests
{
    private const string Now = "now=2024-10-14T12:00:00Z";

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_learned_report_is_byte_identical_however_it_is_sharded_and_carries_its_intervals(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 30);
        string sharded, whole;
        await using (var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:ShardStores", "4"), ("StoreMonitoring:Reports:MaxConcurrentReports", "3"))))
        {
            var client = app.CreateClient();
            await client.ImportAsync();
            sharded = await client.TriggerAsync($"?method=learned&{Now}");
            await client.WaitForReportAsync(sharded);
        }

        await using var second = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:ShardStores", "1000")));
        var other = second.CreateClient();
        whole = await other.TriggerAsync($"?method=learned&{Now}");
        await other.WaitForReportAsync(whole);
        foreach (var format in new[] { "", "&columns=extended" })
        {
            Assert.Equal(
                await other.GetStringAsync($"/get_report?report_id={whole}{format}"),
                await other.GetStringAsync($"/get_report?report_id={sharded}{format}"));
        }

        // The JSON differs in its report_id only.
        string Stores(string body) => JsonDocument.Parse(body).RootElement.GetProperty("stores").GetRawText();
        Assert.Equal(
            Stores(await other.GetStringAsync($"/get_report?report_id={whole}&format=json")),
            Stores(await other.GetStringAsync($"/get_report?report_id={sharded}&format=json")));

        var extended = (await other.GetStringAsync($"/get_report?report_id={whole}&columns=extended")).Split('\n');
        Assert.EndsWith(",uptime_low_last_hour,uptime_low_last_day,uptime_low_last_week,uptime_high_last_hour,uptime_high_last_day,uptime_high_last_week", extended[0]);
        Assert.Equal(22, extended[1].Split(',').Length);
        // The seven-column CSV is the original service's, whatever the method.
        Assert.Equal(7, (await other.GetStringAsync($"/get_report?report_id={whole}")).Split('\n')[1].Split(',').Length);

        using var json = JsonDocument.Parse(await other.GetStringAsync($"/get_report?report_id={whole}&format=json"));
        Assert.Equal("learned", json.RootElement.GetProperty("method").GetString());
        var stores = json.RootElement.GetProperty("stores").EnumerateArray().ToList();
        Assert.Equal(30, stores.Count);
        foreach (var store in stores)
        {
            foreach (var name in new[] { "last_hour", "last_day", "last_week" })
            {
                var w = store.GetProperty(name);
                double Get(string p) => w.GetProperty(p).GetDouble();
                Assert.Equal(Get("business"), Get("uptime") + Get("downtime") + Get("unknown"), 6);
                Assert.Equal(Get("business"), Get("estimated_uptime") + Get("estimated_downtime"), 6);
                Assert.InRange(Get("uptime_low"), 0, Get("estimated_uptime"));
                Assert.InRange(Get("uptime_high"), Get("estimated_uptime"), Get("business"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_other_methods_json_has_no_interval_and_their_extended_csv_no_interval_columns(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 3);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        await client.ImportAsync();
        var id = await client.TriggerAsync($"?{Now}");
        await client.WaitForReportAsync(id);

        Assert.DoesNotContain("uptime_low", await client.GetStringAsync($"/get_report?report_id={id}&format=json"), StringComparison.Ordinal);
        Assert.DoesNotContain("uptime_low", await client.GetStringAsync($"/get_report?report_id={id}&columns=extended"), StringComparison.Ordinal);
    }
}
