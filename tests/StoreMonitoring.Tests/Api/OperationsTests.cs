using System.Net;
using MySqlConnector;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>What an operator watches: Prometheus metrics and the health probes.</summary>
public sealed class OperationsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Metrics_show_imports_reports_the_queue_and_the_platform(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var data = db.Folder.Sub("data");
        InputData.WriteAll(data, stores: 3);
        File.AppendAllText(Path.Combine(data, "store_status.csv"), "broken,maybe,2024-10-14 23:00:00 UTC\n");
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        await client.ImportAsync();
        await client.WaitForReportAsync(await client.TriggerAsync());
        var metrics = await client.GetStringAsync("/metrics");

        foreach (var name in new[]
        {
            "storemon_polls_imported_total", "storemon_polls_rejected_total{", "reason=\"invalid_row\"", "storemon_import_duration_seconds_bucket",
            "storemon_report_duration_seconds_bucket{", "storemon_reports_finished_total{", "storemon_report_state=\"complete\"", "storemon_reports_queued",
            "http_server_request_duration_seconds_bucket", "dotnet_gc_collections_total",
        })
        {
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        }

        // Buckets that fit seconds: a sub-second report lands below 1 s, not in a 0-5 s bucket.
        Assert.Contains("storemon_report_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Matches(@"storemon_report_duration_seconds_bucket\{[^}]*le=""0.25""", metrics);
        Assert.Matches(@"storemon_import_duration_seconds_bucket\{[^}]*le=""0.1""", metrics);
        Assert.DoesNotMatch(@"storemon_report_duration_seconds_bucket\{[^}]*le=""7500""", metrics);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Readiness_fails_while_the_database_is_unreachable_and_liveness_does_not(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        // SQLite: a file that is not there, opened read-only (as when a volume is not mounted); MariaDB: a port nothing listens on.
        var unreachable = engine == Engine.Sqlite
            ? $"Data Source={Path.Combine(db.Folder.Path, "missing.db")};Mode=ReadOnly"
            : new MySqlConnectionStringBuilder(db.ConnectionString) { Port = 18399, ConnectionTimeout = 2 }.ConnectionString;
        await using var app = new StoreMonitoringApp(db.Settings(("ConnectionStrings:StoreMonitoring", unreachable), ("StoreMonitoring:Database:MigrateOnStart", "false"), ("StoreMonitoring:Database:CheckOnStart", "false")));
        var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Contains("not reachable", body, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"unhealthy\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain(db.Folder.Path, body, StringComparison.Ordinal);
        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.DoesNotContain("18399", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Readiness_needs_the_current_schema(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Database:MigrateOnStart", "false")));
        var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);

        await ((StoreMonitoring.Storage.Migrator)app.Services.GetService(typeof(StoreMonitoring.Storage.Migrator))!).MigrateAsync();
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var readyBody = await ready.Content.ReadAsStringAsync();
        Assert.Contains("schema version", readyBody, StringComparison.Ordinal);
        // One spelling of health states: /health says "healthy" too.
        Assert.StartsWith("""{"status":"healthy","checks":{"database":{"status":"healthy",""", readyBody, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"healthy\"", await client.GetStringAsync("/health"), StringComparison.Ordinal);
    }
}
