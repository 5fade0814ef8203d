using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StoreMonitoring.Reports;
using StoreMonitoring.Storage;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Api;

/// <summary>Every bound on work and storage: body sizes, request rates, the report queue, retention.</summary>
public sealed class LimitTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_body_past_the_endpoints_limit_gets_413(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();

        var large = await client.PostAsync("/trigger_report", new ByteArrayContent(new byte[2048]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("application/problem+json", large.Content.Headers.ContentType?.MediaType);
        Assert.Contains("1024 bytes", (await large.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync("/import_data", new ByteArrayContent(new byte[40_000]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/trigger_report?now=2024-10-10T12:00:00Z", new ByteArrayContent(new byte[100]))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Each_key_has_its_own_rate_limit_with_retry_after_and_health_has_none(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var keys = new ApiKeys();
        await using var app = new StoreMonitoringApp(db.Settings([.. keys.Settings, ("StoreMonitoring:RateLimit:PermitLimit", "3"), ("StoreMonitoring:RateLimit:WindowSeconds", "60")]));
        var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/reports", bearer: keys.Read))).StatusCode);
        }

        var limited = await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/reports", bearer: keys.Read));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal("Too many requests", (await limited.JsonAsync()).GetProperty("title").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiKeys.Request(HttpMethod.Get, "/reports", header: keys.Write))).StatusCode);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task The_queue_is_bounded_and_an_identical_trigger_returns_the_waiting_report(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        // No worker: queued reports stay Pending, so the queue's state is exactly what was triggered.
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false"), ("StoreMonitoring:Reports:MaxQueued", "2")));
        var client = app.CreateClient();

        var first = await client.TriggerAsync("?method=ratio&now=2024-10-10T12:00:00Z");
        Assert.Equal(first, await client.TriggerAsync("?method=ratio&now=2024-10-10T12:00:00Z"));
        var second = await client.TriggerAsync("?method=interpolated&now=2024-10-10T12:00:00Z");
        Assert.NotEqual(first, second);

        var full = await client.PostAsync("/trigger_report?now=2024-10-11T12:00:00Z", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, full.StatusCode);
        Assert.NotNull(full.Headers.RetryAfter?.Delta);
        Assert.Equal("Report queue full", (await full.JsonAsync()).GetProperty("title").GetString());

        // A repeat of a waiting report is still answered while the queue is full.
        Assert.Equal(second, await client.TriggerAsync("?method=interpolated&now=2024-10-10T12:00:00Z"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Retention_deletes_old_and_surplus_reports_with_their_rows_files_and_import_runs(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 4);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = new StoreMonitoringApp(
            db.Settings(("StoreMonitoring:Reports:RetentionCount", "2"), ("StoreMonitoring:Reports:RetentionDays", "7")),
            services => services.AddSingleton<TimeProvider>(time));
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.ImportAsync()).StatusCode);

        var ids = new List<string>();
        foreach (var day in new[] { 10, 11, 12 })
        {
            var id = await client.TriggerAsync($"?now=2024-10-{day}T12:00:00Z");
            await client.WaitForReportAsync(id);
            await WaitForAsync(() => File.Exists(ExportOf(db, id)));
            ids.Add(id);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        var removed = await app.Services.GetRequiredService<ReportRetention>().CleanAsync();

        Assert.Equal(new RetentionResult(1, 1, 0), removed);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/get_report?report_id={ids[0]}")).StatusCode);
        Assert.False(File.Exists(ExportOf(db, ids[0])));
        Assert.Equal(0, await CountAsync(app, "SELECT COUNT(*) FROM report_rows WHERE report_id = @id", ids[0]));
        Assert.Equal(4, await CountAsync(app, "SELECT COUNT(*) FROM report_rows WHERE report_id = @id", ids[2]));
        Assert.True(File.Exists(ExportOf(db, ids[2])));

        // A week later the background cleanup, on the injected clock, removes the rest but the latest import.
        time.Advance(TimeSpan.FromDays(8));
        await WaitForAsync(async () => await CountAsync(app, "SELECT COUNT(*) FROM report_jobs", null) == 0);
        Assert.Equal(0, await CountAsync(app, "SELECT COUNT(*) FROM report_rows", null));
        Assert.False(File.Exists(ExportOf(db, ids[2])));
        Assert.Equal(1, await CountAsync(app, "SELECT COUNT(*) FROM import_runs", null));
        Assert.Equal("imported", (await (await client.GetAsync("/debug_data")).JsonAsync()).GetProperty("import_status").GetString());
    }

    private static string ExportOf(TestDatabase db, string id) => ReportRetention.ExportPath(Path.Combine(db.Folder.Path, "reports"), id);

    private static async Task<long> CountAsync(StoreMonitoringApp app, string sql, string? id)
    {
        await using var connection = await app.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { id });
    }

    private static Task WaitForAsync(Func<bool> condition) => WaitForAsync(() => Task.FromResult(condition()));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 20 s.");
            await Task.Delay(50);
        }
    }
}
