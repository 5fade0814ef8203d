using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StoreMonitoring.Reports;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;
using StoreMonitoring.Time;

namespace StoreMonitoring.Tests.Reports;

/// <summary>
/// A report's stores split into shards that any process's worker claims: the result is the same
/// whoever computes which shard, and in whatever order they finish.
/// </summary>
public sealed class ReportShardTests
{
    private const string Now = "now=2024-10-14T12:00:00Z";

    [Fact]
    public void Shards_cover_every_key_once_in_order()
    {
        int[] keys = [3, 4, 9, 10, 11, 40, 41];
        var shards = ReportShards.Split(keys, 3);

        Assert.Equal([new(int.MinValue, 9), new(10, 40), new(41, int.MaxValue)], shards);
        Assert.Single(ReportShards.Split(keys, 7));
        Assert.Equal(7, ReportShards.Split(keys, 1).Count);
        Assert.Empty(ReportShards.Split([], 5));
        // Consecutive, no gap and no overlap: a store between two keys still falls in exactly one.
        for (var i = 1; i < shards.Count; i++)
        {
            Assert.Equal(shards[i - 1].Last + 1, shards[i].First);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_report_in_many_shards_is_byte_identical_to_one_in_a_single_shard(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 30);
        string sharded, whole;
        await using (var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:ShardStores", "4"), ("StoreMonitoring:Reports:MaxConcurrentReports", "3"))))
        {
            var client = app.CreateClient();
            await client.ImportAsync();
            sharded = await client.TriggerAsync($"?{Now}");
            await client.WaitForReportAsync(sharded);
        }

        await using (var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:ShardStores", "1000"))))
        {
            var client = app.CreateClient();
            whole = await client.TriggerAsync($"?{Now}");
            await client.WaitForReportAsync(whole);
            foreach (var format in new[] { "", "&columns=extended" })
            {
                Assert.Equal(
                    await client.GetStringAsync($"/get_report?report_id={whole}{format}"),
                    await client.GetStringAsync($"/get_report?report_id={sharded}{format}"));
            }
        }

        await using var connection = await db.OpenAsync();
        Assert.Equal(8, await ShardCountAsync(connection, sharded));
        Assert.Equal(1, await ShardCountAsync(connection, whole));
        var job = await connection.QuerySingleAsync<(long Done, long Total, long Stores)>(
            "SELECT shards_done, shards_total, stores_done FROM report_jobs WHERE report_id = @sharded", new { sharded });
        Assert.Equal((8L, 8L, 30L), job);
        Assert.Equal(30, await connection.ExecuteScalarAsync<long>("SELECT SUM(stores) FROM report_shards WHERE report_id = @sharded", new { sharded }));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task Two_processes_finish_one_report_together_and_exactly_one_completes_it(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 30);
        (string, string?) shardSize = ("StoreMonitoring:Reports:ShardStores", "3");
        using var first = await db.StartLibraryAsync(shardSize);
        using var second = await db.StartLibraryAsync(shardSize);
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false")));
        var client = app.CreateClient();
        await client.ImportAsync();
        var reportId = await client.TriggerAsync($"?{Now}");

        var lease = TimeSpan.FromSeconds(30);
        var job = await first.Services.GetRequiredService<ReportJobs>().TryClaimAsync("first:1:a", lease, 5);
        Assert.NotNull(job);
        await first.Services.GetRequiredService<ReportJobRunner>().PlanAsync(job, "first:1:a", CancellationToken.None);

        // Both processes claim shards in turn, then all of them finish at once.
        var claimed = new List<(IHost Host, string Worker, ClaimedShard Shard)>();
        for (var turn = 0; ; turn++)
        {
            var (host, worker) = turn % 2 == 0 ? (first, "first:1:a") : (second, "second:2:b");
            if (await host.Services.GetRequiredService<ReportShards>().TryClaimAsync(worker, lease, 5) is not { } shard)
            {
                break;
            }

            claimed.Add((host, worker, shard));
        }

        Assert.Equal(10, claimed.Count);
        Assert.Equal(ReportStatus.Running, (await ReportAsync(first, reportId)).Status);
        await Task.WhenAll(claimed.Select(c => Task.Run(() => c.Host.Services.GetRequiredService<ReportJobRunner>().RunShardAsync(c.Shard, c.Worker, CancellationToken.None))));

        var done = await ReportAsync(second, reportId);
        Assert.Equal((ReportStatus.Complete, 30, 10), (done.Status, done.StoresDone, done.ShardsDone));
        await using var connection = await db.OpenAsync();
        var workers = await connection.QueryAsync<(string Worker, long Attempts, string Status)>(
            "SELECT worker, attempts, status FROM report_shards WHERE report_id = @reportId", new { reportId });
        Assert.All(workers, w => Assert.Equal((1L, "Complete"), (w.Attempts, w.Status)));
        Assert.Equal(["first:1:a", "second:2:b"], workers.Select(w => w.Worker).Distinct().Order());
        Assert.Equal(30, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_rows WHERE report_id = @reportId", new { reportId }));

        // The same report computed by one worker alone.
        var alone = await client.TriggerAsync($"?{Now}&method=interpolated");
        Assert.NotEqual(reportId, alone);
        await using var single = new StoreMonitoringApp(db.Settings());
        await single.CreateClient().WaitForReportAsync(alone);
        Assert.Equal(await client.GetStringAsync($"/get_report?report_id={alone}"), await client.GetStringAsync($"/get_report?report_id={reportId}"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_shard_whose_worker_died_is_taken_over_after_its_lease_and_counted(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 12);
        using var dead = await db.StartLibraryAsync(("StoreMonitoring:Reports:ShardStores", "5"));
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false"), ("StoreMonitoring:Reports:ShardStores", "5")));
        var client = app.CreateClient();
        await client.ImportAsync();
        var reportId = await client.TriggerAsync($"?{Now}");

        // A process plans the report, claims its first shard with a short lease, and dies.
        var job = await dead.Services.GetRequiredService<ReportJobs>().TryClaimAsync("dead:1:a", TimeSpan.FromMinutes(1), 5);
        await dead.Services.GetRequiredService<ReportJobRunner>().PlanAsync(job!, "dead:1:a", CancellationToken.None);
        var orphan = await dead.Services.GetRequiredService<ReportShards>().TryClaimAsync("dead:1:a", TimeSpan.FromSeconds(1), 5);
        Assert.Equal(0, orphan?.Shard);

        await using var worker = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:InstanceName", "survivor")));
        var response = await worker.CreateClient().WaitForReportAsync(reportId);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(13, (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n').Length);

        await using var connection = await db.OpenAsync();
        var shards = (await connection.QueryAsync<(long Shard, long Attempts, string Worker)>(
            "SELECT shard, attempts, worker FROM report_shards WHERE report_id = @reportId ORDER BY shard", new { reportId })).ToArray();
        Assert.Equal(3, shards.Length);
        Assert.Equal(2, shards[0].Attempts);
        Assert.All(shards, s => Assert.StartsWith("survivor:", s.Worker, StringComparison.Ordinal));
        Assert.All(shards[1..], s => Assert.Equal(1, s.Attempts));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task A_shard_whose_workers_keep_dying_fails_its_report_and_drops_its_rows(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        InputData.WriteAll(db.Folder.Sub("data"), stores: 6);
        using var dead = await db.StartLibraryAsync(("StoreMonitoring:Reports:ShardStores", "3"));
        await using var app = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:RunWorker", "false")));
        var client = app.CreateClient();
        await client.ImportAsync();
        var reportId = await client.TriggerAsync($"?{Now}");
        var job = await dead.Services.GetRequiredService<ReportJobs>().TryClaimAsync("dead:1:a", TimeSpan.FromMinutes(1), 2);
        await dead.Services.GetRequiredService<ReportJobRunner>().PlanAsync(job!, "dead:1:a", CancellationToken.None);
        var shards = dead.Services.GetRequiredService<ReportShards>();
        // The second shard is computed; the first one's workers die twice.
        var first = await shards.TryClaimAsync("dead:1:a", TimeSpan.FromMinutes(1), 2);
        var second = await shards.TryClaimAsync("dead:1:a", TimeSpan.FromMinutes(1), 2);
        await dead.Services.GetRequiredService<ReportJobRunner>().RunShardAsync(second!, "dead:1:a", CancellationToken.None);
        await using var connection = await db.OpenAsync();
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_rows WHERE report_id = @reportId", new { reportId }));
        await connection.ExecuteAsync(
            "UPDATE report_shards SET attempts = 2, lease_until_us = @past WHERE report_id = @reportId AND shard = @shard",
            new { reportId, shard = first!.Shard, past = UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow) - UnixMicros.PerSecond });

        await using var worker = new StoreMonitoringApp(db.Settings(("StoreMonitoring:Reports:MaxAttempts", "2")));
        var body = await (await worker.CreateClient().WaitForReportAsync(reportId)).JsonAsync();

        Assert.Equal("Error", body.GetProperty("status").GetString());
        Assert.Contains("crash loop", body.GetProperty("error").GetString());
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_rows WHERE report_id = @reportId", new { reportId }));
    }

    private static async Task<ReportJob> ReportAsync(IHost host, string reportId) =>
        (await host.Services.GetRequiredService<ReportJobs>().GetAsync(reportId))!;

    private static Task<long> ShardCountAsync(System.Data.Common.DbConnection connection, string reportId) =>
        connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_shards WHERE report_id = @reportId", new { reportId });
}
