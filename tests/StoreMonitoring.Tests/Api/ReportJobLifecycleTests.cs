using System.Net;
using Dapper;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Api;

/// <summary>Reports survive restarts, never stay Running forever, and run exactly once across hosts.</summary>
public sealed class ReportJobLifecycleTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_queued_report_shows_running_with_progress_until_a_worker_completes_it(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 6);

        string reportId;
        await using (var apiOnly = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false"))))
        {
            var client = apiOnly.CreateClient();
            await client.ImportAsync();
            reportId = await client.TriggerAsync();
            var running = await (await client.GetAsync($"/get_report?report_id={reportId}")).JsonAsync();
            Assert.Equal("Running", running.GetProperty("status").GetString());
            Assert.Equal(0, running.GetProperty("progress").GetDouble());
            Assert.Equal("pending", running.GetProperty("state").GetString());
        }

        await using var worker = new StoreMonitoringApp(db.Settings());
        var response = await worker.CreateClient().WaitForReportAsync(reportId);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(7, (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n').Length);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_report_without_a_now_lists_none_until_planned_and_an_empty_one_never_says_1970(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 3);
        string reportId;
        await using (var apiOnly = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false"))))
        {
            var client = apiOnly.CreateClient();
            await client.ImportAsync();
            reportId = await client.TriggerAsync();
            var pending = (await (await client.GetAsync("/reports")).JsonAsync())[0];
            Assert.Equal(reportId, pending.GetProperty("report_id").GetString());
            Assert.Equal("Pending", pending.GetProperty("status").GetString());
            Assert.False(pending.TryGetProperty("now", out var now), $"a pending report's now is {now}");
        }

        // The polls gone before a worker plans it (a store-wide delete, a restore): the report is
        // empty and has no windows' end, rather than one at the Unix epoch.
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM store_status");
        }

        await using var worker = new StoreMonitoringApp(db.Settings());
        var workerClient = worker.CreateClient();
        var done = await (await workerClient.WaitForReportAsync(reportId, "&format=json")).JsonAsync();
        Assert.Equal(0, done.GetProperty("stores").GetArrayLength());
        var listed = (await (await workerClient.GetAsync("/reports")).JsonAsync())[0];
        Assert.Equal("Complete", listed.GetProperty("status").GetString());
        foreach (var answer in new[] { done, listed })
        {
            Assert.True(!answer.TryGetProperty("now", out var end) || end.ValueKind == System.Text.Json.JsonValueKind.Null, $"now is {end}");
        }

        Assert.DoesNotContain("1970", await (await workerClient.GetAsync("/reports")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_finished_report_can_be_downloaded_after_a_restart(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 6);
        string reportId, before;
        await using (var first = new StoreMonitoringApp(db.Settings()))
        {
            var client = first.CreateClient();
            await client.ImportAsync();
            reportId = await client.TriggerAsync("?method=ratio");
            before = await (await client.WaitForReportAsync(reportId)).Content.ReadAsStringAsync();
        }

        await using var second = new StoreMonitoringApp(db.Settings());
        var after = await second.CreateClient().GetAsync($"/get_report?report_id={reportId}");
        Assert.Equal(before, await after.Content.ReadAsStringAsync());
        Assert.True(File.Exists(Path.Combine(db.Folder.Path, "reports", $"report_{reportId}.csv")));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_report_whose_process_died_is_reported_as_error_once_its_attempts_are_used(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var reportId = await InsertOrphanedJobAsync(db, attempts: 1);

        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:MaxAttempts", "1")));
        var response = await app.CreateClient().WaitForReportAsync(reportId);

        var body = await response.JsonAsync();
        Assert.Equal("Error", body.GetProperty("status").GetString());
        Assert.Equal("Report generation failed", body.GetProperty("message").GetString());
        Assert.Contains("lease expired", body.GetProperty("error").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_report_whose_worker_died_is_taken_over_and_completed_after_its_lease(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 4);
        await using var app = new StoreMonitoringApp(db.Settings());
        var client = app.CreateClient();
        await client.ImportAsync();
        var reportId = await InsertOrphanedJobAsync(db, attempts: 1);

        var response = await client.WaitForReportAsync(reportId);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        await using var connection = await db.OpenAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT attempts FROM report_jobs WHERE report_id = @reportId", new { reportId }));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Two_hosts_on_one_database_run_each_report_exactly_once(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 30);
        await using var first = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:MaxConcurrentReports", "2")));
        await using var second = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:MaxConcurrentReports", "2")));
        var clients = new[] { first.CreateClient(), second.CreateClient() };
        await clients[0].ImportAsync();

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            // Distinct nows: a trigger identical to a waiting report would return that report instead.
            var now = $"now=2024-10-14T{10 + i}:00:00Z";
            ids.Add(await clients[i % 2].TriggerAsync(i % 3 == 0 ? $"?method=ratio&{now}" : $"?{now}"));
        }

        var bodies = new List<string>();
        foreach (var id in ids)
        {
            var response = await clients[1].WaitForReportAsync(id);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        await using var connection = await db.OpenAsync();
        var jobs = (await connection.QueryAsync<(string Status, long Attempts, string Worker)>("SELECT status, attempts, worker FROM report_jobs")).ToArray();
        Assert.Equal(10, jobs.Length);
        Assert.All(jobs, j => Assert.Equal(("Complete", 1L), (j.Status, j.Attempts)));
        Assert.Equal(10 * 30, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_rows"));
        Assert.Equal(10, ids.Distinct().Count());
        Assert.All(bodies, body => Assert.Equal(1 + 30, body.TrimEnd('\n').Split('\n').Length));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Identical_triggers_through_two_hosts_at_once_queue_one_report(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 4);
        await using var first = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false")));
        await using var second = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false")));
        var clients = new[] { first.CreateClient(), second.CreateClient() };
        await clients[0].ImportAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => clients[i % 2].TriggerAsync("?method=ratio&now=2024-10-14T12:00:00Z")));
        var other = await clients[1].TriggerAsync("?method=ratio&now=2024-10-14T13:00:00Z");

        Assert.Single(ids.Distinct());
        Assert.NotEqual(ids[0], other);
        await using var connection = await db.OpenAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_jobs"));

        // Once it is finished, the same trigger queues a new report.
        await using (var worker = new StoreMonitoringApp(db.Settings()))
        {
            await worker.CreateClient().WaitForReportAsync(ids[0]);
        }

        Assert.NotEqual(ids[0], await clients[0].TriggerAsync("?method=ratio&now=2024-10-14T12:00:00Z"));
    }

    /// <summary>A job left Running by a worker that no longer exists, its lease about to run out.</summary>
    private static async Task<string> InsertOrphanedJobAsync(TestDatabase db, int attempts)
    {
        using var host = await db.StartLibraryAsync();
        await using var connection = await db.OpenAsync();
        var reportId = Guid.NewGuid().ToString();
        var now = UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow);
        await connection.ExecuteAsync(
            """
            INSERT INTO report_jobs (report_id, status, method, requested_at_us, started_at_us, stores_total, stores_done, attempts, worker, lease_until_us)
            VALUES (@reportId, 'Running', 'interpolated', @now, @now, 100, 40, @attempts, 'dead-host:1:abc', @leaseUntil)
            """,
            new { reportId, now, attempts, leaseUntil = now + UnixMicros.PerSecond });
        return reportId;
    }
}
