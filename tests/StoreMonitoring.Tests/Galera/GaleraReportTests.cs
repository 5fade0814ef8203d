using System.Net;
using StoreMonitoring.Tests.Api;
using StoreMonitoring.Tests.Infrastructure;

namespace StoreMonitoring.Tests.Galera;

/// <summary>Reports computed by three instances on a three-node cluster, shard by shard, against one instance on SQLite.</summary>
[Collection(GaleraCollection.Name)]
public sealed class GaleraReportTests(GaleraCluster cluster)
{
    [GaleraFact]
    public async Task Reports_triggered_on_all_three_instances_run_once_and_equal_sqlites()
    {
        const int stores = 60;
        await using var deployment = await GaleraDeployment.StartAsync(cluster, ("StoreMonitoring:Reports:ShardStores", "10"));
        InputData.WriteAll(deployment.Folders[0].Sub("data"), stores);
        Assert.Equal(HttpStatusCode.OK, (await deployment.Client(1).PostAsync("/import_data", null)).StatusCode);
        await using var reference = await SqliteReference.StartAsync(stores);

        // Different parameters, so that each is its own report; triggered at once, one per instance.
        string[] queries = ["", "?method=ratio", "?now=2024-10-14T12:00:00Z"];
        var reportIds = await Task.WhenAll(queries.Select((query, i) => deployment.Client(i + 1).TriggerAsync(query)));
        Assert.Equal(3, reportIds.Distinct().Count());

        // The same report triggered through all three at once is queued once: its active key is
        // unique, and the losers of the certification answer with the winner's report.
        const string sameQuery = "?method=ratio&now=2024-10-14T11:00:00Z";
        var same = await Task.WhenAll(Enumerable.Range(1, 3).Select(node => deployment.Client(node).TriggerAsync(sameQuery)));
        Assert.Single(same.Distinct());
        GaleraReports.AssertSameCsv(await reference.CsvAsync(sameQuery), await GaleraReports.CsvAsync(deployment.Client(2), same[0]), "the report triggered through all three");

        for (var i = 0; i < 3; i++)
        {
            var expected = await reference.CsvAsync(queries[i]);
            Assert.Equal(stores + 1, expected.TrimEnd('\n').Split('\n').Length);
            for (var node = 1; node <= 3; node++)
            {
                GaleraReports.AssertSameCsv(expected, await GaleraReports.CsvAsync(deployment.Client(node), reportIds[i]), $"report '{queries[i]}' through node {node}");
                await using var connection = await deployment.OpenAsync(node);
                GaleraReports.AssertEachShardRanOnce(await GaleraReports.ShardsAsync(connection, reportIds[i]), expected);
            }
        }
    }

    [GaleraFact]
    public async Task Several_instances_finish_one_report_together()
    {
        // Enough stores in small shards that one instance cannot finish them all before the other
        // two look for work (every PollIntervalSeconds); each computes one shard at a time.
        const int stores = 400;
        await using var deployment = await GaleraDeployment.StartAsync(cluster,
            ("StoreMonitoring:Reports:ShardStores", "10"), ("StoreMonitoring:Reports:MaxConcurrentReports", "1"), ("StoreMonitoring:Reports:PollIntervalSeconds", "0.1"));
        InputData.WriteAll(deployment.Folders[0].Sub("data"), stores);
        Assert.Equal(HttpStatusCode.OK, (await deployment.Client(1).PostAsync("/import_data", null)).StatusCode);
        await using var reference = await SqliteReference.StartAsync(stores);

        var reportId = await deployment.Client(1).TriggerAsync();
        var csv = await GaleraReports.CsvAsync(deployment.Client(2), reportId);

        GaleraReports.AssertSameCsv(await reference.CsvAsync(""), csv, "the report");
        await using var connection = await deployment.OpenAsync(3);
        var shards = await GaleraReports.ShardsAsync(connection, reportId);
        GaleraReports.AssertEachShardRanOnce(shards, csv);
        TestContext.Current.TestOutputHelper?.WriteLine($"{shards.Count} shards: " +
            string.Join(", ", shards.GroupBy(s => s.Instance).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        var instances = shards.Select(s => s.Instance).Distinct().Order().ToList();
        Assert.True(instances.Count >= 2, $"all {shards.Count} shards computed by {string.Join(", ", instances)}");
        Assert.All(instances, i => Assert.Matches("^node[123]$", i));
    }
}
